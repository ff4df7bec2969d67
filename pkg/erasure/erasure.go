// Package erasure carries a person's erasure to every context. The booking
// context erases its own tables when an admin asks (ErasureService) and
// announces it with booking.user_erased (bookingv1.UserErased: the person's
// id and the pseudonym that replaces it everywhere); every other context
// runs Consumer, whose handler erases the person in its own tables in the
// consumer's transaction. A redelivered event finds nothing left to change.
package erasure

import (
	"context"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"

	bookingv1 "github.com/bookwell/bookwell/gen/go/bookwell/booking/v1"
	"github.com/bookwell/bookwell/pkg/consumer"
	"github.com/bookwell/bookwell/pkg/events"
)

// Erase removes or anonymises userID's personal data in a context's tables,
// replacing the id with pseudonym, in tx.
type Erase func(ctx context.Context, tx pgx.Tx, userID, pseudonym string) error

// Consumer is the durable consumer (durable names it, and its dead-letter
// subject) of booking.user_erased on the BOOKING stream, erasing with erase.
func Consumer(durable string, erase Erase) consumer.Consumer {
	return consumer.Consumer{
		Stream: events.BookingStream, Durable: durable,
		Filter: []string{events.Subject(bookingv1.EventType_EVENT_TYPE_USER_ERASED)},
		Handle: Handler(erase),
	}
}

// Handler erases the person an event names. A payload without an id or a
// pseudonym is malformed: the consumer dead-letters it.
func Handler(erase Erase) consumer.Handler {
	return func(ctx context.Context, tx pgx.Tx, ev events.Event) error {
		if events.TypeOf[bookingv1.EventType](ev) != bookingv1.EventType_EVENT_TYPE_USER_ERASED {
			return nil // not ours (the filter keeps others away)
		}
		var msg bookingv1.UserErased
		if err := ev.Decode(&msg); err != nil {
			return err
		}
		if msg.GetUserId() == "" || msg.GetPseudonym() == "" || msg.GetUserId() == msg.GetPseudonym() {
			return fmt.Errorf("%w: %s %s: user_id and pseudonym are required", events.ErrMalformed, ev.Type, ev.ID)
		}
		return erase(ctx, tx, msg.GetUserId(), msg.GetPseudonym())
	}
}

// Exec runs each statement with $1 = userID and $2 = pseudonym.
func Exec(ctx context.Context, tx pgx.Tx, userID, pseudonym string, statements ...string) error {
	for _, q := range statements {
		if _, err := tx.Exec(ctx, q, userID, pseudonym); err != nil {
			return fmt.Errorf("erase: %s: %w", firstLine(q), err)
		}
	}
	return nil
}

func firstLine(q string) string {
	q = strings.TrimSpace(q)
	if i := strings.IndexByte(q, '\n'); i > 0 {
		return q[:i]
	}
	return q
}
