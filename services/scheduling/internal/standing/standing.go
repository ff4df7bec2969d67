// Package standing keeps scheduling's copy of each mentor's standing, from
// reputation's `mentor.standing_changed` events, so that suspended and
// deactivated mentors take no new reservations.
package standing

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/nats-io/nats.go/jetstream"

	reputationv1 "github.com/bookwell/bookwell/gen/go/bookwell/reputation/v1"
	"github.com/bookwell/bookwell/pkg/consumer"
	"github.com/bookwell/bookwell/pkg/events"
	"github.com/bookwell/bookwell/services/scheduling/internal/domain"
	"github.com/bookwell/bookwell/services/scheduling/internal/postgres"
)

// EventType is the event consumed.
const EventType = "mentor.standing_changed"

// Durable is the consumer's durable name on the REPUTATION stream.
const Durable = "scheduling-mentor-standing"

// Consumer returns the idempotent consumer of standing changes.
func Consumer(pool *pgxpool.Pool, js jetstream.JetStream, log *slog.Logger) *consumer.Consumer {
	return &consumer.Consumer{
		Pool:    pool,
		JS:      js,
		Stream:  events.ReputationStream,
		Durable: Durable,
		Filter:  []string{EventType},
		Handle:  Handle,
		Log:     log,
	}
}

// Handle records one standing change in tx.
func Handle(ctx context.Context, tx pgx.Tx, ev events.Event) error {
	var msg reputationv1.MentorStandingChanged
	if err := ev.Decode(&msg); err != nil {
		return err
	}
	var st domain.Standing
	switch msg.GetStanding() {
	case reputationv1.Standing_STANDING_ACTIVE:
		st = domain.StandingActive
	case reputationv1.Standing_STANDING_FLAGGED:
		st = domain.StandingFlagged
	case reputationv1.Standing_STANDING_SUSPENDED:
		st = domain.StandingSuspended
	case reputationv1.Standing_STANDING_DEACTIVATED:
		st = domain.StandingDeactivated
	default:
		return fmt.Errorf("%w: standing %v", events.ErrMalformed, msg.GetStanding())
	}
	if msg.GetMentorId() == "" {
		return fmt.Errorf("%w: mentor_id is required", events.ErrMalformed)
	}
	return postgres.SetStanding(ctx, tx, msg.GetMentorId(), st, msg.GetReason(), ev.OccurredAt)
}
