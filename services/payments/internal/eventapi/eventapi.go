// Package eventapi is the payments context's event transport: the durable
// JetStream consumer of the booking context's continuation decisions, which
// decide who may buy a bundle.
package eventapi

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/nats-io/nats.go/jetstream"

	bookingv1 "github.com/bookwell/bookwell/gen/go/bookwell/booking/v1"
	"github.com/bookwell/bookwell/pkg/apperr"
	"github.com/bookwell/bookwell/pkg/consumer"
	"github.com/bookwell/bookwell/pkg/events"
	"github.com/bookwell/bookwell/services/payments/internal/app"
	"github.com/bookwell/bookwell/services/payments/internal/domain"
	"github.com/bookwell/bookwell/services/payments/internal/postgres"
)

// ContinuationsDurable is the name of the consumer of continuation decisions,
// and so of its dead-letter subject (deadletter.payments-continuations).
const ContinuationsDurable = "payments-continuations"

// ContinuationDecided is the booking context's subject for a mentor's
// decision after an intro session.
const ContinuationDecided = "booking.continuation_decided"

// ContinuationHandler records one continuation decision in the consumer's
// transaction. A payload that is not a BookingEvent, names no mentor or
// mentee, or carries no decision is malformed: the consumer dead-letters it.
func ContinuationHandler(svc *app.Service) consumer.Handler {
	return func(ctx context.Context, tx pgx.Tx, ev events.Event) error {
		if ev.Type != ContinuationDecided {
			return nil // not ours (the filter keeps others away)
		}
		var pb bookingv1.BookingEvent
		if err := ev.Decode(&pb); err != nil {
			return err
		}
		b := pb.GetBooking()
		var approved bool
		switch b.GetContinuation() {
		case bookingv1.Continuation_CONTINUATION_APPROVED:
			approved = true
		case bookingv1.Continuation_CONTINUATION_REJECTED:
		default:
			return fmt.Errorf("%w: %s %s: continuation is %s", events.ErrMalformed, ev.Type, ev.ID, b.GetContinuation())
		}
		err := svc.DecideContinuation(ctx, postgres.InTx(tx), domain.ContinuationDecision{
			MentorID: b.GetMentorId(), MenteeID: b.GetMenteeId(), BookingID: b.GetId(),
			Approved: approved, At: ev.OccurredAt,
		})
		if errors.Is(err, apperr.Invalid) {
			return fmt.Errorf("%w: %s %s: %v", events.ErrMalformed, ev.Type, ev.ID, err)
		}
		return err
	}
}

// ContinuationsConsumer is the durable consumer of booking.continuation_decided
// on the BOOKING stream (one filter subject: NATS 2.9 knows no more).
func ContinuationsConsumer(pool *pgxpool.Pool, js jetstream.JetStream, log *slog.Logger, svc *app.Service) *consumer.Consumer {
	return &consumer.Consumer{
		Pool: pool, JS: js, Stream: events.BookingStream, Durable: ContinuationsDurable,
		Filter: []string{ContinuationDecided}, Handle: ContinuationHandler(svc), Log: log,
	}
}
