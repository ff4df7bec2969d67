package postgres_test

import (
	"context"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/bookwell/bookwell/pkg/pgtest"
	"github.com/bookwell/bookwell/services/payments/internal/postgres"
)

// Erasing a mentee keeps every amount and date of their money under the
// pseudonym (the ledger still balances, still refuses edits otherwise), and
// removes their card's digits and the notes on their refunds.
func TestErasingAPersonKeepsTheMoneyUnderAPseudonym(t *testing.T) {
	ctx := context.Background()
	pool, err := postgres.Open(ctx, pgtest.New(t))
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := pool.Exec(ctx, q, args...); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	exec(`INSERT INTO payments (booking_id, mentee_id, mentor_id, amount, currency, method, status, card_last4, captured, refunded, created_at, updated_at)
		VALUES ('b1', 'ada', 'grace', 5000, 'EUR', 'card', 'CAPTURED', '4242', 5000, 1000, '2030-01-01', '2030-01-02'),
		       ('b2', 'bob', 'grace', 3000, 'EUR', 'card', 'CAPTURED', '1111', 3000, 0, '2030-01-01', '2030-01-02')`)
	exec(`INSERT INTO refunds (booking_id, amount, note, created_at) VALUES ('b1', 1000, 'Ada asked nicely', '2030-01-03')`)
	tx := uuid.New()
	ledger := func(p pgx.Tx) error {
		if _, err := p.Exec(ctx, `INSERT INTO ledger_transactions (id, ref, kind, currency) VALUES ($1, 'b1', 'capture', 'EUR')`, tx); err != nil {
			return err
		}
		_, err := p.Exec(ctx, `INSERT INTO ledger_entries (tx_id, account_kind, account_owner, currency, amount)
			VALUES ($1, 'mentee', 'ada', 'EUR', -5000), ($1, 'escrow', 'b1', 'EUR', 5000)`, tx)
		return err
	}
	if err := pgx.BeginFunc(ctx, pool, ledger); err != nil {
		t.Fatal(err)
	}
	exec(`INSERT INTO continuations (mentor_id, mentee_id, booking_id, decided_at) VALUES ('grace', 'ada', 'b0', '2030-01-01')`)
	exec(`INSERT INTO idempotency_keys (key, operation, request_hash, result) VALUES ('k1', 'authorize', '\x00', '{"mentee_id": "ada", "note": "adam"}')`)

	erase := func() error {
		return pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error { return postgres.EraseUser(ctx, tx, "ada", "erased-1") })
	}
	for range 2 { // a redelivered event changes nothing more
		if err := erase(); err != nil {
			t.Fatal(err)
		}
	}
	var mentee, last4, note string
	var amount, refunded int64
	if err := pool.QueryRow(ctx, `SELECT p.mentee_id, p.card_last4, p.amount, p.refunded, r.note FROM payments p JOIN refunds r USING (booking_id) WHERE booking_id = 'b1'`).
		Scan(&mentee, &last4, &amount, &refunded, &note); err != nil {
		t.Fatal(err)
	}
	if mentee != "erased-1" || last4 != "" || note != "" || amount != 5000 || refunded != 1000 {
		t.Fatalf("payment after erasure: %s %q %q %d %d", mentee, last4, note, amount, refunded)
	}
	var owner string
	var sum int64
	if err := pool.QueryRow(ctx, `SELECT account_owner FROM ledger_entries WHERE account_kind = 'mentee' AND tx_id = $1`, tx).Scan(&owner); err != nil || owner != "erased-1" {
		t.Fatalf("ledger account: %q %v", owner, err)
	}
	if err := pool.QueryRow(ctx, `SELECT sum(amount) FROM ledger_entries WHERE tx_id = $1`, tx).Scan(&sum); err != nil || sum != 0 {
		t.Fatalf("ledger no longer balances: %d %v", sum, err)
	}
	var cont, result string
	if err := pool.QueryRow(ctx, `SELECT mentee_id FROM continuations WHERE mentor_id = 'grace'`).Scan(&cont); err != nil || cont != "erased-1" {
		t.Fatalf("continuation: %q %v", cont, err)
	}
	if err := pool.QueryRow(ctx, `SELECT result::text FROM idempotency_keys WHERE key = 'k1'`).Scan(&result); err != nil || result != `{"note": "adam", "mentee_id": "erased-1"}` {
		t.Fatalf("idempotency result: %s %v", result, err)
	}
	var others int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM payments WHERE mentee_id = 'bob' AND card_last4 = '1111'`).Scan(&others); err != nil || others != 1 {
		t.Fatalf("someone else's payment changed: %d %v", others, err)
	}
	// Outside an erasure, the ledger still refuses any edit.
	if _, err := pool.Exec(ctx, `UPDATE ledger_entries SET account_owner = 'mallory' WHERE tx_id = $1`, tx); err == nil {
		t.Fatal("the ledger took an edit outside an erasure")
	}
}
