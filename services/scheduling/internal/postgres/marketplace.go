package postgres

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/bookwell/bookwell/pkg/pgdb"
	"github.com/bookwell/bookwell/services/scheduling/internal/domain"
)

func introRules(ctx context.Context, q pgdb.Querier) (domain.IntroRules, bool, error) {
	var (
		r                         domain.IntroRules
		length, notice, horizonUS int64
	)
	err := q.QueryRow(ctx, `SELECT version, intro_length_us, intro_min_notice_us, intro_horizon_us, intro_monthly_quota, intro_one_per_mentor
		FROM marketplace_policy`).Scan(&r.Version, &length, &notice, &horizonUS, &r.MonthlyQuota, &r.OnePerMentor)
	if errors.Is(err, pgx.ErrNoRows) {
		return r, false, nil
	}
	if err != nil {
		return r, false, err
	}
	r.Length, r.MinNotice, r.Horizon = time.Duration(length)*time.Microsecond, time.Duration(notice)*time.Microsecond, time.Duration(horizonUS)*time.Microsecond
	return r, true, nil
}

// IntroRules implements app.Store.
func (s *Store) IntroRules(ctx context.Context) (domain.IntroRules, bool, error) {
	return introRules(ctx, s.Pool)
}

// SetIntroRules implements app.Tx: r replaces the rules recorded only if its
// version is newer, so a duplicate or an older version delivered late
// changes nothing.
func (t txn) SetIntroRules(ctx context.Context, r domain.IntroRules, at time.Time) (bool, error) {
	tag, err := t.tx.Exec(ctx, `INSERT INTO marketplace_policy (version, intro_length_us, intro_min_notice_us, intro_horizon_us,
			intro_monthly_quota, intro_one_per_mentor, changed_at) VALUES ($1, $2, $3, $4, $5, $6, $7)
		ON CONFLICT (singleton) DO UPDATE SET version = excluded.version, intro_length_us = excluded.intro_length_us,
			intro_min_notice_us = excluded.intro_min_notice_us, intro_horizon_us = excluded.intro_horizon_us,
			intro_monthly_quota = excluded.intro_monthly_quota, intro_one_per_mentor = excluded.intro_one_per_mentor,
			changed_at = excluded.changed_at
		WHERE marketplace_policy.version < excluded.version`,
		r.Version, r.Length.Microseconds(), r.MinNotice.Microseconds(), r.Horizon.Microseconds(), r.MonthlyQuota, r.OnePerMentor, at)
	return tag.RowsAffected() == 1, err
}
