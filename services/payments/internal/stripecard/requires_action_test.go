package stripecard_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/bookwell/bookwell/services/payments/internal/domain"
	"github.com/bookwell/bookwell/services/payments/internal/stripecard"
)

// stripe-mock answers every PaymentIntent from one fixture and never asks
// for 3-D Secure, so these tests answer as Stripe does for its test card
// 4000002760003184 (a PaymentIntent recorded from Stripe's API reference).
func stripeAnswering(t *testing.T, body string) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.URL.Path != "/v1/payment_intents" {
			http.Error(w, "unexpected "+r.Method+" "+r.URL.Path, http.StatusNotFound)
			return
		}
		if err := r.ParseForm(); err != nil || r.Form.Get("payment_method") != "pm_card_authenticationRequired" || r.Form.Get("capture_method") != "manual" {
			http.Error(w, "unexpected form "+r.Form.Encode(), http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(body))
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

func TestAPaymentIntentThatRequiresActionHoldsNothingAndCarriesTheClientSecret(t *testing.T) {
	url := stripeAnswering(t, `{"id":"pi_3DS","object":"payment_intent","amount":5000,"currency":"usd",
		"capture_method":"manual","status":"requires_action","client_secret":"pi_3DS_secret_abc","created":1767225600,
		"next_action":{"type":"redirect_to_url","redirect_to_url":{"url":"https://hooks.stripe.com/3d_secure_2/hosted?x=1","return_url":"https://bookwell.example/return"}}}`)
	p := stripecard.New("sk_test_123", url)
	auth, err := p.Authorize(context.Background(), domain.CardCharge{Amount: 5000, Currency: "USD", Card: "4000002760003184", Key: "k"})
	if err != nil {
		t.Fatal(err)
	}
	if auth.Ref != "pi_3DS" || auth.Action == nil || auth.Action.ClientSecret != "pi_3DS_secret_abc" ||
		!strings.HasPrefix(auth.Action.RedirectURL, "https://hooks.stripe.com/") || !auth.ExpiresAt.IsZero() {
		t.Fatalf("authorization = %+v (action %+v)", auth, auth.Action)
	}
}

func TestAHoldLapsesWhenStripeSays(t *testing.T) {
	url := stripeAnswering(t, `{"id":"pi_ok","object":"payment_intent","amount":5000,"currency":"usd",
		"capture_method":"manual","status":"requires_capture","client_secret":"pi_ok_secret","created":1767225600,
		"latest_charge":{"id":"ch_1","object":"charge","payment_method_details":{"type":"card","card":{"capture_before":1767744000}}}}`)
	auth, err := stripecard.New("sk_test_123", url).Authorize(context.Background(),
		domain.CardCharge{Amount: 5000, Currency: "USD", Card: "pm_card_authenticationRequired", Key: "k"})
	if err != nil {
		t.Fatal(err)
	}
	if auth.Action != nil || !auth.ExpiresAt.Equal(time.Unix(1767744000, 0)) {
		t.Fatalf("authorization = %+v", auth)
	}
}
