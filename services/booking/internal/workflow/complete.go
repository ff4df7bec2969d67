package workflow

import (
	"time"

	"go.temporal.io/sdk/workflow"

	bookingv1 "github.com/bookwell/bookwell/gen/go/bookwell/booking/v1"
	"github.com/bookwell/bookwell/services/booking/internal/domain"
)

func (w *bookingWorkflow) completeHandler(noShow bool) handler {
	return handler{
		check: func(b *domain.Booking, c Command, now time.Time) error { return b.CheckAttendance(c.actor(), now) },
		apply: func(ctx workflow.Context, c Command, checked time.Time) error {
			return w.complete(ctx, c.actor(), checked, noShow)
		},
	}
}

// complete marks the session completed or no-show and makes the payout due.
func (w *bookingWorkflow) complete(ctx workflow.Context, actor domain.Actor, checked time.Time, noShow bool) error {
	if w.b.Paid() {
		if err := w.call(ctx, nil, activities.ReleasePayout, toPaymentInput(w.b)); err != nil {
			return err
		}
	}
	now := workflow.Now(ctx)
	if noShow {
		if err := w.b.NoShow(actor, checked, now); err != nil {
			return toApplicationError(err)
		}
		return w.record(ctx, bookingv1.EventType_EVENT_TYPE_NO_SHOW, actor, "")
	}
	if err := w.b.Complete(actor, checked, now); err != nil {
		return toApplicationError(err)
	}
	return w.record(ctx, bookingv1.EventType_EVENT_TYPE_COMPLETED, actor, "")
}
