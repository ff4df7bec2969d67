package postgres_test

import (
	"context"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/bookwell/bookwell/pkg/pgdb"
	"github.com/bookwell/bookwell/pkg/pgtest"
	"github.com/bookwell/bookwell/services/notifications/internal/postgres"
)

// Erasing a mentee: their address book entry, inbox and emails go; what the
// mentor received keeps its sense but not the mentee's name or address;
// the thread keeps the mentor's messages and the mentee's as erased.
func TestErasingAPersonInNotifications(t *testing.T) {
	ctx := context.Background()
	pool, err := pgdb.Open(ctx, pgtest.New(t), postgres.Schema, postgres.Migrations()...)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	for _, q := range []string{
		`INSERT INTO recipients (user_id, email, display_name) VALUES ('ada', 'ada@example.com', 'Ada Lovelace'), ('grace', 'grace@example.com', 'Grace Hopper')`,
		`INSERT INTO bookings (booking_id, mentor_id, mentee_id, version, snapshot)
			VALUES ('b1', 'grace', 'ada', 1, '{"ID": "b1", "MentorID": "grace", "MenteeID": "ada", "MenteeName": "Ada Lovelace", "MenteeEmail": "ada@example.com", "OfferingName": "Deep dive"}')`,
		`INSERT INTO notifications (id, user_id, kind, booking_id, title, body, created_at) VALUES
			('00000000-0000-4000-8000-000000000001', 'ada', 'approved', 'b1', 'Approved', 'Grace approved', now()),
			('00000000-0000-4000-8000-000000000002', 'grace', 'requested', 'b1', 'New request from Ada Lovelace', 'Ada Lovelace (ada@example.com) asks', now())`,
		`INSERT INTO emails (id, notification_id, to_addr, to_name, subject, text_body, html_body) VALUES
			('00000000-0000-4000-8000-000000000011', '00000000-0000-4000-8000-000000000001', 'ada@example.com', 'Ada Lovelace', 'Approved', 'Hi Ada Lovelace', '<p>Hi Ada Lovelace</p>'),
			('00000000-0000-4000-8000-000000000012', '00000000-0000-4000-8000-000000000002', 'grace@example.com', 'Grace Hopper', 'New request from Ada Lovelace', 'Ada Lovelace asks', '<p>Ada Lovelace asks</p>')`,
		`INSERT INTO email_log (email_id, status, attempt) VALUES ('00000000-0000-4000-8000-000000000011', 'sent', 1), ('00000000-0000-4000-8000-000000000012', 'sent', 1)`,
		`INSERT INTO dev_mailbox (email_id, to_addr, subject, text_body, html_body, raw) VALUES
			('00000000-0000-4000-8000-000000000011', 'ada@example.com', 'Approved', 'Hi Ada Lovelace', '', 'To: ada@example.com'),
			('00000000-0000-4000-8000-000000000012', 'grace@example.com', 'New request from Ada Lovelace', 'Ada Lovelace asks', '', 'Reply-To: ada@example.com')`,
		`INSERT INTO thread_messages (id, booking_id, author_role, author_id, body, created_at) VALUES
			('00000000-0000-4000-8000-000000000021', 'b1', 'mentee', 'ada', 'I am Ada, call me on 555-0100', now()),
			('00000000-0000-4000-8000-000000000022', 'b1', 'mentor', 'grace', 'Sure, Ada Lovelace', now())`,
	} {
		if _, err := pool.Exec(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	for range 2 { // redelivered: nothing more to do
		if err := pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error { return postgres.EraseUser(ctx, tx, "ada", "erased-a") }); err != nil {
			t.Fatal(err)
		}
	}
	// Nothing left anywhere with the mentee's name, address or id.
	for _, table := range []string{"recipients", "bookings", "notifications", "emails", "dev_mailbox", "thread_messages"} {
		var dump string
		if err := pool.QueryRow(ctx, `SELECT coalesce(string_agg(t::text, ' '), '') FROM `+table+` t`).Scan(&dump); err != nil {
			t.Fatal(err)
		}
		for _, personal := range []string{"Ada Lovelace", "ada@example.com", "'ada'", `"ada"`, ",ada,"} {
			if strings.Contains(dump, personal) {
				t.Errorf("%s still holds %s: %s", table, personal, dump)
			}
		}
	}
	count := func(q string) int {
		t.Helper()
		var n int
		if err := pool.QueryRow(ctx, q).Scan(&n); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		return n
	}
	for q, want := range map[string]int{
		`SELECT count(*) FROM recipients WHERE user_id = 'grace'`:                                            1,
		`SELECT count(*) FROM notifications WHERE user_id = 'grace' AND title = 'New request from [erased]'`: 1,
		`SELECT count(*) FROM emails WHERE to_addr = 'grace@example.com' AND text_body = '[erased] asks'`:    1,
		`SELECT count(*) FROM email_log`: 1,
		`SELECT count(*) FROM thread_messages WHERE author_id = 'erased-a' AND body = '[erased]'`:                                            1,
		`SELECT count(*) FROM thread_messages WHERE author_id = 'grace' AND body = 'Sure, [erased]'`:                                         1,
		`SELECT count(*) FROM bookings WHERE mentee_id = 'erased-a' AND snapshot->>'MenteeID' = 'erased-a' AND snapshot->>'MenteeName' = ''`: 1,
	} {
		if got := count(q); got != want {
			t.Errorf("%s: %d, want %d", q, got, want)
		}
	}
}
