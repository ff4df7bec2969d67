// Package app holds the booking context's use cases. Commands go to the
// booking's workflow as Temporal updates; reads come from the read model.
package app

import (
	"context"
	"errors"
	"time"

	"github.com/google/uuid"
	"go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"

	"github.com/bookwell/bookwell/pkg/apperr"
	"github.com/bookwell/bookwell/services/booking/internal/domain"
	"github.com/bookwell/bookwell/services/booking/internal/workflow"
)

// Reader reads the booking read model.
type Reader interface {
	Get(ctx context.Context, id string) (domain.Booking, error)
}

// Service carries out booking commands and queries.
type Service struct {
	temporal client.Client
	reader   Reader
	now      func() time.Time
}

// New returns the service.
func New(c client.Client, r Reader, now func() time.Time) *Service {
	return &Service{temporal: c, reader: r, now: now}
}

// requestNamespace derives booking ids from request ids.
var requestNamespace = uuid.MustParse("4b0f2f52-2b7e-4f0c-8f57-8d4b1f0e6a11")

// MaxRequestIDLength bounds a client's request_id.
const MaxRequestIDLength = 128

// Create requests a booking. The same requestID from the same mentee names the
// same booking, so a retried call returns what the first one created.
func (s *Service) Create(ctx context.Context, r domain.Request, requestID string) (domain.Booking, error) {
	if len(requestID) > MaxRequestIDLength {
		var v apperr.Violations
		v.Add("request_id", "must be at most 128 characters")
		return domain.Booking{}, v.Err()
	}
	id := uuid.NewString()
	if requestID != "" {
		id = uuid.NewSHA1(requestNamespace, []byte(r.MenteeID+"\x00"+requestID)).String()
	}
	b, err := domain.NewBooking(id, r, s.now())
	if err != nil {
		return domain.Booking{}, err
	}
	start := s.temporal.NewWithStartWorkflowOperation(client.StartWorkflowOptions{
		ID:                       workflow.WorkflowID(id),
		TaskQueue:                workflow.TaskQueue,
		WorkflowIDConflictPolicy: enums.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
		TypedSearchAttributes:    workflow.SearchAttributes(b),
	}, workflow.BookingWorkflow, workflow.Input{Booking: b})
	h, err := s.temporal.UpdateWithStartWorkflow(ctx, client.UpdateWithStartWorkflowOptions{
		StartWorkflowOperation: start,
		UpdateOptions: client.UpdateWorkflowOptions{
			UpdateName:   workflow.UpdateCreate,
			Args:         []any{workflow.CreateArgs{Request: r}},
			WaitForStage: client.WorkflowUpdateStageCompleted,
		},
	})
	if err != nil {
		return domain.Booking{}, fromTemporal(err)
	}
	var out domain.Booking
	if err := h.Get(ctx, &out); err != nil {
		return domain.Booking{}, fromTemporal(err)
	}
	return out, nil
}

// Get returns one booking.
func (s *Service) Get(ctx context.Context, id string) (domain.Booking, error) {
	if err := checkID(id); err != nil {
		return domain.Booking{}, err
	}
	return s.reader.Get(ctx, id)
}

// Approve is the mentor's approval.
func (s *Service) Approve(ctx context.Context, id string) (domain.Booking, error) {
	return s.update(ctx, id, workflow.UpdateApprove)
}

// update sends a command to the booking's workflow and waits for its outcome.
func (s *Service) update(ctx context.Context, id, name string, args ...any) (domain.Booking, error) {
	if err := checkID(id); err != nil {
		return domain.Booking{}, err
	}
	h, err := s.temporal.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
		WorkflowID:   workflow.WorkflowID(id),
		UpdateName:   name,
		Args:         args,
		WaitForStage: client.WorkflowUpdateStageCompleted,
	})
	if err != nil {
		return domain.Booking{}, fromTemporal(err)
	}
	var out domain.Booking
	if err := h.Get(ctx, &out); err != nil {
		return domain.Booking{}, fromTemporal(err)
	}
	return out, nil
}

func checkID(id string) error {
	if _, err := uuid.Parse(id); err != nil {
		return domain.ErrNotFound
	}
	return nil
}

// fromTemporal maps what Temporal returns to the booking context's errors.
func fromTemporal(err error) error {
	var nf *serviceerror.NotFound
	if errors.As(err, &nf) {
		return domain.ErrNotFound
	}
	return workflow.FromTemporal(err)
}
