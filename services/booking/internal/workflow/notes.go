package workflow

import (
	"time"

	"go.temporal.io/sdk/workflow"

	bookingv1 "github.com/bookwell/bookwell/gen/go/bookwell/booking/v1"
	"github.com/bookwell/bookwell/services/booking/internal/domain"
)

func (w *bookingWorkflow) notesHandler() handler {
	return handler{
		check: func(b *domain.Booking, c Command, _ time.Time) error { return b.CheckNotes(c.actor(), c.Text) },
		apply: func(ctx workflow.Context, c Command, _ time.Time) error {
			if err := w.b.SetNotes(c.actor(), c.Text, workflow.Now(ctx)); err != nil {
				return toApplicationError(err)
			}
			return w.record(ctx, bookingv1.EventType_EVENT_TYPE_UNSPECIFIED, c.actor(), "") // private: saved, never announced
		},
	}
}
