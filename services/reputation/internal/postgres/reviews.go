package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/bookwell/bookwell/services/reputation/internal/app"
	"github.com/bookwell/bookwell/services/reputation/internal/domain"
)

// BookingForReview implements app.Tx.
func (t txn) BookingForReview(ctx context.Context, bookingID string) (app.ReviewTarget, error) {
	var r app.ReviewTarget
	var status string
	err := t.tx.QueryRow(ctx, `SELECT mentor_id, mentee_id, status FROM bookings WHERE booking_id = $1`, bookingID).Scan(&r.MentorID, &r.MenteeID, &status)
	if errors.Is(err, pgx.ErrNoRows) {
		return r, domain.ErrBookingNotFound
	}
	if err != nil {
		return r, fmt.Errorf("booking %s: %w", bookingID, err)
	}
	r.Status = domain.Status(status)
	return r, nil
}

// InsertReview implements app.Tx.
func (t txn) InsertReview(ctx context.Context, r domain.Review) (domain.Review, bool, error) {
	tag, err := t.tx.Exec(ctx, `INSERT INTO reviews (booking_id, mentor_id, mentee_id, rating, body, created_at)
		VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (booking_id) DO NOTHING`,
		r.BookingID, r.MentorID, r.MenteeID, r.Rating, r.Text, r.CreatedAt)
	if err != nil {
		return r, false, fmt.Errorf("save review of %s: %w", r.BookingID, err)
	}
	if tag.RowsAffected() == 1 {
		return r, true, nil
	}
	rows, err := t.tx.Query(ctx, `SELECT booking_id, mentor_id, mentee_id, rating, body, created_at FROM reviews WHERE booking_id = $1`, r.BookingID)
	if err != nil {
		return r, false, fmt.Errorf("read review of %s: %w", r.BookingID, err)
	}
	existing, err := pgx.CollectExactlyOneRow(rows, scanReview)
	return existing, false, err
}

// RecentReviews implements app.Store.
func (s *Store) RecentReviews(ctx context.Context, mentorID string, limit int) ([]domain.Review, error) {
	rows, err := s.pool.Query(ctx, `SELECT booking_id, mentor_id, mentee_id, rating, body, created_at FROM reviews
		WHERE mentor_id = $1 ORDER BY created_at DESC, booking_id LIMIT $2`, mentorID, limit)
	if err != nil {
		return nil, fmt.Errorf("reviews of %s: %w", mentorID, err)
	}
	return pgx.CollectRows(rows, scanReview)
}

func scanReview(r pgx.CollectableRow) (domain.Review, error) {
	var v domain.Review
	var rating int16
	err := r.Scan(&v.BookingID, &v.MentorID, &v.MenteeID, &rating, &v.Text, &v.CreatedAt)
	v.Rating = int(rating)
	return v, err
}
