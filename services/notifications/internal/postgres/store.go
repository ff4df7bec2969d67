// Package postgres stores the notifications context in its own schema: the
// inbox, the email queue with its delivery log, recipients, booking threads
// and the development mailbox.
package postgres

import (
	"context"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/bookwell/bookwell/pkg/consumer"
	"github.com/bookwell/bookwell/pkg/pgdb"
	"github.com/bookwell/bookwell/pkg/telemetry"
	"github.com/bookwell/bookwell/services/notifications/internal/app"
	"github.com/bookwell/bookwell/services/notifications/internal/domain"
	"github.com/bookwell/bookwell/services/notifications/internal/mailer"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// Schema is the notifications context's Postgres schema.
const Schema = "notifications"

// Migrations are the schema's own migrations, then the consumer's table of
// processed event ids.
func Migrations() []pgdb.Migrations {
	return []pgdb.Migrations{
		{FS: migrationFS, Dir: "migrations", Table: "goose_notifications"},
		consumer.Migrations(),
	}
}

// Store reads and writes the notifications schema.
type Store struct {
	pool *pgxpool.Pool
}

var (
	_ app.Store    = (*Store)(nil)
	_ app.Tx       = (*Tx)(nil)
	_ mailer.Queue = (*Store)(nil)
)

// NewStore returns a store on pool, whose search_path is the notifications schema.
func NewStore(pool *pgxpool.Pool) *Store { return &Store{pool: pool} }

// Tx is the part of the store that works inside one transaction.
type Tx struct {
	tx pgx.Tx
}

// InTx returns the store's transactional part on tx (the consumer's).
func InTx(tx pgx.Tx) *Tx { return &Tx{tx: tx} }

// InTx runs fn in a transaction, committed if fn returns nil.
func (s *Store) InTx(ctx context.Context, fn func(app.Tx) error) error {
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error { return fn(InTx(tx)) })
}

// SaveBooking keeps b as the latest snapshot of its booking unless a newer
// version is already stored.
func (t *Tx) SaveBooking(ctx context.Context, b domain.Booking) error {
	snap, err := json.Marshal(b)
	if err != nil {
		return fmt.Errorf("encode booking: %w", err)
	}
	_, err = t.tx.Exec(ctx, `
		INSERT INTO bookings (booking_id, mentor_id, mentee_id, version, snapshot) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (booking_id) DO UPDATE SET mentor_id = EXCLUDED.mentor_id, mentee_id = EXCLUDED.mentee_id,
			version = EXCLUDED.version, snapshot = EXCLUDED.snapshot
		WHERE bookings.version <= EXCLUDED.version`, b.ID, b.MentorID, b.MenteeID, b.Version, snap)
	if err != nil {
		return fmt.Errorf("save booking %s: %w", b.ID, err)
	}
	return nil
}

// Recipients returns the address book entries of those ids that have one.
func (t *Tx) Recipients(ctx context.Context, ids ...string) (map[string]domain.Recipient, error) {
	rows, err := t.tx.Query(ctx, `SELECT user_id, email, display_name, time_zone FROM recipients WHERE user_id = ANY($1)`, ids)
	if err != nil {
		return nil, fmt.Errorf("recipients: %w", err)
	}
	out := map[string]domain.Recipient{}
	for rows.Next() {
		var r domain.Recipient
		if err := rows.Scan(&r.UserID, &r.Email, &r.Name, &r.TimeZone); err != nil {
			return nil, err
		}
		out[r.UserID] = r
	}
	return out, rows.Err()
}

