package workflow

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"
	"go.opentelemetry.io/otel/trace/noop"
	"go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/bookwell/bookwell/pkg/apperr"
	"github.com/bookwell/bookwell/pkg/telemetry"
	"github.com/bookwell/bookwell/services/booking/internal/domain"
)

// Client sends requests and commands to bookings' workflows.
type Client struct {
	temporal client.Client
	// Traces, when set, gives the trace of the request that created a
	// booking: a command then continues that trace (one booking, one
	// trace), linked to the trace of the request that sent it.
	Traces func(ctx context.Context, bookingID string) (telemetry.Carrier, error)
}

// NewClient returns a client over c.
func NewClient(c client.Client) *Client { return &Client{temporal: c} }

// ErrNoWorkflow is a command to a booking that has no running workflow: it
// never existed, or its workflow has completed.
var ErrNoWorkflow = errors.New("the booking has no running workflow")

// ErrBusy is a command Temporal could not carry out just now.
var ErrBusy = apperr.New(apperr.KindUnavailable, "BOOKING_BUSY", "bookings are busy just now; please try again")

// Create starts b's workflow and sends it the create update in one round
// trip (update-with-start), and returns the booking once it is requested. A
// retry (the same booking id) reaches the same workflow and gets the same
// answer; updateID names the update, so that Temporal answers a retry with
// the first attempt's result.
func (c *Client) Create(ctx context.Context, b *domain.Booking, fingerprint, cardToken string, by domain.Actor, updateID string) (*domain.Booking, error) {
	var out State
	err := retryTransient(ctx, func() error {
		// A start operation is used once: make a new one for every attempt.
		start := c.temporal.NewWithStartWorkflowOperation(client.StartWorkflowOptions{
			ID:                       WorkflowID(b.ID()),
			TaskQueue:                TaskQueue,
			WorkflowIDConflictPolicy: enums.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
			// A request that could not be booked (slot taken) may be tried
			// again with the same request_id once its workflow has ended.
			WorkflowIDReusePolicy: enums.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE_FAILED_ONLY,
			TypedSearchAttributes: SearchAttributes(b),
			// What the Temporal UI shows an operator (operator_view.go).
			StaticSummary: Summary(b),
			StaticDetails: Details(b),
		}, BookingWorkflow, Input{Booking: toState(b), Fingerprint: fingerprint, CardToken: cardToken})
		h, err := c.temporal.UpdateWithStartWorkflow(ctx, client.UpdateWithStartWorkflowOptions{
			StartWorkflowOperation: start,
			UpdateOptions: client.UpdateWorkflowOptions{
				UpdateID:     updateID,
				UpdateName:   UpdateCreate,
				Args:         []any{Command{Actor: toActor(by), Fingerprint: fingerprint}},
				WaitForStage: client.WorkflowUpdateStageCompleted,
			},
		})
		if err != nil {
			return err
		}
		return h.Get(ctx, &out)
	})
	if err != nil {
		return nil, fromClient(err)
	}
	return fromState(out), nil
}

// Update sends the update name with cmd, by actor, to the booking's
// workflow and returns the booking after it. updateID names the command:
// Temporal carries out one update per id and answers a retry with the first
// one's result.
func (c *Client) Update(ctx context.Context, bookingID, name string, by domain.Actor, cmd Command, updateID string) (*domain.Booking, error) {
	cmd.Actor = toActor(by)
	ctx, span := c.joinBooking(ctx, bookingID, name)
	defer span.End()
	var out State
	err := retryTransient(ctx, func() error {
		h, err := c.temporal.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
			WorkflowID:   WorkflowID(bookingID),
			UpdateID:     updateID,
			UpdateName:   name,
			Args:         []any{cmd},
			WaitForStage: client.WorkflowUpdateStageCompleted,
		})
		if err != nil {
			return err
		}
		return h.Get(ctx, &out)
	})
	if err != nil {
		return nil, fromClient(err)
	}
	return fromState(out), nil
}

// joinBooking returns ctx in a span "booking <command>" of the booking's own
// trace, linked to the request's span (which gets the booking's trace id as
// an attribute, to find one from the other). Without the booking's trace ctx
// is returned as it is.
func (c *Client) joinBooking(ctx context.Context, bookingID, command string) (context.Context, trace.Span) {
	current := trace.SpanFromContext(ctx)
	if c.Traces == nil || !current.SpanContext().IsValid() {
		return ctx, noop.Span{}
	}
	carrier, err := c.Traces(ctx, bookingID)
	if err != nil || len(carrier) == 0 {
		return ctx, noop.Span{}
	}
	booking := telemetry.Extract(ctx, carrier)
	if !trace.SpanContextFromContext(booking).IsValid() {
		return ctx, noop.Span{}
	}
	current.SetAttributes(attribute.String("bookwell.booking.trace_id", trace.SpanContextFromContext(booking).TraceID().String()))
	return telemetry.Tracer().Start(booking, "booking "+command,
		trace.WithLinks(trace.Link{SpanContext: current.SpanContext()}),
		trace.WithAttributes(attribute.String("bookwell.booking.id", bookingID)))
}

// fromClient maps what Temporal returns to the booking context's errors.
func fromClient(err error) error {
	var nf *serviceerror.NotFound
	if errors.As(err, &nf) {
		return ErrNoWorkflow
	}
	if err = FromTemporal(err); isApp(err) || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	// Temporal's own failure: the caller learns it may retry, not its
	// details; they are logged where the call is answered.
	return fmt.Errorf("%w: %v", ErrBusy, err)
}

func isApp(err error) bool {
	var ae *apperr.Error
	var ve *apperr.ValidationError
	return errors.As(err, &ae) || errors.As(err, &ve)
}

// retryTransient runs call up to three times while Temporal answers with a
// failure that may pass (unavailable, internal, overloaded). Every attempt
// carries the same update id, so Temporal applies the command once.
func retryTransient(ctx context.Context, call func() error) error {
	var err error
	for attempt, wait := 0, 100*time.Millisecond; attempt < 3; attempt, wait = attempt+1, wait*3 {
		if err = call(); err == nil || !transient(err) {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(wait):
		}
	}
	return err
}

func transient(err error) bool {
	var te *temporal.ApplicationError
	if errors.As(err, &te) {
		return false // the workflow answered
	}
	switch status.Code(err) {
	case codes.Unavailable, codes.Internal, codes.ResourceExhausted, codes.Unknown, codes.Aborted:
		return true
	}
	return false
}

// Booking asks booking id's workflow for the booking as it holds it: the
// source of truth the read model follows. A workflow that has completed
// answers too, while Temporal keeps its history.
func (c *Client) Booking(ctx context.Context, id string) (*domain.Booking, error) {
	var st State
	err := retryTransient(ctx, func() error {
		v, err := c.temporal.QueryWorkflow(ctx, WorkflowID(id), "", QueryBooking)
		if err != nil {
			return err
		}
		return v.Get(&st)
	})
	if err != nil {
		return nil, fromClient(err)
	}
	return fromState(st), nil
}
