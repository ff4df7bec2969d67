package workflow

import (
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/bookwell/bookwell/services/booking/internal/domain"
)

// Event types the workflow publishes (through the Record activity's outbox).
const (
	EventRequested = "booking.requested"
	EventApproved  = "booking.approved"
)

// activityOptions retries infrastructure failures (a database or service that
// is briefly down) with backoff and without limit; application errors are
// non-retryable and end the attempt at once.
var activityOptions = workflow.ActivityOptions{
	StartToCloseTimeout: 30 * time.Second,
	RetryPolicy: &temporal.RetryPolicy{
		InitialInterval:    200 * time.Millisecond,
		BackoffCoefficient: 2,
		MaximumInterval:    time.Minute,
	},
}

// BookingWorkflow runs one booking from request to outcome. Commands reach it
// as updates whose validators refuse what the booking's state does not allow,
// so the caller gets the new state or a clear error. Every change is saved to
// the read model, with its event, before the update returns.
func BookingWorkflow(ctx workflow.Context, in Input) error {
	w := &bookingWorkflow{b: in.Booking}
	if err := workflow.SetQueryHandler(ctx, QueryBooking, func() (domain.Booking, error) { return w.b, nil }); err != nil {
		return err
	}
	if err := workflow.SetUpdateHandlerWithOptions(ctx, UpdateCreate, w.create,
		workflow.UpdateHandlerOptions{Validator: w.validateCreate}); err != nil {
		return err
	}
	if err := workflow.SetUpdateHandlerWithOptions(ctx, UpdateApprove, w.approve,
		workflow.UpdateHandlerOptions{Validator: w.validateApprove}); err != nil {
		return err
	}

	if err := w.record(ctx, EventRequested, domain.Actor{ID: w.b.MenteeID, Role: domain.RoleMentee}); err != nil {
		return err
	}
	w.recorded = true

	return workflow.Await(ctx, func() bool { return w.b.Status.Final() && workflow.AllHandlersFinished(ctx) })
}

type bookingWorkflow struct {
	b        domain.Booking
	recorded bool // the request is in the read model
}

func (w *bookingWorkflow) validateCreate(_ workflow.Context, args CreateArgs) error {
	if !w.b.SameRequest(args.Request) {
		return toApplicationError(domain.ErrRequestReused)
	}
	return nil
}

// create answers the call that started the workflow (or a retry of it) once
// the request is recorded.
func (w *bookingWorkflow) create(ctx workflow.Context, _ CreateArgs) (domain.Booking, error) {
	if err := workflow.Await(ctx, func() bool { return w.recorded }); err != nil {
		return domain.Booking{}, err
	}
	return w.b, nil
}

func (w *bookingWorkflow) validateApprove(workflow.Context) error {
	return toApplicationError(w.b.CanApprove())
}

func (w *bookingWorkflow) approve(ctx workflow.Context) (domain.Booking, error) {
	if err := workflow.Await(ctx, func() bool { return w.recorded }); err != nil {
		return domain.Booking{}, err
	}
	if err := w.b.Approve(workflow.Now(ctx)); err != nil {
		return domain.Booking{}, toApplicationError(err)
	}
	if err := w.record(ctx, EventApproved, domain.Actor{ID: w.b.MentorID, Role: domain.RoleMentor}); err != nil {
		return domain.Booking{}, err
	}
	return w.b, nil
}

// record saves the booking with its event and brings the search attributes up
// to date.
func (w *bookingWorkflow) record(ctx workflow.Context, eventType string, actor domain.Actor) error {
	if err := workflow.UpsertTypedSearchAttributes(ctx,
		StatusKey.ValueSet(string(w.b.Status))); err != nil {
		return err
	}
	var a *Activities
	ctx = workflow.WithActivityOptions(ctx, activityOptions)
	return workflow.ExecuteActivity(ctx, a.Record, RecordInput{Booking: w.b, EventType: eventType, Actor: actor}).Get(ctx, nil)
}
