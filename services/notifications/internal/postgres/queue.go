package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/bookwell/bookwell/services/notifications/internal/app"
	"github.com/bookwell/bookwell/services/notifications/internal/domain"
)

// ClaimDue takes up to limit queued emails that are due, counts the attempt
// and hides them from other senders for lease, so two senders never send the
// same email at once and a sender that dies leaves them to be retried.
func (s *Store) ClaimDue(ctx context.Context, limit int, lease time.Duration) ([]domain.Email, error) {
	rows, err := s.pool.Query(ctx, `
		UPDATE emails SET attempts = attempts + 1, next_attempt_at = now() + $2::interval
		WHERE id IN (
			SELECT id FROM emails WHERE status = 'queued' AND next_attempt_at <= now()
			ORDER BY next_attempt_at, id LIMIT $1 FOR UPDATE SKIP LOCKED)
		RETURNING id, coalesce(notification_id::text, ''), to_addr, to_name, subject, text_body, html_body, attachments, attempts, trace_context`,
		limit, lease)
	if err != nil {
		return nil, fmt.Errorf("claim emails: %w", err)
	}
	defer rows.Close()
	var out []domain.Email
	for rows.Next() {
		var e domain.Email
		var att []byte
		if err := rows.Scan(&e.ID, &e.NotificationID, &e.To, &e.ToName, &e.Subject, &e.Text, &e.HTML, &att, &e.Attempt, &e.Trace); err != nil {
			return nil, err
		}
		if err := json.Unmarshal(att, &e.Attachments); err != nil {
			return nil, fmt.Errorf("decode attachments of %s: %w", e.ID, err)
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// MarkSent records that the email went to the mail server in attempt, if
// attempt is still its latest claim and it is not sent yet; it reports
// whether it did. A sender whose lease ran out and whose email was claimed
// again is told no, and must not send it.
func (s *Store) MarkSent(ctx context.Context, id string, attempt int) (bool, error) {
	tag, err := s.pool.Exec(ctx, `
		WITH u AS (UPDATE emails SET status = 'sent', sent_at = now(), last_error = ''
		            WHERE id = $1 AND attempts = $2 AND status = 'queued' RETURNING id)
		INSERT INTO email_log (email_id, status, attempt) SELECT id, 'sent', $2 FROM u`, id, attempt)
	if err != nil {
		return false, fmt.Errorf("mark email %s sent: %w", id, err)
	}
	return tag.RowsAffected() == 1, nil
}

// SentBy says whether attempt recorded the email as sent (its record may
// have committed although its caller saw an error).
func (s *Store) SentBy(ctx context.Context, id string, attempt int) (bool, error) {
	var sent bool
	err := s.pool.QueryRow(ctx, `SELECT status = 'sent' AND attempts = $2 FROM emails WHERE id = $1`, id, attempt).Scan(&sent)
	if err != nil {
		return false, fmt.Errorf("read email %s: %w", id, err)
	}
	return sent, nil
}

// NoteUnconfirmed logs that the mail server never confirmed an email handed
// over to it in attempt.
func (s *Store) NoteUnconfirmed(ctx context.Context, id string, attempt int, reason string) error {
	_, err := s.pool.Exec(ctx, `INSERT INTO email_log (email_id, status, attempt, detail) VALUES ($1, 'unconfirmed', $2, $3)`,
		id, attempt, reason)
	if err != nil {
		return fmt.Errorf("log email %s unconfirmed: %w", id, err)
	}
	return nil
}

// MarkFailed records a failed attempt: retried at retryAt, or, when final,
// given up on.
func (s *Store) MarkFailed(ctx context.Context, id string, attempt int, reason string, retryAt time.Time, final bool) error {
	status := "queued"
	if final {
		status = "failed"
	}
	_, err := s.pool.Exec(ctx, `
		WITH u AS (UPDATE emails SET status = $2, last_error = $3, next_attempt_at = $4, sent_at = NULL WHERE id = $1 RETURNING id)
		INSERT INTO email_log (email_id, status, attempt, detail) SELECT id, $5, $6, $3 FROM u`,
		id, status, reason, retryAt, map[bool]string{true: "failed", false: "retry"}[final], attempt)
	if err != nil {
		return fmt.Errorf("mark email %s failed: %w", id, err)
	}
	return nil
}

// DeliveryLog returns an email's log entries in order: "queued", "retry",
// "sent", "unconfirmed", "failed", each with its attempt and detail.
func (s *Store) DeliveryLog(ctx context.Context, emailID string) ([]LogEntry, error) {
	rows, err := s.pool.Query(ctx, `SELECT status, attempt, detail, at FROM email_log WHERE email_id = $1 ORDER BY id`, emailID)
	if err != nil {
		return nil, fmt.Errorf("delivery log: %w", err)
	}
	defer rows.Close()
	var out []LogEntry
	for rows.Next() {
		var l LogEntry
		if err := rows.Scan(&l.Status, &l.Attempt, &l.Detail, &l.At); err != nil {
			return nil, err
		}
		out = append(out, l)
	}
	return out, rows.Err()
}

// LogEntry is one line of an email's delivery log.
type LogEntry struct {
	Status  string
	Attempt int
	Detail  string
	At      time.Time
}

// Resend implements app.Store: one statement copies the notification's email
// (it keeps its notification only through the log: a notification has one
// email of its own), so a retry with the same emailID adds nothing.
func (s *Store) Resend(ctx context.Context, notificationID, emailID, note string) (domain.Delivery, error) {
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var original string
		err := tx.QueryRow(ctx, `SELECT id FROM emails WHERE notification_id = $1`, notificationID).Scan(&original)
		if errors.Is(err, pgx.ErrNoRows) {
			return app.ErrNotificationNotFound
		}
		if err != nil {
			return fmt.Errorf("find email of notification %s: %w", notificationID, err)
		}
		tag, err := tx.Exec(ctx, `INSERT INTO emails (id, to_addr, to_name, subject, text_body, html_body, attachments)
			SELECT $2, to_addr, to_name, subject, text_body, html_body, attachments FROM emails WHERE id = $1
			ON CONFLICT (id) DO NOTHING`, original, emailID)
		if err != nil {
			return fmt.Errorf("queue email again: %w", err)
		}
		if tag.RowsAffected() == 0 {
			return nil // queued before: a retry
		}
		_, err = tx.Exec(ctx, `INSERT INTO email_log (email_id, status, attempt, detail) VALUES ($1, 'resent', 0, $3), ($2, 'queued', 0, $4)`,
			original, emailID, note+" as "+emailID, note+" from "+original)
		return err
	})
	if err != nil {
		return domain.Delivery{}, err
	}
	var d domain.Delivery
	var status string
	var sentAt *time.Time
	if err := s.pool.QueryRow(ctx, `SELECT to_addr, status, attempts, last_error, sent_at FROM emails WHERE id = $1`, emailID).
		Scan(&d.To, &status, &d.Attempts, &d.LastError, &sentAt); err != nil {
		return domain.Delivery{}, fmt.Errorf("read email %s: %w", emailID, err)
	}
	d.Status = domain.EmailStatus(status)
	if sentAt != nil {
		d.SentAt = *sentAt
	}
	return d, nil
}

// EmailsByStatus counts the emails by status (queued: waiting to be sent or
// retried; failed: given up on), for the metrics.
func (s *Store) EmailsByStatus(ctx context.Context) (map[string]float64, error) {
	out := map[string]float64{"queued": 0, "sent": 0, "failed": 0}
	rows, err := s.pool.Query(ctx, `SELECT status, count(*) FROM emails GROUP BY status`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
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
