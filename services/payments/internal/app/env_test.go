package app_test

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/bookwell/bookwell/pkg/identity"
	"github.com/bookwell/bookwell/pkg/pgdb"
	"github.com/bookwell/bookwell/pkg/pgtest"
	"github.com/bookwell/bookwell/services/payments/internal/app"
	"github.com/bookwell/bookwell/services/payments/internal/domain"
	"github.com/bookwell/bookwell/services/payments/internal/postgres"
	"github.com/bookwell/bookwell/services/payments/internal/simcard"
)

// admin is the caller of these tests' use cases: who may do what is
// app/authz.go's, tested through the gRPC API (grpcapi).
var admin = identity.With(context.Background(), identity.Principal{Subject: "ops", Role: identity.RoleAdmin})

// tb is what the helpers need of a *testing.T or a *rapid.T.
type tb interface {
	Helper()
	Fatal(args ...any)
	Fatalf(format string, args ...any)
}

// env is a payments service on a fresh database with the simulated card
// processor.
type env struct {
	svc  *app.Service
	pool *pgxpool.Pool
	sim  *pgxpool.Pool
	url  string
}

func newEnv(t testing.TB) *env {
	t.Helper()
	ctx := context.Background()
	url := pgtest.New(t)
	pool, err := postgres.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	sim, err := pgdb.Open(ctx, url, postgres.Schema, simcard.Migrations())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(sim.Close)
	return &env{
		svc: &app.Service{
			Store:    &postgres.Store{Pool: pool},
			Provider: &simcard.Processor{Pool: sim},
			Policy:   domain.DefaultPolicy(),
			Log:      slog.New(slog.NewTextHandler(io.Discard, nil)),
		},
		pool: pool, sim: sim, url: url,
	}
}

// with returns a copy of the service using another card provider.
func (e *env) with(p domain.CardProvider) *app.Service {
	s := *e.svc
	s.Provider = p
	return &s
}

func (e *env) scalar(t tb, sql string, args ...any) int64 {
	t.Helper()
	var n int64
	if err := e.pool.QueryRow(context.Background(), sql, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return n
}

// ledgerEntries is how many ledger lines exist: unchanged means no money moved.
func (e *env) ledgerEntries(t tb) int64 {
	return e.scalar(t, `SELECT count(*) FROM ledger_entries`)
}

// balance is the ledger balance of one account.
func (e *env) balance(t tb, kind domain.AccountKind, owner string) int64 {
	return e.scalar(t, `SELECT coalesce(sum(amount), 0) FROM ledger_entries WHERE account_kind = $1 AND account_owner = $2`, kind, owner)
}

// checkLedger asserts every ledger transaction balances.
func (e *env) checkLedger(t tb) {
	t.Helper()
	if n := e.scalar(t, `SELECT count(*) FROM (SELECT tx_id FROM ledger_entries GROUP BY tx_id HAVING sum(amount) <> 0) x`); n != 0 {
		t.Fatalf("%d ledger transactions do not balance", n)
	}
	if s := e.scalar(t, `SELECT coalesce(sum(amount), 0) FROM ledger_entries`); s != 0 {
		t.Fatalf("ledger sums to %d, want 0", s)
	}
}

var sessionStart = time.Date(2030, 3, 10, 15, 0, 0, 0, time.UTC)

func cardOpen(booking string, amount int64) domain.Open {
	return domain.Open{BookingID: booking, MenteeID: "mentee-1", MentorID: "mentor-1", Amount: amount,
		Currency: "USD", Method: domain.MethodCard, Card: simcard.CardSuccess}
}

func manualOpen(booking string, amount int64) domain.Open {
	return domain.Open{BookingID: booking, MenteeID: "mentee-1", MentorID: "mentor-1", Amount: amount,
		Currency: "EUR", Method: domain.MethodBankTransfer}
}

// approve records that mentor approved continuation with mentee, as the
// consumer of booking.continuation_decided does.
func (e *env) approve(t tb, mentor, mentee string) {
	t.Helper()
	err := pgx.BeginFunc(context.Background(), e.pool, func(tx pgx.Tx) error {
		return e.svc.DecideContinuation(context.Background(), postgres.InTx(tx), domain.ContinuationDecision{
			MentorID: mentor, MenteeID: mentee, BookingID: "intro-" + mentee, Approved: true, At: time.Now()})
	})
	if err != nil {
		t.Fatal(err)
	}
}
