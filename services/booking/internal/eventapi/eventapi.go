// Package eventapi is the booking context's event transport: the durable
// JetStream consumer of payments' payment.reconciled events, which tells
// each booking what the card processor reported about its payment.
package eventapi

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/jackc/pgx/v5"

	paymentsv1 "github.com/bookwell/bookwell/gen/go/bookwell/payments/v1"
	"github.com/bookwell/bookwell/pkg/consumer"
	"github.com/bookwell/bookwell/pkg/events"
	"github.com/bookwell/bookwell/services/booking/internal/app"
	"github.com/bookwell/bookwell/services/booking/internal/domain"
	"github.com/bookwell/bookwell/services/booking/internal/workflow"
)

// PaymentsDurable is the name of the consumer of payment reports, and so of
// its dead-letter subject (deadletter.booking-payments).
const PaymentsDurable = "booking-payments"

var kinds = map[paymentsv1.Reconciliation]domain.PaymentReportKind{
	paymentsv1.Reconciliation_RECONCILIATION_AUTHENTICATED:          domain.ReportAuthenticated,
	paymentsv1.Reconciliation_RECONCILIATION_AUTHENTICATION_FAILED:  domain.ReportAuthenticationFailed,
	paymentsv1.Reconciliation_RECONCILIATION_AUTHORIZATION_CANCELED: domain.ReportAuthorizationCanceled,
	paymentsv1.Reconciliation_RECONCILIATION_REFUNDED:               domain.ReportRefunded,
	paymentsv1.Reconciliation_RECONCILIATION_DISPUTED:               domain.ReportDisputed,
}

// paymentStatus is where a card payment stands, in the booking's terms: a
// voided card payment gave everything back.
var paymentStatus = map[paymentsv1.PaymentStatus]domain.PaymentStatus{
	paymentsv1.PaymentStatus_PAYMENT_STATUS_AUTHORIZED:         domain.PaymentStatusAuthorized,
	paymentsv1.PaymentStatus_PAYMENT_STATUS_PAID:               domain.PaymentStatusPaid,
	paymentsv1.PaymentStatus_PAYMENT_STATUS_PARTIALLY_REFUNDED: domain.PaymentStatusPartiallyRefunded,
	paymentsv1.PaymentStatus_PAYMENT_STATUS_REFUNDED:           domain.PaymentStatusRefunded,
	paymentsv1.PaymentStatus_PAYMENT_STATUS_VOIDED:             domain.PaymentStatusRefunded,
	paymentsv1.PaymentStatus_PAYMENT_STATUS_REQUIRES_ACTION:    domain.PaymentStatusAwaitingAuthentication,
}

// ReportFromProto converts a payment.reconciled event into the booking's
// report; an event without a booking or kind is malformed.
func ReportFromProto(pb *paymentsv1.PaymentReconciled) (string, workflow.PaymentReport, error) {
	p := pb.GetPayment()
	kind, ok := kinds[pb.GetKind()]
	if p.GetBookingId() == "" || !ok {
		return "", workflow.PaymentReport{}, fmt.Errorf("no booking id or kind (%v)", pb.GetKind())
	}
	r := workflow.PaymentReport{Kind: string(kind), Status: string(paymentStatus[p.GetStatus()]), Refunded: p.GetRefundedAmount()}
	if t := p.GetAuthorizationExpireTime(); t != nil {
		r.HoldLapses = t.AsTime().UTC()
	}
	return p.GetBookingId(), r, nil
}

// PaymentsHandler hands each payment report to its booking. The update is
// named by the event's id, so a redelivered event is the same update; a
// report the booking no longer takes is logged and acknowledged.
func PaymentsHandler(svc *app.Service, log *slog.Logger) consumer.Handler {
	return func(ctx context.Context, _ pgx.Tx, ev events.Event) error {
		if events.TypeOf[paymentsv1.EventType](ev) != paymentsv1.EventType_EVENT_TYPE_RECONCILED {
			return nil
		}
		var pb paymentsv1.PaymentReconciled
		if err := ev.Decode(&pb); err != nil {
			return err
		}
		id, r, err := ReportFromProto(&pb)
		if err != nil {
			return fmt.Errorf("%w: %s %s: %v", events.ErrMalformed, ev.Type, ev.ID, err)
		}
		applied, err := svc.PaymentReported(ctx, id, r, ev.ID.String())
		if err != nil {
			return err
		}
		if !applied && log != nil {
			log.Info("a payment report no longer applies to its booking", "booking", id, "kind", r.Kind, "event", ev.ID)
		}
		return nil
	}
}

// PaymentsConsumer is the durable consumer of payment.reconciled on the
// PAYMENTS stream.
func PaymentsConsumer(svc *app.Service, log *slog.Logger) consumer.Consumer {
	return consumer.Consumer{
		Stream: events.PaymentsStream, Durable: PaymentsDurable,
		Filter: []string{events.Subject(paymentsv1.EventType_EVENT_TYPE_RECONCILED)}, Handle: PaymentsHandler(svc, log),
	}
}
