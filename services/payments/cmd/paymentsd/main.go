// Command paymentsd is the payments service: its gRPC API on
// PAYMENTS_GRPC_ADDR, its state in the Postgres schema "payments", and the
// relay of its outbox to the PAYMENTS stream on NATS JetStream, and the
// consumer of the mentors' continuation decisions (who may buy a bundle).
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"golang.org/x/sync/errgroup"

	paymentsv1 "github.com/bookwell/bookwell/gen/go/bookwell/payments/v1"
	"github.com/bookwell/bookwell/pkg/config"
	"github.com/bookwell/bookwell/pkg/events"
	"github.com/bookwell/bookwell/pkg/grpcserver"
	"github.com/bookwell/bookwell/pkg/identity"
	"github.com/bookwell/bookwell/pkg/logging"
	"github.com/bookwell/bookwell/pkg/outbox"
	"github.com/bookwell/bookwell/pkg/pgdb"
	"github.com/bookwell/bookwell/services/payments/internal/app"
	"github.com/bookwell/bookwell/services/payments/internal/domain"
	"github.com/bookwell/bookwell/services/payments/internal/eventapi"
	"github.com/bookwell/bookwell/services/payments/internal/grpcapi"
	"github.com/bookwell/bookwell/services/payments/internal/postgres"
	"github.com/bookwell/bookwell/services/payments/internal/simcard"
	"github.com/bookwell/bookwell/services/payments/internal/stripecard"
)

// Config is paymentsd's environment.
type Config struct {
	Auth        identity.Config
	DatabaseURL string `env:"DATABASE_URL" envDefault:"postgres://postgres@127.0.0.1:5432/bookwell?sslmode=disable"`
	NatsURL     string `env:"NATS_URL" envDefault:"nats://127.0.0.1:4222"`
	GRPCAddr    string `env:"PAYMENTS_GRPC_ADDR" envDefault:"127.0.0.1:9093"`
	// CardProvider is "simulated" (built in, offline) or "stripe".
	CardProvider string `env:"PAYMENTS_CARD_PROVIDER" envDefault:"simulated"`
	StripeKey    string `env:"STRIPE_SECRET_KEY"`
	// StripeURL overrides Stripe's API address (stripe-mock).
	StripeURL string `env:"STRIPE_API_URL"`
	// CommissionBps is the platform's commission in basis points.
	CommissionBps int64 `env:"PAYMENTS_COMMISSION_BPS" envDefault:"1000"`
	// FullRefundNotice is how long ahead a mentee must cancel for a full refund.
	FullRefundNotice time.Duration `env:"PAYMENTS_FULL_REFUND_NOTICE" envDefault:"24h"`
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "paymentsd:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context) error {
	log := logging.New("payments")
	cfg, err := config.Load[Config]()
	if err != nil {
		return err
	}
	pol := domain.Policy{CommissionBps: cfg.CommissionBps, FullRefundNotice: cfg.FullRefundNotice}
	if err := pol.Validate(); err != nil {
		return fmt.Errorf("configuration: %w", err)
	}
	pool, err := postgres.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer pool.Close()
	provider, closeProvider, err := cardProvider(ctx, cfg)
	if err != nil {
		return err
	}
	defer closeProvider()

	nc, js, err := events.Connect(cfg.NatsURL, "paymentsd")
	if err != nil {
		return err
	}
	defer nc.Close()

	svc := &app.Service{Store: &postgres.Store{Pool: pool}, Provider: provider, Policy: pol, Log: log}
	srv := grpcserver.New(log, identity.UnaryServerInterceptor(identity.NewVerifier(cfg.Auth.JWTSecret), log))
	paymentsv1.RegisterPaymentsServiceServer(srv, &grpcapi.Server{App: svc, Log: log})

	g, ctx := errgroup.WithContext(ctx)
	g.Go(func() error { return srv.Serve(ctx, cfg.GRPCAddr) })
	g.Go(func() error {
		r := &outbox.Relay{Pool: pool, JS: js, Schema: postgres.Schema, Stream: events.PaymentsStream, Log: log}
		return r.Run(ctx)
	})
	g.Go(func() error { return eventapi.ContinuationsConsumer(pool, js, log, svc).Run(ctx) })
	log.Info("payments service started", "addr", cfg.GRPCAddr, "card_provider", cfg.CardProvider)
	if err := g.Wait(); err != nil && !errors.Is(err, context.Canceled) {
		return err
	}
	return nil
}

// cardProvider builds the configured card provider and what closes it.
func cardProvider(ctx context.Context, cfg Config) (domain.CardProvider, func(), error) {
	switch cfg.CardProvider {
	case "simulated":
		// Its own pool: the service calls it while holding a connection of
		// the main pool.
		sim, err := pgdb.Open(ctx, cfg.DatabaseURL, postgres.Schema, simcard.Migrations())
		if err != nil {
			return nil, nil, err
		}
		return &simcard.Processor{Pool: sim}, sim.Close, nil
	case "stripe":
		if cfg.StripeKey == "" {
			return nil, nil, errors.New("configuration: STRIPE_SECRET_KEY is required with PAYMENTS_CARD_PROVIDER=stripe")
		}
		return stripecard.New(cfg.StripeKey, cfg.StripeURL), func() {}, nil
	}
	return nil, nil, fmt.Errorf("configuration: PAYMENTS_CARD_PROVIDER must be simulated or stripe, got %q", cfg.CardProvider)
}
