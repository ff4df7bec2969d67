package app

import (
	"context"
	"errors"
	"fmt"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/bookwell/bookwell/pkg/events"
	"github.com/bookwell/bookwell/services/reputation/internal/postgres"
)

// Rebuild prepares a replay of the booking and payments streams from their
// first events: it deletes both durable JetStream consumers (so the next ones
// start from the beginning), then empties the projections and forgets both
// consumers' processed event ids in one transaction. Reviews stay. Run the
// consumers again afterwards; the caller must have stopped the previous ones.
//
// The order makes a crash harmless: if it dies between the two steps, the
// fresh consumers replay events already recorded as processed, and skip them.
// Standing changes derived again have the ids they had the first time, so the
// outbox does not publish them again.
func Rebuild(ctx context.Context, store *postgres.Store, js jetstream.JetStream) error {
	for _, c := range []struct {
		stream  events.Stream
		durable string
	}{{events.BookingStream, BookingsDurable}, {events.PaymentsStream, PaymentsDurable}} {
		err := js.DeleteConsumer(ctx, c.stream.Name, c.durable)
		if err != nil && !errors.Is(err, jetstream.ErrConsumerNotFound) && !errors.Is(err, jetstream.ErrStreamNotFound) {
			return fmt.Errorf("rebuild: delete consumer %s: %w", c.durable, err)
		}
	}
	return store.TruncateProjections(ctx, BookingsDurable, PaymentsDurable)
}
