// Package consumer runs an idempotent JetStream consumer: each event is handled
// inside a Postgres transaction that also records its id, so a redelivered
// event is acknowledged without being handled again. Events that cannot be
// parsed, or keep failing, go to a dead-letter subject with the reason. The
// handling of each event is a span continuing the trace its message headers
// carry (the outbox relay puts the producing change's trace there).
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
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promauto"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"

	"github.com/bookwell/bookwell/pkg/events"
	"github.com/bookwell/bookwell/pkg/pgdb"
	"github.com/bookwell/bookwell/pkg/telemetry"
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
	// Limits are the streams' replicas and retention when Run (or Ensure)
	// creates or updates them; SkipEnsure has Run use the streams and the
	// consumer as the bootstrap made them.
	Limits     events.Settings
	SkipEnsure bool
}

// With returns a copy of c that handles events in transactions of pool,
// consumes from js and logs to log. A service's event transport declares
// its consumers without them; the process (pkg/service) or a test supplies
// them.
func (c Consumer) With(pool *pgxpool.Pool, js jetstream.JetStream, log *slog.Logger) *Consumer {
	c.Pool, c.JS, c.Log = pool, js, log
	return &c
}

// DeadLetterSubject is where a consumer's failed events go.
func DeadLetterSubject(durable string) string { return "deadletter." + durable }

// Ensure creates or updates the stream the consumer reads, the dead-letter
// stream and the durable consumer itself, and returns the consumer.
func (c *Consumer) Ensure(ctx context.Context) (jetstream.Consumer, error) {
	if _, err := events.EnsureWith(ctx, c.JS, c.Stream, c.Limits.Of(c.Stream)); err != nil {
		return nil, err
	}
	if _, err := events.EnsureWith(ctx, c.JS, events.DeadLetterStream, c.Limits.Of(events.DeadLetterStream)); err != nil {
		return nil, err
	}
	cons, err := c.JS.CreateOrUpdateConsumer(ctx, c.Stream.Name, c.Config())
	if err != nil {
		return nil, fmt.Errorf("consumer %s: %w", c.Durable, err)
	}
	return cons, nil
}

// Config is the durable consumer's definition.
func (c *Consumer) Config() jetstream.ConsumerConfig {
	cfg := jetstream.ConsumerConfig{
		Durable:       c.Durable,
		AckPolicy:     jetstream.AckExplicitPolicy,
		AckWait:       30 * time.Second,
		MaxDeliver:    c.maxDeliver(),
		DeliverPolicy: jetstream.DeliverAllPolicy,
	}
	// One subject goes in FilterSubject: servers before 2.10 (Debian's, for
	// one) know no FilterSubjects.
	if len(c.Filter) == 1 {
		cfg.FilterSubject = c.Filter[0]
	} else {
		cfg.FilterSubjects = c.Filter
	}
	return cfg
}

func (c *Consumer) maxDeliver() int {
	if c.MaxDeliver == 0 {
		return 8
	}
	return c.MaxDeliver
}

// The consumers' metrics, by consumer (its durable name).
var (
	handled = promauto.NewCounterVec(prometheus.CounterOpts{
		Name: "bookwell_consumer_events_handled_total",
		Help: "Events a consumer handled (or found handled before: a redelivery), by consumer.",
	}, []string{"consumer"})
	failures = promauto.NewCounterVec(prometheus.CounterOpts{
		Name: "bookwell_consumer_failures_total",
		Help: "Events whose handling failed and that will be redelivered, by consumer.",
	}, []string{"consumer"})
	redeliveries = promauto.NewCounterVec(prometheus.CounterOpts{
		Name: "bookwell_consumer_redeliveries_total",
		Help: "Deliveries of an event that was delivered before, by consumer.",
	}, []string{"consumer"})
	deadLettered = promauto.NewCounterVec(prometheus.CounterOpts{
		Name: "bookwell_consumer_dead_lettered_total",
		Help: "Events a consumer gave up on and put on its dead-letter subject, by consumer.",
	}, []string{"consumer"})
	handleSeconds = promauto.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "bookwell_consumer_handle_duration_seconds",
		Help:    "Time to handle one event, by consumer.",
		Buckets: []float64{.001, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5},
	}, []string{"consumer"})
)

// metrics starts the consumer's counters at zero and registers its gauges,
// read from JetStream when Prometheus scrapes (at most every 5 s): its lag
// (events not yet delivered plus those delivered and not yet acknowledged)
// and the events waiting on its dead-letter subject.
func (c *Consumer) metrics(cons jetstream.Consumer) {
	for _, v := range []*prometheus.CounterVec{handled, failures, redeliveries, deadLettered} {
		v.WithLabelValues(c.Durable)
	}
	label := prometheus.Labels{"consumer": c.Durable}
	telemetry.Register(telemetry.NewSampled("bookwell_consumer_lag_messages",
		"Events of the consumer's stream it has not yet handled: not yet delivered, or delivered and not yet acknowledged.",
		label, "", 5*time.Second, func(ctx context.Context) (map[string]float64, error) {
			info, err := cons.Info(ctx)
			if err != nil {
				return nil, err
			}
			return map[string]float64{"": float64(info.NumPending) + float64(info.NumAckPending)}, nil
		}))
	telemetry.Register(telemetry.NewSampled("bookwell_consumer_dead_letters",
		"Events on the consumer's dead-letter subject (in the DEADLETTER stream), waiting to be looked at or redriven.",
		label, "", 5*time.Second, func(ctx context.Context) (map[string]float64, error) {
			s, err := c.JS.Stream(ctx, events.DeadLetterStream.Name)
			if err != nil {
				return nil, err
			}
			subject := DeadLetterSubject(c.Durable)
			info, err := s.Info(ctx, jetstream.WithSubjectFilter(subject))
			if err != nil {
				return nil, err
			}
			return map[string]float64{"": float64(info.State.Subjects[subject])}, nil
		}))
}

