package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/bookwell/bookwell/pkg/outbox"
	"github.com/bookwell/bookwell/services/reputation/internal/app"
	"github.com/bookwell/bookwell/services/reputation/internal/domain"
	"github.com/bookwell/bookwell/services/reputation/internal/protoconv"
)

// UpdateMentor implements app.Tx: the mentor's row, created ACTIVE if new,
// is locked until the transaction ends, so two events of one mentor are
// evaluated one after the other.
func (t txn) UpdateMentor(ctx context.Context, mentorID string, at time.Time, change func(*domain.Mentor) error) error {
	if _, err := t.tx.Exec(ctx, `INSERT INTO mentors (mentor_id) VALUES ($1) ON CONFLICT DO NOTHING`, mentorID); err != nil {
		return fmt.Errorf("create mentor %s: %w", mentorID, err)
	}
	m, err := scanMentor(t.tx.QueryRow(ctx, `SELECT mentor_id, standing, standing_reason, badges, ranking_score FROM mentors WHERE mentor_id = $1 FOR UPDATE`, mentorID))
	if err != nil {
		return err
	}
	if err := change(&m); err != nil {
		return err
	}
	badges := make([]string, 0, len(m.Badges))
	for _, b := range m.Badges {
		badges = append(badges, string(b))
	}
	if _, err := t.tx.Exec(ctx, `UPDATE mentors SET standing = $2, standing_reason = $3, badges = $4, ranking_score = $5, updated_at = $6 WHERE mentor_id = $1`,
		m.ID, string(m.Standing), m.StandingReason, badges, m.RankingScore, at); err != nil {
		return fmt.Errorf("save mentor %s: %w", m.ID, err)
	}
	return nil
}

// Mentor implements app.Store: a mentor never seen is ACTIVE with nothing
// else.
func (s *Store) Mentor(ctx context.Context, mentorID string) (domain.Mentor, error) {
	m, err := scanMentor(s.pool.QueryRow(ctx, `SELECT mentor_id, standing, standing_reason, badges, ranking_score FROM mentors WHERE mentor_id = $1`, mentorID))
	if errors.Is(err, pgx.ErrNoRows) {
		return domain.Mentor{ID: mentorID, Standing: domain.StandingActive}, nil
	}
	return m, err
}

func scanMentor(row pgx.Row) (domain.Mentor, error) {
	var m domain.Mentor
	var standing string
	var badges []string
	if err := row.Scan(&m.ID, &standing, &m.StandingReason, &badges, &m.RankingScore); err != nil {
		if errors.Is(err, pgx.ErrNoRows) {
			return domain.Mentor{}, err
		}
		return domain.Mentor{}, fmt.Errorf("read mentor: %w", err)
	}
	m.Standing = domain.Standing(standing)
	for _, b := range badges {
		m.Badges = append(m.Badges, domain.Badge(b))
	}
	return m, nil
}

// AddStandingChange implements app.Tx: the change goes to the standing
// history and its event to the outbox.
func (t txn) AddStandingChange(ctx context.Context, c domain.StandingChange) error {
	ev, err := protoconv.StandingChangeToProto(c)
	if err != nil {
		return err
	}
	if _, err := t.tx.Exec(ctx, `INSERT INTO standing_history (mentor_id, previous_standing, standing, reason, booking_id, event_id, changed_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`, c.MentorID, string(c.Previous), string(c.Actual), c.Reason, c.BookingID, c.EventID, c.At); err != nil {
		return fmt.Errorf("record standing change of %s: %w", c.MentorID, err)
	}
	return outbox.Add(ctx, t.tx, ev)
}

// StandingHistory implements app.Store.
func (s *Store) StandingHistory(ctx context.Context, mentorID string, limit int) ([]domain.StandingChange, error) {
	rows, err := s.pool.Query(ctx, `SELECT previous_standing, standing, reason, booking_id, event_id, changed_at
		FROM standing_history WHERE mentor_id = $1 ORDER BY changed_at DESC, id DESC LIMIT $2`, mentorID, limit)
	if err != nil {
		return nil, fmt.Errorf("standing history of %s: %w", mentorID, err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (domain.StandingChange, error) {
		c := domain.StandingChange{MentorID: mentorID}
		var prev, cur string
		err := r.Scan(&prev, &cur, &c.Reason, &c.BookingID, &c.EventID, &c.At)
		c.Previous, c.Actual = domain.Standing(prev), domain.Standing(cur)
		return c, err
	})
}

// Search implements app.Store: bookable mentors by ranking score, best
// first.
func (s *Store) Search(ctx context.Context, limit, offset int) ([]app.MentorSummary, error) {
	rows, err := s.pool.Query(ctx, `
		SELECT m.mentor_id, m.standing, m.standing_reason, m.badges, m.ranking_score,
			COALESCE((SELECT sum(rating) FROM reviews r WHERE r.mentor_id = m.mentor_id), 0),
			(SELECT count(*) FROM reviews r WHERE r.mentor_id = m.mentor_id)
		FROM mentors m WHERE m.standing IN ('ACTIVE', 'FLAGGED')
		ORDER BY m.ranking_score DESC, m.mentor_id LIMIT $1 OFFSET $2`, limit, offset)
	if err != nil {
		return nil, fmt.Errorf("search mentors: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (app.MentorSummary, error) {
		var x app.MentorSummary
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

// RecordLift implements app.Tx.
func (t txn) RecordLift(ctx context.Context, l domain.Lift) error {
	if _, err := t.tx.Exec(ctx, `INSERT INTO standing_lifts (id, mentor_id, previous_standing, reason, operator_id, lifted_at)
		VALUES ($1, $2, $3, $4, $5, $6)`, l.ID, l.MentorID, string(l.Previous), l.Reason, l.OperatorID, l.At); err != nil {
		return fmt.Errorf("record lift of %s: %w", l.MentorID, err)
	}
	return nil
}