// AddNotification records n and, if e is not nil, queues e with a first
// entry in its delivery log. A notification already recorded (same id)
// changes nothing and reports false.
func (t *Tx) AddNotification(ctx context.Context, n domain.Notification, e *domain.Email) (bool, error) {
	tag, err := t.tx.Exec(ctx, `
		INSERT INTO notifications (id, user_id, kind, booking_id, title, body, link, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (id) DO NOTHING`,
		n.ID, n.UserID, n.Kind, n.BookingID, n.Title, n.Body, n.Link, n.CreatedAt)
	if err != nil {
		return false, fmt.Errorf("add notification: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return false, nil
	}
	if e == nil {
		return true, nil
	}
	att, err := json.Marshal(e.Attachments)
	if err != nil {
		return false, fmt.Errorf("encode attachments: %w", err)
	}
	if _, err := t.tx.Exec(ctx, `
		INSERT INTO emails (id, notification_id, to_addr, to_name, subject, text_body, html_body, attachments, trace_context)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
		e.ID, n.ID, e.To, e.ToName, e.Subject, e.Text, e.HTML, att, telemetry.Inject(ctx)); err != nil {
		return false, fmt.Errorf("queue email: %w", err)
	}
	if _, err := t.tx.Exec(ctx, `INSERT INTO email_log (email_id, status, attempt) VALUES ($1, 'queued', 0)`, e.ID); err != nil {
		return false, fmt.Errorf("log email: %w", err)
	}
	return true, nil
}

// AddThreadMessage records m; one already recorded (same id) reports false.
func (t *Tx) AddThreadMessage(ctx context.Context, m domain.ThreadMessage) (bool, error) {
	tag, err := t.tx.Exec(ctx, `
		INSERT INTO thread_messages (id, booking_id, author_role, author_id, body, created_at)
		VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (id) DO NOTHING`,
		m.ID, m.BookingID, string(m.AuthorRole), m.AuthorID, m.Text, m.CreatedAt)
	if err != nil {
		return false, fmt.Errorf("add thread message: %w", err)
	}
	return tag.RowsAffected() == 1, nil
}

// Booking returns the latest snapshot heard of a booking, or app.ErrBookingNotFound.
func (s *Store) Booking(ctx context.Context, id string) (domain.Booking, error) {
	return booking(ctx, s.pool, id)
}

// Booking returns the latest snapshot heard of a booking, or app.ErrBookingNotFound.
func (t *Tx) Booking(ctx context.Context, id string) (domain.Booking, error) {
	return booking(ctx, t.tx, id)
}

func booking(ctx context.Context, q pgdb.Querier, id string) (domain.Booking, error) {
	var snap []byte
	err := q.QueryRow(ctx, `SELECT snapshot FROM bookings WHERE booking_id = $1`, id).Scan(&snap)
	if errors.Is(err, pgx.ErrNoRows) {
		return domain.Booking{}, app.ErrBookingNotFound
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

// Recipient returns one address book entry, or app.ErrRecipientNotFound.
func (s *Store) Recipient(ctx context.Context, userID string) (domain.Recipient, error) {
	r := domain.Recipient{UserID: userID}
	err := s.pool.QueryRow(ctx, `SELECT email, display_name, time_zone FROM recipients WHERE user_id = $1`, userID).
		Scan(&r.Email, &r.Name, &r.TimeZone)
	if errors.Is(err, pgx.ErrNoRows) {
		return domain.Recipient{}, app.ErrRecipientNotFound
	}
	return r, err
}

// UpsertRecipient creates or replaces r.
func (s *Store) UpsertRecipient(ctx context.Context, r domain.Recipient) error {
	_, err := s.pool.Exec(ctx, `
		INSERT INTO recipients (user_id, email, display_name, time_zone) VALUES ($1, $2, $3, $4)
		ON CONFLICT (user_id) DO UPDATE SET email = EXCLUDED.email, display_name = EXCLUDED.display_name,
			time_zone = EXCLUDED.time_zone, updated_at = now()`, r.UserID, r.Email, r.Name, r.TimeZone)
	if err != nil {
		return fmt.Errorf("upsert recipient: %w", err)
	}
	return nil
}

// ListNotifications returns up to limit of a user's notifications, newest
// first, older than the cursor (created_at, id) when it is set.
func (s *Store) ListNotifications(ctx context.Context, q app.ListQuery) ([]domain.Notification, error) {
	args := []any{q.UserID, q.Limit}
	where := "n.user_id = $1"
	if q.UnreadOnly {
		where += " AND n.read_at IS NULL"
	}
	if !q.Before.IsZero() {
		where += " AND (n.created_at, n.id) < ($3, $4)"
		args = append(args, q.Before, q.BeforeID)
	}
	rows, err := s.pool.Query(ctx, `
		SELECT n.id, n.user_id, n.kind, n.booking_id, n.title, n.body, n.link, n.created_at, n.read_at,
			e.to_addr, e.status, e.attempts, e.last_error, e.sent_at
		FROM notifications n LEFT JOIN emails e ON e.notification_id = n.id
		WHERE `+where+` ORDER BY n.created_at DESC, n.id DESC LIMIT $2`, args...)
	if err != nil {
		return nil, fmt.Errorf("list notifications: %w", err)
	}
	var out []domain.Notification
	for rows.Next() {
		var n domain.Notification
		var readAt, sentAt *time.Time
		var to, status, lastErr *string
		var attempts *int
		if err := rows.Scan(&n.ID, &n.UserID, &n.Kind, &n.BookingID, &n.Title, &n.Body, &n.Link, &n.CreatedAt, &readAt,
			&to, &status, &attempts, &lastErr, &sentAt); err != nil {
			return nil, err
		}
		if readAt != nil {
			n.ReadAt = *readAt
		}
		if to != nil {
			n.Email = &domain.Delivery{To: *to, Status: domain.EmailStatus(*status), Attempts: *attempts, LastError: *lastErr}
			if sentAt != nil {
				n.Email.SentAt = *sentAt
			}
		}
		out = append(out, n)
	}
	return out, rows.Err()
}

// UnreadCount is how many of a user's notifications are unread.
func (s *Store) UnreadCount(ctx context.Context, userID string) (int, error) {
	var n int
	err := s.pool.QueryRow(ctx, `SELECT count(*) FROM notifications WHERE user_id = $1 AND read_at IS NULL`, userID).Scan(&n)
	return n, err
}

// MarkRead marks one of a user's notifications read, or all of them when id
// is empty, and returns how many changed. A notification that is not the
// user's is app.ErrNotificationNotFound.
func (s *Store) MarkRead(ctx context.Context, userID, id string, at time.Time) (int, error) {
	if id == "" {
		tag, err := s.pool.Exec(ctx, `UPDATE notifications SET read_at = $2 WHERE user_id = $1 AND read_at IS NULL`, userID, at)
		if err != nil {
			return 0, fmt.Errorf("mark read: %w", err)
		}
		return int(tag.RowsAffected()), nil
	}
	var changed bool
	err := s.pool.QueryRow(ctx, `
		UPDATE notifications SET read_at = coalesce(read_at, $3) WHERE user_id = $1 AND id = $2
		RETURNING read_at = $3`, userID, id, at).Scan(&changed)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, app.ErrNotificationNotFound
	}
	if err != nil {
		return 0, fmt.Errorf("mark read: %w", err)
	}
	if changed {
		return 1, nil
	}
	return 0, nil
}

// Thread returns a booking's messages, oldest first.
func (s *Store) Thread(ctx context.Context, bookingID string) ([]domain.ThreadMessage, error) {
	rows, err := s.pool.Query(ctx, `SELECT id, booking_id, author_role, author_id, body, created_at
		FROM thread_messages WHERE booking_id = $1 ORDER BY created_at, id`, bookingID)
	if err != nil {
		return nil, fmt.Errorf("thread: %w", err)
	}
	return pgx.CollectRows(rows, scanThreadMessage)
}

// ThreadMessage returns one thread message.
func (s *Store) ThreadMessage(ctx context.Context, id string) (domain.ThreadMessage, error) {
	rows, err := s.pool.Query(ctx, `SELECT id, booking_id, author_role, author_id, body, created_at
		FROM thread_messages WHERE id = $1`, id)
	if err != nil {
		return domain.ThreadMessage{}, fmt.Errorf("thread message: %w", err)
	}
	return pgx.CollectExactlyOneRow(rows, scanThreadMessage)
}

func scanThreadMessage(row pgx.CollectableRow) (domain.ThreadMessage, error) {
	var m domain.ThreadMessage
	var role string
	err := row.Scan(&m.ID, &m.BookingID, &role, &m.AuthorID, &m.Text, &m.CreatedAt)
	m.AuthorRole = domain.Role(role)
	return m, err
}

// DevMailbox lists the development mailbox, newest first, optionally only
// mail to one address.
func (s *Store) DevMailbox(ctx context.Context, to string, limit int) ([]domain.DevMessage, error) {
	rows, err := s.pool.Query(ctx, `
		SELECT id::text, email_id, to_addr, subject, text_body, html_body, attachment_names, raw, received_at
		FROM dev_mailbox WHERE $1 = '' OR to_addr = $1 ORDER BY id DESC LIMIT $2`, to, limit)
	if err != nil {
		return nil, fmt.Errorf("dev mailbox: %w", err)
	}
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (domain.DevMessage, error) {
		var m domain.DevMessage
		err := row.Scan(&m.ID, &m.EmailID, &m.To, &m.Subject, &m.Text, &m.HTML, &m.AttachmentNames, &m.Raw, &m.ReceivedAt)
		return m, err
	})
}

// DeliverDev puts m in the development mailbox; delivering the same email
// again changes nothing.
func (s *Store) DeliverDev(ctx context.Context, m domain.DevMessage) error {
	names := m.AttachmentNames
	if names == nil {
		names = []string{}
	}
	_, err := s.pool.Exec(ctx, `
		INSERT INTO dev_mailbox (email_id, to_addr, subject, text_body, html_body, attachment_names, raw)
		VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (email_id) DO NOTHING`,
		m.EmailID, m.To, m.Subject, m.Text, m.HTML, names, m.Raw)
	if err != nil {
		return fmt.Errorf("dev mailbox: %w", err)
	}
	return nil
}
