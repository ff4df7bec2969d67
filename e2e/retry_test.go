package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/bookwell/bookwell/pkg/events"
	"github.com/bookwell/bookwell/pkg/identity"
)

// A client that retries after a crash gets the answer of its first attempt.

// retrying calls like a well-behaved client: the same Idempotency-Key on
// every attempt, retried on a refused connection, a 5xx or 409
// IDEMPOTENCY_KEY_IN_USE (after its Retry-After), until budget runs out.
// It returns the last answer and how many attempts were refused as "in use".
func (u user) retrying(path string, body any, key string, budget time.Duration) (response, int) {
	u.t.Helper()
	raw, _ := json.Marshal(body)
	deadline := time.Now().Add(budget)
	inUse := 0
	for {
		req, _ := http.NewRequest("POST", u.w.base+path, bytes.NewReader(raw))
		req.Header.Set("Authorization", "Bearer "+u.token)
		req.Header.Set("Idempotency-Key", key)
		res, err := (&http.Client{Timeout: 20 * time.Second}).Do(req)
		var r response
		wait := 200 * time.Millisecond
		if err == nil {
			r.status = res.StatusCode
			r.raw, _ = io.ReadAll(res.Body)
			res.Body.Close()
			_ = json.Unmarshal(r.raw, &r.body)
			if s, err := strconv.Atoi(res.Header.Get("Retry-After")); err == nil {
				wait = time.Duration(s) * time.Second
			}
			inUseNow := r.status == http.StatusConflict && errorReason(r.body) == "IDEMPOTENCY_KEY_IN_USE"
			if inUseNow {
				inUse++
			}
			if r.status < 500 && !inUseNow {
				return r, inUse
			}
		}
		if time.Now().Add(wait).After(deadline) {
			return r, inUse
		}
		time.Sleep(wait)
	}
}

// keyInFlight waits until the gateway holds an unfinished Idempotency-Key.
func (w *world) keyInFlight(t *testing.T, key string) {
	t.Helper()
	ctx := context.Background()
	c, err := pgx.Connect(ctx, w.services.Env()["DATABASE_URL"])
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(ctx)
	eventually(t, 30*time.Second, "the gateway holds key "+key, func() bool {
		var n int
		_ = c.QueryRow(ctx, `SELECT count(*) FROM gateway.idempotency_keys WHERE key = $1 AND status IS NULL`, key).Scan(&n)
		return n == 1
	})
}

// The gateway dies while it serves a request: the client's retry through
// the restarted gateway is served within seconds (the dead gateway's claim
// on the key dies with it) and gets the booking the first attempt made.
func TestARetryAfterAGatewayCrashGetsTheBooking(t *testing.T) {
	w := start(t)
	mentor, offering := w.mentorWithOffering(t, "mentor-gw-crash", paidOffering(60, 1))
	mentee := w.user(t, "mentee-gw-crash", identity.RoleMentee)
	body := map[string]any{"booking": map[string]any{"mentorId": mentor.id, "offeringId": offering,
		"startTime": time.Now().Add(96 * time.Hour).Truncate(time.Hour).UTC().Format(time.RFC3339), "paymentMethod": "PAYMENT_METHOD_CARD",
		"menteeName": "Ada", "menteeEmail": "ada@example.com", "menteeTimeZone": "UTC"},
		"cardToken": "4242424242424242", "requestId": "gw-crash-1"}

	// The worker is frozen, so the create waits in bookingd while the
	// gateway holds the key.
	if err := w.services.Freeze("booking-worker"); err != nil {
		t.Fatal(err)
	}
	first := make(chan response, 1)
	go func() {
		raw, _ := json.Marshal(body)
		req, _ := http.NewRequest("POST", w.base+"/v1/bookings", bytes.NewReader(raw))
		req.Header.Set("Authorization", "Bearer "+mentee.token)
		req.Header.Set("Idempotency-Key", "gw-crash-key")
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			first <- response{}
			return
		}
		res.Body.Close()
		first <- response{status: res.StatusCode}
	}()
	w.keyInFlight(t, "gw-crash-key")
	if err := w.services.Kill("gatewayd"); err != nil {
		t.Fatal(err)
	}
	if r := <-first; r.status != 0 {
		t.Fatalf("the first attempt was answered %d although its gateway died", r.status)
	}
	if err := w.services.Start(context.Background(), "gatewayd"); err != nil {
		t.Fatal(err)
	}
	if err := w.services.Thaw("booking-worker"); err != nil {
		t.Fatal(err)
	}

	// A client that gives up after 20 s (a dead gateway's claim used to keep
	// the key "in use" for 90 s).
	r, inUse := mentee.retrying("/v1/bookings", body, "gw-crash-key", 20*time.Second)
	if r.status != http.StatusOK {
		t.Fatalf("retry after the gateway restarted: %d %s (%d times IDEMPOTENCY_KEY_IN_USE)", r.status, r.raw, inUse)
	}
	id := str(r.body, "booking.id")
	if str(r.body, "booking.status") != "BOOKING_STATUS_PENDING" || id == "" {
		t.Fatalf("retry answered %s", r.raw)
	}
	// One booking, authorized once.
	list := mentee.ok("GET", "/v1/bookings", nil)
	if bs, _ := list["bookings"].([]any); len(bs) != 1 {
		t.Fatalf("the mentee has %d bookings", len(bs))
	}
	if evs := w.eventsOf(t, id, 1); len(evs) != 1 {
		t.Fatalf("booking events = %v; want one booking.requested", evs)
	}
}

