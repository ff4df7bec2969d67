// Package webhookapi is the payments context's HTTP transport for what card
// processors tell it on their own: Stripe's webhook (POST /webhooks/stripe,
// its signature verified with the endpoint's secret by stripe-go's webhook
// package, at most once per event id) and the simulated processor's
// challenge page, where a cardholder (or a test) completes or fails a card's
// authentication. Neither takes a bearer token: the webhook is proved by its
// signature, the challenge by the charge's unguessable id, as on an issuer's
// page.
package webhookapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/stripe/stripe-go/v85"
	"github.com/stripe/stripe-go/v85/webhook"

	"github.com/bookwell/bookwell/pkg/apperr"
	"github.com/bookwell/bookwell/services/payments/internal/app"
	"github.com/bookwell/bookwell/services/payments/internal/domain"
	"github.com/bookwell/bookwell/services/payments/internal/stripecard"
)

// MaxBody is the largest webhook body read; Stripe's events are far smaller.
const MaxBody = 256 << 10

// Tolerance is how old a signed webhook may be: Stripe's default, 5
// minutes. An older signature (a captured request replayed later) is refused.
const Tolerance = webhook.DefaultTolerance

// Reconciler applies a processor event (app.Service.Reconcile).
type Reconciler interface {
	Reconcile(ctx context.Context, e domain.ProcessorEvent) (app.Reconciled, error)
}

// Authenticator completes or fails a simulated card's authentication and
// returns the event that reports it (simcard.Processor.Authenticate).
type Authenticator interface {
	Authenticate(ctx context.Context, chargeID string, ok bool) (domain.ProcessorEvent, error)
}

// Handler serves the webhook and, with Simulator set, the simulated
// processor's challenge page.
type Handler struct {
	Service Reconciler
	// StripeSecret is the webhook endpoint's signing secret (whsec_...);
	// empty refuses every Stripe webhook.
	StripeSecret string
	// Simulator is the simulated processor; nil when Stripe is used.
	Simulator Authenticator
	Log       *slog.Logger
	// Now is the clock the signature's age is checked against; time.Now if nil.
	Now func() time.Time
}

// Routes returns the handler's routes.
func (h *Handler) Routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /webhooks/stripe", h.stripe)
	if h.Simulator != nil {
		mux.HandleFunc("GET /simcard/charges/{id}/authenticate", h.challengePage)
		mux.HandleFunc("POST /simcard/charges/{id}/authenticate", h.authenticate)
	}
	return mux
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func refuse(w http.ResponseWriter, status int, reason, msg string) {
	writeJSON(w, status, map[string]string{"reason": reason, "message": msg})
}

// stripe verifies and applies one Stripe webhook. 2xx tells Stripe it is
// done (applied, a repeat, or a type bookwell does not follow); 400 that it
// is not Stripe's; 5xx that Stripe should send it again later.
func (h *Handler) stripe(w http.ResponseWriter, r *http.Request) {
	if h.StripeSecret == "" {
		refuse(w, http.StatusServiceUnavailable, "WEBHOOK_NOT_CONFIGURED", "STRIPE_WEBHOOK_SECRET is not set")
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBody))
	if err != nil {
		refuse(w, http.StatusBadRequest, "WEBHOOK_UNREADABLE", "the body could not be read")
		return
	}
	ev, err := h.verify(body, r.Header.Get("Stripe-Signature"))
	if err != nil {
		h.Log.Warn("a Stripe webhook was refused", "err", err)
		refuse(w, http.StatusBadRequest, "WEBHOOK_SIGNATURE_INVALID", "the Stripe-Signature does not verify, or is too old")
		return
	}
	pe, ok, err := toProcessorEvent(ev)
	if err != nil {
		h.Log.Warn("a Stripe webhook could not be read", "event", ev.ID, "type", ev.Type, "err", err)
		refuse(w, http.StatusBadRequest, "WEBHOOK_MALFORMED", "the event's object could not be read")
		return
	}
	if !ok {
		writeJSON(w, http.StatusOK, map[string]any{"id": ev.ID, "ignored": true})
		return
	}
	h.apply(w, r.Context(), pe)
}

func (h *Handler) apply(w http.ResponseWriter, ctx context.Context, pe domain.ProcessorEvent) {
	res, err := h.Service.Reconcile(ctx, pe)
	switch {
	case errors.Is(err, apperr.Invalid):
		refuse(w, http.StatusBadRequest, "WEBHOOK_MALFORMED", err.Error())
	case err != nil:
		h.Log.Error("applying a processor event", "event", pe.ID, "kind", pe.Kind, "err", err)
		refuse(w, http.StatusInternalServerError, "INTERNAL", "the event could not be applied now; send it again")
	default:
		writeJSON(w, http.StatusOK, map[string]any{"id": pe.ID, "booking_id": res.BookingID, "changed": res.Changed, "duplicate": res.Duplicate})
	}
}

