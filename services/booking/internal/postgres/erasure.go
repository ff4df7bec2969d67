package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/bookwell/bookwell/pkg/apperr"
	"github.com/bookwell/bookwell/pkg/events"
	"github.com/bookwell/bookwell/pkg/outbox"
	"github.com/bookwell/bookwell/services/booking/internal/domain"
)

// EraseUser erases userID in the booking schema, in one transaction: every
// booking of theirs anonymised (domain.Booking.Anonymise, the columns the
// lists search cleared), their settings and used action links under e's
// pseudonym, the audit record e, and ev, the event that tells the other
// contexts. It refuses with domain.ErrErasureNotYet when one of their
// bookings may still change (not final, or within its after-care as of now).
// A person erased before gets their first erasure back, and nothing changes
// (done is false).
func (s *Store) EraseUser(ctx context.Context, userID string, e domain.Erasure, ev func(domain.Erasure) (events.Event, error), now time.Time) (out domain.Erasure, done bool, err error) {
	err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		// One erasure per person at a time: the hash row's lock.
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtext($1))`, e.SubjectHash); err != nil {
			return err
		}
		prev, found, err := erasureByHash(ctx, tx, e.SubjectHash)
		if err != nil || found {
			out = prev
			return err
		}
		rows, err := tx.Query(ctx, `SELECT snapshot FROM bookings WHERE mentee_id = $1 OR mentor_id = $1 ORDER BY id FOR UPDATE`, userID)
		if err != nil {
			return fmt.Errorf("erase: read bookings: %w", err)
		}
		var bookings []*domain.Booking
		for rows.Next() {
			var snap []byte
			if err := rows.Scan(&snap); err != nil {
				rows.Close()
				return err
			}
			b, err := decode(snap)
			if err != nil {
				rows.Close()
				return err
			}
			bookings = append(bookings, b)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, b := range bookings {
			// A final booking's workflow takes commands until its
			// after-care is over (NextDeadline), then closes.
			if !b.Status().Final() {
				return apperr.Wrap(domain.ErrErasureNotYet, "booking %s has not ended", b.ID())
			}
			if when := b.NextDeadline(); now.Before(when) {
				return apperr.Wrap(domain.ErrErasureNotYet, "booking %s may change until %s", b.ID(), when.UTC().Format(time.RFC3339))
			}
		}
		for _, b := range bookings {
			b.Anonymise(userID, e.Pseudonym)
			snap, err := json.Marshal(toRow(b))
			if err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, `UPDATE bookings SET mentee_id = $2, mentor_id = $3, mentee_name = '', mentee_email = '', snapshot = $4 WHERE id = $1`,
				b.ID(), b.MenteeID(), b.MentorID(), snap); err != nil {
				return fmt.Errorf("erase: booking %s: %w", b.ID(), err)
			}
		}
		for _, q := range []string{
			`UPDATE mentor_settings SET mentor_id = $2 WHERE mentor_id = $1`,
			`UPDATE action_links_used SET user_id = $2 WHERE user_id = $1`,
		} {
			if _, err := tx.Exec(ctx, q, userID, e.Pseudonym); err != nil {
				return fmt.Errorf("erase: %w", err)
			}
		}
		e.Bookings = len(bookings)
		if _, err := tx.Exec(ctx, `INSERT INTO erasures (id, subject_hash, pseudonym, requested_by, reason, bookings, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7)`, e.ID, e.SubjectHash, e.Pseudonym, e.RequestedBy, e.Reason, e.Bookings, e.CreatedAt); err != nil {
			return fmt.Errorf("erase: audit record: %w", err)
		}
		event, err := ev(e)
		if err != nil {
			return err
		}
		out, done = e, true
		return outbox.Add(ctx, tx, event)
	})
	return out, done, err
}

// erasureByHash returns the erasure of the person whose id hashes to hash.
func erasureByHash(ctx context.Context, tx pgx.Tx, hash string) (domain.Erasure, bool, error) {
	var e domain.Erasure
	err := tx.QueryRow(ctx, `SELECT id::text, subject_hash, pseudonym, requested_by, reason, bookings, created_at FROM erasures WHERE subject_hash = $1`, hash).
		Scan(&e.ID, &e.SubjectHash, &e.Pseudonym, &e.RequestedBy, &e.Reason, &e.Bookings, &e.CreatedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return e, false, nil
	}
	return e, err == nil, err
}
