package grpcapi_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/grpc-ecosystem/grpc-gateway/v2/runtime"
	"google.golang.org/grpc/codes"

	paymentsv1 "github.com/bookwell/bookwell/gen/go/bookwell/payments/v1"
	"github.com/bookwell/bookwell/pkg/identity"
	"github.com/bookwell/bookwell/services/payments/internal/simcard"
)

// The callers of the REST tests.
var (
	nobody   = identity.Principal{}
	menteeMe = identity.Principal{Subject: "me", Role: identity.RoleMentee}
	mentorMo = identity.Principal{Subject: "mo", Role: identity.RoleMentor}
	eve      = identity.Principal{Subject: "eve", Role: identity.RoleMentee}
	otherMo  = identity.Principal{Subject: "mx", Role: identity.RoleMentor}
	admin    = identity.Principal{Subject: "root", Role: identity.RoleAdmin}
)

// restServer serves the payments REST routes through the generated
// grpc-gateway handlers, as the gateway does (forwarding the caller's token),
// and returns a function calling them as a principal; the gRPC address and
// the booking workflow's service client are returned too.
func restServer(t *testing.T) (string, paymentsv1.PaymentsServiceClient, func(p identity.Principal, method, path, body string) (int, map[string]any)) {
	t.Helper()
	addr, js := serve(t)
	// The mentee "me" had intro sessions with "mo" and "mx", who approved
	// continuation: "me" may buy bundles with them.
	approve(t, js, "mo", "me")
	approve(t, js, "mx", "me")
	mux := runtime.NewServeMux()
	if err := paymentsv1.RegisterPaymentsServiceHandlerClient(context.Background(), mux, dial(t, addr, nil)); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	do := func(p identity.Principal, method, path, body string) (int, map[string]any) {
		t.Helper()
		req, _ := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
		if p.Subject != "" {
			tok, err := identity.DevToken(identity.DevSecret, p, time.Hour, time.Now())
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Authorization", "Bearer "+tok)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		raw, _ := io.ReadAll(res.Body)
		var m map[string]any
		_ = json.Unmarshal(raw, &m)
		return res.StatusCode, m
	}
	return addr, dial(t, addr, identity.ServiceCredentials{Key: identity.DevServiceKey("booking-worker")}), do
}

// reasonOf is the ErrorInfo reason of an error body.
func reasonOf(m map[string]any) string {
	ds, _ := m["details"].([]any)
	for _, d := range ds {
		if r, ok := d.(map[string]any)["reason"].(string); ok {
			return r
		}
	}
	return ""
}

// TestREST drives the payments REST routes as their users.
func TestREST(t *testing.T) {
	_, c, do := restServer(t)
	ctx := context.Background()
	if _, err := c.AuthorizePayment(ctx, &paymentsv1.AuthorizePaymentRequest{
		BookingId: "b1", MenteeId: "me", MentorId: "mo", Amount: 1500, Currency: "EUR",
		Method: paymentsv1.PaymentMethod_PAYMENT_METHOD_CARD, Card: simcard.CardSuccess, IdempotencyKey: "a",
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CapturePayment(ctx, &paymentsv1.CapturePaymentRequest{BookingId: "b1", IdempotencyKey: "c"}); err != nil {
		t.Fatal(err)
	}
	code, m := do(mentorMo, "GET", "/v1/bookings/b1/payment", "")
	if code != 200 || m["payment"].(map[string]any)["status"] != "PAYMENT_STATUS_PAID" {
		t.Fatalf("GET payment: %d %v", code, m)
	}
	if code, _ := do(admin, "GET", "/v1/bookings/unknown/payment", ""); code != 404 {
		t.Fatalf("GET unknown payment: %d", code)
	}
	code, m = do(mentorMo, "GET", "/v1/mentors/mo/balance", "")
	if code != 200 || m["balances"].([]any)[0].(map[string]any)["pendingAmount"] != "1500" {
		t.Fatalf("GET balance: %d %v", code, m)
	}
	if _, err := c.ReleasePayout(ctx, &paymentsv1.ReleasePayoutRequest{BookingId: "b1", IdempotencyKey: "r"}); err != nil {
		t.Fatal(err)
	}
	code, m = do(mentorMo, "GET", "/v1/mentors/mo/payouts", "")
	if ps, _ := m["payouts"].([]any); code != 200 || len(ps) != 1 {
		t.Fatalf("GET payouts: %d %v", code, m)
	}
	if p := m["payouts"].([]any)[0].(map[string]any); p["bookingId"] != "b1" || p["amount"] != "1350" ||
		p["commissionAmount"] != "150" || p["kind"] != "PAYOUT_KIND_SESSION" || p["dueTime"] == nil {
		t.Fatalf("payout %v", p)
	}
	code, m = do(menteeMe, "POST", "/v1/bundles", `{"menteeId":"me","mentorId":"mo","sessions":4,"sessionPrice":"2500","currency":"EUR","card":"4242424242424242","idempotencyKey":"bundle-1"}`)
	if code != 200 || m["bundle"].(map[string]any)["sessionsTotal"] != float64(4) {
		t.Fatalf("POST bundle: %d %v", code, m)
	}
	if code, m := do(menteeMe, "POST", "/v1/bundles", `{"menteeId":"me","mentorId":"mo","sessions":4,"sessionPrice":"-1","currency":"EUR","card":"4242424242424242","idempotencyKey":"bundle-2"}`); code != 400 {
		t.Fatalf("POST bad bundle: %d %v", code, m)
	}
	code, m = do(menteeMe, "POST", "/v1/bundles", `{"menteeId":"me","mentorId":"stranger","sessions":4,"sessionPrice":"2500","currency":"EUR","card":"4242424242424242","idempotencyKey":"bundle-3"}`)
	if code != 409 || reasonOf(m) != "CONTINUATION_REQUIRED" {
		t.Fatalf("POST bundle without an approved continuation: %d %v", code, m)
	}
	code, m = do(menteeMe, "GET", "/v1/mentees/me/bundles", "")
	if code != 200 || len(m["bundles"].([]any)) != 1 {
		t.Fatalf("GET bundles: %d %v", code, m)
	}
}

// TestWhoMaySeeAndMoveMoney runs each REST route as each kind of caller, on
// someone else's resource and their own.
func TestWhoMaySeeAndMoveMoney(t *testing.T) {
	addr, svc, do := restServer(t)
	ctx := context.Background()
	if _, err := svc.AuthorizePayment(ctx, &paymentsv1.AuthorizePaymentRequest{
		BookingId: "b1", MenteeId: "me", MentorId: "mo", Amount: 1500, Currency: "EUR",
		Method: paymentsv1.PaymentMethod_PAYMENT_METHOD_CARD, Card: simcard.CardSuccess, IdempotencyKey: "a",
	}); err != nil {
		t.Fatal(err)
	}
	bundle := `{"menteeId":"me","mentorId":"mo","sessions":2,"sessionPrice":"2500","currency":"EUR","card":"4242424242424242","idempotencyKey":"k-%s"}`
	for _, c := range []struct {
		who          identity.Principal
		method, path string
		body         string
		want         int
		reason       string
	}{
		{nobody, "GET", "/v1/bookings/b1/payment", "", 401, "UNAUTHENTICATED"},
		{menteeMe, "GET", "/v1/bookings/b1/payment", "", 200, ""},
		{eve, "GET", "/v1/bookings/b1/payment", "", 404, "PAYMENT_NOT_FOUND"},
		{otherMo, "GET", "/v1/bookings/b1/payment", "", 404, "PAYMENT_NOT_FOUND"},
		{admin, "GET", "/v1/bookings/b1/payment", "", 200, ""},
		{nobody, "GET", "/v1/mentors/mo/balance", "", 401, "UNAUTHENTICATED"},
		{otherMo, "GET", "/v1/mentors/mo/balance", "", 403, "NOT_YOUR_RESOURCE"},
		{menteeMe, "GET", "/v1/mentors/mo/balance", "", 403, "NOT_ALLOWED_FOR_ROLE"},
		{admin, "GET", "/v1/mentors/mo/balance", "", 200, ""},
		{nobody, "GET", "/v1/mentors/mo/payouts", "", 401, "UNAUTHENTICATED"},
		{otherMo, "GET", "/v1/mentors/mo/payouts", "", 403, "NOT_YOUR_RESOURCE"},
		{menteeMe, "GET", "/v1/mentors/mo/payouts", "", 403, "NOT_ALLOWED_FOR_ROLE"},
		{mentorMo, "GET", "/v1/mentors/mo/payouts", "", 200, ""},
		{admin, "GET", "/v1/mentors/mo/payouts", "", 200, ""},
		{mentorMo, "GET", "/v1/mentors/mo/payouts?pageToken=garbage", "", 400, "INVALID_ARGUMENT"},
		{eve, "POST", "/v1/bundles", strings.Replace(bundle, "%s", "eve", 1), 403, "NOT_YOUR_RESOURCE"},
		{mentorMo, "POST", "/v1/bundles", strings.Replace(bundle, "%s", "mo", 1), 403, "NOT_ALLOWED_FOR_ROLE"},
		{menteeMe, "POST", "/v1/bundles", strings.Replace(bundle, "%s", "me", 1), 200, ""},
		{menteeMe, "POST", "/v1/bundles", `{"mentorId":"mx","sessions":2,"sessionPrice":"100","currency":"EUR","card":"4242424242424242","idempotencyKey":"own"}`, 200, ""},
		{eve, "GET", "/v1/mentees/me/bundles", "", 403, "NOT_YOUR_RESOURCE"},
		{nobody, "GET", "/v1/mentees/me/bundles", "", 401, "UNAUTHENTICATED"},
	} {
		code, m := do(c.who, c.method, c.path, c.body)
		if code != c.want || reasonOf(m) != c.reason {
			t.Errorf("%s %s as %q: %d %s, want %d %s (%v)", c.method, c.path, c.who.Subject, code, reasonOf(m), c.want, c.reason, m)
		}
	}
	// The mentee sees both bundles; each mentor only the one bought with them.
	for who, want := range map[identity.Principal]int{menteeMe: 2, mentorMo: 1, otherMo: 1, admin: 2} {
		code, m := do(who, "GET", "/v1/mentees/me/bundles", "")
		if bs, _ := m["bundles"].([]any); code != 200 || len(bs) != want {
			t.Errorf("bundles as %q: %d %v, want %d", who.Subject, code, m, want)
		}
	}
	// Users cannot move money directly over gRPC, only the booking workflow
	// can; the payment stays authorized.
	for _, who := range []identity.Principal{menteeMe, mentorMo} {
		u := dial(t, addr, identity.Credentials{Secret: identity.DevSecret, Principal: who})
		if _, err := u.CapturePayment(ctx, &paymentsv1.CapturePaymentRequest{BookingId: "b1", IdempotencyKey: "u-cap"}); code(err) != codes.PermissionDenied {
			t.Errorf("capture as %s: %v", who.Subject, err)
		}
		if _, err := u.MarkPaid(ctx, &paymentsv1.MarkPaidRequest{BookingId: "b1", ActorId: "mo", IdempotencyKey: "u-paid"}); code(err) != codes.PermissionDenied {
			t.Errorf("mark paid as %s: %v", who.Subject, err)
		}
		if _, err := u.VoidPayment(ctx, &paymentsv1.VoidPaymentRequest{BookingId: "b1", IdempotencyKey: "u-void"}); code(err) != codes.PermissionDenied {
			t.Errorf("void as %s: %v", who.Subject, err)
		}
	}
	if _, err := dial(t, addr, nil).GetPayment(ctx, &paymentsv1.GetPaymentRequest{BookingId: "b1"}); code(err) != codes.Unauthenticated {
		t.Errorf("get payment without a token: %v", err)
	}
	got, err := svc.GetPayment(ctx, &paymentsv1.GetPaymentRequest{BookingId: "b1"})
	if err != nil || got.GetPayment().GetStatus() != paymentsv1.PaymentStatus_PAYMENT_STATUS_AUTHORIZED {
		t.Fatalf("after refused calls: %v %v", got, err)
	}
}
