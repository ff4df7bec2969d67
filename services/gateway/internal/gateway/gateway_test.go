package gateway

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"

	"github.com/bookwell/bookwell/pkg/apperr"
	"github.com/bookwell/bookwell/pkg/apperr/grpcstatus"
	"github.com/bookwell/bookwell/pkg/identity"
)

func TestTheGatewayChecksTheTokenBeforeAnyServiceIsCalled(t *testing.T) {
	h, b, _ := newGateway(t, nil)
	expired, _ := identity.Mint(identity.DevSecret, identity.Principal{Subject: "ada", Role: identity.RoleMentee}, time.Minute, time.Now().Add(-time.Hour))
	forged, _ := identity.Mint("another secret", identity.Principal{Subject: "ada", Role: identity.RoleAdmin}, time.Hour, time.Now())
	service, _ := identity.DevServiceKey("booking-worker").Mint(time.Minute, time.Now())

	for name, auth := range map[string]string{
		"none": "", "not bearer": "Basic YWRhOnB3", "empty bearer": "Bearer ",
		"expired": "Bearer " + expired, "forged": "Bearer " + forged, "garbage": "Bearer a.b.c",
		"a service's": "Bearer " + service,
	} {
		a := do(h, "GET", "/v1/bookings/b-1", "", "", "Authorization", auth)
		wantError(t, a, http.StatusUnauthorized, "UNAUTHENTICATED")
		if a.header.Get("WWW-Authenticate") == "" {
			t.Errorf("%s: 401 without WWW-Authenticate", name)
		}
		a = do(h, "POST", "/v1/bookings", "", `{"booking":{}}`, "Authorization", auth)
		wantError(t, a, http.StatusUnauthorized, "UNAUTHENTICATED")
	}
	if n := len(b.Calls()); n != 0 {
		t.Fatalf("%d calls reached a service without a valid token", n)
	}

	// A valid token passes, and the services get it too, to check again.
	tok := token(t, "ada", identity.RoleMentee)
	if a := do(h, "GET", "/v1/bookings/b-1", tok, ""); a.status != http.StatusOK {
		t.Fatalf("valid token: %d %s", a.status, a.body)
	}
	calls := b.Calls()
	if len(calls) != 1 || calls[0].method != "/bookwell.booking.v1.BookingService/GetBooking" || calls[0].authorization != "Bearer "+tok {
		t.Fatalf("calls = %+v", calls)
	}

	// Public routes need no token.
	for _, p := range []string{"/healthz", "/openapi.json", "/docs", "/docs/", "/docs/swagger-ui-bundle.js"} {
		if a := do(h, "GET", p, "", ""); a.status != http.StatusOK {
			t.Errorf("GET %s without a token: %d", p, a.status)
		}
	}
	page := do(h, "GET", "/docs/", "", "")
	if !strings.Contains(string(page.body), "/openapi.json") || !strings.Contains(string(page.body), "swagger-ui") {
		t.Fatalf("the docs page does not load the API document:\n%s", page.body)
	}
	// Only GET is public, but for the email action links, whose link (in
	// the body) is the credential the booking service checks.
	wantError(t, do(h, "POST", "/healthz", "", "{}"), http.StatusUnauthorized, "UNAUTHENTICATED")
	before := len(b.Calls())
	for _, verb := range []string{"describe", "redeem"} {
		if a := do(h, "POST", "/v1/actionLinks:"+verb, "", `{"token":"t"}`); a.status != http.StatusOK {
			t.Errorf("POST /v1/actionLinks:%s without a token: %d %s", verb, a.status, a.body)
		}
	}
	calls = b.Calls()[before:]
	if len(calls) != 2 || calls[0].method != "/bookwell.booking.v1.ActionLinkService/DescribeActionLink" ||
		calls[1].method != "/bookwell.booking.v1.ActionLinkService/RedeemActionLink" {
		t.Fatalf("action link calls = %+v", calls)
	}
	wantError(t, do(h, "GET", "/v1/actionLinks:describe", "", ""), http.StatusUnauthorized, "UNAUTHENTICATED")
}

