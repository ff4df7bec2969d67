// Package postgres stores the booking read model, its outbox, and mentors'
// booking settings in the booking schema.
package postgres

import (
	"context"
	"embed"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/bookwell/bookwell/pkg/apperr"
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

// Save writes b and, when ev is not nil, the event announcing its change, in
// one transaction. A save whose version is not newer than the stored one
// changes nothing, so a retried save (an activity run twice) is harmless; the
// event is recorded once by its id.
func (s *Store) Save(ctx context.Context, b domain.Booking, ev *events.Event) error {
	snap, err := json.Marshal(b)
	if err != nil {
		return fmt.Errorf("encode booking: %w", err)
	}
	sort := b.Start
	if sort.IsZero() && len(b.PreferredStarts) > 0 {
		sort = b.PreferredStarts[0]
	}
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `
			INSERT INTO bookings (id, mentor_id, mentee_id, offering_id, status, start_time, end_time, created_at, updated_at,
				version, snapshot, payment_method, payment_status, mentee_name, mentee_email, session_id, sort_time)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)
			ON CONFLICT (id) DO UPDATE SET
				status = EXCLUDED.status, start_time = EXCLUDED.start_time, end_time = EXCLUDED.end_time,
				updated_at = EXCLUDED.updated_at, version = EXCLUDED.version, snapshot = EXCLUDED.snapshot,
				payment_method = EXCLUDED.payment_method, payment_status = EXCLUDED.payment_status,
				session_id = EXCLUDED.session_id, sort_time = EXCLUDED.sort_time
			WHERE bookings.version < EXCLUDED.version`,
			b.ID, b.MentorID, b.MenteeID, b.OfferingID, string(b.Status), nullTime(b.Start), nullTime(b.End),
			b.CreatedAt, b.UpdatedAt, b.Version, snap, string(b.PaymentMethod), string(b.PaymentStatus),
			b.MenteeName, b.MenteeEmail, b.SessionID(), nullTime(sort),
		); err != nil {
			return fmt.Errorf("save booking %s: %w", b.ID, err)
		}
		if ev == nil {
			return nil
		}
		return outbox.Add(ctx, tx, *ev)
	})
}

func nullTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
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
	return decode(snap)
}

func decode(snap []byte) (domain.Booking, error) {
	var b domain.Booking
	if err := json.Unmarshal(snap, &b); err != nil {
		return domain.Booking{}, fmt.Errorf("decode booking: %w", err)
	}
	return b, nil
}

// Filter selects bookings for a list or an export.
type Filter struct {
	MentorID, MenteeID, OfferingID, SessionID string
	Statuses                                  []domain.Status
	StartAfter, StartBefore                   time.Time
	PaymentMethod                             domain.PaymentMethod
	PaymentStatus                             domain.PaymentStatus
	// Query matches the mentee's name or email (case-insensitive, anywhere)
	// or the booking id exactly.
	Query string
	// OrderBy is "start_time" (default), "start_time desc", "create_time" or
	// "create_time desc".
	OrderBy   string
	PageSize  int
	PageToken string
}

// ErrBadPageToken is a page token this store did not make.
var ErrBadPageToken = apperr.New(apperr.KindInvalid, "INVALID_PAGE_TOKEN", "page_token is not one this list returned")

type cursor struct {
	At time.Time `json:"t"`
	ID string    `json:"i"`
	// Null: the row had no sort time (those sort last).
	Null bool `json:"n,omitempty"`
}

