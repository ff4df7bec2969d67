package app

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"time"

	"github.com/google/uuid"

	"github.com/bookwell/bookwell/services/booking/internal/domain"
	"github.com/bookwell/bookwell/services/booking/internal/workflow"
)

// Approve approves a pending request, at start when it gave preferred times.
func (s *Service) Approve(ctx context.Context, id string, start time.Time) (*domain.Booking, error) {
	return s.command(ctx, id, workflow.UpdateApprove, workflow.Command{Start: start})
}

// Reject rejects a request, with the mentor's reason.
func (s *Service) Reject(ctx context.Context, id, reason string) (*domain.Booking, error) {
	return s.command(ctx, id, workflow.UpdateReject, workflow.Command{Reason: reason})
}

// Propose proposes another start time.
func (s *Service) Propose(ctx context.Context, id string, start time.Time, note string) (*domain.Booking, error) {
	return s.command(ctx, id, workflow.UpdatePropose, workflow.Command{Start: start, Note: note})
}

// Accept accepts the open proposal.
func (s *Service) Accept(ctx context.Context, id string) (*domain.Booking, error) {
	return s.command(ctx, id, workflow.UpdateAccept, workflow.Command{})
}

// Decline declines the open proposal.
func (s *Service) Decline(ctx context.Context, id string) (*domain.Booking, error) {
	return s.command(ctx, id, workflow.UpdateDecline, workflow.Command{})
}

// Cancel cancels a request or an upcoming session.
func (s *Service) Cancel(ctx context.Context, id, reason string) (*domain.Booking, error) {
	return s.command(ctx, id, workflow.UpdateCancel, workflow.Command{Reason: reason})
}

// MarkPaid records that a manual payment arrived.
func (s *Service) MarkPaid(ctx context.Context, id string) (*domain.Booking, error) {
	return s.command(ctx, id, workflow.UpdateMarkPaid, workflow.Command{})
}

// MarkRefunded records that a manual payment went back.
func (s *Service) MarkRefunded(ctx context.Context, id string) (*domain.Booking, error) {
	return s.command(ctx, id, workflow.UpdateMarkRefunded, workflow.Command{})
}

// Complete marks a session attended.
func (s *Service) Complete(ctx context.Context, id string) (*domain.Booking, error) {
	return s.command(ctx, id, workflow.UpdateComplete, workflow.Command{})
}

// MarkNoShow marks that the mentee did not attend.
func (s *Service) MarkNoShow(ctx context.Context, id string) (*domain.Booking, error) {
	return s.command(ctx, id, workflow.UpdateMarkNoShow, workflow.Command{})
}

// Refund refunds amount (0: all that is left) of a card payment.
func (s *Service) Refund(ctx context.Context, id string, amount int64, note string) (*domain.Booking, error) {
	return s.command(ctx, id, workflow.UpdateRefund, workflow.Command{Amount: amount, Note: note})
}

// DecideContinuation records the mentor's decision after an intro session.
func (s *Service) DecideContinuation(ctx context.Context, id string, approve bool, reason string) (*domain.Booking, error) {
	return s.command(ctx, id, workflow.UpdateContinuation, workflow.Command{Approve: approve, Reason: reason})
}

// SendMessage sends a one-way message from the mentor to the mentee.
func (s *Service) SendMessage(ctx context.Context, id, text string) (*domain.Booking, error) {
	return s.command(ctx, id, workflow.UpdateMessage, workflow.Command{Text: text})
}

// UpdateNotes replaces the mentor's private notes.
func (s *Service) UpdateNotes(ctx context.Context, id, notes string) (*domain.Booking, error) {
	return s.command(ctx, id, workflow.UpdateNotes, workflow.Command{Text: notes})
}

// command sends one command to a booking's workflow and returns the booking
// after it.
func (s *Service) command(ctx context.Context, id, name string, c workflow.Command) (*domain.Booking, error) {
	_, a, err := s.visible(ctx, id)
	if err != nil {
		return nil, err
	}
	b, err := s.workflows.Update(ctx, id, name, a, c, updateID(ctx, a, name, id, "", c))
	if err != nil {
		return nil, s.fromWorkflow(ctx, id, err)
	}
	return b, nil
}

type idempotencyKey struct{}

// WithIdempotencyKey returns ctx carrying the client's idempotency key (the
// REST Idempotency-Key): a command sent again with the same key is the same
// command.
func WithIdempotencyKey(ctx context.Context, key string) context.Context {
	if key == "" {
		return ctx
	}
	return context.WithValue(ctx, idempotencyKey{}, key)
}

var updateNamespace = uuid.MustParse("5a3c1e0b-7d2f-4c8e-9b1a-0f6e2d4c8a73")

// updateID names a command for Temporal, which carries out one update per id
// and answers a repeat with the first one's result. A command is the same
// command when the same caller sends the same name with the same arguments
// to the same booking under the same idempotency key (else the request's
// request_id); without either, every call is a new command.
func updateID(ctx context.Context, a domain.Actor, name, bookingID, requestID string, args ...any) string {
	key, _ := ctx.Value(idempotencyKey{}).(string)
	if key == "" {
		key = requestID
	}
	if key == "" {
		return uuid.NewString()
	}
	h := sha256.New()
	for _, part := range []string{string(a.Role), a.ID, name, bookingID, key} {
		h.Write([]byte(part))
		h.Write([]byte{0})
	}
	for _, arg := range args {
		b, _ := json.Marshal(arg) // plain data: cannot fail
		h.Write(b)
	}
	return uuid.NewSHA1(updateNamespace, h.Sum(nil)).String()
}
