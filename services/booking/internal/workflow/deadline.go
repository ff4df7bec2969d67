package workflow

import (
	"go.temporal.io/sdk/workflow"

	bookingv1 "github.com/bookwell/bookwell/gen/go/bookwell/booking/v1"
	"github.com/bookwell/bookwell/services/booking/internal/domain"
)

// onDeadline acts on whichever timer is due.
func (w *bookingWorkflow) onDeadline(ctx workflow.Context) error {
	now := workflow.Now(ctx)
	switch {
	case w.b.CheckAuthenticationExpire(now):
		return w.authenticationExpired(ctx)
	case w.b.CheckExpire(now):
		return w.expire(ctx)
	case w.b.ReminderDue(now):
		return w.remind(ctx, now)
	case w.b.SessionReminderDue(now):
		return w.remindOfSession(ctx, now)
	case w.b.SessionEnded(now):
		if err := w.b.EndSession(now); err != nil {
			return toApplicationError(err)
		}
		return w.record(ctx, bookingv1.EventType_EVENT_TYPE_SESSION_ENDED, domain.System, "")
	case w.b.AutoCompleteDue(now):
		return w.complete(ctx, domain.System, now, false)
	}
	return nil
}