// bookingd dies while it waits for the workflow to carry out an approval
// that then takes effect: the mentor's retry (same Idempotency-Key) is
// answered 200 with the approved booking, not 409 WRONG_STATE for its own
// success, and the approval happened once.
func TestARetriedApprovalThatTookEffectAnswersTheBooking(t *testing.T) {
	w := start(t)
	mentor, offering := w.mentorWithOffering(t, "mentor-bk-crash", paidOffering(60, 1))
	mentee := w.user(t, "mentee-bk-crash", identity.RoleMentee)
	id := str(mentee.book(mentor.id, offering, time.Now().Add(96*time.Hour).Truncate(time.Hour), nil), "booking.id")

	// The worker is frozen, so the approval waits in bookingd (its update
	// is with Temporal) when bookingd is killed.
	if err := w.services.Freeze("booking-worker"); err != nil {
		t.Fatal(err)
	}
	first := make(chan response, 1)
	go func() {
		r, _ := mentor.retrying("/v1/bookings/"+id+":approve", map[string]any{}, "approve-once", 0)
		first <- r
	}()
	w.keyInFlight(t, "approve-once")
	time.Sleep(time.Second) // let bookingd's update reach Temporal
	if err := w.services.Kill("bookingd"); err != nil {
		t.Fatal(err)
	}
	r1 := <-first
	if r1.status < 500 {
		t.Fatalf("the first attempt was answered %d %s although bookingd died", r1.status, r1.raw)
	}
	t.Logf("first attempt: %d %s", r1.status, r1.raw)
	if err := w.services.Start(context.Background(), "bookingd"); err != nil {
		t.Fatal(err)
	}
	if err := w.services.Thaw("booking-worker"); err != nil {
		t.Fatal(err)
	}
	// The first attempt takes effect once the worker runs again.
	eventually(t, 60*time.Second, "the first approval took effect", func() bool {
		// A read right after the restart may be answered 503: ask again.
		r := mentor.call("GET", "/v1/bookings/"+id, nil)
		return r.status == http.StatusOK && str(r.body, "booking.status") == "BOOKING_STATUS_CONFIRMED"
	})

	r, _ := mentor.retrying("/v1/bookings/"+id+":approve", map[string]any{}, "approve-once", 60*time.Second)
	t.Logf("retry: %d %s", r.status, r.raw)
	if r.status != http.StatusOK || str(r.body, "booking.status") != "BOOKING_STATUS_CONFIRMED" {
		t.Fatalf("retry of an approval that took effect: %d %s; want 200 and the confirmed booking", r.status, r.raw)
	}
	// A new approval (another key) is still refused: the retry was
	// recognised, not the state check skipped.
	mentor.refused("POST", "/v1/bookings/"+id+":approve", map[string]any{}, http.StatusConflict, "WRONG_STATE")
	if evs := w.eventsOf(t, id, 2); len(evs) != 2 || evs[1] != "booking.approved" {
		t.Fatalf("booking events = %v; want requested then approved, once each", evs)
	}
	if n := w.count(t, events.PaymentsStream.Name, "payment.captured", id); n != 1 {
		t.Fatalf("payment.captured published %d times", n)
	}
}
