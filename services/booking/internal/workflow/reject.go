package workflow

import (
	"time"

	"go.temporal.io/sdk/workflow"

	bookingv1 "github.com/bookwell/bookwell/gen/go/bookwell/booking/v1"
	"github.com/bookwell/bookwell/services/booking/internal/domain"
)

func (w *bookingWorkflow) rejectHandler() handler {
	return handler{
		check: func(b *domain.Booking, c Command, _ time.Time) error { return b.CheckReject(c.actor(), c.Reason) },
		apply: func(ctx workflow.Context, c Command, _ time.Time) error {
			after, err := w.giveBack(ctx)
			if err != nil {
				return err
			}
			if err := w.b.Reject(c.actor(), c.Reason, after, workflow.Now(ctx)); err != nil {
				return toApplicationError(err)
			}
			return w.record(ctx, bookingv1.EventType_EVENT_TYPE_REJECTED, c.actor(), "")
		},
	}
}

// giveBack frees the slot and gives the mentee's money back, for a request
// that ends without a session, and says where the money then stands.
func (w *bookingWorkflow) giveBack(ctx workflow.Context) (domain.Payment, error) {
	if w.b.HoldsTime() {
		if err := w.call(ctx, nil, activities.ReleaseSlot, w.b.ID()); err != nil {
			return domain.Payment{}, err
		}
	}
	after := w.b.PaymentNow()
	if w.b.ToGiveBack() {
		var r PaymentResult
		if err := w.call(ctx, &r, activities.VoidPayment, toPaymentInput(w.b)); err != nil {
			return domain.Payment{}, err
		}
		after = fromPaymentResult(r)
	}
	return after, nil
}