func TestErrorsAreStatusJSONWithAReasonAndLeakNothing(t *testing.T) {
	h, b, _ := newGateway(t, nil)
	tok := token(t, "ada", identity.RoleMentee)

	wantError(t, do(h, "GET", "/v1/nowhere", tok, ""), http.StatusNotFound, "ROUTE_NOT_FOUND")
	wantError(t, do(h, "DELETE", "/v1/bookings", tok, ""), http.StatusMethodNotAllowed, "METHOD_NOT_ALLOWED")
	for _, body := range []string{`{`, `{"booking":`, `[]`, `"x"`, `{"booking":{"startTime":"yesterday"}}`, `{"nope":1}`, "\x00\xff", `{"booking":{"paymentMethod":"PAYMENT_METHOD_GOLD"}}`} {
		wantError(t, do(h, "POST", "/v1/bookings", tok, body), http.StatusBadRequest, "INVALID_ARGUMENT")
	}
	if n := len(b.Calls()); n != 0 {
		t.Fatalf("%d rejected requests reached a service", n)
	}

	// A service's error passes with its details: the front end switches on
	// the reason and shows the field violations.
	b.setRespond(func(ctx context.Context, _ string, _ proto.Message) (proto.Message, error) {
		var v apperr.Violations
		v.Add("booking.start_time", "must be in the future")
		return nil, grpcstatus.Encode(ctx, nil, v.Err())
	})
	a := do(h, "POST", "/v1/bookings", tok, `{"booking":{}}`)
	wantError(t, a, http.StatusBadRequest, "INVALID_ARGUMENT")
	if !strings.Contains(string(a.body), `"field":"booking.start_time"`) || !strings.Contains(string(a.body), "google.rpc.BadRequest") {
		t.Fatalf("field violations lost: %s", a.body)
	}
	b.setRespond(func(ctx context.Context, _ string, _ proto.Message) (proto.Message, error) {
		return nil, grpcstatus.Encode(ctx, nil, apperr.New(apperr.KindConflict, "SLOT_TAKEN", "that time is already booked"))
	})
	wantError(t, do(h, "POST", "/v1/bookings", tok, `{"booking":{}}`), http.StatusConflict, "SLOT_TAKEN")

	// Anything else is named by its code; internal detail never shows.
	b.setRespond(func(context.Context, string, proto.Message) (proto.Message, error) {
		return nil, status.Error(codes.Internal, "pq: relation booking.secret_table at 10.0.0.7 does not exist")
	})
	a = do(h, "GET", "/v1/bookings/b-1", tok, "")
	wantError(t, a, http.StatusInternalServerError, "INTERNAL")
	if strings.Contains(string(a.body), "secret") || strings.Contains(string(a.body), "10.0.0.7") {
		t.Fatalf("leaked: %s", a.body)
	}
	b.setRespond(func(context.Context, string, proto.Message) (proto.Message, error) {
		st, _ := status.New(codes.NotFound, "no such booking").WithDetails(&errdetails.ResourceInfo{ResourceName: "b-1"})
		return nil, st.Err()
	})
	wantError(t, do(h, "GET", "/v1/bookings/b-1", tok, ""), http.StatusNotFound, "NOT_FOUND")

	// A service that is down: 503, without its address.
	down, _, _ := newGateway(t, func(c *Config) { c.BookingAddr = "127.0.0.1:1" })
	a = do(down, "GET", "/v1/bookings/b-1", tok, "")
	wantError(t, a, http.StatusServiceUnavailable, "UNAVAILABLE")
	if strings.Contains(string(a.body), "127.0.0.1") || strings.Contains(string(a.body), "dial") {
		t.Fatalf("leaked: %s", a.body)
	}
}

