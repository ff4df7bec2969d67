// Package postgres is scheduling's storage: offerings, availability, mentor
// standing and reservations in the `scheduling` schema, with the constraints
// that make overbooking impossible, and the outbox written in the same
// transactions.
package postgres

import (
	"context"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/bookwell/bookwell/pkg/consumer"
	"github.com/bookwell/bookwell/pkg/outbox"
	"github.com/bookwell/bookwell/pkg/pgdb"
	"github.com/bookwell/bookwell/services/scheduling/internal/app"
	"github.com/bookwell/bookwell/services/scheduling/internal/domain"
)

// Schema is scheduling's Postgres schema.
const Schema = "scheduling"

//go:embed migrations/*.sql
var migrationFS embed.FS

// Migrations are scheduling's own migrations, then the outbox's and the
// consumer's.
func Migrations() []pgdb.Migrations {
	return []pgdb.Migrations{
		{FS: migrationFS, Dir: "migrations", Table: "goose_scheduling"},
		outbox.Migrations(), consumer.Migrations(),
	}
}

// Open connects to the database at url inside the scheduling schema and
// applies the Migrations.
func Open(ctx context.Context, url string) (*pgxpool.Pool, error) {
	return pgdb.Open(ctx, url, Schema, Migrations()...)
}

// Store reads and writes scheduling's tables; it is app.Store.
type Store struct {
	Pool *pgxpool.Pool
}

var _ app.Store = (*Store)(nil)

// ---- offerings

const offeringCols = `id, mentor_id, name, kind, duration_minutes, price_minor, currency, capacity, approval_required, created_at, updated_at`

func scanOffering(row pgx.Row) (domain.Offering, error) {
	var o domain.Offering
	var id uuid.UUID
	var minutes int
	err := row.Scan(&id, &o.MentorID, &o.Name, &o.Kind, &minutes, &o.PriceMinor, &o.Currency, &o.Capacity, &o.ApprovalRequired, &o.CreatedAt, &o.UpdatedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return o, domain.ErrOfferingNotFound
	}
	o.ID = id.String()
	o.Duration = time.Duration(minutes) * time.Minute
	return o, err
}

// CreateOffering stores a new offering.
func (s *Store) CreateOffering(ctx context.Context, o domain.Offering) error {
	_, err := s.Pool.Exec(ctx, `INSERT INTO offerings (`+offeringCols+`) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11)`,
		o.ID, o.MentorID, o.Name, o.Kind, int(o.Duration/time.Minute), o.PriceMinor, o.Currency, o.Capacity, o.ApprovalRequired, o.CreatedAt, o.UpdatedAt)
	return err
}

// Offering returns a mentor's offering that has not been withdrawn.
func (s *Store) Offering(ctx context.Context, mentorID, id string) (domain.Offering, error) {
	if uuid.Validate(id) != nil {
		return domain.Offering{}, domain.ErrOfferingNotFound
	}
	return scanOffering(s.Pool.QueryRow(ctx, `SELECT `+offeringCols+` FROM offerings WHERE id = $1 AND mentor_id = $2 AND deleted_at IS NULL`, id, mentorID))
}

// Offerings lists a mentor's offerings, oldest first.
func (s *Store) Offerings(ctx context.Context, mentorID string) ([]domain.Offering, error) {
	rows, err := s.Pool.Query(ctx, `SELECT `+offeringCols+` FROM offerings WHERE mentor_id = $1 AND deleted_at IS NULL ORDER BY created_at, id`, mentorID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []domain.Offering{}
	for rows.Next() {
		o, err := scanOffering(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, rows.Err()
}

// UpdateOffering loads an offering, lets change modify it and stores the
// result, all in one transaction.
func (s *Store) UpdateOffering(ctx context.Context, mentorID, id string, change func(*domain.Offering) error) (domain.Offering, error) {
	if uuid.Validate(id) != nil {
		return domain.Offering{}, domain.ErrOfferingNotFound
	}
	var o domain.Offering
	err := pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		var err error
		o, err = scanOffering(tx.QueryRow(ctx, `SELECT `+offeringCols+` FROM offerings WHERE id = $1 AND mentor_id = $2 AND deleted_at IS NULL FOR UPDATE`, id, mentorID))
		if err != nil {
			return err
		}
		if err := change(&o); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `UPDATE offerings SET name = $2, duration_minutes = $3, price_minor = $4, currency = $5, capacity = $6, approval_required = $7, updated_at = $8 WHERE id = $1`,
			id, o.Name, int(o.Duration/time.Minute), o.PriceMinor, o.Currency, o.Capacity, o.ApprovalRequired, o.UpdatedAt)
		return err
	})
	return o, err
}

