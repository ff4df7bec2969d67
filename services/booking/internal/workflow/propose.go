package workflow

import (
	"time"

	"go.temporal.io/sdk/workflow"

	bookingv1 "github.com/bookwell/bookwell/gen/go/bookwell/booking/v1"
	"github.com/bookwell/bookwell/services/booking/internal/domain"
)

func (w *bookingWorkflow) proposeHandler() handler {
	return handler{
		check: func(b *domain.Booking, c Command, now time.Time) error {
			return b.CheckPropose(c.actor(), c.Start, now)
		},
		apply: func(ctx workflow.Context, c Command, _ time.Time) error {
			if err := w.b.Propose(c.actor(), c.Start, c.Note, workflow.Now(ctx)); err != nil {
				return toApplicationError(err)
			}
			return w.record(ctx, bookingv1.EventType_EVENT_TYPE_PROPOSED, c.actor(), c.Note)
		},
	}
}
