package app_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/bookwell/bookwell/services/payments/internal/domain"
	"github.com/bookwell/bookwell/services/payments/internal/simcard"
)

func TestACardThatAsksFor3DSHoldsNothingUntilTheProcessorConfirmsOnce(t *testing.T) {
	e := newEnv(t)
	sim := &simcard.Processor{Pool: e.sim, ChallengeURL: func(id string) string { return "http://sim/" + id }}
	svc := e.with(sim)
	o := cardOpen("b-3ds", 5000)
	o.Card = simcard.CardAuthenticate
	p, err := svc.Authorize(admin, o, "k-3ds")
	if err != nil {
		t.Fatal(err)
	}
	if p.Status != domain.StatusRequiresAction || p.Action == nil || p.Action.ClientSecret == "" || p.Action.RedirectURL != "http://sim/"+p.ProviderRef {
		t.Fatalf("authorized = %+v", p)
	}
	// Capturing before the authentication is refused and moves nothing.
	if _, err := svc.Capture(admin, "b-3ds", "k-cap-early"); !errors.Is(err, domain.ErrWrongState) || e.ledgerEntries(t) != 0 {
		t.Fatalf("early capture: %v", err)
	}
	ev, err := sim.Authenticate(context.Background(), p.ProviderRef, true)
	if err != nil {
		t.Fatal(err)
	}
	r, err := svc.Reconcile(context.Background(), ev)
	if err != nil || !r.Changed || r.BookingID != "b-3ds" {
		t.Fatalf("reconcile = %+v, %v", r, err)
	}
	got, _ := svc.Payment(admin, "b-3ds")
	if got.Status != domain.StatusAuthorized || got.AuthExpiresAt.Before(time.Now().Add(6*24*time.Hour)) {
		t.Fatalf("after authentication: %+v", got)
	}
	// The same report again (a retried challenge, a redelivered webhook).
	ev2, err := sim.Authenticate(context.Background(), p.ProviderRef, true)
	if err != nil || ev2.ID != ev.ID {
		t.Fatalf("authenticating twice: %+v, %v", ev2, err)
	}
	if r, err := svc.Reconcile(context.Background(), ev2); err != nil || r.Changed || !r.Duplicate {
		t.Fatalf("replayed = %+v, %v", r, err)
	}
	if n := e.scalar(t, `SELECT count(*) FROM outbox WHERE subject = 'payment.reconciled'`); n != 1 {
		t.Fatalf("%d payment.reconciled events, want 1", n)
	}
	if _, err := svc.Capture(admin, "b-3ds", "k-cap"); err != nil {
		t.Fatal(err)
	}
	e.checkLedger(t)
}

func TestAFailedAuthenticationVoidsThePayment(t *testing.T) {
	e := newEnv(t)
	sim := &simcard.Processor{Pool: e.sim}
	svc := e.with(sim)
	o := cardOpen("b-3ds-fail", 5000)
	o.Card = simcard.CardAuthenticateAlways
	p, err := svc.Authorize(admin, o, "k-3ds-fail")
	if err != nil {
		t.Fatal(err)
	}
	ev, err := sim.Authenticate(context.Background(), p.ProviderRef, false)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Reconcile(context.Background(), ev); err != nil {
		t.Fatal(err)
	}
	if got, _ := svc.Payment(admin, "b-3ds-fail"); got.Status != domain.StatusVoided {
		t.Fatalf("after a failed authentication: %s", got.Status)
	}
	// Completing it afterwards is refused by the processor.
	if _, err := sim.Authenticate(context.Background(), p.ProviderRef, true); !errors.Is(err, simcard.ErrNotAwaitingAuthentication) {
		t.Fatalf("late completion: %v", err)
	}
}

func TestAHoldThatLapsedIsNotCaptured(t *testing.T) {
	e := newEnv(t)
	now := time.Now()
	sim := &simcard.Processor{Pool: e.sim, Validity: time.Hour, Now: func() time.Time { return now }}
	svc := e.with(sim)
	p, err := svc.Authorize(admin, cardOpen("b-lapse", 5000), "k-lapse")
	if err != nil {
		t.Fatal(err)
	}
	if d := p.AuthExpiresAt.Sub(now.Add(time.Hour)); d.Abs() > time.Millisecond {
		t.Fatalf("the hold lapses at %s, want an hour after %s", p.AuthExpiresAt, now)
	}
	now = now.Add(61 * time.Minute)
	if _, err := svc.Capture(admin, "b-lapse", "k-cap"); !errors.Is(err, simcard.ErrAuthorizationExpired) {
		t.Fatalf("capture of a lapsed hold: %v", err)
	}
	if got, _ := svc.Payment(admin, "b-lapse"); got.Status != domain.StatusAuthorized || got.Captured != 0 || e.ledgerEntries(t) != 0 {
		t.Fatalf("a refused capture must move nothing: %+v", got)
	}
}

func TestARefundMadeAtTheProcessorIsRecordedOnce(t *testing.T) {
	e := newEnv(t)
	p, err := e.svc.Authorize(admin, cardOpen("b-out", 5000), "k-out")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Capture(admin, "b-out", "k-out-cap"); err != nil {
		t.Fatal(err)
	}
	ev := domain.ProcessorEvent{ID: "evt_1", Kind: domain.ReconcileRefunded, Ref: p.ProviderRef, RefundedTotal: 2000}
	for i := range 2 {
		r, err := e.svc.Reconcile(context.Background(), ev)
		if err != nil || r.Changed != (i == 0) {
			t.Fatalf("delivery %d: %+v, %v", i, r, err)
		}
	}
	got, _ := e.svc.Payment(admin, "b-out")
	if got.Refunded != 2000 || got.Status != domain.StatusPartiallyRefunded || len(got.Refunds) != 1 {
		t.Fatalf("after the outside refund: %+v", got)
	}
	if n := e.scalar(t, `SELECT count(*) FROM outbox WHERE subject = 'payment.refunded'`); n != 1 {
		t.Fatalf("%d payment.refunded events, want 1 (the mentee is told once)", n)
	}
	if b := e.balance(t, domain.AccountEscrow, "b-out"); b != 3000 {
		t.Fatalf("escrow = %d, want 3000", b)
	}
	// Bookwell's own refund, reported back, is not counted again.
	if _, err := e.svc.Refund(admin, "b-out", 1000, "goodwill", "k-out-ref"); err != nil {
		t.Fatal(err)
	}
	r, err := e.svc.Reconcile(context.Background(), domain.ProcessorEvent{ID: "evt_2", Kind: domain.ReconcileRefunded, Ref: p.ProviderRef, RefundedTotal: 3000})
	if err != nil || r.Changed {
		t.Fatalf("own refund reported back: %+v, %v", r, err)
	}
	// An event about a payment that is not a booking's is noted and ignored.
	if r, err := e.svc.Reconcile(context.Background(), domain.ProcessorEvent{ID: "evt_3", Kind: domain.ReconcileDisputed, Ref: "pi_other"}); err != nil || r.BookingID != "" {
		t.Fatalf("foreign event: %+v, %v", r, err)
	}
	e.checkLedger(t)
}
