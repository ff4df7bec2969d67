package e2e

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/bookwell/bookwell/pkg/events"
)

// querier is a database handle: a connection or a pool.
type querier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// stackBusy says what a running bookwell still has to do after its last
// request, "" if nothing: events not yet relayed from an outbox, emails
// queued, service consumers behind on a stream.
func stackBusy(ctx context.Context, db querier, js jetstream.JetStream) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	var parts []string
	outboxes, err := schemasWith(ctx, db, "outbox")
	if err != nil {
		return "", err
	}
	for _, schema := range outboxes {
		var n int
		if err := db.QueryRow(ctx, `SELECT count(*) FROM `+schema+`.outbox WHERE published_at IS NULL`).Scan(&n); err != nil {
			return "", err
		}
		if n > 0 {
			parts = append(parts, fmt.Sprintf("%d unpublished in %s.outbox", n, schema))
		}
	}
	var queued int
	if err := db.QueryRow(ctx, `SELECT count(*) FROM notifications.emails WHERE status = 'queued'`).Scan(&queued); err != nil {
		return "", err
	}
	if queued > 0 {
		parts = append(parts, fmt.Sprintf("%d emails queued", queued))
	}
	pending, err := consumersPending(ctx, js)
	if err != nil {
		return "", err
	}
	parts = append(parts, pending...)
	return strings.Join(parts, ", "), nil
}

// waitQuiet polls stackBusy every poll until it says nothing is left, or
// ctx ends.
func waitQuiet(ctx context.Context, db querier, js jetstream.JetStream, poll time.Duration) error {
	for {
		busy, err := stackBusy(ctx, db, js)
		if err == nil && busy == "" {
			return nil
		}
		if ctx.Err() != nil {
			return fmt.Errorf("never quiet: %v %s", err, busy)
		}
		time.Sleep(poll)
	}
}

// schemasWith are the schemas that have a table of that name.
func schemasWith(ctx context.Context, db querier, table string) ([]string, error) {
	rows, err := db.Query(ctx, `SELECT table_schema FROM information_schema.tables WHERE table_name = $1 ORDER BY 1`, table)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// consumersPending lists the services' durable consumers with messages not
// yet delivered or acknowledged.
func consumersPending(ctx context.Context, js jetstream.JetStream) ([]string, error) {
	var out []string
	names := js.StreamNames(ctx)
	for stream := range names.Name() {
		if stream == events.DeadLetterStream.Name {
			continue
		}
		s, err := js.Stream(ctx, stream)
		if err != nil {
			return nil, err
		}
		infos := s.ListConsumers(ctx)
		for ci := range infos.Info() {
			if ci.Config.Durable == "" {
				continue // not a service's: the harness's own readers
			}
			if n := ci.NumPending + uint64(ci.NumAckPending); n > 0 {
				out = append(out, fmt.Sprintf("%d pending for %s", n, ci.Name))
			}
		}
		if err := infos.Err(); err != nil {
			return nil, err
		}
	}
	return out, names.Err()
}
