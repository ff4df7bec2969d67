package workflow

import (
	"time"

	"go.temporal.io/sdk/workflow"

	bookingv1 "github.com/bookwell/bookwell/gen/go/bookwell/booking/v1"
	"github.com/bookwell/bookwell/services/booking/internal/domain"
)

func (w *bookingWorkflow) declineHandler() handler {
	return handler{check: answerCheck, apply: w.decline}
}

// decline declines the open proposal: a request ends (its slot and money
// given back), an upcoming session keeps its time.
func (w *bookingWorkflow) decline(ctx workflow.Context, c Command, _ time.Time) error {
	if !w.b.DeclineEnds() {
		if err := w.b.DeclineProposal(c.actor(), w.b.PaymentNow(), workflow.Now(ctx)); err != nil {
			return toApplicationError(err)
		}
		return w.record(ctx, bookingv1.EventType_EVENT_TYPE_PROPOSAL_DECLINED, c.actor(), "")
	}
	after, err := w.giveBack(ctx)
	if err != nil {
		return err
	}
	if err := w.b.DeclineProposal(c.actor(), after, workflow.Now(ctx)); err != nil {
		return toApplicationError(err)
	}
	ev := bookingv1.EventType_EVENT_TYPE_REJECTED
	if c.actor().Role == domain.RoleMentee {
		ev = bookingv1.EventType_EVENT_TYPE_CANCELLED
	}
	return w.record(ctx, ev, c.actor(), "")
}
