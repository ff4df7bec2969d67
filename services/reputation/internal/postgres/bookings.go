package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/bookwell/bookwell/services/reputation/internal/domain"
)

// ApplyBooking implements app.Tx: it records f in the bookings projection. A fact whose booking
// version is not newer than the stored one leaves the row as it is (it is
// stale: events arrived out of order), except that it can still mark the
// booking approved. An agreed reschedule is recorded once per version with the
// start it moved away from. It reports whether the row changed to f.
func (t txn) ApplyBooking(ctx context.Context, f domain.BookingFact) (bool, error) {
	tx := t.tx
	var prevStart *time.Time
	var prevVersion *int64
	err := tx.QueryRow(ctx, `SELECT start_time, version FROM bookings WHERE booking_id = $1 FOR UPDATE`, f.BookingID).Scan(&prevStart, &prevVersion)
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return false, fmt.Errorf("read booking %s: %w", f.BookingID, err)
	}
	tag, err := tx.Exec(ctx, `
		INSERT INTO bookings (booking_id, mentor_id, mentee_id, version, status, start_time, create_time, first_response_time,
			approved, ended_by, ended_at, currency, price_minor, refunded_minor, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
		ON CONFLICT (booking_id) DO UPDATE SET
			mentor_id = EXCLUDED.mentor_id, mentee_id = EXCLUDED.mentee_id, version = EXCLUDED.version,
			status = EXCLUDED.status, start_time = EXCLUDED.start_time, create_time = EXCLUDED.create_time,
			first_response_time = COALESCE(EXCLUDED.first_response_time, bookings.first_response_time),
			approved = bookings.approved OR EXCLUDED.approved, ended_by = EXCLUDED.ended_by, ended_at = EXCLUDED.ended_at,
			currency = EXCLUDED.currency, price_minor = EXCLUDED.price_minor, refunded_minor = EXCLUDED.refunded_minor,
			updated_at = EXCLUDED.updated_at
		WHERE bookings.version < EXCLUDED.version`,
		f.BookingID, f.MentorID, f.MenteeID, f.Version, string(f.Status), nullTime(f.StartTime), nullTime(f.CreateTime),
		nullTime(f.FirstResponseTime), f.Status.Approved(), string(f.EndedBy), nullTime(f.EndedAt),
		f.Currency, f.PriceMinor, f.RefundedMinor, f.OccurredAt)
	if err != nil {
		return false, fmt.Errorf("save booking %s: %w", f.BookingID, err)
	}
	applied := tag.RowsAffected() == 1
	if !applied && f.Status.Approved() {
		if _, err := tx.Exec(ctx, `UPDATE bookings SET approved = true WHERE booking_id = $1 AND NOT approved`, f.BookingID); err != nil {
			return false, fmt.Errorf("mark booking %s approved: %w", f.BookingID, err)
		}
	}
	if f.Rescheduled {
		// The start it moved away from: the stored one when this event is
		// newer, else (a stale reschedule) the best we know, its own start.
		from := f.StartTime
		if prevStart != nil && prevVersion != nil && *prevVersion < f.Version {
			from = *prevStart
		}
		if !from.IsZero() {
			if _, err := tx.Exec(ctx, `
				INSERT INTO reschedules (booking_id, version, mentor_id, initiated_by, previous_start, rescheduled_at)
				VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING`,
				f.BookingID, f.Version, f.MentorID, string(f.RescheduleInitiator()), from, f.OccurredAt); err != nil {
				return false, fmt.Errorf("record reschedule of %s: %w", f.BookingID, err)
			}
		}
	}
	return applied, nil
}
