// Command paymentsd is the payments service: its gRPC API on
// PAYMENTS_GRPC_ADDR, its state in the Postgres schema "payments", the relay
// of its outbox to the PAYMENTS stream on NATS JetStream, the consumer
// of the mentors' continuation decisions (who may buy a bundle), and on
// PAYMENTS_HTTP_ADDR the card processor's webhook (POST /webhooks/stripe)
// and, with the simulated processor, its card-authentication challenge.
package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	paymentsv1 "github.com/bookwell/bookwell/gen/go/bookwell/payments/v1"
	"github.com/bookwell/bookwell/pkg/erasure"
	"github.com/bookwell/bookwell/pkg/consumer"
	"github.com/bookwell/bookwell/pkg/events"
	"github.com/bookwell/bookwell/pkg/service"
	"github.com/bookwell/bookwell/services/payments/internal/app"
	"github.com/bookwell/bookwell/services/payments/internal/domain"
	"github.com/bookwell/bookwell/services/payments/internal/eventapi"
	"github.com/bookwell/bookwell/services/payments/internal/grpcapi"
	"github.com/bookwell/bookwell/services/payments/internal/postgres"
	"github.com/bookwell/bookwell/services/payments/internal/simcard"
	"github.com/bookwell/bookwell/services/payments/internal/stripecard"
	"github.com/bookwell/bookwell/services/payments/internal/webhookapi"
)

type config struct {
	service.Config
	GRPCAddr string `env:"PAYMENTS_GRPC_ADDR" envDefault:"127.0.0.1:9093"`
	// CardProvider is "simulated" (built in, offline) or "stripe".
	CardProvider string `env:"PAYMENTS_CARD_PROVIDER" envDefault:"simulated"`
	StripeKey    string `env:"STRIPE_SECRET_KEY"`
	// StripeURL overrides Stripe's API address (stripe-mock).
	StripeURL string `env:"STRIPE_API_URL"`
	// StripeWebhookSecret is the signing secret of the webhook endpoint
	// (whsec_...); without it every Stripe webhook is refused.
	StripeWebhookSecret string `env:"STRIPE_WEBHOOK_SECRET"`
	// HTTPAddr serves the webhook and the simulator's challenge page.
	HTTPAddr string `env:"PAYMENTS_HTTP_ADDR" envDefault:"127.0.0.1:8093"`
	// PublicURL is where browsers reach HTTPAddr (the simulator's challenge
	// page); http://HTTPAddr if empty.
	PublicURL string `env:"PAYMENTS_PUBLIC_URL"`
	// SimcardValidity is how long a simulated card hold lasts.
	SimcardValidity time.Duration `env:"SIMCARD_AUTHORIZATION_VALIDITY" envDefault:"168h"`
	Policy          domain.Policy
}

func main() { service.Main("paymentsd", config{Policy: domain.DefaultPolicy()}, build) }

func build(ctx context.Context, p *service.Process, c config) error {
	if err := c.Policy.Validate(); err != nil {
		return fmt.Errorf("configuration: %w", err)
	}
	pool, err := p.Postgres(ctx, postgres.Schema, postgres.Migrations()...)
	if err != nil {
		return err
	}
	provider, err := cardProvider(ctx, p, c)
	if err != nil {
		return err
	}
	svc := &app.Service{Store: &postgres.Store{Pool: pool}, Provider: provider, Policy: c.Policy, Log: p.Log}
	continuations := eventapi.ContinuationsConsumer(svc)
	erasures := erasure.Consumer("payments-erasures", postgres.EraseUser)
	srv := grpcapi.New(svc, p.Log)
	srv.DeadLetters = consumer.DeadLetters{Pool: pool, Consumers: []consumer.Consumer{continuations, erasures}}
	paymentsv1.RegisterPaymentsServiceServer(p.GRPC(c.GRPCAddr), srv)
	hooks := &webhookapi.Handler{Service: svc, StripeSecret: c.StripeWebhookSecret, Log: p.Log}
	if sim, ok := provider.(*simcard.Processor); ok {
		hooks.Simulator = sim
	}
	if c.StripeWebhookSecret == "" && c.CardProvider == "stripe" {
		p.Log.Warn("STRIPE_WEBHOOK_SECRET not set: Stripe's webhooks are refused, so refunds, disputes and lapsed holds made at Stripe are not seen")
	}
	p.HTTP(c.HTTPAddr, hooks.Routes())
	p.Relay(pool, postgres.Schema, events.PaymentsStream)
	p.Consume(pool, continuations)
	p.Consume(pool, erasures)
	return nil
}

// cardProvider is the card provider c names.
func cardProvider(ctx context.Context, p *service.Process, c config) (domain.CardProvider, error) {
	switch c.CardProvider {
	case "simulated":
		// Its own pool: the service calls it while holding a connection of
		// the main pool.
		sim, err := p.Postgres(ctx, postgres.Schema, simcard.Migrations())
		if err != nil {
			return nil, err
		}
		public := strings.TrimSuffix(c.PublicURL, "/")
		if public == "" {
			public = "http://" + c.HTTPAddr
		}
		return &simcard.Processor{Pool: sim, Validity: c.SimcardValidity, ChallengeURL: func(id string) string {
			return public + "/simcard/charges/" + id + "/authenticate"
		}}, nil
	case "stripe":
		if c.StripeKey == "" {
			return nil, errors.New("configuration: STRIPE_SECRET_KEY is required with PAYMENTS_CARD_PROVIDER=stripe")
		}
		return stripecard.New(c.StripeKey, c.StripeURL), nil
	}
	return nil, fmt.Errorf("configuration: PAYMENTS_CARD_PROVIDER must be simulated or stripe, got %q", c.CardProvider)
}
