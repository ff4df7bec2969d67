package app

import (
	"context"
	"errors"
	"fmt"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/bookwell/bookwell/pkg/events"
	"github.com/bookwell/bookwell/services/reputation/internal/postgres"
)

// Rebuild prepares a replay of the booking stream from its first event:
// it deletes the durable JetStream consumer (so the next one starts from the
// beginning), then empties the projections and forgets the processed event
// ids in one transaction. Reviews stay. Run the consumer again afterwards;
// the caller must have stopped the previous one.
//
// The order makes a crash harmless: if it dies between the two steps, the
// fresh consumer replays events already recorded as processed, and skips them.
// Standing changes derived again have the ids they had the first time, so the
// outbox does not publish them again.
func Rebuild(ctx context.Context, store *postgres.Store, js jetstream.JetStream, durable string) error {
	err := js.DeleteConsumer(ctx, events.BookingStream.Name, durable)
	if err != nil && !errors.Is(err, jetstream.ErrConsumerNotFound) && !errors.Is(err, jetstream.ErrStreamNotFound) {
		return fmt.Errorf("rebuild: delete consumer %s: %w", durable, err)
	}
	return store.TruncateProjections(ctx, durable)
}
