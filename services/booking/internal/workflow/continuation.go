package workflow

import (
	"time"

	"go.temporal.io/sdk/workflow"

	bookingv1 "github.com/bookwell/bookwell/gen/go/bookwell/booking/v1"
	"github.com/bookwell/bookwell/services/booking/internal/domain"
)

func (w *bookingWorkflow) continuationHandler() handler {
	return handler{
		check: func(b *domain.Booking, c Command, _ time.Time) error {
			return b.CheckContinuation(c.actor(), c.Approve, c.Reason)
		},
		apply: func(ctx workflow.Context, c Command, _ time.Time) error {
			if err := w.b.DecideContinuation(c.actor(), c.Approve, c.Reason, workflow.Now(ctx)); err != nil {
				return toApplicationError(err)
			}
			return w.record(ctx, bookingv1.EventType_EVENT_TYPE_CONTINUATION_DECIDED, c.actor(), "")
		},
	}
}
