package app_test

import (
	"fmt"
	"testing"
)

// BenchmarkCardPayment measures one booking's card payment end to end on the
// real database with the simulated processor: authorize, capture, release.
func BenchmarkCardPayment(b *testing.B) {
	e := newEnv(b)
	ctx := admin
	i := 0
	for b.Loop() {
		i++
		id := fmt.Sprintf("bench-%d", i)
		if _, err := e.svc.Authorize(ctx, cardOpen(id, 10000), id+"-a"); err != nil {
			b.Fatal(err)
		}
		if _, err := e.svc.Capture(ctx, id, id+"-c"); err != nil {
			b.Fatal(err)
		}
		if _, err := e.svc.ReleasePayout(ctx, id, id+"-r"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkIdempotentReplay measures a retry answered from the idempotency key.
func BenchmarkIdempotentReplay(b *testing.B) {
	e := newEnv(b)
	ctx := admin
	if _, err := e.svc.Authorize(ctx, cardOpen("b1", 10000), "a"); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := e.svc.Authorize(ctx, cardOpen("b1", 10000), "a"); err != nil {
			b.Fatal(err)
		}
	}
}
