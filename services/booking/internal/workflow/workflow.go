package workflow

import (
	"errors"
	"maps"
	"slices"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	bookingv1 "github.com/bookwell/bookwell/gen/go/bookwell/booking/v1"
	"github.com/bookwell/bookwell/pkg/apperr"
	"github.com/bookwell/bookwell/services/booking/internal/domain"
)

// retryPolicy retries infrastructure failures (a database or service that is
// briefly down) with backoff and without limit; application errors are
// non-retryable and end the attempt at once.
var retryPolicy = &temporal.RetryPolicy{
	InitialInterval:    200 * time.Millisecond,
	BackoffCoefficient: 2,
	MaximumInterval:    time.Minute,
}

// activityOptions are for regular activities. Short, so that a worker that
// dies mid-activity is noticed soon; every activity is one or two calls to a
// local service.
var activityOptions = workflow.ActivityOptions{
	StartToCloseTimeout: 10 * time.Second,
	RetryPolicy:         retryPolicy,
}

// callOptions are for the calls to scheduling and payments run as local
// activities: inside the workflow task, without a round trip through the
// server. A service that does not answer within a few seconds must not hold
// the workflow task: after callTimeout the call goes on as a regular
// activity (see call).
var callOptions = workflow.LocalActivityOptions{
	StartToCloseTimeout:    2 * time.Second,
	ScheduleToCloseTimeout: callTimeout,
	RetryPolicy: &temporal.RetryPolicy{
		InitialInterval:    50 * time.Millisecond,
		BackoffCoefficient: 2,
		MaximumInterval:    time.Second,
	},
}

const callTimeout = 4 * time.Second

// recordOptions are for Record, a local activity on the booking's own
// database: retried like the regular activities.
var recordOptions = workflow.LocalActivityOptions{
	StartToCloseTimeout: 10 * time.Second,
	RetryPolicy:         retryPolicy,
}

// localCallsChange names the change that made the calls to scheduling and
// payments local activities (version 1). Bookings started before it keep
// regular activities: their histories expect them. docs/architecture.md
// tells when the old branch can go.
const localCallsChange = "local-calls"

// instantApprovalChange names the change that made auto-approval part of the
// request (version 1): the create update answers once the booking is
// approved, and no request is announced for a booking nobody has to decide.
// Bookings started before it answer PENDING and approve after.
const instantApprovalChange = "instant-auto-approval"

// BookingWorkflow runs one booking from request to outcome. Commands reach it
// as updates whose validators refuse what the booking's state does not allow,
// so the caller gets the new state or a clear error and a refused command
// leaves no trace. Commands run one at a time; every change is saved to the
// read model, with its event, before the update returns. Timers (reminder,
// expiry, session end, auto-completion) come from the booking's policy. An
// ended booking stays open for its after-care window (goodwill refunds, manual
// refunds, an intro's continuation), then the workflow completes.
func BookingWorkflow(ctx workflow.Context, in Input) error {
	return runBooking(ctx, in, false)
}

// runBooking is BookingWorkflow; forceLocal skips the version check, which
// only the test proving that the replay test catches an unversioned change
// does.
func runBooking(ctx workflow.Context, in Input, forceLocal bool) error {
	w := &bookingWorkflow{b: fromState(in.Booking), fingerprint: in.Fingerprint}
	w.local = forceLocal || workflow.GetVersion(ctx, localCallsChange, workflow.DefaultVersion, 1) >= 1
	if err := w.registerHandlers(ctx); err != nil {
		return err
	}

	if workflow.GetVersion(ctx, instantApprovalChange, workflow.DefaultVersion, 1) >= 1 {
		w.requestInstantly(ctx, in.CardToken)
	} else {
		w.busy = true
		w.createErr = w.request(ctx, in.CardToken, false)
		w.created, w.busy = true, false
		if w.createErr == nil && w.b.AutoApproves() && w.b.Status() == domain.StatusPending {
			w.busy = true
			if err := w.approve(ctx, domain.System, time.Time{}); err != nil {
				workflow.GetLogger(ctx).Warn("auto-approval failed; the request stays pending", "err", err)
			}
			w.busy = false
		}
	}

	for w.createErr == nil {
		version := w.b.Version()
		changed := func() bool { return w.b.Version() != version }
		deadline := w.b.NextDeadline()
		if d := deadline.Sub(workflow.Now(ctx)); d > 0 {
			if ok, err := workflow.AwaitWithTimeout(ctx, d, changed); err != nil {
				return err
			} else if ok {
				continue
			}
		}
		if err := workflow.Await(ctx, func() bool { return !w.busy }); err != nil {
			return err
		}
		if w.b.Version() != version {
			continue // a command got in first
		}
		if w.b.Status().Final() {
			break // after-care is over: the booking's story is told
		}
		w.busy = true
		err := w.onDeadline(ctx)
		w.busy = false
		if err != nil {
			return err
		}
	}
	return workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) })
}

type bookingWorkflow struct {
	b           *domain.Booking
	fingerprint string
	local       bool  // calls run as local activities (localCallsChange)
	created     bool  // the request was handled (successfully or not)
	createErr   error // why the request could not be booked
	busy        bool  // a command or timer is changing the booking
	// autoApproving is set while the request's own auto-approval runs: its
	// approval is announced as auto-approved.
	autoApproving bool
}

