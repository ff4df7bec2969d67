package workflow

import (
	"time"

	"go.temporal.io/sdk/workflow"

	bookingv1 "github.com/bookwell/bookwell/gen/go/bookwell/booking/v1"
	"github.com/bookwell/bookwell/services/booking/internal/domain"
)

func (w *bookingWorkflow) refundHandler() handler {
	return handler{
		check: func(b *domain.Booking, c Command, _ time.Time) error { return b.CheckRefund(c.actor(), c.Amount) },
		apply: func(ctx workflow.Context, c Command, _ time.Time) error {
			var r PaymentResult
			if err := w.call(ctx, &r, activities.RefundPayment, toPaymentInput(w.b), c.Amount, c.Note); err != nil {
				return err
			}
			if err := w.b.Refund(c.actor(), c.Amount, fromPaymentResult(r), workflow.Now(ctx)); err != nil {
				return toApplicationError(err)
			}
			return w.record(ctx, bookingv1.EventType_EVENT_TYPE_REFUNDED, c.actor(), c.Note)
		},
	}
}
