// Package stripecard is the card provider adapter for Stripe, through the
// official stripe-go client: a PaymentIntent with manual capture is the
// authorization (confirmed at once), capture and cancel act on it, and
// refunds are Stripe refunds of it. Every request carries an idempotency key,
// so a retried call is one call to Stripe. A network failure or a Stripe
// server error is ErrProviderUnavailable; card errors are declines.
package stripecard

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/stripe/stripe-go/v85"

	"github.com/bookwell/bookwell/services/payments/internal/domain"
)

// testCards turns Stripe's test card numbers into the test payment methods
// Stripe accepts in place of raw numbers.
var testCards = map[string]string{
	"4242424242424242": "pm_card_visa",
	"4000000000000002": "pm_card_chargeDeclined",
	"4000000000009995": "pm_card_chargeDeclinedInsufficientFunds",
	"4000002500003155": "pm_card_authenticationRequiredOnSetup",
	"4000002760003184": "pm_card_authenticationRequired",
}

// HoldValidity is how long Stripe keeps an online card authorization when
// the charge does not say (capture_before): 7 days.
const HoldValidity = 7 * 24 * time.Hour

// Provider is the Stripe adapter.
type Provider struct {
	client *stripe.Client
}

var _ domain.CardProvider = (*Provider)(nil)

// New returns a provider for the secret key; url overrides Stripe's API
// address (stripe-mock in tests) when not empty.
func New(key, url string) *Provider {
	cfg := &stripe.BackendConfig{
		HTTPClient:        &http.Client{Timeout: 20 * time.Second},
		MaxNetworkRetries: stripe.Int64(1),
		LeveledLogger:     &stripe.LeveledLogger{Level: stripe.LevelNull}, // callers log the errors they get
	}
	if url != "" {
		cfg.URL = stripe.String(url)
	}
	return &Provider{client: stripe.NewClient(key, stripe.WithBackends(stripe.NewBackendsWithConfig(cfg)))}
}

// translate maps a Stripe error onto the domain's.
func translate(op string, err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	var se *stripe.Error
	if !errors.As(err, &se) {
		return fmt.Errorf("%w: stripe %s: %v", domain.ErrProviderUnavailable, op, err)
	}
	switch {
	case se.Code == stripe.ErrorCodeInsufficientFunds || se.DeclineCode == stripe.DeclineCodeInsufficientFunds:
		return domain.ErrInsufficientFunds
	case se.Type == stripe.ErrorTypeCard || se.Code == stripe.ErrorCodeCardDeclined:
		return domain.ErrCardDeclined
	case se.HTTPStatusCode >= 500 || se.HTTPStatusCode == http.StatusTooManyRequests || se.Type == stripe.ErrorTypeAPI:
		return fmt.Errorf("%w: stripe %s: %s", domain.ErrProviderUnavailable, op, se.Msg)
	}
	return fmt.Errorf("stripe %s: %w", op, err)
}

func params(key string) stripe.Params {
	var p stripe.Params
	p.SetIdempotencyKey(key)
	return p
}

// Authorize creates and confirms a PaymentIntent with manual capture.
func (p *Provider) Authorize(ctx context.Context, c domain.CardCharge) (domain.Authorization, error) {
	pm := c.Card
	if t, ok := testCards[c.Card]; ok {
		pm = t
	}
	if len(pm) < 3 || !(strings.HasPrefix(pm, "pm_") || strings.HasPrefix(pm, "tok_")) {
		return domain.Authorization{}, domain.ErrInvalidCard
	}
	// The charge says when its hold lapses (capture_before).
	ps := params(c.Key)
	ps.AddExpand("latest_charge")
	pi, err := p.client.V1PaymentIntents.Create(ctx, &stripe.PaymentIntentCreateParams{
		Params:             ps,
		Amount:             stripe.Int64(c.Amount),
		Currency:           stripe.String(strings.ToLower(c.Currency)),
		CaptureMethod:      stripe.String(string(stripe.PaymentIntentCaptureMethodManual)),
		PaymentMethod:      stripe.String(pm),
		PaymentMethodTypes: []*string{stripe.String("card")},
		Confirm:            stripe.Bool(true),
	})
	if err != nil {
		return domain.Authorization{}, translate("authorize", err)
	}
	last4 := ""
	if _, ok := testCards[c.Card]; ok {
		last4 = c.Card[len(c.Card)-4:]
	}
	return authorization(pi, last4, time.Now()), nil
}

// authorization is what a confirmed PaymentIntent says: a hold (with when it
// lapses), or, in requires_action, what the cardholder's browser needs to
// authenticate (the client secret for stripe.js; the address of a redirect
// when Stripe gives one).
func authorization(pi *stripe.PaymentIntent, last4 string, now time.Time) domain.Authorization {
	a := domain.Authorization{Ref: pi.ID, Last4: last4}
	if pi.Status == stripe.PaymentIntentStatusRequiresAction {
		a.Action = &domain.NextAction{ClientSecret: pi.ClientSecret}
		if na := pi.NextAction; na != nil && na.RedirectToURL != nil {
			a.Action.RedirectURL = na.RedirectToURL.URL
		}
		return a
	}
	a.ExpiresAt = HoldLapses(pi, now)
	return a
}

// HoldLapses is when the PaymentIntent's hold lapses: its charge's
// capture_before when Stripe sent the charge, else HoldValidity after the
// PaymentIntent was created (or now).
func HoldLapses(pi *stripe.PaymentIntent, now time.Time) time.Time {
	if ch := pi.LatestCharge; ch != nil && ch.PaymentMethodDetails != nil && ch.PaymentMethodDetails.Card != nil &&
		ch.PaymentMethodDetails.Card.CaptureBefore > 0 {
		return time.Unix(ch.PaymentMethodDetails.Card.CaptureBefore, 0).UTC()
	}
	if pi.Created > 0 {
		return time.Unix(pi.Created, 0).UTC().Add(HoldValidity)
	}
	return now.UTC().Add(HoldValidity)
}

// Capture captures amount of the PaymentIntent.
func (p *Provider) Capture(ctx context.Context, ref string, amount int64, key string) error {
	_, err := p.client.V1PaymentIntents.Capture(ctx, ref, &stripe.PaymentIntentCaptureParams{
		Params: params(key), AmountToCapture: stripe.Int64(amount),
	})
	return translate("capture", err)
}

// Void cancels the PaymentIntent, releasing the hold.
func (p *Provider) Void(ctx context.Context, ref, key string) error {
	_, err := p.client.V1PaymentIntents.Cancel(ctx, ref, &stripe.PaymentIntentCancelParams{Params: params(key)})
	return translate("void", err)
}

// Refund refunds amount of the captured PaymentIntent.
func (p *Provider) Refund(ctx context.Context, ref string, amount int64, key string) error {
	_, err := p.client.V1Refunds.Create(ctx, &stripe.RefundCreateParams{
		Params: params(key), PaymentIntent: stripe.String(ref), Amount: stripe.Int64(amount),
	})
	return translate("refund", err)
}
