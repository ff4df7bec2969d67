package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/bookwell/bookwell/pkg/pgdb"
	"github.com/bookwell/bookwell/services/reputation/internal/domain"
)

// Figures implements app.Store.
func (s *Store) Figures(ctx context.Context, mentorID string, now time.Time, p domain.Policy) (domain.MentorFigures, error) {
	return figures(ctx, s.pool, mentorID, now, p)
}

// Figures implements app.Tx.
func (t txn) Figures(ctx context.Context, mentorID string, now time.Time, p domain.Policy) (domain.MentorFigures, error) {
	return figures(ctx, t.tx, mentorID, now, p)
}

// figures computes a mentor's figures from the projections, counting late
// changes in the window that ends at now. The streak and the late changes
// count only what the mentor did after their latest lift (standing_lifts),
// whatever the time of the event being projected: an event from before a
// lift, arriving or replayed after it, does not bring the sanction back.
func figures(ctx context.Context, db pgdb.Querier, mentorID string, now time.Time, p domain.Policy) (domain.MentorFigures, error) {
	var f domain.MentorFigures
	var median, p90 *float64
	err := db.QueryRow(ctx, `
		WITH b AS (
			SELECT *, extract(epoch FROM first_response_time - create_time) AS response_s
			FROM bookings WHERE mentor_id = $1
		), last_completed AS (
			SELECT max(ended_at) AS at FROM b WHERE status = 'COMPLETED'
		), last_lift AS (
			SELECT COALESCE(max(lifted_at), '-infinity') AS at FROM standing_lifts WHERE mentor_id = $1
		)
		SELECT
			count(*) FILTER (WHERE approved),
			count(*) FILTER (WHERE approved OR status = 'REJECTED'),
			count(*) FILTER (WHERE first_response_time IS NOT NULL),
			percentile_cont(0.5) WITHIN GROUP (ORDER BY response_s) FILTER (WHERE first_response_time IS NOT NULL),
			percentile_cont(0.9) WITHIN GROUP (ORDER BY response_s) FILTER (WHERE first_response_time IS NOT NULL),
			count(*) FILTER (WHERE first_response_time IS NOT NULL AND response_s <= $2),
			-- An expiry the mentee caused (a card never authenticated) was
			-- never the mentor's to answer.
			count(*) FILTER (WHERE first_response_time IS NOT NULL OR (status = 'EXPIRED' AND ended_by IS DISTINCT FROM 'MENTEE')),
			count(*) FILTER (WHERE status = 'CANCELLED' AND ended_by = 'MENTOR'
				AND ended_at > GREATEST(COALESCE((SELECT at FROM last_completed), '-infinity'), (SELECT at FROM last_lift))),
			count(*) FILTER (WHERE status = 'CANCELLED' AND ended_by = 'MENTOR'),
			count(*) FILTER (WHERE status = 'CANCELLED' AND ended_by = 'MENTOR' AND start_time IS NOT NULL
				AND start_time - ended_at < $3 AND ended_at > GREATEST($4, (SELECT at FROM last_lift))),
			count(*) FILTER (WHERE status = 'COMPLETED'),
			count(*) FILTER (WHERE status = 'NO_SHOW')
		FROM b`,
		mentorID, p.ResponseTarget.Seconds(), p.LateNotice, now.Add(-p.LateWindow),
	).Scan(&f.Approved, &f.Decided, &f.Answered, &median, &p90, &f.WithinTarget, &f.DueResponses,
		&f.Streak, &f.MentorCancellations, &f.LateCancellations, &f.Completed, &f.NoShows)
	if err != nil {
		return f, fmt.Errorf("figures of %s: %w", mentorID, err)
	}
	// To the millisecond: an answer within a second is not "0s".
	if median != nil {
		f.MedianResponse = time.Duration(*median * float64(time.Second)).Round(time.Millisecond)
	}
	if p90 != nil {
		f.P90 = time.Duration(*p90 * float64(time.Second)).Round(time.Millisecond)
	}
	if err := db.QueryRow(ctx, `SELECT count(*) FROM reschedules WHERE mentor_id = $1 AND initiated_by = 'MENTOR'
		AND previous_start - rescheduled_at < $2 AND rescheduled_at > $3
		AND rescheduled_at > (SELECT COALESCE(max(lifted_at), '-infinity') FROM standing_lifts WHERE mentor_id = $1)`,
		mentorID, p.LateNotice, now.Add(-p.LateWindow)).Scan(&f.LateReschedules); err != nil {
		return f, fmt.Errorf("reschedules of %s: %w", mentorID, err)
	}
	if err := db.QueryRow(ctx, `SELECT COALESCE(sum(rating), 0), count(*) FROM reviews WHERE mentor_id = $1`, mentorID).
		Scan(&f.RatingSum, &f.Reviews); err != nil {
		return f, fmt.Errorf("ratings of %s: %w", mentorID, err)
	}
	return f, nil
}
