package workflow

import (
	"time"

	"go.temporal.io/sdk/workflow"

	bookingv1 "github.com/bookwell/bookwell/gen/go/bookwell/booking/v1"
	"github.com/bookwell/bookwell/services/booking/internal/domain"
)

func (w *bookingWorkflow) approveHandler() handler {
	return handler{
		check: func(b *domain.Booking, c Command, _ time.Time) error { return b.CheckApprove(c.actor(), c.Start) },
		apply: func(ctx workflow.Context, c Command, _ time.Time) error { return w.approve(ctx, c.actor(), c.Start) },
	}
}

// approve confirms the slot (holding the picked time first for a request with
// preferred times), takes the payment and records the approval.
func (w *bookingWorkflow) approve(ctx workflow.Context, actor domain.Actor, start time.Time) error {
	if w.b.AwaitsPick() {
		var o Offering
		if err := w.call(ctx, &o, activities.HoldSlot, toHoldInput(w.b, w.b.SessionAt(start))); err != nil {
			return err
		}
		if err := w.b.PickStart(actor, start); err != nil {
			return toApplicationError(err)
		}
	}
	done, err := w.confirm(ctx)
	if err != nil {
		return err
	}
	if err := w.b.Approve(actor, start, done, workflow.Now(ctx)); err != nil {
		return toApplicationError(err)
	}
	return w.record(ctx, bookingv1.EventType_EVENT_TYPE_APPROVED, actor, "")
}

// confirm confirms the held slot and captures a card payment. The capture
// follows the confirmation: a request whose approval fails (the meeting
// provider is down) is never charged.
func (w *bookingWorkflow) confirm(ctx workflow.Context) (domain.Approved, error) {
	var c Confirmation
	if err := w.call(ctx, &c, activities.ConfirmSlot, toConfirmInput(w.b)); err != nil {
		return domain.Approved{}, err
	}
	paid := w.b.PaymentStatus()
	if w.b.ToCapture() {
		var r PaymentResult
		if err := w.call(ctx, &r, activities.CapturePayment, toPaymentInput(w.b)); err != nil {
			return domain.Approved{}, err
		}
		paid = domain.PaymentStatus(r.Status)
	}
	return fromConfirmation(c, paid), nil
}
