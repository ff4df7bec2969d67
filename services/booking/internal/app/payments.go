package app

import (
	"context"
	"errors"

	"github.com/bookwell/bookwell/services/booking/internal/domain"
	"github.com/bookwell/bookwell/services/booking/internal/workflow"
)

// PaymentReported tells a booking what the card processor reported about
// its payment (payments' payment.reconciled event, eventID): the mentee's
// card authentication, a cancelled or lapsed hold, a refund or dispute made
// outside bookwell. Once per event: a repeat is the same update. It
// reports false when the booking no longer takes the report (it already
// shows it, has ended, or is not paid by card): nothing changed.
func (s *Service) PaymentReported(ctx context.Context, bookingID string, r workflow.PaymentReport, eventID string) (bool, error) {
	_, err := s.workflows.Update(ctx, bookingID, workflow.UpdatePayment, domain.System,
		workflow.Command{Payment: &r}, "payment-report/"+eventID)
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, domain.ErrWrongState), errors.Is(err, domain.ErrNotCardPayment),
		errors.Is(err, workflow.ErrNoWorkflow), errors.Is(err, domain.ErrNotFound):
		return false, nil
	}
	return false, err
}
