package app

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	paymentsv1 "github.com/bookwell/bookwell/gen/go/bookwell/payments/v1"
	"github.com/bookwell/bookwell/pkg/events"
	"github.com/bookwell/bookwell/services/reputation/internal/postgres"
)

// PaymentsDurable is the durable consumer of payment events; it also keys the
// processed event ids. It takes the whole PAYMENTS stream (no filter: NATS
// servers before 2.10 allow one filter subject per consumer).
const PaymentsDurable = "reputation-payments"

// HandlePayment is a consumer.Handler for the PAYMENTS stream. Money the
// mentee paid or got back (payment.captured, payment.marked_paid,
// payment.refunded) goes into the payments projection, which mentee history's
// total spend reads; every other subject is acknowledged and ignored.
func (p *Projector) HandlePayment(ctx context.Context, tx pgx.Tx, ev events.Event) error {
	var pay *paymentsv1.Payment
	switch ev.Type {
	case "payment.captured":
		var m paymentsv1.PaymentCaptured
		if err := ev.Decode(&m); err != nil {
			return err
		}
		pay = m.GetPayment()
	case "payment.marked_paid":
		var m paymentsv1.PaymentMarkedPaid
		if err := ev.Decode(&m); err != nil {
			return err
		}
		pay = m.GetPayment()
	case "payment.refunded":
		var m paymentsv1.PaymentRefunded
		if err := ev.Decode(&m); err != nil {
			return err
		}
		pay = m.GetPayment()
	default:
		return nil
	}
	if pay.GetBookingId() == "" || pay.GetMenteeId() == "" || pay.GetCurrency() == "" {
		return fmt.Errorf("%w: %s %s has no booking id, mentee or currency", events.ErrMalformed, ev.Type, ev.ID)
	}
	if pay.GetCapturedAmount() < 0 || pay.GetRefundedAmount() < 0 || pay.GetRefundedAmount() > pay.GetCapturedAmount() {
		return fmt.Errorf("%w: %s %s: refunded %d of captured %d", events.ErrMalformed, ev.Type, ev.ID, pay.GetRefundedAmount(), pay.GetCapturedAmount())
	}
	return p.Store.ApplyPayment(ctx, tx, postgres.PaymentFact{
		BookingID: pay.GetBookingId(), MenteeID: pay.GetMenteeId(), Currency: pay.GetCurrency(),
		PaidMinor: pay.GetCapturedAmount(), RefundedMinor: pay.GetRefundedAmount(), At: ev.OccurredAt,
	})
}
