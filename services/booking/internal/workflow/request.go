package workflow

import (
	"time"

	"go.temporal.io/sdk/workflow"

	bookingv1 "github.com/bookwell/bookwell/gen/go/bookwell/booking/v1"
	"github.com/bookwell/bookwell/services/booking/internal/domain"
)

// registerCreate answers the create update: the outcome of the request the
// workflow started with. A retry (same fingerprint) gets the same answer; a
// different request under the same request_id is refused.
func (w *bookingWorkflow) registerCreate(ctx workflow.Context) error {
	return workflow.SetUpdateHandlerWithOptions(ctx, UpdateCreate,
		func(ctx workflow.Context, c Command) (State, error) {
			if err := workflow.Await(ctx, func() bool { return w.created }); err != nil {
				return State{}, err
			}
			if w.createErr != nil {
				return State{}, w.createErr
			}
			return toState(w.b.VisibleTo(c.actor())), nil
		},
		workflow.UpdateHandlerOptions{Validator: func(_ workflow.Context, c Command) error {
			if c.Fingerprint != w.fingerprint {
				return toApplicationError(domain.ErrRequestReused)
			}
			return nil
		}})
}

// requestInstantly handles the request; when the mentor auto-approves it,
// it approves it before the create update answers, so the mentee gets the
// confirmed booking with its meeting link, and only the approval is
// announced (auto_approved): the mentor is told of a booking, not asked about
// a request. If the approval fails (the meeting provider is down), the
// request is announced as usual and waits for the mentor.
func (w *bookingWorkflow) requestInstantly(ctx workflow.Context, cardToken string) {
	w.busy = true
	defer func() { w.created, w.busy = true, false }()
	// A card waiting for the mentee's authentication is approved, if the
	// mentor auto-approves, once the processor reports it authenticated.
	if w.createErr = w.request(ctx, cardToken, true); w.createErr != nil || !w.instant() || w.b.Status() != domain.StatusPending {
		return
	}
	w.autoApproving = true
	err := w.approve(ctx, domain.System, time.Time{})
	w.autoApproving = false
	if err == nil {
		return
	}
	workflow.GetLogger(ctx).Warn("auto-approval failed; the request is announced and stays pending", "err", err)
	w.createErr = w.announceRequest(ctx)
}

// instant reports whether b is approved within its request: the mentor
// auto-approves and the request has one time (preferred times need the
// mentor to pick one).
func (w *bookingWorkflow) instant() bool {
	return w.b.AutoApproves() && !w.b.AwaitsPick()
}

func (w *bookingWorkflow) announceRequest(ctx workflow.Context) error {
	return w.record(ctx, bookingv1.EventType_EVENT_TYPE_REQUESTED, domain.Actor{ID: w.b.MenteeID(), Role: domain.RoleMentee}, "")
}

// request holds the slot (or looks up the offering for preferred times),
// authorizes the payment and records the PENDING booking. If the payment
// fails, the hold is released. The authorization needs the price, which the
// hold's answer carries, so the two run one after the other.
// With instant set, a request approved at once is not recorded here: its
// approval records it.
func (w *bookingWorkflow) request(ctx workflow.Context, cardToken string, instant bool) error {
	var offering Offering
	hold := toHoldInput(w.b, w.b.SessionAt(w.b.Start()))
	if w.b.HoldsTime() {
		if err := w.call(ctx, &offering, activities.HoldSlot, hold); err != nil {
			return err
		}
	} else if err := w.call(ctx, &offering, activities.LookUpOffering, hold); err != nil {
		return err
	}
	if err := w.b.ApplyOffering(fromOffering(offering)); err != nil {
		w.releaseQuietly(ctx)
		return toApplicationError(err)
	}
	var paid PaymentResult
	if err := w.call(ctx, &paid, activities.AuthorizePayment, toPaymentInput(w.b), cardToken); err != nil {
		w.releaseQuietly(ctx)
		return err
	}
	if paid.Status == string(domain.PaymentStatusAwaitingAuthentication) {
		return w.awaitAuthentication(ctx, paid)
	}
	if paid.Status == string(domain.PaymentStatusAwaitingAuthentication) {
		return w.awaitAuthentication(ctx, paid)
	}
	if err := w.b.Requested(domain.PaymentStatus(paid.Status)); err != nil {
		return toApplicationError(err)
	}
	w.capToHold(ctx, paid.HoldLapses)
	if instant && w.instant() {
		return nil
	}
	return w.announceRequest(ctx)
}

func (w *bookingWorkflow) releaseQuietly(ctx workflow.Context) {
	if !w.b.HoldsTime() {
		return
	}
	if err := w.call(ctx, nil, activities.ReleaseSlot, w.b.ID()); err != nil {
		workflow.GetLogger(ctx).Error("releasing the slot of a failed request", "err", err)
	}
}
