package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

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
		RETURNING id, coalesce(notification_id::text, ''), to_addr, to_name, subject, text_body, html_body, attachments, attempts`,
		limit, lease)
	if err != nil {
		return nil, fmt.Errorf("claim emails: %w", err)
	}
	defer rows.Close()
	var out []domain.Email
	for rows.Next() {
		var e domain.Email
		var att []byte
		if err := rows.Scan(&e.ID, &e.NotificationID, &e.To, &e.ToName, &e.Subject, &e.Text, &e.HTML, &att, &e.Attempt); err != nil {
			return nil, err
		}
		if err := json.Unmarshal(att, &e.Attachments); err != nil {
			return nil, fmt.Errorf("decode attachments of %s: %w", e.ID, err)
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// MarkSent records that the mail server accepted the email.
func (s *Store) MarkSent(ctx context.Context, id string, attempt int) error {
	_, err := s.pool.Exec(ctx, `
		WITH u AS (UPDATE emails SET status = 'sent', sent_at = now(), last_error = '' WHERE id = $1 RETURNING id)
		INSERT INTO email_log (email_id, status, attempt) SELECT id, 'sent', $2 FROM u`, id, attempt)
	if err != nil {
		return fmt.Errorf("mark email %s sent: %w", id, err)
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
		WITH u AS (UPDATE emails SET status = $2, last_error = $3, next_attempt_at = $4 WHERE id = $1 RETURNING id)
		INSERT INTO email_log (email_id, status, attempt, detail) SELECT id, $5, $6, $3 FROM u`,
		id, status, reason, retryAt, map[bool]string{true: "failed", false: "retry"}[final], attempt)
	if err != nil {
		return fmt.Errorf("mark email %s failed: %w", id, err)
	}
	return nil
}

// DeliveryLog returns an email's log entries in order: "queued", "retry",
// "sent", "failed", each with its attempt and detail.
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
