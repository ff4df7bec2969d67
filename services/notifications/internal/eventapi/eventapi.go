// Package eventapi is the notifications context's event transport: the
// durable JetStream consumers it runs (booking events, payment events),
// which convert each event with protoconv and hand it to the use cases.
package eventapi

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	bookingv1 "github.com/bookwell/bookwell/gen/go/bookwell/booking/v1"
	paymentsv1 "github.com/bookwell/bookwell/gen/go/bookwell/payments/v1"
	"github.com/bookwell/bookwell/pkg/consumer"
	"github.com/bookwell/bookwell/pkg/erasure"
	"github.com/bookwell/bookwell/pkg/events"
	"github.com/bookwell/bookwell/services/notifications/internal/app"
	"github.com/bookwell/bookwell/services/notifications/internal/domain"
	"github.com/bookwell/bookwell/services/notifications/internal/postgres"
	"github.com/bookwell/bookwell/services/notifications/internal/protoconv"
)

// BookingDurable is the name of the consumer of booking events, and so of its
// dead-letter subject (deadletter.notifications-booking).
const BookingDurable = "notifications-booking"

// BookingHandler handles one booking event in the consumer's transaction. A
// payload that is not a BookingEvent, or lacks what its readers must be
// told, is malformed: the consumer dead-letters it.
func BookingHandler(a *app.Service) consumer.Handler {
	erase := erasure.Handler(postgres.EraseUser)
	return func(ctx context.Context, tx pgx.Tx, ev events.Event) error {
		switch events.TypeOf[bookingv1.EventType](ev) {
		case bookingv1.EventType_EVENT_TYPE_MARKETPLACE_POLICY_CHANGED:
			return nil // not a booking's: nobody is told
		case bookingv1.EventType_EVENT_TYPE_USER_ERASED:
			return erase(ctx, tx, ev) // in the stream's order: after every event of theirs
		}
		var pb bookingv1.BookingEvent
		if err := ev.Decode(&pb); err != nil {
			return err
		}
		if pb.GetBooking() == nil {
			return fmt.Errorf("%w: %s: booking is required", events.ErrMalformed, ev.Type)
		}
		err := a.HandleBookingEvent(ctx, postgres.InTx(tx), protoconv.BookingEventFromProto(ev, &pb))
		if errors.Is(err, domain.ErrInvalidEvent) {
			return fmt.Errorf("%w: %v", events.ErrMalformed, err)
		}
		return err
	}
}

// BookingConsumer is the durable consumer of the BOOKING stream.
func BookingConsumer(h consumer.Handler) consumer.Consumer {
	return consumer.Consumer{Stream: events.BookingStream, Durable: BookingDurable, Handle: h}
}

// PaymentsDurable is the name of the consumer of payment events, and so of
// its dead-letter subject (deadletter.notifications-payments).
const PaymentsDurable = "notifications-payments"

// PaymentHandler handles one payment event in the consumer's transaction:
// payout.due tells the mentor, payment.refunded the mentee; every other
// subject on the stream is acknowledged and ignored. A payload that cannot be
// decoded, or lacks the reader or the amount, is malformed.
func PaymentHandler(a *app.Service) consumer.Handler {
	return func(ctx context.Context, tx pgx.Tx, ev events.Event) error {
		var d domain.PaymentEvent
		switch events.TypeOf[paymentsv1.EventType](ev) {
		case paymentsv1.EventType_EVENT_TYPE_PAYOUT_DUE:
			var pb paymentsv1.PayoutDue
			if err := ev.Decode(&pb); err != nil {
				return err
			}
			d = protoconv.PayoutDueFromProto(ev, &pb)
		case paymentsv1.EventType_EVENT_TYPE_REFUNDED:
			var pb paymentsv1.PaymentRefunded
			if err := ev.Decode(&pb); err != nil {
				return err
			}
			d = protoconv.PaymentRefundedFromProto(ev, &pb)
		default:
			return nil
		}
		err := a.HandlePaymentEvent(ctx, postgres.InTx(tx), d)
		if errors.Is(err, domain.ErrInvalidEvent) {
			return fmt.Errorf("%w: %v", events.ErrMalformed, err)
		}
		return err
	}
}

// PaymentsConsumer is the durable consumer of the PAYMENTS stream. It takes
// the whole stream (no filter): NATS servers before 2.10 allow one filter
// subject per consumer, and the stream holds payment.> and payout.>.
//
// A payment event can overtake the booking events it needs (they are on
// another stream); it is retried with the consumer's backoff until the
// booking arrives, and dead-lettered if it never does. MaxDeliver is raised
// so that takes more than half an hour.
func PaymentsConsumer(h consumer.Handler) consumer.Consumer {
	return consumer.Consumer{Stream: events.PaymentsStream, Durable: PaymentsDurable, Handle: h, MaxDeliver: 20}
}
