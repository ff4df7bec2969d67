package postgres_test

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/bookwell/bookwell/pkg/pgdb"
	"github.com/bookwell/bookwell/pkg/pgtest"
	"github.com/bookwell/bookwell/services/reputation/internal/postgres"
)

// Erasing a mentee keeps the mentor's figures (their bookings, ratings and
// money under the pseudonym) and drops the words of the mentee's review;
// erasing a mentor takes them out of searches.
func TestErasingAPersonInReputation(t *testing.T) {
	ctx := context.Background()
	pool, err := pgdb.Open(ctx, pgtest.New(t), postgres.Schema, postgres.Migrations()...)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	for _, q := range []string{
		`INSERT INTO bookings (booking_id, mentor_id, mentee_id, version, status, currency, price_minor, updated_at)
			VALUES ('b1', 'grace', 'ada', 3, 'COMPLETED', 'EUR', 5000, now()), ('b2', 'grace', 'bob', 3, 'COMPLETED', 'EUR', 5000, now())`,
		`INSERT INTO reviews (booking_id, mentor_id, mentee_id, rating, body, created_at)
			VALUES ('b1', 'grace', 'ada', 5, 'Ada here: Grace was great', now()), ('b2', 'grace', 'bob', 4, 'Good', now())`,
		`INSERT INTO payments (booking_id, mentee_id, currency, paid_minor, updated_at) VALUES ('b1', 'ada', 'EUR', 5000, now())`,
		`INSERT INTO mentors (mentor_id, standing, standing_reason) VALUES ('grace', 'ACTIVE', '')`,
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
		`SELECT count(*) FROM bookings WHERE mentor_id = 'grace'`:                                2,
		`SELECT count(*) FROM reviews WHERE mentee_id = 'erased-a' AND body = '' AND rating = 5`: 1,
		`SELECT count(*) FROM reviews WHERE mentee_id = 'bob' AND body = 'Good'`:                 1,
		`SELECT count(*) FROM payments WHERE mentee_id = 'erased-a' AND paid_minor = 5000`:       1,
		`SELECT count(*) FROM bookings WHERE mentee_id = 'ada'`:                                  0,
	} {
		if got := count(q); got != want {
			t.Errorf("%s: %d, want %d", q, got, want)
		}
	}
	erase("grace", "erased-g")
	if got := count(`SELECT count(*) FROM mentors WHERE mentor_id = 'erased-g' AND standing = 'DEACTIVATED'`); got != 1 {
		t.Errorf("the erased mentor is still listed: %d", got)
	}
	if got := count(`SELECT count(*) FROM reviews WHERE mentor_id = 'erased-g' AND body = ''`); got != 2 {
		t.Errorf("reviews about the erased mentor: %d", got)
	}
}
