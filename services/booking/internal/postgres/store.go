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

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/bookwell/bookwell/pkg/apperr"
	"github.com/bookwell/bookwell/pkg/consumer"
	"github.com/bookwell/bookwell/pkg/events"
	"github.com/bookwell/bookwell/pkg/outbox"
	"github.com/bookwell/bookwell/pkg/pgdb"
	"github.com/bookwell/bookwell/pkg/telemetry"
	"github.com/bookwell/bookwell/services/booking/internal/app"
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
		outbox.Migrations(), consumer.Migrations(),
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
func (s *Store) Save(ctx context.Context, bk *domain.Booking, ev *events.Event) error {
	r := toRow(bk)
	snap, err := json.Marshal(r)
	if err != nil {
		return fmt.Errorf("encode booking: %w", err)
	}
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `
			INSERT INTO bookings (id, mentor_id, mentee_id, offering_id, status, start_time, end_time, created_at, updated_at,
				version, snapshot, payment_method, payment_status, mentee_name, mentee_email, session_id, sort_time, trace_context)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)
			ON CONFLICT (id) DO UPDATE SET
				status = EXCLUDED.status, start_time = EXCLUDED.start_time, end_time = EXCLUDED.end_time,
				updated_at = EXCLUDED.updated_at, version = EXCLUDED.version, snapshot = EXCLUDED.snapshot,
				payment_method = EXCLUDED.payment_method, payment_status = EXCLUDED.payment_status,
				session_id = EXCLUDED.session_id, sort_time = EXCLUDED.sort_time
			WHERE bookings.version < EXCLUDED.version`,
			r.ID, r.MentorID, r.MenteeID, r.OfferingID, r.Status, nullTime(r.Start), nullTime(r.End),
			r.CreatedAt, r.UpdatedAt, r.Version, snap, r.PaymentMethod, r.PaymentStatus,
			r.MenteeName, r.MenteeEmail, bk.SessionID(), nullTime(bk.SortTime()), telemetry.Inject(ctx),
		); err != nil {
			return fmt.Errorf("save booking %s: %w", r.ID, err)
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

// CountByStatus counts the bookings of the read model by status, for the
// metrics (an index-only scan of bookings_status_sort).
func (s *Store) CountByStatus(ctx context.Context) (map[string]float64, error) {
	rows, err := s.pool.Query(ctx, `SELECT status, count(*) FROM bookings GROUP BY status`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]float64{}
	for rows.Next() {
		var status string
		var n int64
		if err := rows.Scan(&status, &n); err != nil {
			return nil, err
		}
		out[status] = float64(n)
	}
	return out, rows.Err()
}

// TraceContext is the trace of the request that created booking id (kept by
// the first save), nil when there is none.
func (s *Store) TraceContext(ctx context.Context, id string) (telemetry.Carrier, error) {
	var c telemetry.Carrier
	err := s.pool.QueryRow(ctx, `SELECT trace_context FROM bookings WHERE id = $1`, id).Scan(&c)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	return c, err
}

// Get returns one booking, or domain.ErrNotFound.
func (s *Store) Get(ctx context.Context, id string) (*domain.Booking, error) {
	var snap []byte
	err := s.pool.QueryRow(ctx, `SELECT snapshot FROM bookings WHERE id = $1`, id).Scan(&snap)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, domain.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("get booking %s: %w", id, err)
	}
	return decode(snap)
}

func decode(snap []byte) (*domain.Booking, error) {
	var r row
	if err := json.Unmarshal(snap, &r); err != nil {
		return nil, fmt.Errorf("decode booking: %w", err)
	}
	return fromRow(r), nil
}

type cursor struct {
	At time.Time `json:"t"`
	ID string    `json:"i"`
	// Null: the row had no sort time (those sort last).
	Null bool `json:"n,omitempty"`
}

// List returns a page of bookings and the token of the next page ("" on the
// last). Pages are keyset-paginated: stable while bookings change.
func (s *Store) List(ctx context.Context, f app.Filter) ([]*domain.Booking, string, error) {
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
	q := listQuery{col: col, desc: desc}
	if err := q.where(f); err != nil {
		return nil, "", err
	}
	size := f.PageSize
	if size <= 0 {
		size = 50
	}
	// Planned with the values every time (an unnamed statement): a plan
	// prepared for any value could not tell a rare status or a search from
	// a common one, and lists are few and cheap to plan.
	sql := q.sql(f.Statuses, size+1)
	rows, err := s.pool.Query(ctx, sql, append([]any{pgx.QueryExecModeExec}, q.args...)...)
	if err != nil {
		return nil, "", fmt.Errorf("list bookings: %w", err)
	}
	defer rows.Close()
	var out []*domain.Booking
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
		last = cursor{ID: b.ID(), Null: at == nil}
		if at != nil {
			last.At = *at
		}
	}
	return out, "", rows.Err()
}

// listQuery builds a list's SQL.
type listQuery struct {
	col   string // the order column
	desc  bool
	conds []string
	args  []any
}

func (q *listQuery) arg(v any) string {
	q.args = append(q.args, v)
	return fmt.Sprintf("$%d", len(q.args))
}

