package gateway

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"

	bookingv1 "github.com/bookwell/bookwell/gen/go/bookwell/booking/v1"
	"github.com/bookwell/bookwell/pkg/identity"
)

// creating answers CreateBooking with a new booking id each call.
func creating(n *atomic.Int64) func(context.Context, string, proto.Message) (proto.Message, error) {
	return func(_ context.Context, method string, _ proto.Message) (proto.Message, error) {
		if method != "/bookwell.booking.v1.BookingService/CreateBooking" {
			return emptyResponse(method)
		}
		return &bookingv1.CreateBookingResponse{Booking: &bookingv1.Booking{Id: fmt.Sprintf("b-%d", n.Add(1))}}, nil
	}
}

func TestIdempotencyKeyReplaysTheFirstResponse(t *testing.T) {
	h, b, _ := newGateway(t, nil)
	var n atomic.Int64
	b.setRespond(creating(&n))
	ada := token(t, "ada", identity.RoleMentee)
	body := `{"booking":{"mentorId":"grace"}}`

	first := do(h, "POST", "/v1/bookings", ada, body, "Idempotency-Key", "k-1")
	second := do(h, "POST", "/v1/bookings", ada, body, "Idempotency-Key", "k-1")
	if first.status != http.StatusOK || second.status != http.StatusOK || string(first.body) != string(second.body) ||
		!strings.Contains(string(first.body), `"b-1"`) {
		t.Fatalf("first %d %s, second %d %s", first.status, first.body, second.status, second.body)
	}
	if second.header.Get("Content-Type") != first.header.Get("Content-Type") || second.header.Get("Idempotent-Replayed") != "true" ||
		first.header.Get("Idempotent-Replayed") != "" {
		t.Fatalf("headers: first %v, second %v", first.header, second.header)
	}
	if n.Load() != 1 {
		t.Fatalf("the service was called %d times", n.Load())
	}

	// The same key with another body, or on another route, is refused.
	wantError(t, do(h, "POST", "/v1/bookings", ada, `{"booking":{"mentorId":"linus"}}`, "Idempotency-Key", "k-1"),
		http.StatusUnprocessableEntity, "IDEMPOTENCY_KEY_REUSED")
	wantError(t, do(h, "POST", "/v1/bookings/b-1:cancel", ada, body, "Idempotency-Key", "k-1"),
		http.StatusUnprocessableEntity, "IDEMPOTENCY_KEY_REUSED")
	// Keys are per caller: grace's k-1 is hers.
	if a := do(h, "POST", "/v1/bookings", token(t, "grace", identity.RoleMentee), body, "Idempotency-Key", "k-1"); !strings.Contains(string(a.body), `"b-2"`) {
		t.Fatalf("another caller's key: %d %s", a.status, a.body)
	}
	// Without a key, nothing is remembered.
	do(h, "POST", "/v1/bookings", ada, body)
	do(h, "POST", "/v1/bookings", ada, body)
	if n.Load() != 4 {
		t.Fatalf("the service was called %d times, want 4", n.Load())
	}
	// Bad keys.
	wantError(t, do(h, "POST", "/v1/bookings", ada, body, "Idempotency-Key", strings.Repeat("k", 256)), http.StatusBadRequest, "IDEMPOTENCY_KEY_INVALID")
	wantError(t, do(h, "POST", "/v1/bookings", ada, body, "Idempotency-Key", " "), http.StatusBadRequest, "IDEMPOTENCY_KEY_INVALID")
	wantError(t, do(h, "POST", "/v1/bookings", ada, body, "Idempotency-Key", "caf\xe9"), http.StatusBadRequest, "IDEMPOTENCY_KEY_INVALID")
	if a := do(h, "POST", "/v1/bookings", ada, body, "Idempotency-Key", strings.Repeat("k", 255)); a.status != http.StatusOK {
		t.Fatalf("a 255-character key: %d %s", a.status, a.body)
	}
}

