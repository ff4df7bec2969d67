// Package postgres stores reputation's projections, standing history and
// reviews in the reputation schema.
package postgres

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/bookwell/bookwell/pkg/consumer"
	"github.com/bookwell/bookwell/pkg/outbox"
	"github.com/bookwell/bookwell/pkg/pgdb"
	"github.com/bookwell/bookwell/services/reputation/internal/domain"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// Schema is the reputation context's Postgres schema.
const Schema = "reputation"

// Migrations are the reputation schema's own migrations, then the outbox's
// and the consumer's.
func Migrations() []pgdb.Migrations {
	return []pgdb.Migrations{
		{FS: migrationFS, Dir: "migrations", Table: "goose_reputation"},
		outbox.Migrations(),
		consumer.Migrations(),
	}
}

// Store reads and writes the reputation schema.
type Store struct {
	pool *pgxpool.Pool
}

// NewStore returns a store on pool, whose search_path is the reputation schema.
func NewStore(pool *pgxpool.Pool) *Store { return &Store{pool: pool} }

// Pool is the store's pool, for callers that run their own transactions.
func (s *Store) Pool() *pgxpool.Pool { return s.pool }

func nullTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

// ApplyBooking records f in the bookings projection. A fact whose booking
// version is not newer than the stored one leaves the row as it is (it is
// stale: events arrived out of order), except that it can still mark the
// booking approved. An agreed reschedule is recorded once per version with the
// start it moved away from. It reports whether the row changed to f.
func (s *Store) ApplyBooking(ctx context.Context, tx pgdb.Querier, f domain.BookingFact) (bool, error) {
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
	if f.Subject == domain.SubjectRescheduled {
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

// Mentor is a mentor's stored standing, badges and score.
type Mentor struct {
	ID             string
	Standing       domain.Standing
	StandingReason string
	Badges         []domain.Badge
	RankingScore   float64
}

// LockMentor returns the mentor's row, created ACTIVE if new, locked until tx
// ends so that two events of one mentor are evaluated one after the other.
func (s *Store) LockMentor(ctx context.Context, tx pgx.Tx, mentorID string) (Mentor, error) {
	if _, err := tx.Exec(ctx, `INSERT INTO mentors (mentor_id) VALUES ($1) ON CONFLICT DO NOTHING`, mentorID); err != nil {
		return Mentor{}, fmt.Errorf("create mentor %s: %w", mentorID, err)
	}
	return scanMentor(tx.QueryRow(ctx, `SELECT mentor_id, standing, standing_reason, badges, ranking_score FROM mentors WHERE mentor_id = $1 FOR UPDATE`, mentorID))
}

// GetMentor returns a mentor's row; a mentor never seen is ACTIVE with nothing else.
func (s *Store) GetMentor(ctx context.Context, mentorID string) (Mentor, error) {
	m, err := scanMentor(s.pool.QueryRow(ctx, `SELECT mentor_id, standing, standing_reason, badges, ranking_score FROM mentors WHERE mentor_id = $1`, mentorID))
	if errors.Is(err, pgx.ErrNoRows) {
		return Mentor{ID: mentorID, Standing: domain.StandingActive}, nil
	}
	return m, err
}

func scanMentor(row pgx.Row) (Mentor, error) {
	var m Mentor
	var standing string
	var badges []string
	if err := row.Scan(&m.ID, &standing, &m.StandingReason, &badges, &m.RankingScore); err != nil {
		if errors.Is(err, pgx.ErrNoRows) {
			return Mentor{}, err
		}
		return Mentor{}, fmt.Errorf("read mentor: %w", err)
	}
	m.Standing = domain.Standing(standing)
	for _, b := range badges {
		m.Badges = append(m.Badges, domain.Badge(b))
	}
	return m, nil
}

// SaveMentor writes a mentor's standing, badges and score.
func (s *Store) SaveMentor(ctx context.Context, tx pgdb.Querier, m Mentor, at time.Time) error {
	badges := make([]string, 0, len(m.Badges))
	for _, b := range m.Badges {
		badges = append(badges, string(b))
	}
	if _, err := tx.Exec(ctx, `UPDATE mentors SET standing = $2, standing_reason = $3, badges = $4, ranking_score = $5, updated_at = $6 WHERE mentor_id = $1`,
		m.ID, string(m.Standing), m.StandingReason, badges, m.RankingScore, at); err != nil {
		return fmt.Errorf("save mentor %s: %w", m.ID, err)
	}
	return nil
}

// StandingChange is one entry of the standing history.
type StandingChange struct {
	MentorID         string
	Previous, Actual domain.Standing
	Reason           string
	BookingID        string
	EventID          uuid.UUID
	At               time.Time
}

// AddStandingChange appends to the standing history.
func (s *Store) AddStandingChange(ctx context.Context, tx pgdb.Querier, c StandingChange) error {
	if _, err := tx.Exec(ctx, `INSERT INTO standing_history (mentor_id, previous_standing, standing, reason, booking_id, event_id, changed_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`, c.MentorID, string(c.Previous), string(c.Actual), c.Reason, c.BookingID, c.EventID, c.At); err != nil {
		return fmt.Errorf("record standing change of %s: %w", c.MentorID, err)
	}
	return nil
}

// StandingHistory returns a mentor's last standing changes, most recent first.
func (s *Store) StandingHistory(ctx context.Context, mentorID string, limit int) ([]StandingChange, error) {
	rows, err := s.pool.Query(ctx, `SELECT previous_standing, standing, reason, booking_id, event_id, changed_at
		FROM standing_history WHERE mentor_id = $1 ORDER BY changed_at DESC, id DESC LIMIT $2`, mentorID, limit)
	if err != nil {
		return nil, fmt.Errorf("standing history of %s: %w", mentorID, err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (StandingChange, error) {
		c := StandingChange{MentorID: mentorID}
		var prev, cur string
		err := r.Scan(&prev, &cur, &c.Reason, &c.BookingID, &c.EventID, &c.At)
		c.Previous, c.Actual = domain.Standing(prev), domain.Standing(cur)
		return c, err
	})
}

// MentorFigures computes a mentor's figures from the projections, counting
// late changes in the window that ends at now.
func (s *Store) MentorFigures(ctx context.Context, db pgdb.Querier, mentorID string, now time.Time, p domain.Policy) (domain.MentorFigures, error) {
	var f domain.MentorFigures
	var median, p90 *float64
	err := db.QueryRow(ctx, `
		WITH b AS (
			SELECT *, extract(epoch FROM first_response_time - create_time) AS response_s
			FROM bookings WHERE mentor_id = $1
		), last_completed AS (
			SELECT max(ended_at) AS at FROM b WHERE status = 'COMPLETED'
		)
		SELECT
			count(*) FILTER (WHERE approved),
			count(*) FILTER (WHERE approved OR status = 'REJECTED'),
			count(*) FILTER (WHERE first_response_time IS NOT NULL),
			percentile_cont(0.5) WITHIN GROUP (ORDER BY response_s) FILTER (WHERE first_response_time IS NOT NULL),
			percentile_cont(0.9) WITHIN GROUP (ORDER BY response_s) FILTER (WHERE first_response_time IS NOT NULL),
			count(*) FILTER (WHERE first_response_time IS NOT NULL AND response_s <= $2),
			count(*) FILTER (WHERE first_response_time IS NOT NULL OR status = 'EXPIRED'),
			count(*) FILTER (WHERE status = 'CANCELLED' AND ended_by = 'MENTOR'
				AND ended_at > COALESCE((SELECT at FROM last_completed), '-infinity')),
			count(*) FILTER (WHERE status = 'CANCELLED' AND ended_by = 'MENTOR'),
			count(*) FILTER (WHERE status = 'CANCELLED' AND ended_by = 'MENTOR' AND start_time IS NOT NULL
				AND start_time - ended_at < $3 AND ended_at > $4),
			count(*) FILTER (WHERE status = 'COMPLETED'),
			count(*) FILTER (WHERE status = 'NO_SHOW')
		FROM b`,
		mentorID, p.ResponseTarget.Seconds(), p.LateNotice, now.Add(-p.LateWindow),
	).Scan(&f.Approved, &f.Decided, &f.Answered, &median, &p90, &f.WithinTarget, &f.DueResponses,
		&f.Streak, &f.MentorCancellations, &f.LateCancellations, &f.Completed, &f.NoShows)
	if err != nil {
		return f, fmt.Errorf("figures of %s: %w", mentorID, err)
	}
	if median != nil {
		f.MedianResponse = time.Duration(*median * float64(time.Second)).Round(time.Second)
	}
	if p90 != nil {
		f.P90 = time.Duration(*p90 * float64(time.Second)).Round(time.Second)
	}
	if err := db.QueryRow(ctx, `SELECT count(*) FROM reschedules WHERE mentor_id = $1 AND initiated_by = 'MENTOR'
		AND previous_start - rescheduled_at < $2 AND rescheduled_at > $3`,
		mentorID, p.LateNotice, now.Add(-p.LateWindow)).Scan(&f.LateReschedules); err != nil {
		return f, fmt.Errorf("reschedules of %s: %w", mentorID, err)
	}
	if err := db.QueryRow(ctx, `SELECT COALESCE(sum(rating), 0), count(*) FROM reviews WHERE mentor_id = $1`, mentorID).
		Scan(&f.RatingSum, &f.Reviews); err != nil {
		return f, fmt.Errorf("ratings of %s: %w", mentorID, err)
	}
	return f, nil
}

// PaymentFact is what reputation keeps of a payment event: the payment's
// running totals after it.
type PaymentFact struct {
	BookingID, MenteeID, Currency string
	PaidMinor, RefundedMinor      int64
	At                            time.Time
}

// ApplyPayment merges f into the payments projection: each total keeps the
// larger of the stored and the new value, since a payment's totals only grow.
func (s *Store) ApplyPayment(ctx context.Context, tx pgdb.Querier, f PaymentFact) error {
	_, err := tx.Exec(ctx, `
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

// MenteeHistory computes a mentee's history.
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

// ReviewTarget is what a review needs to know about its booking.
type ReviewTarget struct {
	MentorID, MenteeID string
	Status             domain.Status
}

// BookingForReview returns the projected booking a review is about, or
// domain.ErrBookingNotFound.
func (s *Store) BookingForReview(ctx context.Context, tx pgdb.Querier, bookingID string) (ReviewTarget, error) {
	var t ReviewTarget
	var status string
	err := tx.QueryRow(ctx, `SELECT mentor_id, mentee_id, status FROM bookings WHERE booking_id = $1`, bookingID).Scan(&t.MentorID, &t.MenteeID, &status)
	if errors.Is(err, pgx.ErrNoRows) {
		return t, domain.ErrBookingNotFound
	}
	if err != nil {
		return t, fmt.Errorf("booking %s: %w", bookingID, err)
	}
	t.Status = domain.Status(status)
	return t, nil
}

// InsertReview records r; if the booking already has a review, it returns
// that one and false.
func (s *Store) InsertReview(ctx context.Context, tx pgdb.Querier, r domain.Review) (domain.Review, bool, error) {
	tag, err := tx.Exec(ctx, `INSERT INTO reviews (booking_id, mentor_id, mentee_id, rating, body, created_at)
		VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (booking_id) DO NOTHING`,
		r.BookingID, r.MentorID, r.MenteeID, r.Rating, r.Text, r.CreatedAt)
	if err != nil {
		return r, false, fmt.Errorf("save review of %s: %w", r.BookingID, err)
	}
	if tag.RowsAffected() == 1 {
		return r, true, nil
	}
	rows, err := tx.Query(ctx, `SELECT booking_id, mentor_id, mentee_id, rating, body, created_at FROM reviews WHERE booking_id = $1`, r.BookingID)
	if err != nil {
		return r, false, fmt.Errorf("read review of %s: %w", r.BookingID, err)
	}
	existing, err := pgx.CollectExactlyOneRow(rows, scanReview)
	return existing, false, err
}

// RecentReviews returns a mentor's latest reviews, most recent first.
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

// SearchResult is one mentor of search, with their ratings.
type SearchResult struct {
	Mentor
	RatingSum, Reviews int64
}

// Search returns bookable mentors by ranking score, best first.
func (s *Store) Search(ctx context.Context, limit, offset int) ([]SearchResult, error) {
	rows, err := s.pool.Query(ctx, `
		SELECT m.mentor_id, m.standing, m.standing_reason, m.badges, m.ranking_score,
			COALESCE((SELECT sum(rating) FROM reviews r WHERE r.mentor_id = m.mentor_id), 0),
			(SELECT count(*) FROM reviews r WHERE r.mentor_id = m.mentor_id)
		FROM mentors m WHERE m.standing IN ('ACTIVE', 'FLAGGED')
		ORDER BY m.ranking_score DESC, m.mentor_id LIMIT $1 OFFSET $2`, limit, offset)
	if err != nil {
		return nil, fmt.Errorf("search mentors: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (SearchResult, error) {
		var x SearchResult
		var standing string
		var badges []string
		err := r.Scan(&x.ID, &standing, &x.StandingReason, &badges, &x.RankingScore, &x.RatingSum, &x.Reviews)
		x.Standing = domain.Standing(standing)
		for _, b := range badges {
			x.Badges = append(x.Badges, domain.Badge(b))
		}
		return x, err
	})
}

// TruncateProjections empties everything rebuilt from events (reviews, which
// mentees wrote, stay) and forgets which events the consumer durables handled,
// in one transaction.
func (s *Store) TruncateProjections(ctx context.Context, durables ...string) error {
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `TRUNCATE bookings, reschedules, mentors, standing_history, payments`); err != nil {
			return fmt.Errorf("truncate projections: %w", err)
		}
		if _, err := tx.Exec(ctx, `DELETE FROM processed_events WHERE consumer = ANY($1)`, durables); err != nil {
			return fmt.Errorf("forget processed events: %w", err)
		}
		return nil
	})
}
