package stripecard_test

import (
	"context"
	"errors"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/bookwell/bookwell/services/payments/internal/domain"
	"github.com/bookwell/bookwell/services/payments/internal/stripecard"
)

// stripeMock starts Stripe's stripe-mock (installed into bin/ by `make
// tools`) on a free port and returns its URL.
func stripeMock(t *testing.T) string {
	t.Helper()
	bin, err := exec.LookPath("stripe-mock")
	if err != nil {
		dir, _ := os.Getwd()
		for ; dir != filepath.Dir(dir); dir = filepath.Dir(dir) {
			if c := filepath.Join(dir, "bin", "stripe-mock"); fileExists(c) {
				bin = c
				break
			}
		}
	}
	if bin == "" {
		t.Skip("stripe-mock is not installed: run `make tools` (it goes into bin/)")
	}
	addr := freeAddr(t)
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, bin, "-http-addr", addr)
	if err := cmd.Start(); err != nil {
		cancel()
		t.Fatalf("start stripe-mock: %v", err)
	}
	t.Cleanup(func() { cancel(); _ = cmd.Wait() })
	deadline := time.Now().Add(30 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			c.Close()
			return "http://" + addr
		}
		if time.Now().After(deadline) {
			t.Fatalf("stripe-mock did not start on %s: %v", addr, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func fileExists(p string) bool { _, err := os.Stat(p); return err == nil }

func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

func TestStripeAgainstStripeMock(t *testing.T) {
	p := stripecard.New("sk_test_123", stripeMock(t))
	ctx := context.Background()
	auth, err := p.Authorize(ctx, domain.CardCharge{Amount: 5000, Currency: "USD", Card: "4242424242424242", Key: "k-auth"})
	if err != nil {
		t.Fatalf("authorize: %v", err)
	}
	if auth.Ref == "" || auth.Last4 != "4242" {
		t.Fatalf("authorization %+v", auth)
	}
	if err := p.Capture(ctx, auth.Ref, 5000, "k-cap"); err != nil {
		t.Fatalf("capture: %v", err)
	}
	if err := p.Refund(ctx, auth.Ref, 1000, "k-ref"); err != nil {
		t.Fatalf("refund: %v", err)
	}
	if err := p.Void(ctx, auth.Ref, "k-void"); err != nil {
		t.Fatalf("void: %v", err)
	}
	if _, err := p.Authorize(ctx, domain.CardCharge{Amount: 5000, Currency: "USD", Card: "not a card", Key: "k2"}); !errors.Is(err, domain.ErrInvalidCard) {
		t.Fatalf("raw garbage card: %v", err)
	}
}

func TestStripeOutageIsUnavailable(t *testing.T) {
	p := stripecard.New("sk_test_123", "http://"+freeAddr(t)) // nothing listens there
	ctx := context.Background()
	_, err := p.Authorize(ctx, domain.CardCharge{Amount: 5000, Currency: "USD", Card: "pm_card_visa", Key: "k"})
	if !errors.Is(err, domain.ErrProviderUnavailable) {
		t.Fatalf("authorize with Stripe down: %v, want ErrProviderUnavailable", err)
	}
	if err := p.Capture(ctx, "pi_1", 5000, "k2"); !errors.Is(err, domain.ErrProviderUnavailable) {
		t.Fatalf("capture with Stripe down: %v", err)
	}
	if err := p.Refund(ctx, "pi_1", 5000, "k3"); !errors.Is(err, domain.ErrProviderUnavailable) {
		t.Fatalf("refund with Stripe down: %v", err)
	}
}
