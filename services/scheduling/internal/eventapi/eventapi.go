// Package eventapi is scheduling's event transport: the durable consumers of
// reputation's standing changes, which decide whether a mentor takes new
// reservations, and of booking's marketplace policy changes, whose intro
// rules new holds apply.
package eventapi

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	bookingv1 "github.com/bookwell/bookwell/gen/go/bookwell/booking/v1"
	reputationv1 "github.com/bookwell/bookwell/gen/go/bookwell/reputation/v1"
	"github.com/bookwell/bookwell/pkg/consumer"
	"github.com/bookwell/bookwell/pkg/events"
	"github.com/bookwell/bookwell/services/scheduling/internal/app"
	"github.com/bookwell/bookwell/services/scheduling/internal/postgres"
	"github.com/bookwell/bookwell/services/scheduling/internal/protoconv"
)

// StandingDurable is the consumer's durable name on the REPUTATION stream,
// and so of its dead-letter subject (deadletter.scheduling-mentor-standing).
const StandingDurable = "scheduling-mentor-standing"

// StandingConsumer is the idempotent consumer of mentor.standing_changed.
func StandingConsumer(svc *app.Service) consumer.Consumer {
	return consumer.Consumer{
		Stream:  events.ReputationStream,
		Durable: StandingDurable,
		Filter:  []string{events.Subject(reputationv1.EventType_EVENT_TYPE_STANDING_CHANGED)},
		Handle:  StandingHandler(svc),
	}
}

// StandingHandler records one standing change in the consumer's
// transaction. A payload without a mentor, or with a standing reputation's
// catalog does not have, is malformed: the consumer dead-letters it.
func StandingHandler(svc *app.Service) consumer.Handler {
	return func(ctx context.Context, tx pgx.Tx, ev events.Event) error {
		if events.TypeOf[reputationv1.EventType](ev) != reputationv1.EventType_EVENT_TYPE_STANDING_CHANGED {
			return nil // not ours (the filter keeps others away)
		}
		var msg reputationv1.MentorStandingChanged
		if err := ev.Decode(&msg); err != nil {
			return err
		}
		st, err := protoconv.StandingFromProto(msg.GetStanding())
		if err != nil {
			return fmt.Errorf("%w: %v", events.ErrMalformed, err)
		}
		if msg.GetMentorId() == "" {
			return fmt.Errorf("%w: mentor_id is required", events.ErrMalformed)
		}
		return svc.RecordStanding(ctx, postgres.InTx(tx), msg.GetMentorId(), st, msg.GetReason(), ev.OccurredAt)
	}
}

// PolicyDurable is the consumer's durable name on the BOOKING stream, and so
// of its dead-letter subject (deadletter.scheduling-marketplace-policy).
const PolicyDurable = "scheduling-marketplace-policy"

// PolicyConsumer is the idempotent consumer of
// booking.marketplace_policy_changed.
func PolicyConsumer(svc *app.Service) consumer.Consumer {
	return consumer.Consumer{
		Stream:  events.BookingStream,
		Durable: PolicyDurable,
		Filter:  []string{events.Subject(bookingv1.EventType_EVENT_TYPE_MARKETPLACE_POLICY_CHANGED)},
		Handle:  PolicyHandler(svc),
	}
}

// PolicyHandler records the intro rules of one marketplace policy version in
// the consumer's transaction; a version not newer than the one recorded
// changes nothing. A payload whose rules cannot work is malformed: the
// consumer dead-letters it.
func PolicyHandler(svc *app.Service) consumer.Handler {
	return func(ctx context.Context, tx pgx.Tx, ev events.Event) error {
		if events.TypeOf[bookingv1.EventType](ev) != bookingv1.EventType_EVENT_TYPE_MARKETPLACE_POLICY_CHANGED {
			return nil // not ours (the filter keeps others away)
		}
		var msg bookingv1.MarketplacePolicyChanged
		if err := ev.Decode(&msg); err != nil {
			return err
		}
		r, err := protoconv.IntroRulesFromProto(msg.GetPolicy())
		if err != nil {
			return fmt.Errorf("%w: %v", events.ErrMalformed, err)
		}
		return svc.RecordMarketplacePolicy(ctx, postgres.InTx(tx), r, ev.OccurredAt)
	}
}
