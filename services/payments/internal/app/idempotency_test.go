package app_test

import (
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/bookwell/bookwell/services/payments/internal/domain"
)

// TestConcurrentRetriesMoveMoneyOnce fires the same call with the same key
// from many goroutines at once: every caller gets the first result and the
// money moves once, in the ledger and at the card processor.
func TestConcurrentRetriesMoveMoneyOnce(t *testing.T) {
	e := newEnv(t)
	ctx := admin
	const n = 12
	run := func(f func() (domain.Payment, error)) []domain.Payment {
		var wg sync.WaitGroup
		out := make([]domain.Payment, n)
		errs := make([]error, n)
		for i := range n {
			wg.Go(func() { out[i], errs[i] = f() })
		}
		wg.Wait()
		for _, err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		return out
	}
	auth := run(func() (domain.Payment, error) { return e.svc.Authorize(ctx, cardOpen("b1", 10000), "auth") })
	capt := run(func() (domain.Payment, error) { return e.svc.Capture(ctx, "b1", "cap") })
	refs := run(func() (domain.Payment, error) { return e.svc.Refund(ctx, "b1", 3000, "once", "ref") })
	for i := range n {
		if auth[i].ProviderRef != auth[0].ProviderRef || capt[i].Status != domain.StatusPaid || refs[i].Refunded != 3000 {
			t.Fatalf("caller %d got a different result: %+v / %+v / %+v", i, auth[i], capt[i], refs[i])
		}
	}
	if got := e.scalar(t, `SELECT count(*) FROM simcard_charges`); got != 1 {
		t.Fatalf("%d holds at the processor, want 1", got)
	}
	if got := e.scalar(t, `SELECT refunded FROM simcard_charges`); got != 3000 {
		t.Fatalf("processor refunded %d, want 3000", got)
	}
	if got := -e.balance(t, domain.AccountMentee, "mentee-1"); got != 7000 {
		t.Fatalf("mentee paid %d net, want 7000", got)
	}
	if got := e.scalar(t, `SELECT count(*) FROM outbox WHERE subject = 'payment.refunded'`); got != 1 {
		t.Fatalf("%d refund events, want 1", got)
	}
	e.checkLedger(t)
}

// TestConcurrentRefundsNeverExceedCaptured races refunds under different
// keys that together ask for more than was captured.
func TestConcurrentRefundsNeverExceedCaptured(t *testing.T) {
	e := newEnv(t)
	ctx := admin
	if _, err := e.svc.Authorize(ctx, cardOpen("b1", 10000), "a"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Capture(ctx, "b1", "c"); err != nil {
		t.Fatal(err)
	}
	const n = 8
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() { _, errs[i] = e.svc.Refund(ctx, "b1", 3000, "", "r"+string(rune('a'+i))) })
	}
	wg.Wait()
	ok := 0
	for _, err := range errs {
		switch {
		case err == nil:
			ok++
		case !errors.Is(err, domain.ErrRefundExceedsCaptured) && !errors.Is(err, domain.ErrWrongState):
			t.Fatalf("unexpected error %v", err)
		}
	}
	if ok != 3 {
		t.Fatalf("%d refunds of 3000 out of 10000 succeeded, want 3", ok)
	}
	if p, _ := e.svc.Payment(ctx, "b1"); p.Refunded != 9000 {
		t.Fatalf("refunded %d", p.Refunded)
	}
	e.checkLedger(t)
}

// TestARetriedSettlementGetsTheFirstAnswer retries a cancellation's
// settlement under its key a moment later (an activity's next attempt after
// its answer was lost): the retry gets the first result, not
// IDEMPOTENCY_KEY_REUSED, and the mentee is refunded once. Another key is
// refused: the cancellation was settled.
func TestARetriedSettlementGetsTheFirstAnswer(t *testing.T) {
	e := newEnv(t)
	ctx := admin
	if _, err := e.svc.Authorize(ctx, cardOpen("b1", 10000), "a"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Capture(ctx, "b1", "c"); err != nil {
		t.Fatal(err)
	}
	c := domain.Cancellation{SessionStart: sessionStart, CancelledAt: sessionStart.Add(-72 * time.Hour),
		Decided: domain.SettlementFullRefund, Policy: &domain.Policy{CommissionBps: 1000, FullRefundNotice: 24 * time.Hour}}
	first, err := e.svc.SettleCancellation(ctx, "b1", c, "settle")
	if err != nil {
		t.Fatal(err)
	}
	c.CancelledAt = c.CancelledAt.Add(3 * time.Second)
	again, err := e.svc.SettleCancellation(ctx, "b1", c, "settle")
	if err != nil {
		t.Fatalf("the retry: %v", err)
	}
	if again.Refunded != 10000 || again.Settlement != first.Settlement || again.Refunded != first.Refunded {
		t.Fatalf("the retry got %+v, the first %+v", again, first)
	}
	if got := e.scalar(t, `SELECT refunded FROM simcard_charges`); got != 10000 {
		t.Fatalf("processor refunded %d, want 10000", got)
	}
	if got := e.scalar(t, `SELECT count(*) FROM outbox WHERE subject = 'payment.refunded'`); got != 1 {
		t.Fatalf("%d refund events, want 1", got)
	}
	if _, err := e.svc.SettleCancellation(ctx, "b1", c, "settle-2"); !errors.Is(err, domain.ErrWrongState) {
		t.Fatalf("a second settlement under another key: %v", err)
	}
	e.checkLedger(t)
}
