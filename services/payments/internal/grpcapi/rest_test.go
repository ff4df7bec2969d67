package grpcapi_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/grpc-ecosystem/grpc-gateway/v2/runtime"

	paymentsv1 "github.com/bookwell/bookwell/gen/go/bookwell/payments/v1"
	"github.com/bookwell/bookwell/services/payments/internal/simcard"
)

// TestREST drives the REST routes of DESIGN.md through the generated
// grpc-gateway handlers, as the gateway serves them.
func TestREST(t *testing.T) {
	c, _ := start(t)
	ctx := context.Background()
	mux := runtime.NewServeMux()
	if err := paymentsv1.RegisterPaymentsServiceHandlerClient(ctx, mux, c); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	do := func(method, path, body string) (int, map[string]any) {
		t.Helper()
		req, _ := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
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
	if _, err := c.AuthorizePayment(ctx, &paymentsv1.AuthorizePaymentRequest{
		BookingId: "b1", MenteeId: "me", MentorId: "mo", Amount: 1500, Currency: "EUR",
		Method: paymentsv1.PaymentMethod_PAYMENT_METHOD_CARD, Card: simcard.CardSuccess, IdempotencyKey: "a",
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CapturePayment(ctx, &paymentsv1.CapturePaymentRequest{BookingId: "b1", IdempotencyKey: "c"}); err != nil {
		t.Fatal(err)
	}
	code, m := do("GET", "/v1/bookings/b1/payment", "")
	if code != 200 || m["payment"].(map[string]any)["status"] != "PAYMENT_STATUS_PAID" {
		t.Fatalf("GET payment: %d %v", code, m)
	}
	if code, _ := do("GET", "/v1/bookings/unknown/payment", ""); code != 404 {
		t.Fatalf("GET unknown payment: %d", code)
	}
	code, m = do("GET", "/v1/mentors/mo/balance", "")
	if code != 200 || m["balances"].([]any)[0].(map[string]any)["pendingAmount"] != "1500" {
		t.Fatalf("GET balance: %d %v", code, m)
	}
	code, m = do("POST", "/v1/bundles", `{"menteeId":"me","mentorId":"mo","sessions":4,"sessionPrice":"2500","currency":"EUR","card":"4242424242424242","idempotencyKey":"bundle-1"}`)
	if code != 200 || m["bundle"].(map[string]any)["sessionsTotal"] != float64(4) {
		t.Fatalf("POST bundle: %d %v", code, m)
	}
	if code, m := do("POST", "/v1/bundles", `{"menteeId":"me","mentorId":"mo","sessions":4,"sessionPrice":"-1","currency":"EUR","card":"4242424242424242","idempotencyKey":"bundle-2"}`); code != 400 {
		t.Fatalf("POST bad bundle: %d %v", code, m)
	}
	code, m = do("GET", "/v1/mentees/me/bundles", "")
	if code != 200 || len(m["bundles"].([]any)) != 1 {
		t.Fatalf("GET bundles: %d %v", code, m)
	}
}
