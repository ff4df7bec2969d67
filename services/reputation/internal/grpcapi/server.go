// Package grpcapi serves the reputation context's gRPC API and converts
// between its messages and the domain.
package grpcapi

import (
	"context"
	"log/slog"

	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/timestamppb"

	reputationv1 "github.com/bookwell/bookwell/gen/go/bookwell/reputation/v1"
	"github.com/bookwell/bookwell/pkg/apperr"
	"github.com/bookwell/bookwell/services/reputation/internal/app"
	"github.com/bookwell/bookwell/services/reputation/internal/domain"
	"github.com/bookwell/bookwell/services/reputation/internal/postgres"
)

// Server implements reputationv1.ReputationServiceServer.
type Server struct {
	reputationv1.UnimplementedReputationServiceServer
	app *app.Service
	log *slog.Logger
}

// New returns the server.
func New(a *app.Service, log *slog.Logger) *Server { return &Server{app: a, log: log} }

// GetMentorReputation returns a mentor's reputation.
func (s *Server) GetMentorReputation(ctx context.Context, req *reputationv1.GetMentorReputationRequest) (*reputationv1.GetMentorReputationResponse, error) {
	_, err := authorize(ctx, req)
	if err != nil {
		return nil, apperr.ToStatus(ctx, s.log, err)
	}
	r, err := s.app.MentorReputation(ctx, req.GetMentorId())
	if err != nil {
		return nil, apperr.ToStatus(ctx, s.log, err)
	}
	return &reputationv1.GetMentorReputationResponse{Reputation: reputationToProto(r)}, nil
}

// GetMenteeHistory returns a mentee's history.
func (s *Server) GetMenteeHistory(ctx context.Context, req *reputationv1.GetMenteeHistoryRequest) (*reputationv1.GetMenteeHistoryResponse, error) {
	_, err := authorize(ctx, req)
	if err != nil {
		return nil, apperr.ToStatus(ctx, s.log, err)
	}
	h, err := s.app.MenteeHistory(ctx, req.GetMenteeId())
	if err != nil {
		return nil, apperr.ToStatus(ctx, s.log, err)
	}
	return &reputationv1.GetMenteeHistoryResponse{History: historyToProto(h)}, nil
}

// CreateReview records a mentee's review.
func (s *Server) CreateReview(ctx context.Context, req *reputationv1.CreateReviewRequest) (*reputationv1.CreateReviewResponse, error) {
	caller, err := authorize(ctx, req)
	if err != nil {
		return nil, apperr.ToStatus(ctx, s.log, err)
	}
	r, err := s.app.CreateReview(ctx, domain.Review{
		BookingID: req.GetBookingId(),
		MenteeID:  reviewer(caller, req.GetReview().GetMenteeId()),
		Rating:    int(req.GetReview().GetRating()),
		Text:      req.GetReview().GetText(),
	})
	if err != nil {
		return nil, apperr.ToStatus(ctx, s.log, hideOthersBookings(caller, err))
	}
	return &reputationv1.CreateReviewResponse{Review: reviewToProto(r)}, nil
}

// SearchMentors lists bookable mentors by ranking score.
func (s *Server) SearchMentors(ctx context.Context, req *reputationv1.SearchMentorsRequest) (*reputationv1.SearchMentorsResponse, error) {
	_, err := authorize(ctx, req)
	if err != nil {
		return nil, apperr.ToStatus(ctx, s.log, err)
	}
	page, err := s.app.SearchMentors(ctx, int(req.GetPageSize()), req.GetPageToken())
	if err != nil {
		return nil, apperr.ToStatus(ctx, s.log, err)
	}
	resp := &reputationv1.SearchMentorsResponse{NextPageToken: page.NextToken}
	for _, m := range page.Mentors {
		resp.Mentors = append(resp.Mentors, summaryToProto(m))
	}
	return resp, nil
}

func reputationToProto(r app.MentorReputation) *reputationv1.MentorReputation {
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
		Standing:       app.StandingToProto(r.Mentor.Standing),
		StandingReason: r.Mentor.StandingReason,
		Badges:         badgesToProto(r.Mentor.Badges),
		RankingScore:   r.Mentor.RankingScore,
	}
	for _, c := range r.History {
		out.StandingHistory = append(out.StandingHistory, &reputationv1.StandingChange{
			PreviousStanding: app.StandingToProto(c.Previous),
			Standing:         app.StandingToProto(c.Actual),
			Reason:           c.Reason,
			ChangeTime:       timestamppb.New(c.At),
		})
	}
	for _, v := range r.Reviews {
		out.RecentReviews = append(out.RecentReviews, reviewToProto(v))
	}
	return out
}

func historyToProto(h domain.MenteeHistory) *reputationv1.MenteeHistory {
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

func reviewToProto(r domain.Review) *reputationv1.Review {
	return &reputationv1.Review{
		BookingId:  r.BookingID,
		MentorId:   r.MentorID,
		MenteeId:   r.MenteeID,
		Rating:     int32(r.Rating),
		Text:       r.Text,
		CreateTime: timestamppb.New(r.CreatedAt),
	}
}

func summaryToProto(m postgres.SearchResult) *reputationv1.MentorSummary {
	avg := 0.0
	if m.Reviews > 0 {
		avg = float64(m.RatingSum) / float64(m.Reviews)
	}
	return &reputationv1.MentorSummary{
		MentorId:      m.ID,
		RankingScore:  m.RankingScore,
		Standing:      app.StandingToProto(m.Standing),
		Badges:        badgesToProto(m.Badges),
		AverageRating: avg,
		ReviewCount:   m.Reviews,
	}
}

func badgesToProto(bs []domain.Badge) []reputationv1.Badge {
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