// DeleteOffering withdraws an offering; reservations of it stay.
func (s *Store) DeleteOffering(ctx context.Context, mentorID, id string, at time.Time) error {
	if uuid.Validate(id) != nil {
		return domain.ErrOfferingNotFound
	}
	tag, err := s.Pool.Exec(ctx, `UPDATE offerings SET deleted_at = $3 WHERE id = $1 AND mentor_id = $2 AND deleted_at IS NULL`, id, mentorID, at)
	if err != nil {
		return err
	}
	if tag.RowsAffected() == 0 {
		return domain.ErrOfferingNotFound
	}
	return nil
}

// ---- availability

type weeklyJSON struct {
	Day   int    `json:"day"`
	Start string `json:"start"`
	End   string `json:"end"`
}

type exceptionJSON struct {
	Date  string `json:"date"`
	Kind  string `json:"kind"`
	Start string `json:"start,omitempty"`
	End   string `json:"end,omitempty"`
}

// availability reads a mentor's availability; a mentor who never set one
// gets an empty one in UTC.
func availability(ctx context.Context, q pgdb.Querier, mentorID string) (domain.Availability, error) {
	a := domain.Availability{MentorID: mentorID, TimeZone: "UTC"}
	var weekly, exceptions []byte
	var buffer, notice int
	var awayStart, awayEnd *time.Time
	err := q.QueryRow(ctx, `SELECT time_zone, weekly_hours, exceptions, buffer_minutes, min_notice_minutes, horizon_days, away_start, away_end, updated_at
		FROM availability WHERE mentor_id = $1`, mentorID).
		Scan(&a.TimeZone, &weekly, &exceptions, &buffer, &notice, &a.HorizonDays, &awayStart, &awayEnd, &a.UpdatedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return a, nil
	}
	if err != nil {
		return a, err
	}
	a.Buffer = time.Duration(buffer) * time.Minute
	a.MinNotice = time.Duration(notice) * time.Minute
	if awayStart != nil && awayEnd != nil {
		a.AwayStart, a.AwayEnd = *awayStart, *awayEnd
	}
	var ws []weeklyJSON
	if err := json.Unmarshal(weekly, &ws); err != nil {
		return a, fmt.Errorf("weekly hours of %s: %w", mentorID, err)
	}
	for _, w := range ws {
		start, err1 := domain.ParseClock(w.Start)
		end, err2 := domain.ParseClock(w.End)
		if err := errors.Join(err1, err2); err != nil {
			return a, fmt.Errorf("weekly hours of %s: %w", mentorID, err)
		}
		a.Weekly = append(a.Weekly, domain.WeeklyHours{Day: time.Weekday(w.Day), Start: start, End: end})
	}
	var es []exceptionJSON
	if err := json.Unmarshal(exceptions, &es); err != nil {
		return a, fmt.Errorf("exceptions of %s: %w", mentorID, err)
	}
	for _, e := range es {
		x := domain.DateException{Date: e.Date, Kind: domain.ExceptionKind(e.Kind)}
		if e.Start != "" {
			var err1, err2 error
			x.Start, err1 = domain.ParseClock(e.Start)
			x.End, err2 = domain.ParseClock(e.End)
			if err := errors.Join(err1, err2); err != nil {
				return a, fmt.Errorf("exceptions of %s: %w", mentorID, err)
			}
		}
		a.Exceptions = append(a.Exceptions, x)
	}
	return a, nil
}

