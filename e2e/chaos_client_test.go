package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/bookwell/bookwell/pkg/identity"
)

// A well-behaved client: every call carries an Idempotency-Key (and a
// create its request id), and is retried with the same ones on a refused
// connection, a timeout, a 5xx, a 429 or 409 IDEMPOTENCY_KEY_IN_USE, with
// backoff, until it gets another answer or its budget runs out.

// attempt is one try of a call that did not give the answer.
type attempt struct {
	at   time.Time
	what string // "refused", "timeout", "503 UNAVAILABLE", ...
}

// call is one logical call as the client saw it.
type call struct {
	op       string // create, approve, reject, cancel
	journey  int
	start    time.Time
	end      time.Time
	status   int    // the final answer; 0 if the budget ran out
	reason   string // its ErrorInfo reason
	body     map[string]any
	failures []attempt
}

func (c call) ok() bool { return c.status == http.StatusOK }

type chaosClient struct {
	bases  []string // the gateways: each attempt picks one, as a load balancer would
	http   *http.Client
	budget time.Duration
	rnd    *rand.Rand
}

func (c *chaosClient) do(ctx context.Context, op string, journey int, token, method, path string, body any, key string) call {
	raw, _ := json.Marshal(body)
	cl := call{op: op, journey: journey, start: time.Now()}
	deadline := cl.start.Add(c.budget)
	for n := 0; ; n++ {
		status, reason, res, retryAfter, what := c.try(ctx, token, method, path, raw, key)
		if what == "" {
			cl.end, cl.status, cl.reason, cl.body = time.Now(), status, reason, res
			return cl
		}
		now := time.Now()
		cl.failures = append(cl.failures, attempt{at: now, what: what})
		wait := min(2*time.Second, 100*time.Millisecond<<min(n, 5))
		wait = wait/2 + time.Duration(c.rnd.Int64N(int64(wait)))
		if retryAfter > 0 {
			wait = retryAfter
		}
		if now.Add(wait).After(deadline) || ctx.Err() != nil {
			cl.end = now
			return cl
		}
		time.Sleep(wait)
	}
}

// try makes one attempt; what is "" when the answer is final, else why it
// is retried.
func (c *chaosClient) try(ctx context.Context, token, method, path string, body []byte, key string) (int, string, map[string]any, time.Duration, string) {
	req, err := http.NewRequestWithContext(ctx, method, c.bases[c.rnd.IntN(len(c.bases))]+path, bytes.NewReader(body))
	if err != nil {
		panic(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	if key != "" {
		req.Header.Set("Idempotency-Key", key)
	}
	res, err := c.http.Do(req)
	if err != nil {
		var ne interface{ Timeout() bool }
		switch {
		case errors.As(err, &ne) && ne.Timeout():
			return 0, "", nil, 0, "timeout"
		case strings.Contains(err.Error(), "refused"):
			return 0, "", nil, 0, "refused"
		}
		return 0, "", nil, 0, "connection: " + shortErr(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	var m map[string]any
	_ = json.Unmarshal(raw, &m)
	reason := errorReason(m)
	var retryAfter time.Duration
	if s, err := strconv.Atoi(res.Header.Get("Retry-After")); err == nil {
		retryAfter = time.Duration(s) * time.Second
	}
	switch {
	case res.StatusCode >= 500, res.StatusCode == http.StatusTooManyRequests,
		res.StatusCode == http.StatusConflict && reason == "IDEMPOTENCY_KEY_IN_USE":
		return res.StatusCode, reason, m, retryAfter, fmt.Sprintf("%d %s", res.StatusCode, reason)
	}
	return res.StatusCode, reason, m, 0, ""
}

func shortErr(err error) string {
	s := err.Error()
	if i := strings.LastIndex(s, ": "); i >= 0 {
		s = s[i+2:]
	}
	return s
}

// errorReason is the ErrorInfo reason of a google.rpc.Status body.
func errorReason(m map[string]any) string {
	details, _ := m["details"].([]any)
	for _, d := range details {
		if dm, ok := d.(map[string]any); ok {
			if r, ok := dm["reason"].(string); ok {
				return r
			}
		}
	}
	return ""
}

// ---- journeys ----

// journey kinds, as a mentee and a mentor would go through them.
const (
	jApprove       = "approve"        // request, approve
	jReject        = "reject"         // request, reject
	jCancel        = "cancel"         // request, the mentee cancels before a decision
	jApproveCancel = "approve-cancel" // request, approve, the mentee cancels (≥ 24 h ahead: full refund)
)

var journeyKinds = []string{jApprove, jReject, jCancel, jApproveCancel}

// journey is one booking's life as the clients drove it.
type journey struct {
	i        int
	kind     string
	mentor   string
	mentee   string
	offering string
	start    time.Time
	id       string
	calls    []call
}

func (j *journey) run(ctx context.Context, c *chaosClient, seed uint64, tokens func(sub string, role identity.Role) string) {
	mentee := tokens(j.mentee, identity.RoleMentee)
	mentor := tokens(j.mentor, identity.RoleMentor)
	key := func(op string) string { return fmt.Sprintf("chaos-%d-%d-%s", seed, j.i, op) }
	create := c.do(ctx, "create", j.i, mentee, "POST", "/v1/bookings", map[string]any{
		"booking": map[string]any{"mentorId": j.mentor, "offeringId": j.offering, "startTime": j.start.UTC().Format(time.RFC3339),
			"paymentMethod": "PAYMENT_METHOD_CARD", "menteeName": "Chaos Mentee", "menteeEmail": j.mentee + "@example.com",
			"menteeTimeZone": "Europe/Paris"},
		"cardToken": "4242424242424242", "requestId": key("request"),
	}, key("create"))
	j.calls = append(j.calls, create)
	if !create.ok() {
		return
	}
	j.id = str(create.body, "booking.id")
	step := func(op, token, verb string, body map[string]any) bool {
		cl := c.do(ctx, op, j.i, token, "POST", "/v1/bookings/"+j.id+":"+verb, body, key(op))
		j.calls = append(j.calls, cl)
		return cl.ok()
	}
	switch j.kind {
	case jApprove:
		step("approve", mentor, "approve", map[string]any{})
	case jReject:
		step("reject", mentor, "reject", map[string]any{"reason": "Not my field"})
	case jCancel:
		step("cancel", mentee, "cancel", map[string]any{"reason": "Plans changed"})
	case jApproveCancel:
		if step("approve", mentor, "approve", map[string]any{}) {
			step("cancel", mentee, "cancel", map[string]any{"reason": "Plans changed"})
		}
	}
}

// applied says whether the effect of op shows in a booking's final status
// (for an answer that said it failed).
func applied(op, status string) bool {
	switch op {
	case "approve":
		return status == "CONFIRMED" || status == "AWAITING_PAYMENT"
	case "reject":
		return status == "REJECTED"
	case "cancel":
		return status == "CANCELLED"
	}
	return false
}

func trimStatus(s string) string { return strings.TrimPrefix(s, "BOOKING_STATUS_") }