func TestIdempotencyKeyKeepsClientErrorsButRetriesServerErrors(t *testing.T) {
	h, b, _ := newGateway(t, nil)
	ada := token(t, "ada", identity.RoleMentee)
	body := `{"booking":{}}`
	var calls atomic.Int64
	b.setRespond(func(context.Context, string, proto.Message) (proto.Message, error) {
		calls.Add(1)
		return nil, status.Error(codes.Unavailable, "down")
	})
	wantError(t, do(h, "POST", "/v1/bookings", ada, body, "Idempotency-Key", "k"), http.StatusServiceUnavailable, "UNAVAILABLE")
	var n atomic.Int64
	b.setRespond(creating(&n))
	if a := do(h, "POST", "/v1/bookings", ada, body, "Idempotency-Key", "k"); a.status != http.StatusOK || n.Load() != 1 {
		t.Fatalf("retry after a 503: %d %s, %d calls", a.status, a.body, n.Load())
	}
	// The service sees the key too, so that it can tell the retry of a
	// command that took effect before the 503 from a new one.
	if cs := b.Calls(); cs[len(cs)-1].idempotencyKey != "k" {
		t.Fatalf("the service got idempotency-key %q, want k", cs[len(cs)-1].idempotencyKey)
	}

	// A 4xx is the answer: the retry gets it again, without a call.
	b.setRespond(func(context.Context, string, proto.Message) (proto.Message, error) {
		calls.Add(1)
		return nil, status.Error(codes.FailedPrecondition, "no")
	})
	before := calls.Load()
	first := do(h, "POST", "/v1/bookings/b-1:approve", ada, `{}`, "Idempotency-Key", "k2")
	second := do(h, "POST", "/v1/bookings/b-1:approve", ada, `{}`, "Idempotency-Key", "k2")
	if first.status != http.StatusBadRequest || second.status != first.status || string(second.body) != string(first.body) || calls.Load() != before+1 {
		t.Fatalf("4xx replay: %d %s / %d %s, %d calls", first.status, first.body, second.status, second.body, calls.Load()-before)
	}
}

func TestAConcurrentDuplicateIsToldTheKeyIsInUse(t *testing.T) {
	h, b, _ := newGateway(t, nil)
	ada := token(t, "ada", identity.RoleMentee)
	entered, release := make(chan struct{}), make(chan struct{})
	var n atomic.Int64
	b.setRespond(func(ctx context.Context, m string, req proto.Message) (proto.Message, error) {
		close(entered)
		<-release
		return creating(&n)(ctx, m, req)
	})
	var wg sync.WaitGroup
	var first answer
	wg.Go(func() { first = do(h, "POST", "/v1/bookings", ada, `{}`, "Idempotency-Key", "k") })
	<-entered
	a := do(h, "POST", "/v1/bookings", ada, `{}`, "Idempotency-Key", "k")
	wantError(t, a, http.StatusConflict, "IDEMPOTENCY_KEY_IN_USE")
	if a.header.Get("Retry-After") == "" {
		t.Fatal("409 IDEMPOTENCY_KEY_IN_USE without Retry-After")
	}
	close(release)
	wg.Wait()
	again := do(h, "POST", "/v1/bookings", ada, `{}`, "Idempotency-Key", "k")
	if first.status != http.StatusOK || string(again.body) != string(first.body) || n.Load() != 1 {
		t.Fatalf("first %d %s, after %d %s, %d calls", first.status, first.body, again.status, again.body, n.Load())
	}
}

func TestExpiredAndAbandonedKeysAreReusable(t *testing.T) {
	h, b, store := newGateway(t, nil)
	ada := token(t, "ada", identity.RoleMentee)
	var n atomic.Int64
	b.setRespond(creating(&n))
	ctx := context.Background()

	do(h, "POST", "/v1/bookings", ada, `{}`, "Idempotency-Key", "old")
	if _, err := store.Pool.Exec(ctx, `UPDATE idempotency_keys SET expires_at = now() - interval '1 second' WHERE key = 'old'`); err != nil {
		t.Fatal(err)
	}
	// An expired key is forgotten: the same key, even with another body,
	// runs as new.
	if a := do(h, "POST", "/v1/bookings", ada, `{"booking":{}}`, "Idempotency-Key", "old"); a.status != http.StatusOK || n.Load() != 2 {
		t.Fatalf("expired key: %d %s, %d calls", a.status, a.body, n.Load())
	}

	// A gateway that died mid-request left its key in flight; once its lease
	// is over, the retry runs.
	do(h, "POST", "/v1/bookings", ada, `{}`, "Idempotency-Key", "abandoned")
	if _, err := store.Pool.Exec(ctx, `UPDATE idempotency_keys SET status = NULL, locked_until = now() - interval '1 second' WHERE key = 'abandoned'`); err != nil {
		t.Fatal(err)
	}
	if a := do(h, "POST", "/v1/bookings", ada, `{}`, "Idempotency-Key", "abandoned"); a.status != http.StatusOK || n.Load() != 4 {
		t.Fatalf("abandoned key: %d %s, %d calls", a.status, a.body, n.Load())
	}

	// The cleanup deletes expired keys, and only those.
	if _, err := store.Pool.Exec(ctx, `UPDATE idempotency_keys SET expires_at = now() - interval '1 second' WHERE key = 'old'`); err != nil {
		t.Fatal(err)
	}
	if deleted, err := store.DeleteExpired(ctx); err != nil || deleted != 1 {
		t.Fatalf("DeleteExpired = %d, %v", deleted, err)
	}
	var left int
	if err := store.Pool.QueryRow(ctx, `SELECT count(*) FROM idempotency_keys`).Scan(&left); err != nil || left != 1 {
		t.Fatalf("%d keys left, %v", left, err)
	}
}
