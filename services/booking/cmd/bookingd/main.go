// Command bookingd serves the booking context's gRPC API and relays its
// outbox to NATS JetStream.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"
	_ "time/tzdata" // IANA zones even where the system has none

	"golang.org/x/sync/errgroup"

	bookingv1 "github.com/bookwell/bookwell/gen/go/bookwell/booking/v1"
	reputationv1 "github.com/bookwell/bookwell/gen/go/bookwell/reputation/v1"
	schedulingv1 "github.com/bookwell/bookwell/gen/go/bookwell/scheduling/v1"
	"github.com/bookwell/bookwell/pkg/config"
	"github.com/bookwell/bookwell/pkg/events"
	"github.com/bookwell/bookwell/pkg/grpcclient"
	"github.com/bookwell/bookwell/pkg/grpcserver"
	"github.com/bookwell/bookwell/pkg/identity"
	"github.com/bookwell/bookwell/pkg/logging"
	"github.com/bookwell/bookwell/pkg/outbox"
	"github.com/bookwell/bookwell/pkg/pgdb"
	"github.com/bookwell/bookwell/services/booking/internal/app"
	"github.com/bookwell/bookwell/services/booking/internal/grpcapi"
	"github.com/bookwell/bookwell/services/booking/internal/policyconfig"
	"github.com/bookwell/bookwell/services/booking/internal/postgres"
	"github.com/bookwell/bookwell/services/booking/internal/reputationclient"
	"github.com/bookwell/bookwell/services/booking/internal/schedulingclient"
	"github.com/bookwell/bookwell/services/booking/internal/temporalclient"
)

type cfg struct {
	GRPCAddr    string `env:"BOOKING_GRPC_ADDR" envDefault:"127.0.0.1:9091"`
	DatabaseURL string `env:"DATABASE_URL" envDefault:"postgres://postgres@127.0.0.1:5432/bookwell?sslmode=disable"`
	NATSURL     string `env:"NATS_URL" envDefault:"nats://127.0.0.1:4222"`
	// Scheduling and reputation answer the mentor's pending view.
	SchedulingAddr string `env:"SCHEDULING_GRPC_ADDR" envDefault:"127.0.0.1:9092"`
	ReputationAddr string `env:"REPUTATION_GRPC_ADDR" envDefault:"127.0.0.1:9095"`
	Temporal       temporalclient.Config
	Auth           identity.Config
	Policy         policyconfig.Config
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "bookingd:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context) error {
	log := logging.New("booking")
	c, err := config.Load[cfg]()
	if err != nil {
		return err
	}
	pool, err := pgdb.Open(ctx, c.DatabaseURL, postgres.Schema, postgres.Migrations()...)
	if err != nil {
		return err
	}
	defer pool.Close()
	nc, js, err := events.Connect(c.NATSURL, "bookingd")
	if err != nil {
		return err
	}
	defer nc.Close()
	tc, err := temporalclient.Dial(ctx, c.Temporal, log)
	if err != nil {
		return err
	}
	defer tc.Close()

	defaults, err := c.Policy.Policy()
	if err != nil {
		return fmt.Errorf("booking policy: %w", err)
	}
	sched, err := grpcclient.Dial(c.SchedulingAddr, "bookingd", c.Auth.JWTSecret)
	if err != nil {
		return err
	}
	defer sched.Close()
	rep, err := grpcclient.Dial(c.ReputationAddr, "bookingd", c.Auth.JWTSecret)
	if err != nil {
		return err
	}
	defer rep.Close()
	lookups := app.Lookups{
		History:  reputationclient.History(reputationv1.NewReputationServiceClient(rep)),
		Conflict: schedulingclient.New(schedulingv1.NewSchedulingServiceClient(sched)).Conflict,
	}
	store := postgres.NewStore(pool)
	srv := grpcserver.New(log, identity.UnaryServerInterceptor(identity.NewVerifier(c.Auth.JWTSecret), log))
	bookingv1.RegisterBookingServiceServer(srv.Server, grpcapi.New(app.New(tc, store, defaults, lookups, time.Now), log))
	relay := &outbox.Relay{Pool: pool, JS: js, Schema: postgres.Schema, Stream: events.BookingStream, Log: log}

	g, ctx := errgroup.WithContext(ctx)
	g.Go(func() error { return srv.Serve(ctx, c.GRPCAddr) })
	g.Go(func() error { return relay.Run(ctx) })
	return g.Wait()
}
