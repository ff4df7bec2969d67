package webhookapi_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stripe/stripe-go/v85/webhook"

	"github.com/bookwell/bookwell/services/payments/internal/app"
	"github.com/bookwell/bookwell/services/payments/internal/domain"
	"github.com/bookwell/bookwell/services/payments/internal/webhookapi"
)

type recorder struct{ got []domain.ProcessorEvent }

func (r *recorder) Reconcile(_ context.Context, e domain.ProcessorEvent) (app.Reconciled, error) {
	r.got = append(r.got, e)
	return app.Reconciled{BookingID: "b-1", Changed: true}, nil
}

const secret = "whsec_unit"

func post(t *testing.T, h http.Handler, body, sig string) int {
	t.Helper()
	req := httptest.NewRequest("POST", "/webhooks/stripe", strings.NewReader(body))
	if sig != "" {
		req.Header.Set("Stripe-Signature", sig)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	return w.Code
}

func sign(body string, at time.Time, key string) string {
	return webhook.GenerateTestSignedPayload(&webhook.UnsignedPayload{Payload: []byte(body), Secret: key, Timestamp: at}).Header
}

func TestTheWebhookAppliesOnlyWhatStripeSignedRecently(t *testing.T) {
	rec := &recorder{}
	h := (&webhookapi.Handler{Service: rec, StripeSecret: secret, Log: slog.New(slog.NewTextHandler(io.Discard, nil))}).Routes()
	refund := `{"id":"evt_1","object":"event","type":"charge.refunded","created":1767225600,"api_version":"2020-08-27",
		"data":{"object":{"id":"ch_1","object":"charge","amount_refunded":1500,"payment_intent":"pi_1"}}}`
	now := time.Now()
	for name, sig := range map[string]string{
		"no signature":    "",
		"another secret":  sign(refund, now, "whsec_other"),
		"six minutes old": sign(refund, now.Add(-6*time.Minute), secret),
		"garbage":         "t=abc,v1=def",
	} {
		if code := post(t, h, refund, sig); code != http.StatusBadRequest {
			t.Errorf("%s: %d, want 400", name, code)
		}
	}
	if len(rec.got) != 0 {
		t.Fatalf("a refused webhook reached the service: %+v", rec.got)
	}
	if code := post(t, h, refund, sign(refund, now, secret)); code != http.StatusOK {
		t.Fatalf("signed: %d", code)
	}
	want := domain.ProcessorEvent{ID: "evt_1", Kind: domain.ReconcileRefunded, Ref: "pi_1", RefundedTotal: 1500}
	if len(rec.got) != 1 || rec.got[0] != want {
		t.Fatalf("applied %+v, want %+v", rec.got, want)
	}
	other := `{"id":"evt_2","object":"event","type":"customer.created","created":1767225600,"data":{"object":{"id":"cus_1","object":"customer"}}}`
	if code := post(t, h, other, sign(other, now, secret)); code != http.StatusOK || len(rec.got) != 1 {
		t.Fatalf("an event bookwell does not follow: %d, %d applied", code, len(rec.got))
	}
}

func TestWithoutASecretEveryWebhookIsRefused(t *testing.T) {
	rec := &recorder{}
	h := (&webhookapi.Handler{Service: rec, Log: slog.New(slog.NewTextHandler(io.Discard, nil))}).Routes()
	body := `{"id":"evt_1","object":"event","type":"charge.dispute.created","data":{"object":{"id":"dp_1","payment_intent":"pi_1"}}}`
	if code := post(t, h, body, sign(body, time.Now(), "")); code != http.StatusServiceUnavailable || len(rec.got) != 0 {
		t.Fatalf("no secret: %d, %d applied", code, len(rec.got))
	}
}
