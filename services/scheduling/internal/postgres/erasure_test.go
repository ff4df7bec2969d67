package postgres_test

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/bookwell/bookwell/pkg/pgtest"
	"github.com/bookwell/bookwell/services/scheduling/internal/postgres"
)

// Erasing a mentor: their calendar addresses go, their offerings, hours,
// sessions and reservations stay under the pseudonym (no slot is freed or
// taken twice); a mentee erased keeps their reservations' times only.
func TestErasingAPersonInScheduling(t *testing.T) {
	ctx := context.Background()
	pool, err := postgres.Open(ctx, pgtest.New(t))
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	for _, q := range []string{
		`INSERT INTO offerings (id, mentor_id, name, kind, duration_minutes, price_minor, currency, capacity, approval_required, created_at, updated_at)
			VALUES ('00000000-0000-4000-8000-000000000001', 'grace', 'Deep dive', 'PAID', 60, 5000, 'EUR', 1, true, now(), now())`,
		`INSERT INTO availability (mentor_id, time_zone, weekly_hours, exceptions, buffer_minutes, min_notice_minutes, horizon_days, updated_at)
			VALUES ('grace', 'Europe/Berlin', '[]', '[]', 0, 0, 30, now())`,
		`INSERT INTO mentor_standing (mentor_id, standing, reason, changed_at) VALUES ('grace', 'FLAGGED', 'Grace Hopper missed two sessions', now())`,
		`INSERT INTO sessions (mentor_id, offering_id, start_at, end_at, block, capacity, seats_taken)
			VALUES ('grace', '00000000-0000-4000-8000-000000000001', '2030-01-07 09:00Z', '2030-01-07 10:00Z', '[2030-01-07 09:00Z, 2030-01-07 10:00Z)', 1, 1)`,
		`INSERT INTO reservations (booking_id, session_id, mentor_id, offering_id, mentee_id, kind, status, start_at, end_at, block, party_size,
				mentee_time_zone, intro_month, meeting_url, version, created_at, updated_at)
			SELECT 'b1', id, 'grace', offering_id, 'ada', 'PAID', 'CONFIRMED', start_at, end_at, block, 1, 'America/New_York', '2030-01',
				'https://meet.example/grace-ada', 1, now(), now() FROM sessions`,
		`INSERT INTO external_calendars (id, mentor_id, name, url, created_at, next_fetch_at)
			VALUES ('00000000-0000-4000-8000-000000000002', 'grace', 'Work', 'https://calendar.example/private/grace.ics', now(), now())`,
		`INSERT INTO external_busy (calendar_id, mentor_id, period) VALUES ('00000000-0000-4000-8000-000000000002', 'grace', '[2030-01-08 09:00Z, 2030-01-08 10:00Z)')`,
	} {
		if _, err := pool.Exec(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	erase := func(who, pseudonym string) {
		t.Helper()
		if err := pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error { return postgres.EraseUser(ctx, tx, who, pseudonym) }); err != nil {
			t.Fatal(err)
		}
	}
	erase("grace", "erased-g")
	erase("grace", "erased-g") // redelivered
	erase("ada", "erased-a")
	count := func(q string) int {
		t.Helper()
		var n int
		if err := pool.QueryRow(ctx, q).Scan(&n); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		return n
	}
	for q, want := range map[string]int{
		`SELECT count(*) FROM external_calendars`:                                                                    0,
		`SELECT count(*) FROM external_busy`:                                                                         0,
		`SELECT count(*) FROM offerings WHERE mentor_id = 'erased-g' AND price_minor = 5000`:                         1,
		`SELECT count(*) FROM availability WHERE mentor_id = 'erased-g'`:                                             1,
		`SELECT count(*) FROM mentor_standing WHERE mentor_id = 'erased-g' AND reason = '' AND standing = 'FLAGGED'`: 1,
		`SELECT count(*) FROM sessions WHERE mentor_id = 'erased-g' AND seats_taken = 1`:                             1,
		`SELECT count(*) FROM reservations WHERE mentor_id = 'erased-g' AND mentee_id = 'erased-a' AND meeting_url = ''
			AND mentee_time_zone = 'UTC' AND start_at = '2030-01-07 09:00Z'`: 1,
		`SELECT count(*) FROM reservations WHERE mentee_id IN ('ada', 'grace') OR mentor_id IN ('ada', 'grace')`: 0,
	} {
		if got := count(q); got != want {
			t.Errorf("%s: %d, want %d", q, got, want)
		}
	}
}
