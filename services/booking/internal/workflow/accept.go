package workflow

import (
	"time"

	"go.temporal.io/sdk/workflow"

	bookingv1 "github.com/bookwell/bookwell/gen/go/bookwell/booking/v1"
	"github.com/bookwell/bookwell/services/booking/internal/domain"
)

func answerCheck(b *domain.Booking, c Command, _ time.Time) error { return b.CheckAnswer(c.actor()) }

func (w *bookingWorkflow) acceptHandler() handler {
	return handler{check: answerCheck, apply: w.accept}
}

// accept moves the slot to the proposed time, then confirms: a request is
// approved at the new time, an upcoming session rescheduled.
func (w *bookingWorkflow) accept(ctx workflow.Context, c Command, _ time.Time) error {
	if err := w.call(ctx, nil, activities.MoveSlot, toHoldInput(w.b, w.b.SessionAt(w.b.Start())), w.b.Proposed()); err != nil {
		return err
	}
	ev := bookingv1.EventType_EVENT_TYPE_APPROVED
	if w.b.AcceptReschedules() {
		ev = bookingv1.EventType_EVENT_TYPE_RESCHEDULED
	}
	done, err := w.confirm(ctx)
	if err != nil {
		return err
	}
	if err := w.b.AcceptProposal(c.actor(), done, workflow.Now(ctx)); err != nil {
		return toApplicationError(err)
	}
	return w.record(ctx, ev, c.actor(), "")
}
