// Package app holds reputation's use cases: projecting booking and payment
// events into figures and standing, rebuilding the projections, reviews and the queries
// behind the API.
package app

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"google.golang.org/protobuf/types/known/timestamppb"

	bookingv1 "github.com/bookwell/bookwell/gen/go/bookwell/booking/v1"
	reputationv1 "github.com/bookwell/bookwell/gen/go/bookwell/reputation/v1"
	"github.com/bookwell/bookwell/pkg/events"
	"github.com/bookwell/bookwell/pkg/outbox"
	"github.com/bookwell/bookwell/services/reputation/internal/domain"
	"github.com/bookwell/bookwell/services/reputation/internal/postgres"
)

// Source is the source of reputation's events.
const Source = "reputation"

// SubjectStandingChanged is the subject of a standing change.
const SubjectStandingChanged = "mentor.standing_changed"

// BookingsDurable is the durable consumer of booking events; it also keys the
// processed event ids.
const BookingsDurable = "reputation-bookings"

// standingNamespace makes standing-change event ids: one per mentor and
// causing event, so a retry or a rebuild never publishes a change twice.
var standingNamespace = uuid.MustParse("6f0c4f0e-9d0b-4c55-9a53-2f1f4b9a7c11")

// Projector turns booking events into reputation's projections.
type Projector struct {
	Store  *postgres.Store
	Policy domain.Policy
	Log    *slog.Logger
}

// Handle is a consumer.Handler for the BOOKING stream. It updates the
// booking's row (ignoring a stale snapshot), then re-evaluates the mentor's
// standing, badges and score under the mentor's row lock; a standing change
// goes to the standing history and the outbox in the same transaction.
func (p *Projector) Handle(ctx context.Context, tx pgx.Tx, ev events.Event) error {
	var be bookingv1.BookingEvent
	if err := ev.Decode(&be); err != nil {
		return err
	}
	f, err := factFromEvent(ev, &be)
	if err != nil {
		return err
	}
	if _, err := p.Store.ApplyBooking(ctx, tx, f); err != nil {
		return err
	}
	m, err := p.Store.LockMentor(ctx, tx, f.MentorID)
	if err != nil {
		return err
	}
	figures, err := p.Store.MentorFigures(ctx, tx, f.MentorID, ev.OccurredAt, p.Policy)
	if err != nil {
		return err
	}
	verdict := p.Policy.Evaluate(m.Standing, figures)
	if verdict.Standing != m.Standing {
		if err := p.changeStanding(ctx, tx, m, verdict, f, ev); err != nil {
			return err
		}
		m.Standing, m.StandingReason = verdict.Standing, verdict.Reason
	}
	m.Badges = p.Policy.Badges(figures)
	m.RankingScore = p.Policy.RankingScore(m.Standing, figures)
	return p.Store.SaveMentor(ctx, tx, m, ev.OccurredAt)
}

func (p *Projector) changeStanding(ctx context.Context, tx pgx.Tx, m postgres.Mentor, v domain.Verdict, f domain.BookingFact, ev events.Event) error {
	id := uuid.NewSHA1(standingNamespace, []byte(m.ID+"/"+ev.ID.String()))
	out, err := events.New(id, SubjectStandingChanged, Source, ev.OccurredAt, &reputationv1.MentorStandingChanged{
		MentorId:         m.ID,
		Standing:         StandingToProto(v.Standing),
		Reason:           v.Reason,
		PreviousStanding: StandingToProto(m.Standing),
		ChangeTime:       timestamppb.New(ev.OccurredAt),
		BookingId:        f.BookingID,
	})
	if err != nil {
		return err
	}
	if err := p.Store.AddStandingChange(ctx, tx, postgres.StandingChange{
		MentorID: m.ID, Previous: m.Standing, Actual: v.Standing, Reason: v.Reason,
		BookingID: f.BookingID, EventID: id, At: ev.OccurredAt,
	}); err != nil {
		return err
	}
	p.Log.InfoContext(ctx, "mentor standing changed", "mentor", m.ID, "from", m.Standing, "to", v.Standing, "reason", v.Reason)
	return outbox.Add(ctx, tx, out)
}

// factFromEvent reduces a booking event to what reputation keeps. An event
// without a booking, mentor or version can never be projected.
func factFromEvent(ev events.Event, be *bookingv1.BookingEvent) (domain.BookingFact, error) {
	b := be.GetBooking()
	if b.GetId() == "" || b.GetMentorId() == "" || b.GetVersion() == 0 {
		return domain.BookingFact{}, fmt.Errorf("%w: %s %s has no booking id, mentor or version", events.ErrMalformed, ev.Type, ev.ID)
	}
	f := domain.BookingFact{
		EventID:           ev.ID.String(),
		Subject:           ev.Type,
		OccurredAt:        ev.OccurredAt,
		ActorRole:         roleFromProto(be.GetActorRole()),
		BookingID:         b.GetId(),
		MentorID:          b.GetMentorId(),
		MenteeID:          b.GetMenteeId(),
		Version:           b.GetVersion(),
		Status:            domain.Status(strings.TrimPrefix(b.GetStatus().String(), "BOOKING_STATUS_")),
		StartTime:         timeOf(b.GetStartTime()),
		CreateTime:        timeOf(b.GetCreateTime()),
		FirstResponseTime: timeOf(b.GetFirstResponseTime()),
		EndedBy:           roleFromProto(b.GetOutcome().GetEndedBy()),
		EndedAt:           timeOf(b.GetOutcome().GetEndTime()),
		Currency:          b.GetPrice().GetCurrency(),
		PriceMinor:        b.GetPrice().GetAmountMinor(),
		RefundedMinor:     b.GetRefunded().GetAmountMinor(),
		ProposedBy:        roleFromProto(b.GetProposal().GetProposedBy()),
	}
	if f.EndedAt.IsZero() {
		switch f.Status {
		case domain.StatusCompleted, domain.StatusNoShow, domain.StatusRejected, domain.StatusExpired, domain.StatusCancelled:
			f.EndedAt = ev.OccurredAt
		}
	}
	return f, nil
}

func timeOf(ts *timestamppb.Timestamp) time.Time {
	if ts == nil {
		return time.Time{}
	}
	return ts.AsTime()
}

func roleFromProto(r bookingv1.Role) domain.Role {
	if r == bookingv1.Role_ROLE_UNSPECIFIED {
		return domain.RoleNone
	}
	return domain.Role(strings.TrimPrefix(r.String(), "ROLE_"))
}

// StandingToProto converts a standing to its proto enum.
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