func TestBodyLimitMediaTypeAndTimeout(t *testing.T) {
	h, b, _ := newGateway(t, func(c *Config) {
		c.MaxBodyBytes = 1024
		c.RequestTimeout = 200 * time.Millisecond
	})
	tok := token(t, "ada", identity.RoleMentee)
	big := `{"booking":{"message":"` + strings.Repeat("x", 2000) + `"}}`
	wantError(t, do(h, "POST", "/v1/bookings", tok, big), http.StatusRequestEntityTooLarge, "REQUEST_TOO_LARGE")
	// Without a Content-Length (chunked), the limit holds while reading.
	r := do(h, "POST", "/v1/bookings", tok, big, "Transfer-Encoding", "chunked")
	wantError(t, r, http.StatusRequestEntityTooLarge, "REQUEST_TOO_LARGE")
	wantError(t, do(h, "POST", "/v1/bookings", tok, "<booking/>", "Content-Type", "application/xml"), http.StatusUnsupportedMediaType, "UNSUPPORTED_MEDIA_TYPE")
	if n := len(b.Calls()); n != 0 {
		t.Fatalf("%d rejected requests reached a service", n)
	}
	// JSON without a type, or with curl's default form type, is read as JSON.
	for _, ct := range []string{"", "application/x-www-form-urlencoded", "application/json; charset=utf-8"} {
		if a := do(h, "POST", "/v1/bookings", tok, `{"booking":{}}`, "Content-Type", ct); a.status != http.StatusOK {
			t.Fatalf("Content-Type %q: %d %s", ct, a.status, a.body)
		}
	}

	// A service that does not answer in time: 504.
	b.setRespond(func(ctx context.Context, _ string, _ proto.Message) (proto.Message, error) {
		<-ctx.Done()
		return nil, status.FromContextError(ctx.Err()).Err()
	})
	start := time.Now()
	wantError(t, do(h, "GET", "/v1/bookings/b-1", tok, ""), http.StatusGatewayTimeout, "DEADLINE_EXCEEDED")
	if took := time.Since(start); took > 5*time.Second {
		t.Fatalf("the timeout took %v", took)
	}
}

func TestRateLimitPerCaller(t *testing.T) {
	h, b, _ := newGateway(t, func(c *Config) {
		c.RateLimitRPS = 0.5 // one token every 2 s: none comes back during the test
		c.RateLimitBurst = 3
	})
	ada := token(t, "ada", identity.RoleMentee)
	for i := range 3 {
		if a := do(h, "GET", "/v1/bookings/b-1", ada, ""); a.status != http.StatusOK {
			t.Fatalf("request %d: %d", i+1, a.status)
		}
	}
	a := do(h, "GET", "/v1/bookings/b-1", ada, "")
	wantError(t, a, http.StatusTooManyRequests, "RATE_LIMITED")
	if ra := a.header.Get("Retry-After"); ra != "1" && ra != "2" {
		t.Fatalf("Retry-After = %q, want the seconds until the next token", ra)
	}
	if n := len(b.Calls()); n != 3 {
		t.Fatalf("%d calls reached the service, want 3", n)
	}
	// Another caller is not slowed by ada; neither is a new token for
	// another subject.
	if a := do(h, "GET", "/v1/bookings/b-1", token(t, "grace", identity.RoleMentor), ""); a.status != http.StatusOK {
		t.Fatalf("grace: %d", a.status)
	}
	// A fresh token for ada is still ada.
	wantError(t, do(h, "GET", "/v1/bookings/b-1", token(t, "ada", identity.RoleMentee), ""), http.StatusTooManyRequests, "RATE_LIMITED")
	// Public routes are limited per client IP.
	for range 3 {
		do(h, "GET", "/healthz", "", "")
	}
	wantError(t, do(h, "GET", "/healthz", "", ""), http.StatusTooManyRequests, "RATE_LIMITED")
}

func TestCORS(t *testing.T) {
	h, _, _ := newGateway(t, func(c *Config) { c.CORSAllowedOrigins = []string{"https://app.example.com"} })
	tok := token(t, "ada", identity.RoleMentee)
	pre := do(h, "OPTIONS", "/v1/bookings", "", "", "Origin", "https://app.example.com",
		"Access-Control-Request-Method", "POST", "Access-Control-Request-Headers", "authorization, content-type, idempotency-key")
	if pre.status >= 300 || pre.header.Get("Access-Control-Allow-Origin") != "https://app.example.com" ||
		!strings.Contains(strings.ToLower(pre.header.Get("Access-Control-Allow-Headers")), "idempotency-key") {
		t.Fatalf("preflight: %d %v", pre.status, pre.header)
	}
	a := do(h, "GET", "/v1/bookings/b-1", tok, "", "Origin", "https://app.example.com")
	if a.header.Get("Access-Control-Allow-Origin") != "https://app.example.com" {
		t.Fatalf("allowed origin: %v", a.header)
	}
	if a := do(h, "GET", "/v1/bookings/b-1", tok, "", "Origin", "https://evil.example.com"); a.header.Get("Access-Control-Allow-Origin") != "" {
		t.Fatalf("other origin allowed: %v", a.header)
	}

	off, _, _ := newGateway(t, nil)
	if a := do(off, "GET", "/v1/bookings/b-1", tok, "", "Origin", "https://app.example.com"); a.header.Get("Access-Control-Allow-Origin") != "" {
		t.Fatalf("CORS is on with no origins configured: %v", a.header)
	}
}
