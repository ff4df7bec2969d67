package workflow

import (
	"time"

	"go.temporal.io/sdk/workflow"

	bookingv1 "github.com/bookwell/bookwell/gen/go/bookwell/booking/v1"
	"github.com/bookwell/bookwell/services/booking/internal/domain"
)

// remind reminds the mentor of an unanswered request.
func (w *bookingWorkflow) remind(ctx workflow.Context, now time.Time) error {
	if err := w.b.Remind(now); err != nil {
		return toApplicationError(err)
	}
	return w.record(ctx, bookingv1.EventType_EVENT_TYPE_REMINDER, domain.System, "")
}

// remindOfSession reminds both sides of the upcoming session.
func (w *bookingWorkflow) remindOfSession(ctx workflow.Context, now time.Time) error {
	if err := w.b.RemindOfSession(now); err != nil {
		return toApplicationError(err)
	}
	return w.record(ctx, bookingv1.EventType_EVENT_TYPE_SESSION_REMINDER, domain.System, "")
}
