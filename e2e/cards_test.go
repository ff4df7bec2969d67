package e2e

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/bookwell/bookwell/pkg/identity"
)

// The simulated processor's cards that ask for 3-D Secure (Stripe's).
const (
	card3DS       = "4000002500003155"
	card3DSAlways = "4000002760003184"
)

// bookWithCard requests a session paid with card and returns the answer.
func (u user) bookWithCard(mentor, offering string, start time.Time, card string) map[string]any {
	u.t.Helper()
	b := map[string]any{"mentorId": mentor, "offeringId": offering, "startTime": start.UTC().Format(time.RFC3339),
		"paymentMethod": "PAYMENT_METHOD_CARD", "menteeName": "Ada Lovelace", "menteeEmail": u.id + "@example.com"}
	return u.ok("POST", "/v1/bookings", map[string]any{"booking": b, "cardToken": card, "requestId": fmt.Sprint(time.Now().UnixNano())})
}

// postJSON posts body to url (no bearer token: the processor's side).
func postJSON(t *testing.T, url string, body []byte, header map[string]string) response {
	t.Helper()
	req, err := http.NewRequest("POST", url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	r := response{status: resp.StatusCode, raw: raw}
	_ = json.Unmarshal(raw, &r.body)
	return r
}

// authenticate completes (succeed) or fails the simulated 3-D Secure
// challenge at the address the booking gave the mentee's browser.
func authenticate(t *testing.T, redirectURL, result string) response {
	t.Helper()
	return postJSON(t, redirectURL, []byte(`{"result":"`+result+`"}`), nil)
}

func TestCardAuthentication(t *testing.T) {
	t.Parallel()
	// Card holds last 90 seconds here (7 days at Stripe), so that a request
	// outlives its hold within the test.
	w := start(t, map[string]string{"BOOKING_AUTHENTICATION_TIMEOUT": "25s", "SIMCARD_AUTHORIZATION_VALIDITY": "90s"})
	ahead := func(d time.Duration) time.Time { return time.Now().Add(d).Truncate(time.Minute) }
	day := 24 * time.Hour

	t.Run("a 3-D Secure card waits for the mentee, then reaches the mentor and is captured on approval", func(t *testing.T) {
		t.Parallel()
		mentor, offering := w.mentorWithOffering(t, "mentor-3ds-ok", paidOffering(60, 1))
		mentee := w.user(t, "mentee-3ds-ok", identity.RoleMentee)
		created := mentee.bookWithCard(mentor.id, offering, ahead(3*day), card3DS)
		id := str(created, "booking.id")
		if str(created, "booking.status") != "BOOKING_STATUS_AWAITING_AUTHENTICATION" ||
			str(created, "booking.paymentStatus") != "PAYMENT_STATUS_AWAITING_AUTHENTICATION" {
			t.Fatalf("created = %s / %s", str(created, "booking.status"), str(created, "booking.paymentStatus"))
		}
		secret, redirect := str(created, "booking.paymentAction.clientSecret"), str(created, "booking.paymentAction.redirectUrl")
		if secret == "" || !strings.Contains(redirect, "/simcard/charges/") || str(created, "booking.paymentAction.expireTime") == "" {
			t.Fatalf("the answer must carry what the browser needs: %v", get(created, "booking.paymentAction"))
		}
		// The mentor cannot act on it yet, and never sees the client secret.
		mentor.refused("POST", "/v1/bookings/"+id+":approve", map[string]any{}, http.StatusConflict, "WRONG_STATE")
		if get(mentor.ok("GET", "/v1/bookings/"+id, nil), "booking.paymentAction") != nil {
			t.Fatal("the client secret is the mentee's only")
		}
		if r := authenticate(t, redirect, "succeed"); r.status != http.StatusOK || get(r.body, "changed") != true {
			t.Fatalf("complete the challenge: %d %s", r.status, r.raw)
		}
		var got map[string]any
		eventually(t, 15*time.Second, "the booking is pending once the card is authenticated", func() bool {
			got = mentee.ok("GET", "/v1/bookings/"+id, nil)
			return str(got, "booking.status") == "BOOKING_STATUS_PENDING"
		})
		if str(got, "booking.paymentStatus") != "PAYMENT_STATUS_AUTHORIZED" || get(got, "booking.paymentAction") != nil {
			t.Fatalf("after authentication: %v", get(got, "booking"))
		}
		// The challenge completed again (a browser's retry) changes nothing.
		if r := authenticate(t, redirect, "succeed"); r.status != http.StatusOK || get(r.body, "changed") == true {
			t.Fatalf("completing twice: %d %s", r.status, r.raw)
		}
		approved := mentor.ok("POST", "/v1/bookings/"+id+":approve", map[string]any{})
		if str(approved, "booking.status") != "BOOKING_STATUS_CONFIRMED" || str(approved, "booking.paymentStatus") != "PAYMENT_STATUS_PAID" {
			t.Fatalf("approved = %v", get(approved, "booking"))
		}
		pay := mentor.ok("GET", "/v1/bookings/"+id+"/payment", nil)
		if fmt.Sprint(get(pay, "payment.capturedAmount")) != "5000" {
			t.Fatalf("payment = %v", get(pay, "payment"))
		}
		if evs := w.eventsOf(t, id, 3); !slices.Equal(evs, []string{"booking.awaiting_authentication", "booking.requested", "booking.approved"}) {
			t.Fatalf("events = %v", evs)
		}
	})

	t.Run("an authentication never completed expires: slot free, nothing charged", func(t *testing.T) {
		t.Parallel()
		mentor, offering := w.mentorWithOffering(t, "mentor-3ds-lost", paidOffering(60, 1))
		mentee := w.user(t, "mentee-3ds-lost", identity.RoleMentee)
		at := ahead(4 * day)
		created := mentee.bookWithCard(mentor.id, offering, at, card3DSAlways)
		id := str(created, "booking.id")
		redirect := str(created, "booking.paymentAction.redirectUrl")
		var got map[string]any
		eventually(t, 60*time.Second, "the booking expires after the authentication timeout", func() bool {
			got = mentee.ok("GET", "/v1/bookings/"+id, nil)
			return str(got, "booking.status") == "BOOKING_STATUS_EXPIRED"
		})
		if !strings.Contains(str(got, "booking.outcome.reason"), "not authenticated") || get(got, "booking.paymentAction") != nil {
			t.Fatalf("expired = %v", get(got, "booking"))
		}
		pay := mentor.ok("GET", "/v1/bookings/"+id+"/payment", nil)
		if str(pay, "payment.status") != "PAYMENT_STATUS_VOIDED" || get(pay, "payment.capturedAmount") != nil {
			t.Fatalf("nothing may be charged: %v", get(pay, "payment"))
		}
		// Completing the challenge too late is refused by the processor.
		if r := authenticate(t, redirect, "succeed"); r.status != http.StatusConflict {
			t.Fatalf("a late completion: %d %s", r.status, r.raw)
		}
		// The slot is free again.
		w.user(t, "mentee-3ds-next", identity.RoleMentee).book(mentor.id, offering, at, nil)
	})

	t.Run("a request whose hold would lapse before the approval window ends expires first", func(t *testing.T) {
		t.Parallel()
		mentor, offering := w.mentorWithOffering(t, "mentor-lapse", paidOffering(60, 1))
		mentee := w.user(t, "mentee-lapse", identity.RoleMentee)
		at := ahead(6 * day)
		asked := time.Now()
		created := mentee.book(mentor.id, offering, at, nil)
		id := str(created, "booking.id")
		expires, err := time.Parse(time.RFC3339Nano, str(created, "booking.expireTime"))
		if err != nil {
			t.Fatal(err)
		}
		// 90 s of hold, less a tenth as margin: not the 7-day window.
		if d := expires.Sub(asked); d < 60*time.Second || d > 90*time.Second {
			t.Fatalf("the request expires %s after it was made; want before its 90 s hold lapses", d)
		}
		var got map[string]any
		eventually(t, 120*time.Second, "the request expires before its hold lapses", func() bool {
			got = mentee.ok("GET", "/v1/bookings/"+id, nil)
			return str(got, "booking.status") == "BOOKING_STATUS_EXPIRED"
		})
		pay := mentor.ok("GET", "/v1/bookings/"+id+"/payment", nil)
		if str(pay, "payment.status") != "PAYMENT_STATUS_VOIDED" || get(pay, "payment.capturedAmount") != nil {
			t.Fatalf("the hold must be released, nothing charged: %v", get(pay, "payment"))
		}
		w.user(t, "mentee-lapse-next", identity.RoleMentee).book(mentor.id, offering, at, nil)
	})

	t.Run("a failed authentication ends the request at once", func(t *testing.T) {
		t.Parallel()
		mentor, offering := w.mentorWithOffering(t, "mentor-3ds-fail", paidOffering(60, 1))
		mentee := w.user(t, "mentee-3ds-fail", identity.RoleMentee)
		at := ahead(5 * day)
		created := mentee.bookWithCard(mentor.id, offering, at, card3DS)
		id := str(created, "booking.id")
		if r := authenticate(t, str(created, "booking.paymentAction.redirectUrl"), "fail"); r.status != http.StatusOK {
			t.Fatalf("fail the challenge: %d %s", r.status, r.raw)
		}
		var got map[string]any
		eventually(t, 15*time.Second, "the booking expires when the authentication fails", func() bool {
			got = mentee.ok("GET", "/v1/bookings/"+id, nil)
			return str(got, "booking.status") == "BOOKING_STATUS_EXPIRED"
		})
		if !strings.Contains(str(got, "booking.outcome.reason"), "authentication failed") {
			t.Fatalf("expired = %v", get(got, "booking"))
		}
		w.user(t, "mentee-3ds-after", identity.RoleMentee).book(mentor.id, offering, at, nil)
	})
}

const webhookSecret = "whsec_e2e_test_secret"

// stripeEvent is a Stripe event of type typ about obj, signed at ts with
// secret as Stripe signs its webhooks (t=..., v1=HMAC-SHA256).
func stripeEvent(id, typ string, obj map[string]any) []byte {
	return mustJSON(map[string]any{"id": id, "object": "event", "type": typ, "created": time.Now().Unix(),
		"api_version": "2024-06-20", "data": map[string]any{"object": obj}})
}

func stripeSignature(body []byte, secret string, ts time.Time) string {
	m := hmac.New(sha256.New, []byte(secret))
	fmt.Fprintf(m, "%d.%s", ts.Unix(), body)
	return fmt.Sprintf("t=%d,v1=%s", ts.Unix(), hex.EncodeToString(m.Sum(nil)))
}

func TestStripeWebhooks(t *testing.T) {
	t.Parallel()
	w := start(t, map[string]string{"STRIPE_WEBHOOK_SECRET": webhookSecret})
	// Through the edge, as Stripe calls it: the gateway passes it on to
	// payments untouched, with no bearer token.
	hook := w.base + "/webhooks/stripe"
	db, err := pgxpool.New(context.Background(), w.services.Env()["DATABASE_URL"])
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(db.Close)
	// ref is the processor's id of a booking's payment (what Stripe's
	// events name).
	ref := func(bookingID string) string {
		var r string
		if err := db.QueryRow(context.Background(), `SELECT provider_ref FROM payments.payments WHERE booking_id = $1`, bookingID).Scan(&r); err != nil {
			t.Fatal(err)
		}
		return r
	}
	send := func(body []byte, sig string) response {
		return postJSON(t, hook, body, map[string]string{"Stripe-Signature": sig})
	}
	ahead := func(d time.Duration) time.Time { return time.Now().Add(d).Truncate(time.Minute) }
	day := 24 * time.Hour

	t.Run("a refund and a dispute made at Stripe reach the booking once", func(t *testing.T) {
		t.Parallel()
		mentor, offering := w.mentorWithOffering(t, "mentor-hook", paidOffering(60, 1))
		mentee := w.user(t, "mentee-hook", identity.RoleMentee)
		id := str(mentee.book(mentor.id, offering, ahead(3*day), nil), "booking.id")
		mentor.ok("POST", "/v1/bookings/"+id+":approve", map[string]any{})
		pi := ref(id)
		refund := stripeEvent("evt_refund_1", "charge.refunded", map[string]any{"id": "ch_1", "object": "charge",
			"amount": 5000, "amount_refunded": 2000, "payment_intent": pi})

		// A bad signature, a stale one and none at all are refused, and
		// change nothing.
		if r := send(refund, stripeSignature(refund, "whsec_wrong", time.Now())); r.status != http.StatusBadRequest {
			t.Fatalf("bad signature: %d %s", r.status, r.raw)
		}
		if r := send(refund, stripeSignature(refund, webhookSecret, time.Now().Add(-10*time.Minute))); r.status != http.StatusBadRequest {
			t.Fatalf("stale signature: %d %s", r.status, r.raw)
		}
		if r := send(refund, ""); r.status != http.StatusBadRequest {
			t.Fatalf("no signature: %d %s", r.status, r.raw)
		}
		tampered := bytes.Replace(refund, []byte(`"amount_refunded":2000`), []byte(`"amount_refunded":5000`), 1)
		if r := send(tampered, stripeSignature(refund, webhookSecret, time.Now())); r.status != http.StatusBadRequest {
			t.Fatalf("tampered body: %d %s", r.status, r.raw)
		}
		if p := mentor.ok("GET", "/v1/bookings/"+id+"/payment", nil); get(p, "payment.refundedAmount") != nil {
			t.Fatalf("a refused webhook changed the payment: %v", get(p, "payment"))
		}

		// Signed: applied once.
		if r := send(refund, stripeSignature(refund, webhookSecret, time.Now())); r.status != http.StatusOK || get(r.body, "changed") != true {
			t.Fatalf("signed refund: %d %s", r.status, r.raw)
		}
		var got map[string]any
		eventually(t, 15*time.Second, "the booking shows the refund made at Stripe", func() bool {
			got = mentee.ok("GET", "/v1/bookings/"+id, nil)
			return str(got, "booking.refunded.amountMinor") == "2000"
		})
		if str(got, "booking.paymentStatus") != "PAYMENT_STATUS_PARTIALLY_REFUNDED" {
			t.Fatalf("after the refund: %v", get(got, "booking"))
		}
		// The same event again (Stripe retries) changes nothing.
		if r := send(refund, stripeSignature(refund, webhookSecret, time.Now())); r.status != http.StatusOK || get(r.body, "duplicate") != true {
			t.Fatalf("replayed event: %d %s", r.status, r.raw)
		}
		pay := mentor.ok("GET", "/v1/bookings/"+id+"/payment", nil)
		if fmt.Sprint(get(pay, "payment.refundedAmount")) != "2000" || len(get(pay, "payment.refunds").([]any)) != 1 {
			t.Fatalf("the refund must be recorded once: %v", get(pay, "payment"))
		}
		// Bookwell's own refund, reported back by Stripe, is not counted twice.
		mentor.ok("POST", "/v1/bookings/"+id+":refund", map[string]any{"amountMinor": "1000", "note": "goodwill"})
		own := stripeEvent("evt_refund_2", "charge.refunded", map[string]any{"id": "ch_1", "object": "charge",
			"amount": 5000, "amount_refunded": 3000, "payment_intent": pi})
		if r := send(own, stripeSignature(own, webhookSecret, time.Now())); r.status != http.StatusOK || get(r.body, "changed") == true {
			t.Fatalf("bookwell's own refund reported back: %d %s", r.status, r.raw)
		}
		if p := mentor.ok("GET", "/v1/bookings/"+id+"/payment", nil); fmt.Sprint(get(p, "payment.refundedAmount")) != "3000" {
			t.Fatalf("after bookwell's refund: %v", get(p, "payment"))
		}

		dispute := stripeEvent("evt_dispute_1", "charge.dispute.created", map[string]any{"id": "dp_1", "object": "dispute",
			"amount": 2000, "charge": "ch_1", "payment_intent": pi, "reason": "fraudulent", "status": "needs_response"})
		if r := send(dispute, stripeSignature(dispute, webhookSecret, time.Now())); r.status != http.StatusOK {
			t.Fatalf("dispute: %d %s", r.status, r.raw)
		}
		eventually(t, 15*time.Second, "the booking shows the dispute", func() bool {
			return get(mentor.ok("GET", "/v1/bookings/"+id, nil), "booking.paymentDisputed") == true
		})
		if evs := w.eventsOf(t, id, 5); !slices.Equal(evs, []string{"booking.requested", "booking.approved",
			"booking.payment_reconciled", "booking.refunded", "booking.payment_reconciled"}) {
			t.Fatalf("events = %v", evs)
		}
	})

	t.Run("a hold cancelled at Stripe ends the request and frees the slot", func(t *testing.T) {
		t.Parallel()
		mentor, offering := w.mentorWithOffering(t, "mentor-hook-cancel", paidOffering(60, 1))
		mentee := w.user(t, "mentee-hook-cancel", identity.RoleMentee)
		at := ahead(4 * day)
		id := str(mentee.book(mentor.id, offering, at, nil), "booking.id")
		ev := stripeEvent("evt_cancel_1", "payment_intent.canceled", map[string]any{"id": ref(id), "object": "payment_intent",
			"status": "canceled", "cancellation_reason": "automatic"})
		if r := send(ev, stripeSignature(ev, webhookSecret, time.Now())); r.status != http.StatusOK || get(r.body, "changed") != true {
			t.Fatalf("canceled: %d %s", r.status, r.raw)
		}
		var got map[string]any
		eventually(t, 15*time.Second, "the request ends", func() bool {
			got = mentee.ok("GET", "/v1/bookings/"+id, nil)
			return str(got, "booking.status") == "BOOKING_STATUS_EXPIRED"
		})
		if !strings.Contains(str(got, "booking.outcome.reason"), "cancelled or lapsed") {
			t.Fatalf("expired = %v", get(got, "booking"))
		}
		mentor.refused("POST", "/v1/bookings/"+id+":approve", map[string]any{}, http.StatusConflict, "")
		w.user(t, "mentee-hook-next", identity.RoleMentee).book(mentor.id, offering, at, nil)
	})
}
