// Command reputationd serves the reputation context's gRPC API, projects
// booking and payment events into mentor and mentee figures, and relays its outbox
// (mentor standing changes) to NATS JetStream.
//
// With -rebuild it first empties the projections and replays the booking and
// payments streams from their first events.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"golang.org/x/sync/errgroup"

	reputationv1 "github.com/bookwell/bookwell/gen/go/bookwell/reputation/v1"
	"github.com/bookwell/bookwell/pkg/config"
	"github.com/bookwell/bookwell/pkg/consumer"
	"github.com/bookwell/bookwell/pkg/events"
	"github.com/bookwell/bookwell/pkg/grpcserver"
	"github.com/bookwell/bookwell/pkg/identity"
	"github.com/bookwell/bookwell/pkg/logging"
	"github.com/bookwell/bookwell/pkg/outbox"
	"github.com/bookwell/bookwell/pkg/pgdb"
	"github.com/bookwell/bookwell/services/reputation/internal/app"
	"github.com/bookwell/bookwell/services/reputation/internal/domain"
	"github.com/bookwell/bookwell/services/reputation/internal/grpcapi"
	"github.com/bookwell/bookwell/services/reputation/internal/postgres"
)

type cfg struct {
	Auth        identity.Config
	GRPCAddr    string `env:"REPUTATION_GRPC_ADDR" envDefault:"127.0.0.1:9095"`
	DatabaseURL string `env:"DATABASE_URL" envDefault:"postgres://postgres@127.0.0.1:5432/bookwell?sslmode=disable"`
	NATSURL     string `env:"NATS_URL" envDefault:"nats://127.0.0.1:4222"`
	Policy      domain.Policy
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "reputationd:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context) error {
	rebuild := flag.Bool("rebuild", false, "empty the projections and replay the booking and payments streams before serving")
	flag.Parse()
	log := logging.New("reputation")
	c, err := config.Load[cfg]()
	if err != nil {
		return err
	}
	if err := c.Policy.Validate(); err != nil {
		return err
	}
	pool, err := pgdb.Open(ctx, c.DatabaseURL, postgres.Schema, postgres.Migrations()...)
	if err != nil {
		return err
	}
	defer pool.Close()
	nc, js, err := events.Connect(c.NATSURL, "reputationd")
	if err != nil {
		return err
	}
	defer nc.Close()

	store := postgres.NewStore(pool)
	if *rebuild {
		log.Info("rebuilding projections from the booking and payments streams")
		if err := app.Rebuild(ctx, store, js); err != nil {
			return err
		}
	}
	projector := &app.Projector{Store: store, Policy: c.Policy, Log: log}
	bookings := &consumer.Consumer{
		Pool: pool, JS: js, Stream: events.BookingStream, Durable: app.BookingsDurable,
		Handle: projector.Handle, Log: log,
	}
	payments := &consumer.Consumer{
		Pool: pool, JS: js, Stream: events.PaymentsStream, Durable: app.PaymentsDurable,
		Handle: projector.HandlePayment, Log: log,
	}
	relay := &outbox.Relay{Pool: pool, JS: js, Schema: postgres.Schema, Stream: events.ReputationStream, Log: log}
	srv := grpcserver.New(log, identity.UnaryServerInterceptor(identity.NewVerifier(c.Auth.JWTSecret), log))
	reputationv1.RegisterReputationServiceServer(srv.Server, grpcapi.New(app.New(store, c.Policy, time.Now), log))

	g, ctx := errgroup.WithContext(ctx)
	g.Go(func() error { return srv.Serve(ctx, c.GRPCAddr) })
	g.Go(func() error { return bookings.Run(ctx) })
	g.Go(func() error { return payments.Run(ctx) })
	g.Go(func() error { return relay.Run(ctx) })
	return g.Wait()
}
