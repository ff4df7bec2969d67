package grpcapi

import (
	"context"

	reputationv1 "github.com/bookwell/bookwell/gen/go/bookwell/reputation/v1"
	"github.com/bookwell/bookwell/pkg/consumer"
)

// ListDeadLetters lists the events this service's consumers gave up on.
func (s *Server) ListDeadLetters(ctx context.Context, req *reputationv1.ListDeadLettersRequest) (*reputationv1.ListDeadLettersResponse, error) {
	list, err := s.DeadLetters.List(ctx, req.GetIncludeRedriven(), int(req.GetPageSize()))
	if err != nil {
		return nil, err
	}
	return &reputationv1.ListDeadLettersResponse{DeadLetters: consumer.DeadLettersToProto(list)}, nil
}

// RedriveDeadLetter hands a dead letter to its consumer again.
func (s *Server) RedriveDeadLetter(ctx context.Context, req *reputationv1.RedriveDeadLetterRequest) (*reputationv1.RedriveDeadLetterResponse, error) {
	x, err := s.DeadLetters.Redrive(ctx, req.GetId())
	if err != nil {
		return nil, err
	}
	return &reputationv1.RedriveDeadLetterResponse{DeadLetter: consumer.DeadLetterToProto(x)}, nil
}
