// Package protoconv converts between reputation's domain values and their
// protobuf forms: its API's messages, the booking and payment events it
// projects, and the standing changes it announces. Every converter is named
// XToProto or XFromProto.
package protoconv

import (
	"fmt"
	"strings"
	"time"

	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/timestamppb"

	bookingv1 "github.com/bookwell/bookwell/gen/go/bookwell/booking/v1"
	paymentsv1 "github.com/bookwell/bookwell/gen/go/bookwell/payments/v1"
	reputationv1 "github.com/bookwell/bookwell/gen/go/bookwell/reputation/v1"
	"github.com/bookwell/bookwell/pkg/events"
	"github.com/bookwell/bookwell/services/reputation/internal/app"
	"github.com/bookwell/bookwell/services/reputation/internal/domain"
)

// ---- the API

// StandingToProto converts a standing to reputation's enum, the one the
// other contexts read.
func StandingToProto(s domain.Standing) reputationv1.Standing {
	switch s {
	case domain.StandingActive:
		return reputationv1.Standing_STANDING_ACTIVE
	case domain.StandingFlagged:
		return reputationv1.Standing_STANDING_FLAGGED
	case domain.StandingSuspended:
		return reputationv1.Standing_STANDING_SUSPENDED
	case domain.StandingDeactivated:
		return reputationv1.Standing_STANDING_DEACTIVATED
	}
	return reputationv1.Standing_STANDING_UNSPECIFIED
}

// MentorReputationToProto converts everything known about a mentor.
func MentorReputationToProto(r app.MentorReputation) *reputationv1.MentorReputation {
	f := r.Figures
	out := &reputationv1.MentorReputation{
		MentorId: r.Mentor.ID,
		Figures: &reputationv1.MentorFigures{
			ApprovedCount:             f.Approved,
			DecidedCount:              f.Decided,
			ApprovalRate:              f.ApprovalRate(),
			AnsweredCount:             f.Answered,
			MedianResponseTime:        durationpb.New(f.MedianResponse),
			P90ResponseTime:           durationpb.New(f.P90),
			AnsweredWithinTargetShare: f.WithinTargetShare(),
			ResponseTarget:            durationpb.New(r.Policy.ResponseTarget),
			CancellationStreak:        f.Streak,
			MentorCancellationCount:   f.MentorCancellations,
			LateCancellationCount:     f.LateCancellations,
			LateRescheduleCount:       f.LateReschedules,
			CompletedCount:            f.Completed,
			NoShowCount:               f.NoShows,
			NoShowRate:                f.NoShowRate(),
			AverageRating:             f.AverageRating(),
			ReviewCount:               f.Reviews,
		},
		Standing:       StandingToProto(r.Mentor.Standing),
		StandingReason: r.Mentor.StandingReason,
		Badges:         BadgesToProto(r.Mentor.Badges),
		RankingScore:   r.Mentor.RankingScore,
	}
	for _, c := range r.History {
		out.StandingHistory = append(out.StandingHistory, StandingChangeToAPI(c))
	}
	for _, v := range r.Reviews {
		out.RecentReviews = append(out.RecentReviews, ReviewToProto(v))
	}
	return out
}

// MenteeHistoryToProto converts what a mentor sees about a mentee.
func MenteeHistoryToProto(h domain.MenteeHistory) *reputationv1.MenteeHistory {
	out := &reputationv1.MenteeHistory{
		MenteeId:                   h.MenteeID,
		PriorSessionCount:          h.PriorSessions,
		AverageRatingGiven:         h.AverageRatingGiven(),
		ReviewCount:                h.Reviews,
		NoShowCount:                h.NoShows,
		MentorNoShowComplaintCount: h.MentorNoShowComplaints,
	}
	for _, m := range h.Spend {
		out.TotalSpend = append(out.TotalSpend, &reputationv1.Money{Currency: m.Currency, AmountMinor: m.AmountMinor})
	}
	return out
}

// ReviewToProto converts a review.
func ReviewToProto(r domain.Review) *reputationv1.Review {
	return &reputationv1.Review{
		BookingId:  r.BookingID,
		MentorId:   r.MentorID,
		MenteeId:   r.MenteeID,
		Rating:     int32(r.Rating),
		Text:       r.Text,
		CreateTime: timestamppb.New(r.CreatedAt),
	}
}

// ReviewFromProto converts a review request of bookingID.
func ReviewFromProto(bookingID string, r *reputationv1.Review) domain.Review {
	return domain.Review{BookingID: bookingID, MenteeID: r.GetMenteeId(), Rating: int(r.GetRating()), Text: r.GetText()}
}

// MentorSummaryToProto converts one mentor of search.
func MentorSummaryToProto(m app.MentorSummary) *reputationv1.MentorSummary {
	avg := 0.0
	if m.Reviews > 0 {
		avg = float64(m.RatingSum) / float64(m.Reviews)
	}
	return &reputationv1.MentorSummary{
		MentorId:      m.ID,
		RankingScore:  m.RankingScore,
		Standing:      StandingToProto(m.Standing),
		Badges:        BadgesToProto(m.Badges),
		AverageRating: avg,
		ReviewCount:   m.Reviews,
	}
}

// BadgesToProto converts badges.
func BadgesToProto(bs []domain.Badge) []reputationv1.Badge {
	var out []reputationv1.Badge
	for _, b := range bs {
		switch b {
		case domain.BadgeHighApprovalRate:
			out = append(out, reputationv1.Badge_BADGE_HIGH_APPROVAL_RATE)
		case domain.BadgeFastResponder:
			out = append(out, reputationv1.Badge_BADGE_FAST_RESPONDER)
		}
	}
	return out
}

