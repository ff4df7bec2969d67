package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.temporal.io/api/workflowservice/v1"

	"github.com/bookwell/bookwell/pkg/identity"
)

// callWith is u.call with extra request headers; it returns the answer and
// its headers.
func (u user) callWith(method, path string, body any, headers map[string]string) (response, http.Header) {
	u.t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			u.t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, u.w.base+path, rd)
	if err != nil {
		u.t.Fatal(err)
	}
	if u.token != "" {
		req.Header.Set("Authorization", "Bearer "+u.token)
	}
	req.Header.Set("Content-Type", "application/json")
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		u.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	r := response{status: resp.StatusCode, raw: raw}
	_ = json.Unmarshal(raw, &r.body)
	return r, resp.Header
}

// TestEdge checks what the gateway itself does, through the whole stack.
func TestEdge(t *testing.T) {
	w := start(t)

	t.Run("Idempotency-Key: a retried booking request is one booking", func(t *testing.T) {
		t.Parallel()
		mentor, offering := w.mentorWithOffering(t, "mentor-idem", paidOffering(60, 1))
		mentee := w.user(t, "mentee-idem", identity.RoleMentee)
		booking := map[string]any{"mentorId": mentor.id, "offeringId": offering,
			"startTime":     time.Now().Add(72 * time.Hour).Truncate(time.Minute).UTC().Format(time.RFC3339),
			"paymentMethod": "PAYMENT_METHOD_CARD", "menteeName": "Ada Lovelace", "menteeEmail": "ada@example.com",
			"menteeTimeZone": "Europe/London"}
		body := map[string]any{"booking": booking, "cardToken": "4242424242424242", "requestId": fmt.Sprint(time.Now().UnixNano())}
		key := map[string]string{"Idempotency-Key": "book-" + fmt.Sprint(time.Now().UnixNano())}

		first, h1 := mentee.callWith("POST", "/v1/bookings", body, key)
		second, h2 := mentee.callWith("POST", "/v1/bookings", body, key)
		id := str(first.body, "booking.id")
		if first.status != http.StatusOK || id == "" {
			t.Fatalf("first: %d %s", first.status, first.raw)
		}
		if second.status != http.StatusOK || !bytes.Equal(second.raw, first.raw) || h2.Get("Idempotent-Replayed") != "true" || h1.Get("Idempotent-Replayed") != "" {
			t.Fatalf("retry: %d %s (replayed %q); first %s", second.status, second.raw, h2.Get("Idempotent-Replayed"), first.raw)
		}
		// The same key for another request is refused and changes nothing.
		other := map[string]any{"booking": booking, "cardToken": "4242424242424242", "requestId": "another"}
		if r, _ := mentee.callWith("POST", "/v1/bookings", other, key); r.status != http.StatusUnprocessableEntity ||
			!strings.Contains(string(r.raw), `"reason":"IDEMPOTENCY_KEY_REUSED"`) {
			t.Fatalf("same key, other body: %d %s", r.status, r.raw)
		}
		list := mentee.ok("GET", "/v1/bookings", nil)
		if got := get(list, "bookings"); got == nil || len(got.([]any)) != 1 {
			t.Fatalf("mentee's bookings: %v", got)
		}
		q := "MenteeId = 'mentee-idem'"
		eventually(t, 10*time.Second, "one workflow for "+q, func() bool {
			r, err := w.temporal.ListWorkflow(context.Background(), &workflowservice.ListWorkflowExecutionsRequest{Query: q})
			return err == nil && len(r.GetExecutions()) == 1
		})
		time.Sleep(time.Second) // visibility is eventually consistent: a second workflow would show by now
		r, err := w.temporal.ListWorkflow(context.Background(), &workflowservice.ListWorkflowExecutionsRequest{Query: q})
		if err != nil || len(r.GetExecutions()) != 1 {
			t.Fatalf("workflows for %s: %v, %v", q, r.GetExecutions(), err)
		}
	})

	t.Run("a caller over the rate limit gets 429 with Retry-After", func(t *testing.T) {
		t.Parallel()
		u := w.user(t, "mentee-burst", identity.RoleMentee)
		var limited response
		var retryAfter string
		// The default bucket holds 40; no route is needed to count.
		for i := 0; i < 200 && limited.status == 0; i++ {
			r, h := u.callWith("GET", "/v1/nowhere", nil, nil)
			if r.status == http.StatusTooManyRequests {
				limited, retryAfter = r, h.Get("Retry-After")
			} else if r.status != http.StatusNotFound {
				t.Fatalf("request %d: %d %s", i, r.status, r.raw)
			}
		}
		if limited.status == 0 || !strings.Contains(string(limited.raw), `"reason":"RATE_LIMITED"`) {
			t.Fatalf("never limited: %d %s", limited.status, limited.raw)
		}
		if s, err := strconv.Atoi(retryAfter); err != nil || s < 1 {
			t.Fatalf("Retry-After = %q", retryAfter)
		}
		// Others are not slowed down by this caller.
		w.user(t, "mentee-calm", identity.RoleMentee).refused("GET", "/v1/nowhere", nil, http.StatusNotFound, "ROUTE_NOT_FOUND")
	})

	t.Run("no token: 401 from the gateway", func(t *testing.T) {
		t.Parallel()
		anon := user{t: t, w: w, id: "anonymous"}
		anon.refused("GET", "/v1/bookings", nil, http.StatusUnauthorized, "UNAUTHENTICATED")
		anon.refused("POST", "/v1/bookings", map[string]any{}, http.StatusUnauthorized, "UNAUTHENTICATED")
		if r := anon.call("GET", "/docs/", nil); r.status != http.StatusOK {
			t.Fatalf("GET /docs/: %d", r.status)
		}
	})
}
