// Package postgres stores reputation's projections (bookings, payments),
// mentors' standing, history and ranking, and reviews in the reputation
// schema.
package postgres

import (
	"context"
	"embed"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/bookwell/bookwell/pkg/consumer"
	"github.com/bookwell/bookwell/pkg/outbox"
	"github.com/bookwell/bookwell/pkg/pgdb"
	"github.com/bookwell/bookwell/services/reputation/internal/app"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// Schema is the reputation context's Postgres schema.
const Schema = "reputation"

// Migrations are the reputation schema's own migrations, then the outbox's
// and the consumer's.
func Migrations() []pgdb.Migrations {
	return []pgdb.Migrations{
		{FS: migrationFS, Dir: "migrations", Table: "goose_reputation"},
		outbox.Migrations(),
		consumer.Migrations(),
	}
}

// Store reads and writes the reputation schema; it is app.Store.
type Store struct {
	pool *pgxpool.Pool
}

var (
	_ app.Store = (*Store)(nil)
	_ app.Tx    = txn{}
)

// NewStore returns a store on pool, whose search_path is the reputation schema.
func NewStore(pool *pgxpool.Pool) *Store { return &Store{pool: pool} }

// InTx implements app.Store.
func (s *Store) InTx(ctx context.Context, fn func(app.Tx) error) error {
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error { return fn(InTx(tx)) })
}

// InTx is the app.Tx of a transaction the caller owns (an event consumer's).
func InTx(tx pgx.Tx) app.Tx { return txn{tx} }

// txn is app.Tx on one transaction.
type txn struct{ tx pgx.Tx }

func nullTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

// ResetProjections implements app.Store.
func (s *Store) ResetProjections(ctx context.Context, durables ...string) error {
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `TRUNCATE bookings, reschedules, mentors, standing_history, payments`); err != nil {
			return fmt.Errorf("truncate projections: %w", err)
		}
		if _, err := tx.Exec(ctx, `DELETE FROM processed_events WHERE consumer = ANY($1)`, durables); err != nil {
			return fmt.Errorf("forget processed events: %w", err)
		}
		return nil
	})
}