// Run consumes until ctx ends.
func (c *Consumer) Run(ctx context.Context) error {
	var cons jetstream.Consumer
	var err error
	if c.SkipEnsure {
		cons, err = c.JS.Consumer(ctx, c.Stream.Name, c.Durable)
		if err != nil {
			err = fmt.Errorf("consumer %s on %s (the bootstrap creates it): %w", c.Durable, c.Stream.Name, err)
		}
	} else {
		cons, err = c.Ensure(ctx)
	}
	if err != nil {
		return err
	}
	c.metrics(cons)
	maxDeliver := c.maxDeliver()
	backoff := c.BackOff
	if backoff == nil {
		backoff = []time.Duration{time.Second, 5 * time.Second, 30 * time.Second, 2 * time.Minute}
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
	ctx = telemetry.Propagator.Extract(ctx, propagation.HeaderCarrier(msg.Headers()))
	ctx, span := telemetry.Tracer().Start(ctx, "process "+msg.Subject(), trace.WithSpanKind(trace.SpanKindConsumer),
		trace.WithAttributes(attribute.String("messaging.system", "nats"),
			attribute.String("messaging.destination.name", msg.Subject()),
			attribute.String("messaging.consumer.group.name", c.Durable)))
	defer span.End()
	ev, err := events.Parse(msg.Data())
	if err != nil {
		span.SetStatus(codes.Error, "malformed")
		c.deadLetter(ctx, msg, err)
		return
	}
	span.SetAttributes(attribute.String("messaging.message.id", ev.ID.String()))
	if meta, _ := msg.Metadata(); meta != nil && meta.NumDelivered > 1 {
		redeliveries.WithLabelValues(c.Durable).Inc()
	}
	began := time.Now()
	err = c.process(ctx, ev)
	handleSeconds.WithLabelValues(c.Durable).Observe(time.Since(began).Seconds())
	if err != nil {
		span.RecordError(err)
		span.SetStatus(codes.Error, "handling failed")
	}
	if err == nil {
		handled.WithLabelValues(c.Durable).Inc()
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
	failures.WithLabelValues(c.Durable).Inc()
	delay := backoff[min(attempt-1, len(backoff)-1)]
	c.Log.WarnContext(ctx, "event failed, will retry", "consumer", c.Durable, "event", ev.ID, "type", ev.Type, "attempt", attempt, "retry_in", delay, "err", err)
	_ = msg.NakWithDelay(delay)
}

// process handles ev once: the id is recorded in the same transaction as the
// handler's changes.
func (c *Consumer) process(ctx context.Context, ev events.Event) error {
	return pgx.BeginFunc(ctx, c.Pool, func(tx pgx.Tx) error { return c.processIn(ctx, tx, ev) })
}

// processIn handles ev in tx unless the consumer has handled it before.
func (c *Consumer) processIn(ctx context.Context, tx pgx.Tx, ev events.Event) error {
	tag, err := tx.Exec(ctx, `INSERT INTO processed_events (consumer, event_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`, c.Durable, ev.ID)
	if err != nil {
		return err
	}
	if tag.RowsAffected() == 0 {
		return nil // handled before: a redelivery
	}
	return c.Handle(ctx, tx, ev)
}

// deadLetter records msg in the service's dead letters (for operators to
// list and redrive) and copies it to the consumer's dead-letter subject with
// the reason, then terminates it so the consumer moves on.
func (c *Consumer) deadLetter(ctx context.Context, msg jetstream.Msg, reason error) {
	c.Log.ErrorContext(ctx, "event dead-lettered", "consumer", c.Durable, "subject", msg.Subject(), "reason", reason)
	if err := recordDeadLetter(ctx, c.Pool, c.Durable, msg.Subject(), msg.Data(), reason); err != nil {
		c.Log.Error("dead letter not recorded; leaving the event for redelivery", "err", err)
		_ = msg.Nak()
		return
	}
	dl := nats.NewMsg(DeadLetterSubject(c.Durable))
	dl.Data = msg.Data()
	dl.Header.Set("Bookwell-Original-Subject", msg.Subject())
	dl.Header.Set("Bookwell-Reason", reason.Error())
	if _, err := c.JS.PublishMsg(ctx, dl); err != nil {
		c.Log.Error("dead-letter publish failed; leaving the event for redelivery", "err", err)
		_ = msg.Nak()
		return
	}
	deadLettered.WithLabelValues(c.Durable).Inc()
	_ = msg.TermWithReason(reason.Error())
}

// DeleteHandledBefore forgets the events durable handled before before, and
// its dead letters redriven before it, in batches; it says how many handled
// ids went. Keep them longer than the streams keep events (so a consumer
// made again from the start of a stream still recognises what it handled)
// and longer than a message can be redelivered.
func DeleteHandledBefore(ctx context.Context, pool *pgxpool.Pool, durable string, before time.Time) (int64, error) {
	var total int64
	for {
		tag, err := pool.Exec(ctx, `DELETE FROM processed_events WHERE ctid IN (
			SELECT ctid FROM processed_events WHERE consumer = $1 AND processed_at < $2 LIMIT 10000)`, durable, before)
		if err != nil {
			return total, fmt.Errorf("delete handled events of %s: %w", durable, err)
		}
		total += tag.RowsAffected()
		if tag.RowsAffected() < 10000 {
			break
		}
	}
	if _, err := pool.Exec(ctx, `DELETE FROM dead_letters WHERE consumer = $1 AND redriven_at < $2`, durable, before); err != nil {
		return total, fmt.Errorf("delete redriven dead letters of %s: %w", durable, err)
	}
	return total, nil
}
