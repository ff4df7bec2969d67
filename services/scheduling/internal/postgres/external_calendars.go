package postgres

import (
	"context"
	"errors"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/bookwell/bookwell/pkg/pgdb"
	"github.com/bookwell/bookwell/services/scheduling/internal/domain"
)

const calendarCols = `id, mentor_id, name, url, created_at, fetched_at, last_attempt_at, last_error, busy_periods`

func scanCalendar(row pgx.Row) (domain.ExternalCalendar, error) {
	var c domain.ExternalCalendar
	var id uuid.UUID
	var fetched, attempted *time.Time
	err := row.Scan(&id, &c.MentorID, &c.Name, &c.URL, &c.CreatedAt, &fetched, &attempted, &c.LastError, &c.BusyPeriods)
	if errors.Is(err, pgx.ErrNoRows) {
		return c, domain.ErrExternalCalendarNotFound
	}
	c.ID = id.String()
	if fetched != nil {
		c.FetchedAt = *fetched
	}
	if attempted != nil {
		c.LastAttemptAt = *attempted
	}
	return c, err
}

// AddExternalCalendar stores a mentor's new calendar with its first good
// copy f, due again at next; more than domain.MaxExternalCalendars is
// ErrTooManyCalendars.
func (s *Store) AddExternalCalendar(ctx context.Context, c domain.ExternalCalendar, f domain.Fetched, next time.Time) error {
	return pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		if err := lock(ctx, tx, "calendars:"+c.MentorID); err != nil {
			return err
		}
		var n int
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM external_calendars WHERE mentor_id = $1`, c.MentorID).Scan(&n); err != nil {
			return err
		}
		if n >= domain.MaxExternalCalendars {
			return domain.ErrTooManyCalendars
		}
		if _, err := tx.Exec(ctx, `INSERT INTO external_calendars (id, mentor_id, name, url, created_at, next_fetch_at)
			VALUES ($1, $2, $3, $4, $5, $6)`, c.ID, c.MentorID, c.Name, c.URL, c.CreatedAt, next); err != nil {
			return err
		}
		return recordFetch(ctx, tx, c.ID, c.MentorID, f)
	})
}

// ExternalCalendars lists a mentor's calendars, oldest first.
func (s *Store) ExternalCalendars(ctx context.Context, mentorID string) ([]domain.ExternalCalendar, error) {
	rows, err := s.Pool.Query(ctx, `SELECT `+calendarCols+` FROM external_calendars WHERE mentor_id = $1 ORDER BY created_at, id`, mentorID)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (domain.ExternalCalendar, error) { return scanCalendar(row) })
}

// ExternalCalendar returns one of a mentor's calendars.
func (s *Store) ExternalCalendar(ctx context.Context, mentorID, id string) (domain.ExternalCalendar, error) {
	if uuid.Validate(id) != nil {
		return domain.ExternalCalendar{}, domain.ErrExternalCalendarNotFound
	}
	return scanCalendar(s.Pool.QueryRow(ctx, `SELECT `+calendarCols+` FROM external_calendars WHERE id = $1 AND mentor_id = $2`, id, mentorID))
}

// DeleteExternalCalendar removes a calendar and its busy periods.
func (s *Store) DeleteExternalCalendar(ctx context.Context, mentorID, id string) error {
	if uuid.Validate(id) != nil {
		return domain.ErrExternalCalendarNotFound
	}
	tag, err := s.Pool.Exec(ctx, `DELETE FROM external_calendars WHERE id = $1 AND mentor_id = $2`, id, mentorID)
	if err == nil && tag.RowsAffected() == 0 {
		return domain.ErrExternalCalendarNotFound
	}
	return err
}

// RecordFetch records one fetch of a calendar, due again at next: a good
// copy replaces the busy periods; a failure keeps them and says why.
func (s *Store) RecordFetch(ctx context.Context, id string, f domain.Fetched, next time.Time) (domain.ExternalCalendar, error) {
	var c domain.ExternalCalendar
	err := pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		var err error
		c, err = scanCalendar(tx.QueryRow(ctx, `SELECT `+calendarCols+` FROM external_calendars WHERE id = $1 FOR UPDATE`, id))
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE external_calendars SET next_fetch_at = $2 WHERE id = $1`, id, next); err != nil {
			return err
		}
		if err := recordFetch(ctx, tx, id, c.MentorID, f); err != nil {
			return err
		}
		c, err = scanCalendar(tx.QueryRow(ctx, `SELECT `+calendarCols+` FROM external_calendars WHERE id = $1`, id))
		return err
	})
	return c, err
}

func recordFetch(ctx context.Context, tx pgx.Tx, id, mentorID string, f domain.Fetched) error {
	if f.Err != "" {
		_, err := tx.Exec(ctx, `UPDATE external_calendars SET last_attempt_at = $2, last_error = $3 WHERE id = $1`, id, f.At, f.Err)
		return err
	}
	if _, err := tx.Exec(ctx, `DELETE FROM external_busy WHERE calendar_id = $1`, id); err != nil {
		return err
	}
	starts, ends := make([]time.Time, len(f.Busy)), make([]time.Time, len(f.Busy))
	for i, b := range f.Busy {
		starts[i], ends[i] = b.Start, b.End
	}
	if _, err := tx.Exec(ctx, `INSERT INTO external_busy (calendar_id, mentor_id, period)
		SELECT $1, $2, tstzrange(s, e) FROM unnest($3::timestamptz[], $4::timestamptz[]) AS t(s, e)`, id, mentorID, starts, ends); err != nil {
		return err
	}
	_, err := tx.Exec(ctx, `UPDATE external_calendars SET fetched_at = $2, last_attempt_at = $2, last_error = '', busy_periods = $3 WHERE id = $1`,
		id, f.At, len(f.Busy))
	return err
}

// ClaimDueCalendars takes up to limit calendars due at now, moving them
// ahead by lease so that other replicas skip them meanwhile.
func (s *Store) ClaimDueCalendars(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]domain.ExternalCalendar, error) {
	rows, err := s.Pool.Query(ctx, `UPDATE external_calendars SET next_fetch_at = $2
		WHERE id IN (SELECT id FROM external_calendars WHERE next_fetch_at <= $1 ORDER BY next_fetch_at LIMIT $3 FOR UPDATE SKIP LOCKED)
		RETURNING `+calendarCols, now, now.Add(lease), limit)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (domain.ExternalCalendar, error) { return scanCalendar(row) })
}

// ExternalBusy lists the busy periods of a mentor's calendars that overlap
// [from, to), in time order.
func (s *Store) ExternalBusy(ctx context.Context, mentorID string, from, to time.Time) ([]domain.ExternalBusy, error) {
	return externalBusy(ctx, s.Pool, mentorID, from, to)
}

func externalBusy(ctx context.Context, q pgdb.Querier, mentorID string, from, to time.Time) ([]domain.ExternalBusy, error) {
	rows, err := q.Query(ctx, `SELECT b.calendar_id::text, c.name, lower(b.period), upper(b.period)
		FROM external_busy b JOIN external_calendars c ON c.id = b.calendar_id
		WHERE b.mentor_id = $1 AND b.period && tstzrange($2, $3) ORDER BY lower(b.period), c.name`, mentorID, from, to)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (domain.ExternalBusy, error) {
		var b domain.ExternalBusy
		err := row.Scan(&b.CalendarID, &b.CalendarName, &b.Period.Start, &b.Period.End)
		return b, err
	})
}