// handler is one command: check is the domain rule (run by the validator and
// again once the command has its turn), apply does the work; checked is when
// the command had its turn.
type handler struct {
	check func(b *domain.Booking, c Command, now time.Time) error
	apply func(ctx workflow.Context, c Command, checked time.Time) error
}

func (w *bookingWorkflow) handlers() map[string]handler {
	return map[string]handler{
		UpdateApprove:      w.approveHandler(),
		UpdateReject:       w.rejectHandler(),
		UpdatePropose:      w.proposeHandler(),
		UpdateAccept:       w.acceptHandler(),
		UpdateDecline:      w.declineHandler(),
		UpdateCancel:       w.cancelHandler(),
		UpdateMarkPaid:     w.markPaidHandler(),
		UpdateMarkRefunded: w.markRefundedHandler(),
		UpdateComplete:     w.completeHandler(false),
		UpdateMarkNoShow:   w.completeHandler(true),
		UpdateRefund:       w.refundHandler(),
		UpdateContinuation: w.continuationHandler(),
		UpdateNotes:        w.notesHandler(),
		UpdateMessage:      w.messageHandler(),
		UpdatePayment:      w.paymentHandler(),
	}
}

func (w *bookingWorkflow) registerHandlers(ctx workflow.Context) error {
	if err := workflow.SetQueryHandler(ctx, QueryBooking, func() (State, error) { return toState(w.b), nil }); err != nil {
		return err
	}
	if err := w.registerCreate(ctx); err != nil {
		return err
	}
	hs := w.handlers()
	// Registration order does not touch the history, but keep it fixed anyway
	// (sorted: the map's order does not reach the workflow).
	//workflowcheck:ignore
	for _, name := range slices.Sorted(maps.Keys(hs)) {
		h := hs[name]
		err := workflow.SetUpdateHandlerWithOptions(ctx, name,
			func(ctx workflow.Context, c Command) (State, error) {
				if err := workflow.Await(ctx, func() bool { return w.created && !w.busy }); err != nil {
					return State{}, err
				}
				// The booking may have changed since the validator ran.
				checked := workflow.Now(ctx)
				if err := w.ready(c, h, checked); err != nil {
					return State{}, err
				}
				w.busy = true
				defer func() { w.busy = false }()
				if err := h.apply(ctx, c, checked); err != nil {
					return State{}, err
				}
				return toState(w.b.VisibleTo(c.actor())), nil
			},
			workflow.UpdateHandlerOptions{Validator: func(ctx workflow.Context, c Command) error {
				return w.ready(c, h, workflow.Now(ctx))
			}})
		if err != nil {
			return err
		}
	}
	return nil
}

func (w *bookingWorkflow) ready(c Command, h handler, now time.Time) error {
	if w.created && w.createErr != nil {
		return toApplicationError(apperr.Wrap(domain.ErrNotFound, "this request could not be booked: %v", w.createErr))
	}
	if !w.created {
		return nil // the handler waits for the request to be recorded, then checks again
	}
	return toApplicationError(h.check(w.b, c, now))
}

// call runs one call to another service. For bookings started since
// localCallsChange it is a local activity; if the service does not answer
// within callTimeout, the call goes on as a regular activity, which retries
// on the server's timers without holding a workflow task. Older bookings
// make every call a regular activity, as their histories expect.
func (w *bookingWorkflow) call(ctx workflow.Context, result any, activity any, args ...any) error {
	if w.local {
		err := workflow.ExecuteLocalActivity(workflow.WithLocalActivityOptions(ctx, callOptions), activity, args...).Get(ctx, result)
		var ae *temporal.ApplicationError
		if err == nil || (errors.As(err, &ae) && ae.NonRetryable()) || temporal.IsCanceledError(err) {
			return err
		}
		workflow.GetLogger(ctx).Warn("a call did not answer in time; going on as an activity", "err", err)
	}
	return workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, activityOptions), activity, args...).Get(ctx, result)
}

// activities names the activities for ExecuteActivity; its methods are never
// called on it.
var activities *Activities

// record saves the booking with its event and brings the search attributes
// and the current details up to date. The attributes go in the one upsert
// command there always was: replay matches an upsert by its type, not its
// attributes, so NextDeadline and PaymentStatus needed no version.
func (w *bookingWorkflow) record(ctx workflow.Context, event bookingv1.EventType, actor domain.Actor, text string) error {
	sa := []temporal.SearchAttributeUpdate{StatusKey.ValueSet(string(w.b.Status()))}
	if w.b.HoldsTime() {
		sa = append(sa, SessionStartKey.ValueSet(w.b.Start()))
	}
	sa = append(sa, operatorAttributes(w.b)...)
	if err := workflow.UpsertTypedSearchAttributes(ctx, sa...); err != nil {
		return err
	}
	workflow.SetCurrentDetails(ctx, CurrentDetails(w.b))
	// A local activity: one transaction on the booking's own database, run by
	// this worker without a round trip through the server. Save is
	// idempotent, so a re-run after a crash records the change once.
	ctx = workflow.WithLocalActivityOptions(ctx, recordOptions)
	return workflow.ExecuteLocalActivity(ctx, activities.Record,
		RecordInput{Booking: toState(w.b), Event: event, Actor: toActor(actor), Text: text,
			AutoApproved: w.autoApproving && event == bookingv1.EventType_EVENT_TYPE_APPROVED}).Get(ctx, nil)
}
