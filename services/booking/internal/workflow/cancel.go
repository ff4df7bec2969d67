package workflow

import (
	"time"

	"go.temporal.io/sdk/workflow"

	bookingv1 "github.com/bookwell/bookwell/gen/go/bookwell/booking/v1"
	"github.com/bookwell/bookwell/services/booking/internal/domain"
)

func (w *bookingWorkflow) cancelHandler() handler {
	return handler{
		check: func(b *domain.Booking, c Command, now time.Time) error {
			_, err := b.CheckCancel(c.actor(), c.Reason, now)
			return err
		},
		apply: w.cancel,
	}
}

// cancel ends the booking: a full refund gives the slot and the money back;
// a late mentee cancellation frees the slot and pays the mentor.
func (w *bookingWorkflow) cancel(ctx workflow.Context, c Command, checked time.Time) error {
	decided, err := w.b.CheckCancel(c.actor(), c.Reason, checked)
	if err != nil {
		return toApplicationError(err)
	}
	var after domain.Payment
	if decided.Settlement == domain.SettleFullRefund {
		if after, err = w.giveBack(ctx); err != nil {
			return err
		}
	} else {
		if err := w.call(ctx, nil, activities.ReleaseSlot, w.b.ID()); err != nil {
			return err
		}
		after = w.b.PaymentNow()
		if w.b.Paid() {
			var r PaymentResult
			if err := w.call(ctx, &r, activities.SettleCancellation, toPaymentInput(w.b), decided.Settlement, c.actor().Role); err != nil {
				return err
			}
			after = fromPaymentResult(r)
		}
	}
	if err := w.b.Cancel(decided, after, workflow.Now(ctx)); err != nil {
		return toApplicationError(err)
	}
	return w.record(ctx, bookingv1.EventType_EVENT_TYPE_CANCELLED, c.actor(), "")
}
