// Package postgres stores the booking read model and its outbox in the
// booking schema.
package postgres

import (
	"context"
	"embed"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/bookwell/bookwell/pkg/events"
	"github.com/bookwell/bookwell/pkg/outbox"
	"github.com/bookwell/bookwell/pkg/pgdb"
	"github.com/bookwell/bookwell/services/booking/internal/domain"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// Schema is the booking context's Postgres schema.
const Schema = "booking"

// Migrations are the booking schema's own migrations, then the outbox's.
func Migrations() []pgdb.Migrations {
	return []pgdb.Migrations{
		{FS: migrationFS, Dir: "migrations", Table: "goose_booking"},
		outbox.Migrations(),
	}
}

// Store reads and writes bookings.
type Store struct {
	pool *pgxpool.Pool
}

// NewStore returns a store on pool, whose search_path is the booking schema.
func NewStore(pool *pgxpool.Pool) *Store { return &Store{pool: pool} }

// Save writes b and the event announcing its change in one transaction. A
// save whose version is not newer than the stored one changes nothing, so a
// retried save (an activity run twice) is harmless; the event is recorded once
// by its id.
func (s *Store) Save(ctx context.Context, b domain.Booking, ev events.Event) error {
	snap, err := json.Marshal(b)
	if err != nil {
		return fmt.Errorf("encode booking: %w", err)
	}
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `
			INSERT INTO bookings (id, mentor_id, mentee_id, offering_id, status, start_time, end_time, created_at, updated_at, version, snapshot)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
			ON CONFLICT (id) DO UPDATE SET
				mentor_id = EXCLUDED.mentor_id, mentee_id = EXCLUDED.mentee_id, offering_id = EXCLUDED.offering_id,
				status = EXCLUDED.status, start_time = EXCLUDED.start_time, end_time = EXCLUDED.end_time,
				updated_at = EXCLUDED.updated_at, version = EXCLUDED.version, snapshot = EXCLUDED.snapshot
			WHERE bookings.version < EXCLUDED.version`,
			b.ID, b.MentorID, b.MenteeID, b.OfferingID, string(b.Status), b.Start, b.End, b.CreatedAt, b.UpdatedAt, b.Version, snap,
		); err != nil {
			return fmt.Errorf("save booking %s: %w", b.ID, err)
		}
		return outbox.Add(ctx, tx, ev)
	})
}

// Get returns one booking, or domain.ErrNotFound.
func (s *Store) Get(ctx context.Context, id string) (domain.Booking, error) {
	var snap []byte
	err := s.pool.QueryRow(ctx, `SELECT snapshot FROM bookings WHERE id = $1`, id).Scan(&snap)
	if errors.Is(err, pgx.ErrNoRows) {
		return domain.Booking{}, domain.ErrNotFound
	}
	if err != nil {
		return domain.Booking{}, fmt.Errorf("get booking %s: %w", id, err)
	}
	var b domain.Booking
	if err := json.Unmarshal(snap, &b); err != nil {
		return domain.Booking{}, fmt.Errorf("decode booking %s: %w", id, err)
	}
	return b, nil
}