// List returns a page of bookings and the token of the next page ("" on the
// last). Pages are keyset-paginated: stable while bookings change.
func (s *Store) List(ctx context.Context, f Filter) ([]domain.Booking, string, error) {
	col, desc := "sort_time", false
	switch f.OrderBy {
	case "", "start_time", "start_time asc":
	case "start_time desc":
		desc = true
	case "create_time", "create_time asc":
		col = "created_at"
	case "create_time desc":
		col, desc = "created_at", true
	default:
		var v apperr.Violations
		v.Add("order_by", `must be "start_time", "start_time desc", "create_time" or "create_time desc"`)
		return nil, "", v.Err()
	}
	var where []string
	var args []any
	arg := func(v any) string { args = append(args, v); return fmt.Sprintf("$%d", len(args)) }
	if f.MentorID != "" {
		where = append(where, "mentor_id = "+arg(f.MentorID))
	}
	if f.MenteeID != "" {
		where = append(where, "mentee_id = "+arg(f.MenteeID))
	}
	if f.OfferingID != "" {
		where = append(where, "offering_id = "+arg(f.OfferingID))
	}
	if f.SessionID != "" {
		where = append(where, "session_id = "+arg(f.SessionID))
	}
	if len(f.Statuses) > 0 {
		ss := make([]string, len(f.Statuses))
		for i, st := range f.Statuses {
			ss[i] = string(st)
		}
		where = append(where, "status = ANY("+arg(ss)+")")
	}
	if !f.StartAfter.IsZero() {
		where = append(where, "sort_time >= "+arg(f.StartAfter))
	}
	if !f.StartBefore.IsZero() {
		where = append(where, "sort_time < "+arg(f.StartBefore))
	}
	if f.PaymentMethod != "" {
		where = append(where, "payment_method = "+arg(string(f.PaymentMethod)))
	}
	if f.PaymentStatus != "" {
		where = append(where, "payment_status = "+arg(string(f.PaymentStatus)))
	}
	if q := strings.TrimSpace(f.Query); q != "" {
		like := "%" + escapeLike(strings.ToLower(q)) + "%"
		where = append(where, fmt.Sprintf("(lower(mentee_name) LIKE %[1]s OR lower(mentee_email) LIKE %[1]s OR id::text = %[2]s)", arg(like), arg(strings.ToLower(q))))
	}
	if f.PageToken != "" {
		c, err := decodeCursor(f.PageToken)
		if err != nil {
			return nil, "", err
		}
		op := ">"
		if desc {
			op = "<"
		}
		if c.Null {
			// Past the rows with a time: only rows without one, by id.
			where = append(where, col+" IS NULL AND id "+op+" "+arg(c.ID))
		} else {
			// Rows without a time sort after all others (NULLS LAST).
			where = append(where, fmt.Sprintf("((%s, id) %s (%s, %s) OR %s IS NULL)", col, op, arg(c.At), arg(c.ID), col))
		}
	}
	dir := "ASC"
	if desc {
		dir = "DESC"
	}
	size := f.PageSize
	if size <= 0 {
		size = 50
	}
	sql := "SELECT snapshot, " + col + " FROM bookings"
	if len(where) > 0 {
		sql += " WHERE " + strings.Join(where, " AND ")
	}
	sql += fmt.Sprintf(" ORDER BY %s %s NULLS LAST, id %s LIMIT %d", col, dir, dir, size+1)
	rows, err := s.pool.Query(ctx, sql, args...)
	if err != nil {
		return nil, "", fmt.Errorf("list bookings: %w", err)
	}
	defer rows.Close()
	var out []domain.Booking
	var last cursor
	for rows.Next() {
		var snap []byte
		var at *time.Time
		if err := rows.Scan(&snap, &at); err != nil {
			return nil, "", err
		}
		if len(out) == size {
			return out, encodeCursor(last), nil
		}
		b, err := decode(snap)
		if err != nil {
			return nil, "", err
		}
		out = append(out, b)
		last = cursor{ID: b.ID, Null: at == nil}
		if at != nil {
			last.At = *at
		}
	}
	return out, "", rows.Err()
}

func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

func encodeCursor(c cursor) string {
	b, _ := json.Marshal(c)
	return base64.RawURLEncoding.EncodeToString(b)
}

func decodeCursor(tok string) (cursor, error) {
	var c cursor
	b, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil || json.Unmarshal(b, &c) != nil || c.ID == "" {
		return cursor{}, ErrBadPageToken
	}
	return c, nil
}

// Policy returns a mentor's saved policy, or false when they have none.
func (s *Store) Policy(ctx context.Context, mentorID string) (domain.Policy, bool, error) {
	var raw []byte
	err := s.pool.QueryRow(ctx, `SELECT policy FROM mentor_settings WHERE mentor_id = $1`, mentorID).Scan(&raw)
	if errors.Is(err, pgx.ErrNoRows) {
		return domain.Policy{}, false, nil
	}
	if err != nil {
		return domain.Policy{}, false, fmt.Errorf("mentor settings: %w", err)
	}
	var p domain.Policy
	if err := json.Unmarshal(raw, &p); err != nil {
		return domain.Policy{}, false, fmt.Errorf("mentor settings: %w", err)
	}
	return p, true, nil
}

// SavePolicy stores a mentor's policy.
func (s *Store) SavePolicy(ctx context.Context, mentorID string, p domain.Policy) error {
	raw, err := json.Marshal(p)
	if err != nil {
		return err
	}
	_, err = s.pool.Exec(ctx, `INSERT INTO mentor_settings (mentor_id, policy, updated_at) VALUES ($1, $2, now())
		ON CONFLICT (mentor_id) DO UPDATE SET policy = EXCLUDED.policy, updated_at = now()`, mentorID, raw)
	return err
}
