package postgres

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/bookwell/bookwell/pkg/pgdb"
	"github.com/bookwell/bookwell/services/reputation/internal/domain"
)

func standingRules(ctx context.Context, q pgdb.Querier) (domain.StandingRules, bool, error) {
	var (
		r              domain.StandingRules
		window, period int64
	)
	err := q.QueryRow(ctx, `SELECT version, flag_streak, deactivate_streak, late_change_limit, late_change_window_us, late_change_period_us
		FROM marketplace_policy`).Scan(&r.Version, &r.FlagStreak, &r.DeactivateStreak, &r.MaxLateChanges, &window, &period)
	if errors.Is(err, pgx.ErrNoRows) {
		return r, false, nil
	}
	if err != nil {
		return r, false, err
	}
	r.LateNotice, r.LateWindow = time.Duration(window)*time.Microsecond, time.Duration(period)*time.Microsecond
	return r, true, nil
}

// StandingRules implements app.Store.
func (s *Store) StandingRules(ctx context.Context) (domain.StandingRules, bool, error) {
	return standingRules(ctx, s.pool)
}

// StandingRules implements app.Tx.
func (t txn) StandingRules(ctx context.Context) (domain.StandingRules, bool, error) {
	return standingRules(ctx, t.tx)
}

// SetStandingRules implements app.Tx: r replaces the rules recorded only if
// its version is newer, so a duplicate or an older version delivered late
// changes nothing.
func (t txn) SetStandingRules(ctx context.Context, r domain.StandingRules, at time.Time) (bool, error) {
	tag, err := t.tx.Exec(ctx, `INSERT INTO marketplace_policy (version, flag_streak, deactivate_streak, late_change_limit,
			late_change_window_us, late_change_period_us, changed_at) VALUES ($1, $2, $3, $4, $5, $6, $7)
		ON CONFLICT (singleton) DO UPDATE SET version = excluded.version, flag_streak = excluded.flag_streak,
			deactivate_streak = excluded.deactivate_streak, late_change_limit = excluded.late_change_limit,
			late_change_window_us = excluded.late_change_window_us, late_change_period_us = excluded.late_change_period_us,
			changed_at = excluded.changed_at
		WHERE marketplace_policy.version < excluded.version`,
		r.Version, r.FlagStreak, r.DeactivateStreak, r.MaxLateChanges, r.LateNotice.Microseconds(), r.LateWindow.Microseconds(), at)
	return tag.RowsAffected() == 1, err
}
