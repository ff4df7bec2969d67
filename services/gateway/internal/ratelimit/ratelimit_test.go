package ratelimit

import (
	"testing"
	"time"
)

type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

func TestABurstThenOneRequestPerInterval(t *testing.T) {
	c := &clock{t: time.Unix(1_000_000, 0)}
	l := New(2, 3, 100) // 2 a second, bursts of 3
	l.now = c.now
	for i := range 3 {
		if ok, _ := l.Allow("ada"); !ok {
			t.Fatalf("request %d of the burst refused", i+1)
		}
	}
	ok, retry := l.Allow("ada")
	if ok || retry <= 0 || retry > 500*time.Millisecond {
		t.Fatalf("4th request: ok=%v retry after %v; want refused, retry within 500ms", ok, retry)
	}
	if RetryAfterSeconds(retry) != 1 {
		t.Fatalf("Retry-After = %d, want 1", RetryAfterSeconds(retry))
	}
	// Another caller has their own bucket.
	if ok, _ := l.Allow("grace"); !ok {
		t.Fatal("grace was limited by ada's requests")
	}
	// A refused request takes no token: after half a second one more passes.
	c.t = c.t.Add(500 * time.Millisecond)
	if ok, _ := l.Allow("ada"); !ok {
		t.Fatal("refill did not let the next request through")
	}
	if ok, _ := l.Allow("ada"); ok {
		t.Fatal("a second request in the same half second passed")
	}
}

func TestIdleBucketsAreDroppedAndTheMapIsBounded(t *testing.T) {
	c := &clock{t: time.Unix(1_000_000, 0)}
	l := New(10, 10, 3)
	l.now = c.now
	for _, k := range []string{"a", "b", "c"} {
		l.Allow(k)
	}
	// The map is full: a newcomer shares the overflow bucket rather than
	// growing the map.
	l.Allow("d")
	l.Allow("e")
	if n := l.Len(); n != 4 {
		t.Fatalf("%d buckets, want 3 callers and the overflow", n)
	}
	// Once idle long enough to be full again, buckets are forgotten on the
	// next call.
	c.t = c.t.Add(l.idle)
	l.Allow("f")
	if n := l.Len(); n != 1 {
		t.Fatalf("%d buckets after everyone went idle, want 1", n)
	}
	// A forgotten caller starts with a full burst, as they would have had.
	for i := range 10 {
		if ok, _ := l.Allow("a"); !ok {
			t.Fatalf("request %d refused after a's bucket was dropped", i+1)
		}
	}
}
