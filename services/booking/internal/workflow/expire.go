package workflow

import (
	"go.temporal.io/sdk/workflow"

	bookingv1 "github.com/bookwell/bookwell/gen/go/bookwell/booking/v1"
	"github.com/bookwell/bookwell/services/booking/internal/domain"
)

// expire ends a request nobody answered within its approval window (the
// timer loop in BookingWorkflow waits for it; domain.Booking.NextDeadline
// says when): the slot and the money go back.
func (w *bookingWorkflow) expire(ctx workflow.Context) error {
	after, err := w.giveBack(ctx)
	if err != nil {
		return err
	}
	if err := w.b.Expire(after, workflow.Now(ctx)); err != nil {
		return toApplicationError(err)
	}
	return w.record(ctx, bookingv1.EventType_EVENT_TYPE_EXPIRED, domain.System, "")
}
