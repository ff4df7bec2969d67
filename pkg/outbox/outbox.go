// Package outbox is the transactional outbox: a service writes its events in
// the same Postgres transaction as the state change they describe, and a Relay
// publishes them to JetStream with the event id as Nats-Msg-Id. An event is
// published at least once; the stream's duplicate window and the consumers'
// memory of event ids make that exactly once in effect. The trace of the
// transaction that added an event goes with it: stored in the row, sent as
// the message's headers (traceparent), so the consumers join that trace.
package outbox

import (
	"context"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promauto"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"

	"github.com/bookwell/bookwell/pkg/events"
	"github.com/bookwell/bookwell/pkg/pgdb"
	"github.com/bookwell/bookwell/pkg/telemetry"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// Migrations creates the outbox table in the service's schema.
func Migrations() pgdb.Migrations {
	return pgdb.Migrations{FS: migrationFS, Dir: "migrations", Table: "goose_outbox"}
}

// channel is the LISTEN/NOTIFY channel that wakes the relay; Postgres scopes it
// to the database, and the schema name keeps services apart.
func channel(schema string) string { return "outbox_" + schema }

// Add records ev in tx. Adding an event whose id is already recorded does
// nothing, so a retried transaction never publishes a fact twice.
func Add(ctx context.Context, tx pgx.Tx, ev events.Event) error {
	body, err := json.Marshal(ev)
	if err != nil {
		return fmt.Errorf("outbox: encode %s: %w", ev.Type, err)
	}
	if _, err := tx.Exec(ctx,
		`INSERT INTO outbox (id, subject, payload, created_at, trace_context) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (id) DO NOTHING`,
		ev.ID, ev.Type, body, ev.OccurredAt, telemetry.Inject(ctx)); err != nil {
		return fmt.Errorf("outbox: add %s: %w", ev.Type, err)
	}
	if _, err := tx.Exec(ctx, `SELECT pg_notify('outbox_' || current_schema(), '')`); err != nil {
		return fmt.Errorf("outbox: notify: %w", err)
	}
	return nil
}

// Relay publishes a service's outbox to JetStream.
type Relay struct {
	Pool   *pgxpool.Pool
	JS     jetstream.JetStream
	Schema string        // the service's schema, whose outbox this is
	Stream events.Stream // created or updated on start
	Log    *slog.Logger
	// Poll is how often the relay looks even without a notification; 1s if zero.
	Poll time.Duration
	// Batch is how many events one transaction publishes; 256 if zero.
	Batch int
	// Limits are the stream's replicas and retention when Run creates or
	// updates it; SkipEnsure leaves the stream as the bootstrap made it.
	Limits     events.Limits
	SkipEnsure bool
}

var published = promauto.NewCounterVec(prometheus.CounterOpts{
	Name: "bookwell_outbox_published_events_total",
	Help: "Events the outbox relay published to JetStream, by schema.",
}, []string{"schema"})

// metrics registers the gauges of the outbox's backlog, read from the table
// when Prometheus scrapes (at most every 5 s): how many events wait and how
// long the oldest has waited (0 when none does). The alert "outbox older than
// a minute" reads the second.
func (r *Relay) metrics() {
	schema := prometheus.Labels{"schema": r.Schema}
	telemetry.Register(telemetry.NewSampled("bookwell_outbox_unpublished_events",
		"Events in the outbox not yet published, by schema.", schema, "", 5*time.Second,
		func(ctx context.Context) (map[string]float64, error) {
			var n int64
			err := r.Pool.QueryRow(ctx, `SELECT count(*) FROM `+pgx.Identifier{r.Schema, "outbox"}.Sanitize()+` WHERE published_at IS NULL`).Scan(&n)
			return map[string]float64{"": float64(n)}, err
		}))
	telemetry.Register(telemetry.NewSampled("bookwell_outbox_oldest_unpublished_age_seconds",
		"How long the oldest event not yet published has waited in the outbox, by schema; 0 when none waits.", schema, "", 5*time.Second,
		func(ctx context.Context) (map[string]float64, error) {
			var age float64
			err := r.Pool.QueryRow(ctx, `SELECT coalesce(extract(epoch FROM now() - min(created_at)), 0)::float8 FROM `+
				pgx.Identifier{r.Schema, "outbox"}.Sanitize()+` WHERE published_at IS NULL`).Scan(&age)
			return map[string]float64{"": age}, err
		}))
	published.WithLabelValues(r.Schema)
}

// Run publishes until ctx ends. Publishing failures are logged and retried;
// events stay in the outbox until JetStream has acknowledged them.
func (r *Relay) Run(ctx context.Context) error {
	r.metrics()
	if !r.SkipEnsure {
		if _, err := events.EnsureWith(ctx, r.JS, r.Stream, r.Limits); err != nil {
			return err
		}
	}
	poll := r.Poll
	if poll == 0 {
		poll = time.Second
	}
	wake := make(chan struct{}, 1)
	go r.listen(ctx, wake)
	for {
		for {
			n, err := r.publishBatch(ctx)
			if err != nil {
				if ctx.Err() != nil {
					return nil
				}
				r.Log.Warn("outbox relay: publish failed, will retry", "err", err)
				break
			}
			if n < r.batch() {
				break
			}
		}
		select {
		case <-ctx.Done():
			return nil
		case <-wake:
		case <-time.After(poll):
		}
	}
}

func (r *Relay) batch() int {
	if r.Batch == 0 {
		return 256
	}
	return r.Batch
}

// listen turns Postgres notifications into wake-ups; it reconnects on error and
// ends with ctx.
func (r *Relay) listen(ctx context.Context, wake chan<- struct{}) {
	for ctx.Err() == nil {
		err := func() error {
			conn, err := r.Pool.Acquire(ctx)
			if err != nil {
				return err
			}
			defer conn.Release()
			if _, err := conn.Exec(ctx, "LISTEN "+pgx.Identifier{channel(r.Schema)}.Sanitize()); err != nil {
				return err
			}
			defer conn.Exec(context.Background(), "UNLISTEN *") //nolint:errcheck // best effort before release
			for {
				if _, err := conn.Conn().WaitForNotification(ctx); err != nil {
					return err
				}
				select {
				case wake <- struct{}{}:
				default:
				}
			}
		}()
		if ctx.Err() != nil {
			return
		}
		r.Log.Warn("outbox relay: listen failed, polling until it reconnects", "err", err)
		select {
		case <-ctx.Done():
		case <-time.After(time.Second):
		}
	}
}

// publishBatch publishes the oldest unpublished events and marks them
// published, in one transaction whose row locks keep two relays of the same
// service from publishing the same rows at once.
func (r *Relay) publishBatch(ctx context.Context) (int, error) {
	tx, err := r.Pool.Begin(ctx)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback(ctx) //nolint:errcheck // no-op after commit
	rows, err := tx.Query(ctx, `SELECT id, subject, payload, trace_context FROM outbox WHERE published_at IS NULL
		ORDER BY created_at, id LIMIT $1 FOR UPDATE SKIP LOCKED`, r.batch())
	if err != nil {
		return 0, err
	}
	type row struct {
		id      uuid.UUID
		subject string
		payload []byte
		trace   telemetry.Carrier
	}
	var batch []row
	for rows.Next() {
		var x row
		if err := rows.Scan(&x.id, &x.subject, &x.payload, &x.trace); err != nil {
			return 0, err
		}
		batch = append(batch, x)
	}
	if err := rows.Err(); err != nil {
		return 0, err
	}
	if len(batch) == 0 {
		return 0, nil
	}
	futures := make([]jetstream.PubAckFuture, 0, len(batch))
	ids := make([]uuid.UUID, 0, len(batch))
	for _, x := range batch {
		msg := nats.NewMsg(x.subject)
		msg.Data = x.payload
		if len(x.trace) > 0 {
			// A producer span in the trace of the change; the consumers'
			// spans are its children.
			_, span := telemetry.Tracer().Start(telemetry.Extract(ctx, x.trace), "publish "+x.subject,
				trace.WithSpanKind(trace.SpanKindProducer),
				trace.WithAttributes(attribute.String("messaging.system", "nats"),
					attribute.String("messaging.destination.name", x.subject),
					attribute.String("messaging.message.id", x.id.String())))
			telemetry.Propagator.Inject(trace.ContextWithSpan(ctx, span), propagation.HeaderCarrier(msg.Header))
			span.End()
		}
		f, err := r.JS.PublishMsgAsync(msg, jetstream.WithMsgID(x.id.String()))
		if err != nil {
			return 0, err
		}
		futures = append(futures, f)
		ids = append(ids, x.id)
	}
	var errs []error
	for _, f := range futures {
		select {
		case <-f.Ok():
		case err := <-f.Err():
			errs = append(errs, err)
		case <-ctx.Done():
			return 0, ctx.Err()
		case <-time.After(10 * time.Second):
			errs = append(errs, errors.New("timed out waiting for JetStream ack"))
		}
	}
	if len(errs) > 0 {
		return 0, errors.Join(errs...)
	}
	if _, err := tx.Exec(ctx, `UPDATE outbox SET published_at = now() WHERE id = ANY($1)`, ids); err != nil {
		return 0, err
	}
	if err := tx.Commit(ctx); err != nil {
		return 0, err
	}
	published.WithLabelValues(r.Schema).Add(float64(len(batch)))
	return len(batch), nil
}

// DeletePublishedBefore deletes the events published before before, in
// batches, and says how many went; unpublished events always stay. An event
// added again after its row is gone (a retried transaction, a rebuild) is
// published again: the consumers' memory of event ids still drops it.
func DeletePublishedBefore(ctx context.Context, pool *pgxpool.Pool, before time.Time) (int64, error) {
	var total int64
	for {
		tag, err := pool.Exec(ctx, `DELETE FROM outbox WHERE ctid IN (
			SELECT ctid FROM outbox WHERE published_at < $1 LIMIT 10000)`, before)
		if err != nil {
			return total, fmt.Errorf("outbox: delete published: %w", err)
		}
		total += tag.RowsAffected()
		if tag.RowsAffected() < 10000 {
			return total, nil
		}
	}
}
