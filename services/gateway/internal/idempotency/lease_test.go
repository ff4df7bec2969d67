package idempotency

import (
	"context"
	"log/slog"
	"net/http"
	"testing"
	"time"

	"github.com/bookwell/bookwell/pkg/pgdb"
	"github.com/bookwell/bookwell/pkg/pgtest"
)

// gateways are n gateway processes' key stores on one database, each with
// its own connections, and the given lease.
func gateways(t *testing.T, n int, lease time.Duration) []*Store {
	t.Helper()
	url := pgtest.New(t)
	var out []*Store
	for range n {
		pool, err := pgdb.Open(context.Background(), url, Schema, Migrations())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(pool.Close)
		out = append(out, &Store{Pool: pool, TTL: time.Hour, Lease: lease})
	}
	return out
}

func begin(t *testing.T, s *Store, key string) (Outcome, *Response, Claim) {
	t.Helper()
	o, r, c, err := s.Begin(context.Background(), "ada", key, []byte("hash"))
	if err != nil {
		t.Fatal(err)
	}
	return o, r, c
}

// A gateway that dies mid-request stops renewing its claim: another
// gateway's retry takes the key over once the lease has run out, and the
// dead one's late answer (had it been only frozen) cannot overwrite the new
// holder's.
func TestAClaimDiesWithItsGateway(t *testing.T) {
	g := gateways(t, 2, 300*time.Millisecond)
	dead, alive := g[0], g[1]
	ctx := context.Background()

	if o, _, _ := begin(t, dead, "k"); o != Proceed {
		t.Fatalf("first claim: %v", o)
	}
	deadClaim := Claim{}
	if err := dead.Pool.QueryRow(ctx, `SELECT claim::text FROM idempotency_keys WHERE key = 'k'`).Scan(&deadClaim.token); err != nil {
		t.Fatal(err)
	}
	deadClaim.Subject, deadClaim.Key = "ada", "k"
	if o, _, _ := begin(t, alive, "k"); o != InFlight {
		t.Fatalf("retry while the claim is fresh: %v, want InFlight", o)
	}

	var took Claim
	deadline := time.Now().Add(10 * time.Second)
	for {
		o, _, c := begin(t, alive, "k")
		if o == Proceed {
			took = c
			break
		}
		if o != InFlight || time.Now().After(deadline) {
			t.Fatalf("retry after the holder died: %v, never Proceed", o)
		}
		time.Sleep(50 * time.Millisecond)
	}

	// The old holder wakes up: it no longer holds the key.
	if held, err := dead.Renew(ctx, deadClaim); err != nil || held {
		t.Fatalf("renew a lapsed claim = %v, %v; want false", held, err)
	}
	if err := dead.Complete(ctx, deadClaim, Response{Status: 500, Body: []byte("stale")}); err != nil {
		t.Fatal(err)
	}
	if err := dead.Release(ctx, deadClaim); err != nil {
		t.Fatal(err)
	}
	if err := alive.Complete(ctx, took, Response{Status: http.StatusOK, Header: http.Header{}, Body: []byte("fresh")}); err != nil {
		t.Fatal(err)
	}
	if o, r, _ := begin(t, dead, "k"); o != Replay || string(r.Body) != "fresh" {
		t.Fatalf("after the takeover: %v %+v, want the new holder's answer replayed", o, r)
	}
}

// A live request keeps its key however long it runs: a duplicate is told
// the key is in use for many leases, then gets the answer.
func TestALiveClaimOutlastsItsLease(t *testing.T) {
	lease := 1500 * time.Millisecond
	g := gateways(t, 2, lease)
	holder, other := g[0], g[1]
	ctx := context.Background()

	o, _, c := begin(t, holder, "k")
	if o != Proceed {
		t.Fatalf("first claim: %v", o)
	}
	stop := holder.KeepAlive(ctx, c, slog.New(slog.DiscardHandler))
	until := time.Now().Add(4 * lease)
	for time.Now().Before(until) {
		if o, _, _ := begin(t, other, "k"); o != InFlight {
			stop()
			t.Fatalf("duplicate of a live request: %v, want InFlight", o)
		}
		time.Sleep(lease / 4)
	}
	stop()
	if err := holder.Complete(ctx, c, Response{Status: http.StatusOK, Header: http.Header{}, Body: []byte("done")}); err != nil {
		t.Fatal(err)
	}
	if o, r, _ := begin(t, other, "k"); o != Replay || string(r.Body) != "done" {
		t.Fatalf("after it finished: %v %+v", o, r)
	}
	// A released key runs again; releasing someone else's claim does nothing.
	o, _, c2 := begin(t, holder, "k2")
	if o != Proceed {
		t.Fatal(o)
	}
	if err := holder.Release(ctx, Claim{Subject: "ada", Key: "k2", token: "00000000-0000-0000-0000-000000000000"}); err != nil {
		t.Fatal(err)
	}
	if o, _, _ := begin(t, other, "k2"); o != InFlight {
		t.Fatalf("after a stranger's release: %v, want InFlight", o)
	}
	if err := holder.Release(ctx, c2); err != nil {
		t.Fatal(err)
	}
	if o, _, _ := begin(t, other, "k2"); o != Proceed {
		t.Fatalf("after the holder's release: %v, want Proceed", o)
	}
}