// Availability returns a mentor's availability.
func (s *Store) Availability(ctx context.Context, mentorID string) (domain.Availability, error) {
	return availability(ctx, s.Pool, mentorID)
}

// PutAvailability replaces a mentor's availability.
func (s *Store) PutAvailability(ctx context.Context, a domain.Availability) error {
	ws := []weeklyJSON{}
	for _, w := range a.Weekly {
		ws = append(ws, weeklyJSON{Day: int(w.Day), Start: w.Start.String(), End: w.End.String()})
	}
	es := []exceptionJSON{}
	for _, e := range a.Exceptions {
		x := exceptionJSON{Date: e.Date, Kind: string(e.Kind)}
		if !e.WholeDay() {
			x.Start, x.End = e.Start.String(), e.End.String()
		}
		es = append(es, x)
	}
	weekly, _ := json.Marshal(ws)
	exceptions, _ := json.Marshal(es)
	var awayStart, awayEnd *time.Time
	if !a.AwayStart.IsZero() {
		awayStart, awayEnd = &a.AwayStart, &a.AwayEnd
	}
	_, err := s.Pool.Exec(ctx, `INSERT INTO availability (mentor_id, time_zone, weekly_hours, exceptions, buffer_minutes, min_notice_minutes, horizon_days, away_start, away_end, updated_at)
		VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10)
		ON CONFLICT (mentor_id) DO UPDATE SET time_zone = excluded.time_zone, weekly_hours = excluded.weekly_hours, exceptions = excluded.exceptions,
			buffer_minutes = excluded.buffer_minutes, min_notice_minutes = excluded.min_notice_minutes, horizon_days = excluded.horizon_days,
			away_start = excluded.away_start, away_end = excluded.away_end, updated_at = excluded.updated_at`,
		a.MentorID, a.TimeZone, weekly, exceptions, int(a.Buffer/time.Minute), int(a.MinNotice/time.Minute), a.HorizonDays, awayStart, awayEnd, a.UpdatedAt)
	return err
}

// ---- standing

// standing returns a mentor's standing; domain.Unannounced when reputation
// never said.
func standing(ctx context.Context, q pgdb.Querier, mentorID string) (domain.Standing, error) {
	var st domain.Standing
	err := q.QueryRow(ctx, `SELECT standing, takes_bookings FROM mentor_standing WHERE mentor_id = $1`, mentorID).Scan(&st.Name, &st.TakesBookings)
	if errors.Is(err, pgx.ErrNoRows) {
		return domain.Unannounced, nil
	}
	return st, err
}

// Standing implements app.Store.
func (s *Store) Standing(ctx context.Context, mentorID string) (domain.Standing, error) {
	return standing(ctx, s.Pool, mentorID)
}

// InTx is the app.Tx of a transaction the caller owns (an event
// consumer's).
func InTx(tx pgx.Tx) app.Tx { return txn{tx} }

type txn struct{ tx pgx.Tx }

// SetStanding implements app.Tx. A change older than the one recorded is
// ignored, so events delivered out of order leave the newest standing.
func (t txn) SetStanding(ctx context.Context, mentorID string, st domain.Standing, reason string, at time.Time) error {
	_, err := t.tx.Exec(ctx, `INSERT INTO mentor_standing (mentor_id, standing, takes_bookings, reason, changed_at) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (mentor_id) DO UPDATE SET standing = excluded.standing, takes_bookings = excluded.takes_bookings,
			reason = excluded.reason, changed_at = excluded.changed_at
		WHERE mentor_standing.changed_at <= excluded.changed_at`, mentorID, st.Name, st.TakesBookings, reason, at)
	return err
}

// pgCode returns the SQLSTATE and constraint of a Postgres error.
func pgCode(err error) (code, constraint string) {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code, pe.ConstraintName
	}
	return "", ""
}
