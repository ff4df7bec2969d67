package postgres_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/bookwell/bookwell/pkg/pgtest"
	"github.com/bookwell/bookwell/services/payments/internal/app"
	"github.com/bookwell/bookwell/services/payments/internal/domain"
	"github.com/bookwell/bookwell/services/payments/internal/postgres"
)

// The contract of app.Store and app.Tx, checked against real Postgres: what
// the use cases rely on the store for.

var t0 = time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)

func newStore(t *testing.T) (app.Store, *pgxpool.Pool) {
	t.Helper()
	pool, err := postgres.Open(context.Background(), pgtest.New(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	return &postgres.Store{Pool: pool}, pool
}

func open(booking string) domain.Payment {
	return domain.NewPayment(domain.Open{BookingID: booking, MenteeID: "ann", MentorID: "mo", Amount: 5000,
		Currency: "EUR", Method: domain.MethodBankTransfer}, domain.Authorization{}, t0)
}

// An idempotency key runs its work once: a retry gets the first result, a
// different request under the key is refused, and failed work leaves
// nothing behind, not even the key.
func TestAKeyRunsItsWorkOnce(t *testing.T) {
	s, _ := newStore(t)
	ctx := context.Background()
	k := app.Key{Key: "k1", Op: "authorize", Hash: []byte("request-1")}
	runs := 0
	insert := func(ctx context.Context, tx app.Tx) ([]byte, error) {
		runs++
		return []byte(`"first"`), tx.InsertPayment(ctx, open("b1"))
	}

	failed := errors.New("card declined")
	if _, err := s.Idempotent(ctx, k, func(ctx context.Context, tx app.Tx) ([]byte, error) {
		if err := tx.InsertPayment(ctx, open("b1")); err != nil {
			return nil, err
		}
		return nil, failed
	}); !errors.Is(err, failed) {
		t.Fatalf("failed work: %v", err)
	}
	if _, err := s.Payment(ctx, "b1"); !errors.Is(err, domain.ErrNotFound) {
		t.Fatalf("failed work left a payment: %v", err)
	}

	for range 2 {
		got, err := s.Idempotent(ctx, k, insert)
		if err != nil || string(got) != `"first"` {
			t.Fatalf("result %s, %v", got, err)
		}
	}
	if runs != 1 {
		t.Fatalf("the work ran %d times, want once", runs)
	}
	other := k
	other.Hash = []byte("request-2")
	if _, err := s.Idempotent(ctx, other, insert); !errors.Is(err, domain.ErrIdempotencyKeyReused) {
		t.Fatalf("another request under the key: %v, want IDEMPOTENCY_KEY_REUSED", err)
	}
}

func TestAPaymentIsReadBackWithItsRefunds(t *testing.T) {
	s, _ := newStore(t)
	ctx := context.Background()
	p := open("b1")
	_, err := s.Idempotent(ctx, app.Key{Key: "k2", Op: "test", Hash: []byte("x")}, func(ctx context.Context, tx app.Tx) ([]byte, error) {
		if err := tx.InsertPayment(ctx, p); err != nil {
			return nil, err
		}
		p.Status, p.Captured, p.Refunded, p.UpdatedAt = domain.StatusPartiallyRefunded, 5000, 1000, t0.Add(time.Hour)
		if err := tx.UpdatePayment(ctx, p); err != nil {
			return nil, err
		}
		return []byte(`{}`), tx.AddRefund(ctx, "b1", domain.Refund{Amount: 1000, Note: "goodwill", At: t0.Add(time.Hour)})
	})
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.Payment(ctx, "b1")
	if err != nil || got.Status != domain.StatusPartiallyRefunded || got.Captured != 5000 || got.Refunded != 1000 ||
		len(got.Refunds) != 1 || got.Refunds[0].Note != "goodwill" || got.Method != domain.MethodBankTransfer {
		t.Fatalf("read back %+v, %v", got, err)
	}
}

func TestTheNewestContinuationDecisionWinsAndACreditIsUsedOnce(t *testing.T) {
	s, pool := newStore(t)
	ctx := context.Background()
	inTx := func(fn func(tx app.Tx) error) {
		t.Helper()
		if err := pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error { return fn(postgres.InTx(tx)) }); err != nil {
			t.Fatal(err)
		}
	}
	decide := func(approved bool, at time.Time) {
		inTx(func(tx app.Tx) error {
			return tx.SetContinuation(ctx, domain.ContinuationDecision{MentorID: "mo", MenteeID: "ann", BookingID: "intro", Approved: approved, At: at})
		})
	}
	approved := func() (ok bool) {
		inTx(func(tx app.Tx) (err error) { ok, err = tx.ContinuationApproved(ctx, "mo", "ann"); return err })
		return ok
	}
	if approved() {
		t.Fatal("approved before any decision")
	}
	decide(true, t0)
	decide(false, t0.Add(-time.Hour)) // an older rejection, heard late
	if !approved() {
		t.Fatal("an older rejection withdrew a newer approval")
	}
	decide(false, t0.Add(time.Hour))
	if approved() {
		t.Fatal("a newer rejection did not withdraw the approval")
	}

	b, _ := domain.NewBundle(uuid.NewString(), domain.BundleOrder{MenteeID: "ann", MentorID: "mo", Sessions: 2, Price: 1000, Currency: "EUR"}, "ref", t0)
	inTx(func(tx app.Tx) error { return tx.InsertBundle(ctx, b) })
	credit := func() (added bool) {
		inTx(func(tx app.Tx) (err error) {
			lt, _ := domain.NewLedgerTx(uuid.New(), b.ID, "bundle_credit", "EUR", domain.Transfer{
				From: domain.Account{Kind: domain.AccountEscrow, Owner: b.ID}, To: domain.Account{Kind: domain.AccountMentorPayable, Owner: "mo"}, Amount: 1000})
			if err := tx.Post(ctx, lt); err != nil {
				return err
			}
			added, err = tx.AddBundleCredit(ctx, b.ID, "b7", lt.ID, t0)
			return err
		})
		return added
	}
	if !credit() || credit() {
		t.Fatal("booking b7 used a credit of the bundle other than once")
	}
	if bs, err := s.MenteeBundles(ctx, "ann"); err != nil || len(bs) != 1 || bs[0].ID != b.ID {
		t.Fatalf("ann's bundles: %+v, %v", bs, err)
	}
}
