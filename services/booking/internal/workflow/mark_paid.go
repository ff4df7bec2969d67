package workflow

import (
	"time"

	"go.temporal.io/sdk/workflow"

	bookingv1 "github.com/bookwell/bookwell/gen/go/bookwell/booking/v1"
	"github.com/bookwell/bookwell/services/booking/internal/domain"
)

func (w *bookingWorkflow) markPaidHandler() handler {
	return handler{
		check: func(b *domain.Booking, c Command, _ time.Time) error { return b.CheckMarkPaid(c.actor()) },
		apply: func(ctx workflow.Context, c Command, _ time.Time) error {
			var r PaymentResult
			if err := w.call(ctx, &r, activities.MarkPaymentPaid, toPaymentInput(w.b), c.Actor.ID); err != nil {
				return err
			}
			if err := w.b.MarkPaid(c.actor(), workflow.Now(ctx)); err != nil {
				return toApplicationError(err)
			}
			return w.record(ctx, bookingv1.EventType_EVENT_TYPE_MARKED_PAID, c.actor(), "")
		},
	}
}
