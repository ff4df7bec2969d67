// Package eventapi is reputation's event transport: the durable consumers of
// the BOOKING and PAYMENTS streams, which convert each event with protoconv
// and hand its fact to the projections, and the rebuild that replays both
// streams from their first events.
package eventapi

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/nats-io/nats.go/jetstream"

	bookingv1 "github.com/bookwell/bookwell/gen/go/bookwell/booking/v1"
	paymentsv1 "github.com/bookwell/bookwell/gen/go/bookwell/payments/v1"
	"github.com/bookwell/bookwell/pkg/consumer"
	"github.com/bookwell/bookwell/pkg/erasure"
	"github.com/bookwell/bookwell/pkg/events"
	"github.com/bookwell/bookwell/services/reputation/internal/app"
	"github.com/bookwell/bookwell/services/reputation/internal/postgres"
	"github.com/bookwell/bookwell/services/reputation/internal/protoconv"
)

// BookingsDurable is the durable consumer of booking events; it also keys
// the processed event ids.
const BookingsDurable = "reputation-bookings"

// PaymentsDurable is the durable consumer of payment events; it also keys
// the processed event ids.
const PaymentsDurable = "reputation-payments"

// BookingsConsumer projects every event of the BOOKING stream.
func BookingsConsumer(svc *app.Service) consumer.Consumer {
	return consumer.Consumer{Stream: events.BookingStream, Durable: BookingsDurable, Handle: BookingHandler(svc)}
}

// BookingHandler projects one booking event in the consumer's transaction:
// each carries the booking's snapshot after the change. An event without a
// booking, mentor or version is malformed. A marketplace policy change
// records its standing rules; a user's erasure anonymises them.
func BookingHandler(svc *app.Service) consumer.Handler {
	erase := erasure.Handler(postgres.EraseUser)
	return func(ctx context.Context, tx pgx.Tx, ev events.Event) error {
		switch events.TypeOf[bookingv1.EventType](ev) {
		case bookingv1.EventType_EVENT_TYPE_MARKETPLACE_POLICY_CHANGED:
			// The standing rules, in the stream's order: the booking events
			// after it are judged by them.
			var pc bookingv1.MarketplacePolicyChanged
			if err := ev.Decode(&pc); err != nil {
				return err
			}
			r, err := protoconv.StandingRulesFromProto(pc.GetPolicy())
			if err != nil {
				return fmt.Errorf("%w: %v", events.ErrMalformed, err)
			}
			return svc.RecordMarketplacePolicy(ctx, postgres.InTx(tx), r, ev.OccurredAt)
		case bookingv1.EventType_EVENT_TYPE_USER_ERASED:
			return erase(ctx, tx, ev) // in the stream's order: after every event of theirs
		}
		var be bookingv1.BookingEvent
		if err := ev.Decode(&be); err != nil {
			return err
		}
		f, err := protoconv.BookingFactFromProto(ev, &be)
		if err != nil {
			return fmt.Errorf("%w: %v", events.ErrMalformed, err)
		}
		return svc.ProjectBooking(ctx, postgres.InTx(tx), f)
	}
}

// PaymentsConsumer projects the money facts of the PAYMENTS stream. It takes
// the whole stream (no filter: NATS servers before 2.10 allow one filter
// subject per consumer).
func PaymentsConsumer(svc *app.Service) consumer.Consumer {
	return consumer.Consumer{Stream: events.PaymentsStream, Durable: PaymentsDurable, Handle: PaymentHandler(svc)}
}

// PaymentHandler projects money the mentee paid or got back
// (payment.captured, payment.marked_paid, payment.refunded) for mentee
// history's total spend; every other event is acknowledged and ignored.
func PaymentHandler(svc *app.Service) consumer.Handler {
	return func(ctx context.Context, tx pgx.Tx, ev events.Event) error {
		var pay *paymentsv1.Payment
		switch events.TypeOf[paymentsv1.EventType](ev) {
		case paymentsv1.EventType_EVENT_TYPE_CAPTURED:
			var m paymentsv1.PaymentCaptured
			if err := ev.Decode(&m); err != nil {
				return err
			}
			pay = m.GetPayment()
		case paymentsv1.EventType_EVENT_TYPE_MARKED_PAID:
			var m paymentsv1.PaymentMarkedPaid
			if err := ev.Decode(&m); err != nil {
				return err
			}
			pay = m.GetPayment()
		case paymentsv1.EventType_EVENT_TYPE_REFUNDED:
			var m paymentsv1.PaymentRefunded
			if err := ev.Decode(&m); err != nil {
				return err
			}
			pay = m.GetPayment()
		default:
			return nil
		}
		f, err := protoconv.PaymentFactFromProto(ev, pay)
		if err != nil {
			return fmt.Errorf("%w: %v", events.ErrMalformed, err)
		}
		return svc.ProjectPayment(ctx, postgres.InTx(tx), f)
	}
}

// Rebuild prepares a replay of the booking and payments streams from their
// first events: it deletes both durable consumers (so the next ones start
// from the beginning), then empties the projections and forgets both
// consumers' processed event ids in one transaction. Reviews stay. Run the
// consumers again afterwards; the caller must have stopped the previous ones.
//
// The order makes a crash harmless: if it dies between the two steps, the
// fresh consumers replay events already recorded as processed, and skip them.
// Standing changes derived again have the ids they had the first time, so the
// outbox does not publish them again.
func Rebuild(ctx context.Context, svc *app.Service, js jetstream.JetStream) error {
	for _, c := range []struct {
		stream  events.Stream
		durable string
	}{{events.BookingStream, BookingsDurable}, {events.PaymentsStream, PaymentsDurable}} {
		err := js.DeleteConsumer(ctx, c.stream.Name, c.durable)
		if err != nil && !errors.Is(err, jetstream.ErrConsumerNotFound) && !errors.Is(err, jetstream.ErrStreamNotFound) {
			return fmt.Errorf("rebuild: delete consumer %s: %w", c.durable, err)
		}
	}
	return svc.ResetProjections(ctx, BookingsDurable, PaymentsDurable)
}
