package grpcapi

import (
	"context"

	schedulingv1 "github.com/bookwell/bookwell/gen/go/bookwell/scheduling/v1"
	"github.com/bookwell/bookwell/pkg/consumer"
)

// ListDeadLetters lists the events this service's consumers gave up on.
func (s *Server) ListDeadLetters(ctx context.Context, req *schedulingv1.ListDeadLettersRequest) (*schedulingv1.ListDeadLettersResponse, error) {
	list, err := s.DeadLetters.List(ctx, req.GetIncludeRedriven(), int(req.GetPageSize()))
	if err != nil {
		return nil, err
	}
	return &schedulingv1.ListDeadLettersResponse{DeadLetters: consumer.DeadLettersToProto(list)}, nil
}

// RedriveDeadLetter hands a dead letter to its consumer again.
func (s *Server) RedriveDeadLetter(ctx context.Context, req *schedulingv1.RedriveDeadLetterRequest) (*schedulingv1.RedriveDeadLetterResponse, error) {
	x, err := s.DeadLetters.Redrive(ctx, req.GetId())
	if err != nil {
		return nil, err
	}
	return &schedulingv1.RedriveDeadLetterResponse{DeadLetter: consumer.DeadLetterToProto(x)}, nil
}
