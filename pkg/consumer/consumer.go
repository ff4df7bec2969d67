// Package consumer runs an idempotent JetStream consumer: each event is handled
// inside a Postgres transaction that also records its id, so a redelivered
// event is acknowledged without being handled again. Events that cannot be
// parsed, or keep failing, go to a dead-letter subject with the reason.
package consumer

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/bookwell/bookwell/pkg/events"
	"github.com/bookwell/bookwell/pkg/pgdb"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// Migrations creates the table of processed event ids in the service's schema.
func Migrations() pgdb.Migrations {
	return pgdb.Migrations{FS: migrationFS, Dir: "migrations", Table: "goose_consumer"}
}

// Handler handles one event inside tx. Returning an error rolls tx back and
// has the event redelivered later; wrap events.ErrMalformed (or return
// Permanent) for an event that can never succeed.
type Handler func(ctx context.Context, tx pgx.Tx, ev events.Event) error

// ErrPermanent marks a failure that retrying cannot fix; the event goes
// straight to the dead-letter subject.
var ErrPermanent = errors.New("permanent failure")

// Consumer is a durable pull consumer on one stream.
type Consumer struct {
	Pool    *pgxpool.Pool
	JS      jetstream.JetStream
	Stream  events.Stream
	Durable string   // the consumer's name; also the key of its processed ids
	Filter  []string // subjects to receive; the whole stream if empty
	Handle  Handler
	Log     *slog.Logger
	// MaxDeliver bounds redeliveries before dead-lettering; 8 if zero.
	MaxDeliver int
	// BackOff is the wait before each redelivery; a 1s, 5s, 30s, 2m ladder if nil.
	BackOff []time.Duration
}

// DeadLetterSubject is where a consumer's failed events go.
func DeadLetterSubject(durable string) string { return "deadletter." + durable }

// Run consumes until ctx ends.
func (c *Consumer) Run(ctx context.Context) error {
	if _, err := events.Ensure(ctx, c.JS, c.Stream); err != nil {
		return err
	}
	if _, err := events.Ensure(ctx, c.JS, events.DeadLetterStream); err != nil {
		return err
	}
	maxDeliver := c.MaxDeliver
	if maxDeliver == 0 {
		maxDeliver = 8
	}
	backoff := c.BackOff
	if backoff == nil {
		backoff = []time.Duration{time.Second, 5 * time.Second, 30 * time.Second, 2 * time.Minute}
	}
	cfg := jetstream.ConsumerConfig{
		Durable:       c.Durable,
		AckPolicy:     jetstream.AckExplicitPolicy,
		AckWait:       30 * time.Second,
		MaxDeliver:    maxDeliver,
		DeliverPolicy: jetstream.DeliverAllPolicy,
	}
	// One subject goes in FilterSubject: servers before 2.10 (Debian's, for
	// one) know no FilterSubjects.
	if len(c.Filter) == 1 {
		cfg.FilterSubject = c.Filter[0]
	} else {
		cfg.FilterSubjects = c.Filter
	}
	cons, err := c.JS.CreateOrUpdateConsumer(ctx, c.Stream.Name, cfg)
	if err != nil {
		return fmt.Errorf("consumer %s: %w", c.Durable, err)
	}
	cc, err := cons.Consume(func(msg jetstream.Msg) {
		c.handle(ctx, msg, maxDeliver, backoff)
	})
	if err != nil {
		return fmt.Errorf("consumer %s: %w", c.Durable, err)
	}
	<-ctx.Done()
	cc.Stop()
	<-cc.Closed()
	return nil
}

func (c *Consumer) handle(ctx context.Context, msg jetstream.Msg, maxDeliver int, backoff []time.Duration) {
	ev, err := events.Parse(msg.Data())
	if err != nil {
		c.deadLetter(ctx, msg, err)
		return
	}
	err = c.process(ctx, ev)
	if err == nil {
		if err := msg.Ack(); err != nil {
			c.Log.Warn("ack failed; the event will be redelivered and skipped", "event", ev.ID, "err", err)
		}
		return
	}
	if ctx.Err() != nil {
		return // shutting down: the event will be redelivered
	}
	meta, _ := msg.Metadata()
	attempt := 1
	if meta != nil {
		attempt = int(meta.NumDelivered)
	}
	if errors.Is(err, events.ErrMalformed) || errors.Is(err, ErrPermanent) || attempt >= maxDeliver {
		c.deadLetter(ctx, msg, err)
		return
	}
	delay := backoff[min(attempt-1, len(backoff)-1)]
	c.Log.Warn("event failed, will retry", "consumer", c.Durable, "event", ev.ID, "type", ev.Type, "attempt", attempt, "retry_in", delay, "err", err)
	_ = msg.NakWithDelay(delay)
}

// process handles ev once: the id is recorded in the same transaction as the
// handler's changes.
func (c *Consumer) process(ctx context.Context, ev events.Event) error {
	return pgx.BeginFunc(ctx, c.Pool, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `INSERT INTO processed_events (consumer, event_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`, c.Durable, ev.ID)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return nil // handled before: a redelivery
		}
		return c.Handle(ctx, tx, ev)
	})
}

// deadLetter copies msg to the consumer's dead-letter subject with the reason,
// then terminates it so the consumer moves on.
func (c *Consumer) deadLetter(ctx context.Context, msg jetstream.Msg, reason error) {
	c.Log.Error("event dead-lettered", "consumer", c.Durable, "subject", msg.Subject(), "reason", reason)
	dl := nats.NewMsg(DeadLetterSubject(c.Durable))
	dl.Data = msg.Data()
	dl.Header.Set("Bookwell-Original-Subject", msg.Subject())
	dl.Header.Set("Bookwell-Reason", reason.Error())
	if _, err := c.JS.PublishMsg(ctx, dl); err != nil {
		c.Log.Error("dead-letter publish failed; leaving the event for redelivery", "err", err)
		_ = msg.Nak()
		return
	}
	_ = msg.TermWithReason(reason.Error())
}