func (h *Handler) verify(body []byte, sig string) (stripe.Event, error) {
	opts := webhook.ConstructEventOptions{Tolerance: Tolerance, IgnoreAPIVersionMismatch: true}
	if h.Now != nil {
		// stripe-go checks the age against time.Now; with a test clock,
		// check it here and let stripe-go check only the signature.
		if err := checkAge(sig, h.Now()); err != nil {
			return stripe.Event{}, err
		}
		opts.IgnoreTolerance = true
	}
	return webhook.ConstructEventWithOptions(body, sig, h.StripeSecret, opts)
}

func checkAge(sig string, now time.Time) error {
	for _, part := range strings.Split(sig, ",") {
		if v, ok := strings.CutPrefix(part, "t="); ok {
			var ts int64
			if _, err := fmt.Sscan(v, &ts); err != nil {
				return webhook.ErrInvalidHeader
			}
			if now.Sub(time.Unix(ts, 0)) > Tolerance {
				return webhook.ErrTooOld
			}
			return nil
		}
	}
	return webhook.ErrInvalidHeader
}

// toProcessorEvent reads the events bookwell follows; ok is false for
// others.
func toProcessorEvent(ev stripe.Event) (domain.ProcessorEvent, bool, error) {
	pe := domain.ProcessorEvent{ID: ev.ID}
	if ev.Data == nil {
		return pe, false, errors.New("no data")
	}
	raw := ev.Data.Raw
	switch ev.Type {
	case "payment_intent.amount_capturable_updated", "payment_intent.payment_failed", "payment_intent.canceled":
		var pi stripe.PaymentIntent
		if err := json.Unmarshal(raw, &pi); err != nil {
			return pe, false, err
		}
		pe.Ref = pi.ID
		switch ev.Type {
		case "payment_intent.amount_capturable_updated":
			// The hold is placed: after the cardholder authenticated, or
			// at once (then bookwell knows already and nothing changes).
			pe.Kind, pe.AuthExpiresAt = domain.ReconcileAuthenticated, stripecard.HoldLapses(&pi, time.Unix(ev.Created, 0))
		case "payment_intent.payment_failed":
			pe.Kind = domain.ReconcileAuthenticationFailed
		default:
			pe.Kind = domain.ReconcileAuthorizationCanceled
		}
	case "charge.refunded", "charge.expired":
		var ch stripe.Charge
		if err := json.Unmarshal(raw, &ch); err != nil {
			return pe, false, err
		}
		if ch.PaymentIntent == nil {
			return pe, false, nil // not a PaymentIntent's: not bookwell's
		}
		pe.Ref = ch.PaymentIntent.ID
		pe.Kind, pe.RefundedTotal = domain.ReconcileRefunded, ch.AmountRefunded
		if ev.Type == "charge.expired" {
			pe.Kind, pe.RefundedTotal = domain.ReconcileAuthorizationCanceled, 0
		}
	case "charge.dispute.created":
		var d stripe.Dispute
		if err := json.Unmarshal(raw, &d); err != nil {
			return pe, false, err
		}
		if d.PaymentIntent == nil {
			return pe, false, nil
		}
		pe.Ref, pe.Kind = d.PaymentIntent.ID, domain.ReconcileDisputed
	default:
		return pe, false, nil
	}
	return pe, true, nil
}

var page = template.Must(template.New("challenge").Parse(`<!doctype html>
<html><head><meta charset="utf-8"><title>Simulated card authentication</title></head>
<body style="font-family: sans-serif; max-width: 30rem; margin: 3rem auto">
<h1>Authenticate your payment</h1>
<p>This is bookwell's simulated card processor, standing in for your bank's 3-D Secure page.</p>
<form method="post"><input type="hidden" name="result" value="succeed"><button>Complete authentication</button></form>
<form method="post"><input type="hidden" name="result" value="fail"><button>Fail authentication</button></form>
</body></html>`))

func (h *Handler) challengePage(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_ = page.Execute(w, nil)
}

// authenticate completes (result=succeed) or fails (result=fail) a
// simulated authentication, then applies what the processor reports, as
// Stripe's webhook would. The result comes as a form field or JSON.
func (h *Handler) authenticate(w http.ResponseWriter, r *http.Request) {
	result := r.FormValue("result")
	if strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		var in struct {
			Result string `json:"result"`
		}
		if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 4096)).Decode(&in); err != nil {
			refuse(w, http.StatusBadRequest, "INVALID_ARGUMENT", "the body must be JSON: {\"result\": \"succeed\" or \"fail\"}")
			return
		}
		result = in.Result
	}
	if result != "succeed" && result != "fail" {
		refuse(w, http.StatusBadRequest, "INVALID_ARGUMENT", "result must be succeed or fail")
		return
	}
	pe, err := h.Simulator.Authenticate(r.Context(), r.PathValue("id"), result == "succeed")
	if err != nil {
		var ae *apperr.Error
		if errors.As(err, &ae) && ae.Kind == apperr.KindConflict {
			refuse(w, http.StatusConflict, ae.Reason, ae.Message)
			return
		}
		h.Log.Error("simulated authentication", "err", err)
		refuse(w, http.StatusInternalServerError, "INTERNAL", "try again")
		return
	}
	h.apply(w, r.Context(), pe)
}
