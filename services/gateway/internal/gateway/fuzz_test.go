package gateway

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/bookwell/bookwell/pkg/identity"
)

// fuzzRoutes are the main routes that take a JSON body.
var fuzzRoutes = []struct{ method, path string }{
	{"POST", "/v1/bookings"},
	{"POST", "/v1/bookings/b-1:approve"},
	{"POST", "/v1/bookings/b-1:reject"},
	{"POST", "/v1/bookings/b-1:propose"},
	{"POST", "/v1/bookings/b-1:cancel"},
	{"POST", "/v1/bookings/b-1:refund"},
	{"POST", "/v1/bookings/b-1:decideContinuation"},
	{"POST", "/v1/bookings/b-1/reviews"},
	{"POST", "/v1/bundles"},
	{"PUT", "/v1/mentors/m-1/availability"},
	{"POST", "/v1/mentors/m-1/offerings"},
	{"PATCH", "/v1/mentors/m-1/bookingSettings"},
}

// FuzzRoutes sends any body (and any Idempotency-Key) to the main routes of
// the real gateway handler in front of the real generated service
// interfaces, which answer every call that reaches them. So: no answer may
// be a 5xx or a panic; a 200 that is not a replay reached a service exactly
// once; a 4xx (the gateway's own refusal) or a replay reached none.
//
//	go test -run '^$' -fuzz FuzzRoutes -fuzztime 60s ./services/gateway/internal/gateway/
func FuzzRoutes(f *testing.F) {
	booking := `{"booking":{"mentorId":"m-1","offeringId":"o-1","startTime":"2030-01-07T08:00:00Z","paymentMethod":"PAYMENT_METHOD_CARD","menteeName":"Ada","menteeEmail":"ada@example.com","menteeTimeZone":"Europe/Berlin"},"cardToken":"4242424242424242","requestId":"r-1"}`
	for i, body := range []string{
		booking, `{}`, ``, `{`, `null`, `[]`, `"x"`, `{"booking":null}`, `{"booking":{"startTime":"not a time"}}`,
		`{"booking":{"paymentMethod":7}}`, `{"booking":{"paymentMethod":"PAYMENT_METHOD_NOPE"}}`, `{"unknown":true}`,
		`{"reason":"not a fit"}`, `{"startTime":"2030-01-07T09:00:00Z"}`, `{"amountMinorUnits":"-1"}`, `{"amountMinorUnits":"1e400"}`,
		`{"rating":5,"comment":"great"}`, `{"rating":1e999}`, `{"timeZone":"Mars/Olympus","weeklyHours":[{"day":9}]}`,
		`{"name":"x","durationMinutes":-20,"priceMinorUnits":"abc"}`, `{"settings":{"autoApprove":true}}`, "\xff\xfe", "{\"a\":\"\\ud800\"}",
		strings.Repeat(`[`, 10000), `{"booking":{"message":"` + strings.Repeat("x", 5000) + `"}}`,
	} {
		key := ""
		if i%3 == 0 {
			key = "seed-key"
		}
		f.Add(uint8(i), []byte(body), key)
	}
	h, b, _ := newGateway(f, func(c *Config) {
		c.RateLimitRPS, c.RateLimitBurst = 1e9, 1<<30
		c.MaxBodyBytes = 4096              // small, so that the fuzzer reaches the limit
		c.RequestTimeout = 3 * time.Second // a request that hangs shows as a 504
	})
	tok := token(f, "ada", identity.RoleMentee)

	f.Fuzz(func(t *testing.T, route uint8, body []byte, key string) {
		r := fuzzRoutes[int(route)%len(fuzzRoutes)]
		b.reset()
		req := httptest.NewRequest(r.method, r.path, bytes.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+tok)
		req.Header.Set("Content-Type", "application/json")
		if key != "" {
			req.Header.Set("Idempotency-Key", key)
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		calls := len(b.Calls())
		replayed := w.Header().Get("Idempotent-Replayed") == "true"
		switch {
		case w.Code >= 500:
			t.Fatalf("%s %s %q: %d %s", r.method, r.path, body, w.Code, w.Body)
		case w.Code == http.StatusOK && !replayed && calls != 1:
			t.Fatalf("%s %s %q: 200 with %d service calls", r.method, r.path, body, calls)
		case (replayed || w.Code >= 400) && calls != 0:
			t.Fatalf("%s %s %q: %d (replayed %v) but %d service calls", r.method, r.path, body, w.Code, replayed, calls)
		case w.Code >= 400 && !strings.Contains(w.Body.String(), `"reason":`):
			t.Fatalf("%s %s %q: %d without a reason: %s", r.method, r.path, body, w.Code, w.Body)
		}
	})
}
