package grpcapi

import (
	"context"

	notificationsv1 "github.com/bookwell/bookwell/gen/go/bookwell/notifications/v1"
	"github.com/bookwell/bookwell/pkg/consumer"
)

// ListDeadLetters lists the events this service's consumers gave up on.
func (s *Server) ListDeadLetters(ctx context.Context, req *notificationsv1.ListDeadLettersRequest) (*notificationsv1.ListDeadLettersResponse, error) {
	list, err := s.DeadLetters.List(ctx, req.GetIncludeRedriven(), int(req.GetPageSize()))
	if err != nil {
		return nil, err
	}
	return &notificationsv1.ListDeadLettersResponse{DeadLetters: consumer.DeadLettersToProto(list)}, nil
}

// RedriveDeadLetter hands a dead letter to its consumer again.
func (s *Server) RedriveDeadLetter(ctx context.Context, req *notificationsv1.RedriveDeadLetterRequest) (*notificationsv1.RedriveDeadLetterResponse, error) {
	x, err := s.DeadLetters.Redrive(ctx, req.GetId())
	if err != nil {
		return nil, err
	}
	return &notificationsv1.RedriveDeadLetterResponse{DeadLetter: consumer.DeadLetterToProto(x)}, nil
}
