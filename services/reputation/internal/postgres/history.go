package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/bookwell/bookwell/services/reputation/internal/domain"
)

// ApplyPayment implements app.Tx: it merges f into the payments projection: each total keeps the
// larger of the stored and the new value, since a payment's totals only grow.
func (t txn) ApplyPayment(ctx context.Context, f domain.PaymentFact) error {
	_, err := t.tx.Exec(ctx, `
		INSERT INTO payments (booking_id, mentee_id, currency, paid_minor, refunded_minor, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6)
		ON CONFLICT (booking_id) DO UPDATE SET
			paid_minor = GREATEST(payments.paid_minor, EXCLUDED.paid_minor),
			refunded_minor = GREATEST(payments.refunded_minor, EXCLUDED.refunded_minor),
			updated_at = GREATEST(payments.updated_at, EXCLUDED.updated_at)`,
		f.BookingID, f.MenteeID, f.Currency, f.PaidMinor, f.RefundedMinor, f.At)
	if err != nil {
		return fmt.Errorf("save payment of %s: %w", f.BookingID, err)
	}
	return nil
}

// MenteeHistory implements app.Store.
func (s *Store) MenteeHistory(ctx context.Context, menteeID string) (domain.MenteeHistory, error) {
	h := domain.MenteeHistory{MenteeID: menteeID}
	err := s.pool.QueryRow(ctx, `
		SELECT count(*) FILTER (WHERE status = 'COMPLETED'),
			count(*) FILTER (WHERE status = 'NO_SHOW'),
			count(*) FILTER (WHERE status = 'CANCELLED' AND ended_by IN ('MENTEE', 'ADMIN') AND ended_at >= start_time)
		FROM bookings WHERE mentee_id = $1`, menteeID).Scan(&h.PriorSessions, &h.NoShows, &h.MentorNoShowComplaints)
	if err != nil {
		return h, fmt.Errorf("history of %s: %w", menteeID, err)
	}
	// Total spend (see domain.MenteeHistory): a booking's payment facts when
	// any were heard, else its snapshot if it was held.
	rows, err := s.pool.Query(ctx, `SELECT currency, sum(amount)::bigint FROM (
			SELECT currency, paid_minor - refunded_minor AS amount FROM payments WHERE mentee_id = $1
			UNION ALL
			SELECT b.currency, b.price_minor - b.refunded_minor FROM bookings b
			WHERE b.mentee_id = $1 AND b.status IN ('COMPLETED', 'NO_SHOW') AND b.currency <> ''
				AND NOT EXISTS (SELECT 1 FROM payments p WHERE p.booking_id = b.booking_id)
		) spend GROUP BY currency ORDER BY currency`, menteeID)
	if err != nil {
		return h, fmt.Errorf("spend of %s: %w", menteeID, err)
	}
	h.Spend, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (domain.Money, error) {
		var m domain.Money
		return m, r.Scan(&m.Currency, &m.AmountMinor)
	})
	if err != nil {
		return h, fmt.Errorf("spend of %s: %w", menteeID, err)
	}
	if err := s.pool.QueryRow(ctx, `SELECT COALESCE(sum(rating), 0), count(*) FROM reviews WHERE mentee_id = $1`, menteeID).
		Scan(&h.RatingSum, &h.Reviews); err != nil {
		return h, fmt.Errorf("ratings by %s: %w", menteeID, err)
	}
	return h, nil
}
