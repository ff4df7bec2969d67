package app_test

import (
	"errors"
	"net"
	"testing"

	"github.com/bookwell/bookwell/services/payments/internal/domain"
	"github.com/bookwell/bookwell/services/payments/internal/stripecard"
)

// deadStripe is the Stripe adapter pointed at an address where nothing
// listens: a provider outage.
func deadStripe(t *testing.T) domain.CardProvider {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return stripecard.New("sk_test_123", "http://"+addr)
}

// TestProviderOutageMovesNoMoney: while the provider is down every card
// operation fails with Unavailable and nothing changes; once it is back, a
// retry under the same key goes through.
func TestProviderOutageMovesNoMoney(t *testing.T) {
	e := newEnv(t)
	ctx := admin
	down := e.with(deadStripe(t))
	if _, err := down.Authorize(ctx, cardOpen("b1", 5000), "a1"); !errors.Is(err, domain.ErrProviderUnavailable) {
		t.Fatalf("authorize during outage: %v", err)
	}
	if _, err := e.svc.Payment(ctx, "b1"); !errors.Is(err, domain.ErrNotFound) {
		t.Fatalf("outage left a payment behind: %v", err)
	}
	if _, err := e.svc.Authorize(ctx, cardOpen("b1", 5000), "a1"); err != nil {
		t.Fatalf("retry once the provider is back: %v", err)
	}
	if _, err := down.Capture(ctx, "b1", "c1"); !errors.Is(err, domain.ErrProviderUnavailable) {
		t.Fatalf("capture during outage: %v", err)
	}
	if p, _ := e.svc.Payment(ctx, "b1"); p.Status != domain.StatusAuthorized || e.ledgerEntries(t) != 0 {
		t.Fatalf("failed capture changed things: %+v", p)
	}
	if _, err := e.svc.Capture(ctx, "b1", "c1"); err != nil {
		t.Fatal(err)
	}
	lines := e.ledgerEntries(t)
	if _, err := down.Refund(ctx, "b1", 1000, "", "r1"); !errors.Is(err, domain.ErrProviderUnavailable) {
		t.Fatalf("refund during outage: %v", err)
	}
	if p, _ := e.svc.Payment(ctx, "b1"); p.Refunded != 0 || e.ledgerEntries(t) != lines {
		t.Fatalf("failed refund changed things: %+v", p)
	}
	if _, err := down.Void(ctx, "b1", "v1"); !errors.Is(err, domain.ErrWrongState) {
		t.Fatalf("void of a captured payment: %v", err)
	}
}
