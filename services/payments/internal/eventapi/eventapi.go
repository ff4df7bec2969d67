// Package eventapi is the payments context's event transport: the durable
// JetStream consumer of the booking context's continuation decisions, which
// decide who may buy a bundle.
package eventapi

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	bookingv1 "github.com/bookwell/bookwell/gen/go/bookwell/booking/v1"
	"github.com/bookwell/bookwell/pkg/apperr"
	"github.com/bookwell/bookwell/pkg/consumer"
	"github.com/bookwell/bookwell/pkg/events"
	"github.com/bookwell/bookwell/services/payments/internal/app"
	"github.com/bookwell/bookwell/services/payments/internal/postgres"
	"github.com/bookwell/bookwell/services/payments/internal/protoconv"
)

// ContinuationsDurable is the name of the consumer of continuation decisions,
// and so of its dead-letter subject (deadletter.payments-continuations).
const ContinuationsDurable = "payments-continuations"

// ContinuationHandler records one continuation decision in the consumer's
// transaction. A payload that is not a BookingEvent, names no mentor or
// mentee, or carries no decision is malformed: the consumer dead-letters it.
func ContinuationHandler(svc *app.Service) consumer.Handler {
	return func(ctx context.Context, tx pgx.Tx, ev events.Event) error {
		if events.TypeOf[bookingv1.EventType](ev) != bookingv1.EventType_EVENT_TYPE_CONTINUATION_DECIDED {
			return nil // not ours (the filter keeps others away)
		}
		var pb bookingv1.BookingEvent
		if err := ev.Decode(&pb); err != nil {
			return err
		}
		d, err := protoconv.ContinuationDecisionFromProto(&pb, ev.OccurredAt)
		if err != nil {
			return fmt.Errorf("%w: %s %s: %v", events.ErrMalformed, ev.Type, ev.ID, err)
		}
		err = svc.DecideContinuation(ctx, postgres.InTx(tx), d)
		if errors.Is(err, apperr.Invalid) {
			return fmt.Errorf("%w: %s %s: %v", events.ErrMalformed, ev.Type, ev.ID, err)
		}
		return err
	}
}

// ContinuationsConsumer is the durable consumer of booking.continuation_decided
// on the BOOKING stream (one filter subject: NATS 2.9 knows no more).
func ContinuationsConsumer(svc *app.Service) consumer.Consumer {
	return consumer.Consumer{
		Stream: events.BookingStream, Durable: ContinuationsDurable,
		Filter: []string{events.Subject(bookingv1.EventType_EVENT_TYPE_CONTINUATION_DECIDED)}, Handle: ContinuationHandler(svc),
	}
}