// ---- the events

// StandingChangeToProto is the mentor.standing_changed event announcing c.
func StandingChangeToProto(c domain.StandingChange) (events.Event, error) {
	return events.Wrap(c.EventID, reputationv1.EventType_EVENT_TYPE_STANDING_CHANGED, c.At, &reputationv1.MentorStandingChanged{
		MentorId:         c.MentorID,
		Standing:         StandingToProto(c.Actual),
		Reason:           c.Reason,
		PreviousStanding: StandingToProto(c.Previous),
		ChangeTime:       timestamppb.New(c.At),
		BookingId:        c.BookingID,
		OperatorId:       c.OperatorID,
	})
}

// StandingChangeToAPI is c as the API shows it.
func StandingChangeToAPI(c domain.StandingChange) *reputationv1.StandingChange {
	return &reputationv1.StandingChange{
		PreviousStanding: StandingToProto(c.Previous),
		Standing:         StandingToProto(c.Actual),
		Reason:           c.Reason,
		ChangeTime:       timestamppb.New(c.At),
	}
}

// BookingFactFromProto reduces the booking event ev, whose payload is be, to
// what reputation keeps. An event without a booking, mentor or version is an
// error: it can never be projected.
func BookingFactFromProto(ev events.Event, be *bookingv1.BookingEvent) (domain.BookingFact, error) {
	b := be.GetBooking()
	if b.GetId() == "" || b.GetMentorId() == "" || b.GetVersion() == 0 {
		return domain.BookingFact{}, fmt.Errorf("%s %s has no booking id, mentor or version", ev.Type, ev.ID)
	}
	f := domain.BookingFact{
		EventID:           ev.ID.String(),
		Rescheduled:       events.TypeOf[bookingv1.EventType](ev) == bookingv1.EventType_EVENT_TYPE_RESCHEDULED,
		OccurredAt:        ev.OccurredAt,
		ActorRole:         RoleFromProto(be.GetActorRole()),
		BookingID:         b.GetId(),
		MentorID:          b.GetMentorId(),
		MenteeID:          b.GetMenteeId(),
		Version:           b.GetVersion(),
		Status:            domain.Status(strings.TrimPrefix(b.GetStatus().String(), "BOOKING_STATUS_")),
		StartTime:         timeFromProto(b.GetStartTime()),
		CreateTime:        timeFromProto(b.GetCreateTime()),
		FirstResponseTime: timeFromProto(b.GetFirstResponseTime()),
		EndedBy:           RoleFromProto(b.GetOutcome().GetEndedBy()),
		EndedAt:           timeFromProto(b.GetOutcome().GetEndTime()),
		Currency:          b.GetPrice().GetCurrency(),
		PriceMinor:        b.GetPrice().GetAmountMinor(),
		RefundedMinor:     b.GetRefunded().GetAmountMinor(),
		ProposedBy:        RoleFromProto(b.GetProposal().GetProposedBy()),
	}
	if f.EndedAt.IsZero() {
		switch f.Status {
		case domain.StatusCompleted, domain.StatusNoShow, domain.StatusRejected, domain.StatusExpired, domain.StatusCancelled:
			f.EndedAt = ev.OccurredAt
		}
	}
	return f, nil
}

// PaymentFactFromProto is what reputation keeps of a payment event at at:
// the payment's running totals. A payment without a booking, mentee or
// currency, or refunded beyond what was captured, is an error.
func PaymentFactFromProto(ev events.Event, pay *paymentsv1.Payment) (domain.PaymentFact, error) {
	if pay.GetBookingId() == "" || pay.GetMenteeId() == "" || pay.GetCurrency() == "" {
		return domain.PaymentFact{}, fmt.Errorf("%s %s has no booking id, mentee or currency", ev.Type, ev.ID)
	}
	if pay.GetCapturedAmount() < 0 || pay.GetRefundedAmount() < 0 || pay.GetRefundedAmount() > pay.GetCapturedAmount() {
		return domain.PaymentFact{}, fmt.Errorf("%s %s: refunded %d of captured %d", ev.Type, ev.ID, pay.GetRefundedAmount(), pay.GetCapturedAmount())
	}
	return domain.PaymentFact{
		BookingID: pay.GetBookingId(), MenteeID: pay.GetMenteeId(), Currency: pay.GetCurrency(),
		PaidMinor: pay.GetCapturedAmount(), RefundedMinor: pay.GetRefundedAmount(), At: ev.OccurredAt,
	}, nil
}

// RoleFromProto converts who acted on a booking.
func RoleFromProto(r bookingv1.Role) domain.Role {
	if r == bookingv1.Role_ROLE_UNSPECIFIED {
		return domain.RoleNone
	}
	return domain.Role(strings.TrimPrefix(r.String(), "ROLE_"))
}

func timeFromProto(ts *timestamppb.Timestamp) time.Time {
	if ts == nil {
		return time.Time{}
	}
	return ts.AsTime()
}

// StandingRulesFromProto reads the standing rules of a marketplace policy
// version (booking.marketplace_policy_changed).
func StandingRulesFromProto(p *bookingv1.MarketplacePolicy) (domain.StandingRules, error) {
	r := domain.StandingRules{
		Version: p.GetVersion(), FlagStreak: int(p.GetFlagStreak()), DeactivateStreak: int(p.GetDeactivateStreak()),
		MaxLateChanges: int(p.GetLateChangeLimit()), LateNotice: p.GetLateChangeWindow().AsDuration(),
		LateWindow: p.GetLateChangePeriod().AsDuration(),
	}
	return r, r.Validate()
}
