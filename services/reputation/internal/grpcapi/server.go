// Package grpcapi serves the reputation context's gRPC API: it converts
// requests with protoconv, calls the use cases (which check who is asking)
// and converts their results. Errors go back as they are: the gRPC server
// turns them into statuses (pkg/grpcserver).
package grpcapi

import (
	"context"
	"log/slog"

	reputationv1 "github.com/bookwell/bookwell/gen/go/bookwell/reputation/v1"
	"github.com/bookwell/bookwell/pkg/consumer"
	"github.com/bookwell/bookwell/services/reputation/internal/app"
	"github.com/bookwell/bookwell/services/reputation/internal/protoconv"
)

// Server implements reputationv1.ReputationServiceServer.
type Server struct {
	reputationv1.UnimplementedReputationServiceServer
	app *app.Service
	log *slog.Logger
	// DeadLetters are the dead letters of the service's consumers, for
	// ListDeadLetters and RedriveDeadLetter.
	DeadLetters consumer.DeadLetters
}

// New returns the server.
func New(a *app.Service, log *slog.Logger) *Server { return &Server{app: a, log: log} }

// GetMentorReputation returns a mentor's reputation.
func (s *Server) GetMentorReputation(ctx context.Context, req *reputationv1.GetMentorReputationRequest) (*reputationv1.GetMentorReputationResponse, error) {
	r, err := s.app.MentorReputation(ctx, req.GetMentorId())
	if err != nil {
		return nil, err
	}
	return &reputationv1.GetMentorReputationResponse{Reputation: protoconv.MentorReputationToProto(r)}, nil
}

// GetMenteeHistory returns a mentee's history.
func (s *Server) GetMenteeHistory(ctx context.Context, req *reputationv1.GetMenteeHistoryRequest) (*reputationv1.GetMenteeHistoryResponse, error) {
	h, err := s.app.MenteeHistory(ctx, req.GetMenteeId())
	if err != nil {
		return nil, err
	}
	return &reputationv1.GetMenteeHistoryResponse{History: protoconv.MenteeHistoryToProto(h)}, nil
}

// CreateReview records a mentee's review.
func (s *Server) CreateReview(ctx context.Context, req *reputationv1.CreateReviewRequest) (*reputationv1.CreateReviewResponse, error) {
	r, err := s.app.CreateReview(ctx, protoconv.ReviewFromProto(req.GetBookingId(), req.GetReview()))
	if err != nil {
		return nil, err
	}
	return &reputationv1.CreateReviewResponse{Review: protoconv.ReviewToProto(r)}, nil
}

// SearchMentors lists bookable mentors by ranking score.
func (s *Server) SearchMentors(ctx context.Context, req *reputationv1.SearchMentorsRequest) (*reputationv1.SearchMentorsResponse, error) {
	page, err := s.app.SearchMentors(ctx, int(req.GetPageSize()), req.GetPageToken())
	if err != nil {
		return nil, err
	}
	resp := &reputationv1.SearchMentorsResponse{NextPageToken: page.NextToken}
	for _, m := range page.Mentors {
		resp.Mentors = append(resp.Mentors, protoconv.MentorSummaryToProto(m))
	}
	return resp, nil
}

// LiftStanding lifts a mentor's suspension or deactivation.
func (s *Server) LiftStanding(ctx context.Context, req *reputationv1.LiftStandingRequest) (*reputationv1.LiftStandingResponse, error) {
	c, operator, err := s.app.LiftStanding(ctx, req.GetMentorId(), req.GetReason())
	if err != nil {
		return nil, err
	}
	return &reputationv1.LiftStandingResponse{Change: protoconv.StandingChangeToAPI(c), OperatorId: operator}, nil
}