// where adds f's conditions, except its statuses (see sql).
func (q *listQuery) where(f app.Filter) error {
	for _, c := range []struct{ col, val string }{
		{"mentor_id", f.MentorID}, {"mentee_id", f.MenteeID}, {"offering_id", f.OfferingID}, {"session_id", f.SessionID},
		{"payment_method", string(f.PaymentMethod)}, {"payment_status", string(f.PaymentStatus)},
	} {
		if c.val != "" {
			q.conds = append(q.conds, c.col+" = "+q.arg(c.val))
		}
	}
	if !f.StartAfter.IsZero() {
		q.conds = append(q.conds, "sort_time >= "+q.arg(f.StartAfter))
	}
	if !f.StartBefore.IsZero() {
		q.conds = append(q.conds, "sort_time < "+q.arg(f.StartBefore))
	}
	if text := strings.TrimSpace(f.Query); text != "" {
		// A booking id is looked up by the primary key, an email address
		// (or its beginning) by the email's prefix index; anything else
		// searches the mentee's name and email through their trigram
		// indexes. (One OR over all of them would use no index; and a
		// trigram search for an address reads the long lists of its
		// domain's common trigrams.)
		if id, err := uuid.Parse(text); err == nil {
			q.conds = append(q.conds, "id = "+q.arg(id))
		} else if strings.Contains(text, "@") {
			// The strings that start with prefix, as a range of the
			// index's byte order: a plan prepared without the value
			// still uses the index (a LIKE would also invite the
			// trigram index, and its long lists, into the plan).
			prefix := strings.ToLower(text)
			q.conds = append(q.conds, fmt.Sprintf("lower(mentee_email) ~>=~ %s AND lower(mentee_email) ~<~ %s",
				q.arg(prefix), q.arg(prefix+"\U0010FFFF")))
		} else {
			like := q.arg("%" + escapeLike(strings.ToLower(text)) + "%")
			q.conds = append(q.conds, fmt.Sprintf("(lower(mentee_name) LIKE %[1]s OR lower(mentee_email) LIKE %[1]s)", like))
		}
	}
	if f.PageToken != "" {
		c, err := decodeCursor(f.PageToken)
		if err != nil {
			return err
		}
		op := ">"
		if q.desc {
			op = "<"
		}
		if c.Null {
			// Past the rows with a time: only rows without one, by id.
			q.conds = append(q.conds, q.col+" IS NULL AND id "+op+" "+q.arg(c.ID))
		} else {
			// Rows without a time sort after all others (NULLS LAST).
			q.conds = append(q.conds, fmt.Sprintf("((%s, id) %s (%s, %s) OR %s IS NULL)", q.col, op, q.arg(c.At), q.arg(c.ID), q.col))
		}
	}
	return nil
}

// sql is the query for up to limit rows with one of statuses (any if none).
// Several statuses become one ordered query per status, merged: each reads
// its (status, sort_time, id) range in order, where "status = ANY(...)"
// would read and sort every row of every status.
func (q *listQuery) sql(statuses []domain.Status, limit int) string {
	dir := "ASC"
	if q.desc {
		dir = "DESC"
	}
	order := fmt.Sprintf(" ORDER BY %s %s NULLS LAST, id %s LIMIT %d", q.col, dir, dir, limit)
	one := func(cols string, extra ...string) string {
		conds := append(append([]string(nil), q.conds...), extra...)
		sql := "SELECT " + cols + " FROM bookings"
		if len(conds) > 0 {
			sql += " WHERE " + strings.Join(conds, " AND ")
		}
		return sql + order
	}
	cols := "snapshot, " + q.col
	switch len(statuses) {
	case 0:
		return one(cols)
	case 1:
		return one(cols, "status = "+q.arg(string(statuses[0])))
	}
	parts := make([]string, len(statuses))
	for i, st := range statuses {
		parts[i] = "(" + one(cols+", id", "status = "+q.arg(string(st))) + ")"
	}
	return "SELECT snapshot, " + q.col + " FROM (" + strings.Join(parts, " UNION ALL ") + ") b" + order
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
		return cursor{}, app.ErrBadPageToken
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
	var p policyRow
	if err := json.Unmarshal(raw, &p); err != nil {
		return domain.Policy{}, false, fmt.Errorf("mentor settings: %w", err)
	}
	return fromPolicyRow(p), true, nil
}

// SavePolicy stores a mentor's policy.
func (s *Store) SavePolicy(ctx context.Context, mentorID string, p domain.Policy) error {
	raw, err := json.Marshal(toPolicyRow(p))
	if err != nil {
		return err
	}
	_, err = s.pool.Exec(ctx, `INSERT INTO mentor_settings (mentor_id, policy, updated_at) VALUES ($1, $2, now())
		ON CONFLICT (mentor_id) DO UPDATE SET policy = EXCLUDED.policy, updated_at = now()`, mentorID, raw)
	return err
}

// Each calls fn with every booking f selects, page by page in f's order, so
// that memory holds one page at a time.
func (s *Store) Each(ctx context.Context, f app.Filter, fn func(*domain.Booking) error) error {
	f.PageSize, f.PageToken = eachPage, ""
	for {
		bs, next, err := s.List(ctx, f)
		if err != nil {
			return err
		}
		for _, b := range bs {
			if err := fn(b); err != nil {
				return err
			}
		}
		if next == "" {
			return nil
		}
		f.PageToken = next
	}
}

// eachPage is how many bookings Each reads at a time.
const eachPage = 500
