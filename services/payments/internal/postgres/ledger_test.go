package postgres_test

import (
	"context"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/bookwell/bookwell/pkg/pgtest"
	"github.com/bookwell/bookwell/services/payments/internal/postgres"
)

// TestDatabaseRefusesUnbalancedOrEditedLedger: whatever the code does, the
// database itself refuses a ledger transaction that does not sum to zero and
// any change to a posted entry.
func TestDatabaseRefusesUnbalancedOrEditedLedger(t *testing.T) {
	ctx := context.Background()
	pool, err := postgres.Open(ctx, pgtest.New(t))
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	post := func(amounts ...int64) error {
		tx, err := pool.Begin(ctx)
		if err != nil {
			return err
		}
		defer tx.Rollback(ctx) //nolint:errcheck
		id := uuid.New()
		if _, err := tx.Exec(ctx, `INSERT INTO ledger_transactions (id, ref, kind, currency) VALUES ($1, 'b', 'test', 'USD')`, id); err != nil {
			return err
		}
		for _, a := range amounts {
			if _, err := tx.Exec(ctx, `INSERT INTO ledger_entries (tx_id, account_kind, account_owner, currency, amount)
				VALUES ($1, 'escrow', 'b', 'USD', $2)`, id, a); err != nil {
				return err
			}
		}
		return tx.Commit(ctx)
	}
	if err := post(100, -100); err != nil {
		t.Fatalf("balanced: %v", err)
	}
	if err := post(100, -99); err == nil || !strings.Contains(err.Error(), "does not balance") {
		t.Fatalf("unbalanced transaction committed: %v", err)
	}
	if _, err := pool.Exec(ctx, `UPDATE ledger_entries SET amount = amount * 2`); err == nil || !strings.Contains(err.Error(), "append-only") {
		t.Fatalf("ledger entry edited: %v", err)
	}
	if _, err := pool.Exec(ctx, `DELETE FROM ledger_entries`); err == nil {
		t.Fatal("ledger entry deleted")
	}
}
