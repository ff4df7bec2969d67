package idempotency_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/bookwell/bookwell/pkg/pgdb"
	"github.com/bookwell/bookwell/pkg/pgtest"
	"github.com/bookwell/bookwell/services/gateway/internal/idempotency"
)

// The contract of the key store, checked against real Postgres: what the
// Idempotency-Key middleware relies on.

func newStore(t *testing.T, ttl, lease time.Duration) *idempotency.Store {
	t.Helper()
	pool, err := pgdb.Open(context.Background(), pgtest.New(t), idempotency.Schema, idempotency.Migrations())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	return &idempotency.Store{Pool: pool, TTL: ttl, Lease: lease}
}

func begin(t *testing.T, s *idempotency.Store, subject, key, hash string) (idempotency.Outcome, *idempotency.Response) {
	t.Helper()
	o, r, _ := claim(t, s, subject, key, hash)
	return o, r
}

func claim(t *testing.T, s *idempotency.Store, subject, key, hash string) (idempotency.Outcome, *idempotency.Response, idempotency.Claim) {
	t.Helper()
	o, r, c, err := s.Begin(context.Background(), subject, key, []byte(hash))
	if err != nil {
		t.Fatal(err)
	}
	return o, r, c
}

func TestAKeyIsHeldThenReplayedAndIsEachCallersOwn(t *testing.T) {
	s := newStore(t, time.Hour, time.Hour)
	ctx := context.Background()
	o, _, held := claim(t, s, "ann", "k1", "req")
	if o != idempotency.Proceed {
		t.Fatalf("a new key: %v, want Proceed", o)
	}
	if o, _ := begin(t, s, "ann", "k1", "req"); o != idempotency.InFlight {
		t.Fatalf("the same request while it runs: %v, want InFlight", o)
	}
	if o, _ := begin(t, s, "ann", "k1", "other"); o != idempotency.Mismatch {
		t.Fatalf("another request under the key: %v, want Mismatch", o)
	}
	if o, _ := begin(t, s, "bob", "k1", "other"); o != idempotency.Proceed {
		t.Fatalf("bob's key of the same name: %v, want Proceed", o)
	}
	want := idempotency.Response{Status: 201, Header: http.Header{"Content-Type": {"application/json"}}, Body: []byte(`{"id":"b1"}`)}
	if err := s.Complete(ctx, held, want); err != nil {
		t.Fatal(err)
	}
	o, r := begin(t, s, "ann", "k1", "req")
	if o != idempotency.Replay || r == nil || r.Status != 201 || string(r.Body) != `{"id":"b1"}` || r.Header.Get("Content-Type") != "application/json" {
		t.Fatalf("after completion: %v %+v, want the response replayed", o, r)
	}
}

func TestAReleasedOrAbandonedKeyCanBeTakenAgain(t *testing.T) {
	s := newStore(t, time.Hour, time.Hour)
	ctx := context.Background()
	_, _, held := claim(t, s, "ann", "k1", "req")
	if err := s.Release(ctx, held); err != nil {
		t.Fatal(err)
	}
	if o, _ := begin(t, s, "ann", "k1", "req"); o != idempotency.Proceed {
		t.Fatalf("after release: %v, want Proceed", o)
	}

	// A gateway that died mid-request leaves the key; once its lease is
	// over, the same request takes it over, another is still refused.
	abandoned := newStore(t, time.Hour, time.Microsecond)
	begin(t, abandoned, "ann", "k2", "req")
	if o, _ := begin(t, abandoned, "ann", "k2", "other"); o != idempotency.Mismatch {
		t.Fatalf("another request under an abandoned key: %v, want Mismatch", o)
	}
	if o, _ := begin(t, abandoned, "ann", "k2", "req"); o != idempotency.Proceed {
		t.Fatalf("the same request after the lease: %v, want Proceed", o)
	}
}

func TestAnExpiredKeyIsForgotten(t *testing.T) {
	s := newStore(t, 0, time.Hour)
	ctx := context.Background()
	_, _, held := claim(t, s, "ann", "k1", "req")
	if err := s.Complete(ctx, held, idempotency.Response{Status: 200}); err != nil {
		t.Fatal(err)
	}
	if o, _ := begin(t, s, "ann", "k1", "other"); o != idempotency.Proceed {
		t.Fatalf("an expired key: %v, want Proceed for any request", o)
	}
	if n, err := s.DeleteExpired(ctx); err != nil || n != 1 {
		t.Fatalf("deleted %d, %v; want the expired key", n, err)
	}
}
