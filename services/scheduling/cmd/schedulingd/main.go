// Command schedulingd runs the scheduling service: its gRPC API, the outbox
// relay that publishes reservation events to the SCHEDULING stream, and the
// consumer of mentor standing changes from the REPUTATION stream.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"golang.org/x/sync/errgroup"

	// The zone database is compiled in: availability is wrong without it.
	_ "time/tzdata"

	schedulingv1 "github.com/bookwell/bookwell/gen/go/bookwell/scheduling/v1"
	"github.com/bookwell/bookwell/pkg/config"
	"github.com/bookwell/bookwell/pkg/events"
	"github.com/bookwell/bookwell/pkg/grpcserver"
	"github.com/bookwell/bookwell/pkg/identity"
	"github.com/bookwell/bookwell/pkg/logging"
	"github.com/bookwell/bookwell/pkg/outbox"
	"github.com/bookwell/bookwell/services/scheduling/internal/app"
	"github.com/bookwell/bookwell/services/scheduling/internal/domain"
	"github.com/bookwell/bookwell/services/scheduling/internal/grpcapi"
	"github.com/bookwell/bookwell/services/scheduling/internal/meeting"
	"github.com/bookwell/bookwell/services/scheduling/internal/postgres"
	"github.com/bookwell/bookwell/services/scheduling/internal/standing"
)

type settings struct {
	Auth        identity.Config
	DatabaseURL string `env:"DATABASE_URL" envDefault:"postgres://postgres@127.0.0.1:5432/bookwell?sslmode=disable"`
	NATSURL     string `env:"NATS_URL" envDefault:"nats://127.0.0.1:4222"`
	GRPCAddr    string `env:"SCHEDULING_GRPC_ADDR" envDefault:"127.0.0.1:9092"`
	// MeetingProvider is "jitsi" (no account needed) or "zoom".
	MeetingProvider  string `env:"MEETING_PROVIDER" envDefault:"jitsi"`
	JitsiURL         string `env:"JITSI_URL" envDefault:"https://meet.jit.si"`
	ZoomAccountID    string `env:"ZOOM_ACCOUNT_ID"`
	ZoomClientID     string `env:"ZOOM_CLIENT_ID"`
	ZoomClientSecret string `env:"ZOOM_CLIENT_SECRET"`
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "schedulingd:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context) error {
	log := logging.New("scheduling")
	cfg, err := config.Load[settings]()
	if err != nil {
		return err
	}
	meetings, err := meetingProvider(cfg)
	if err != nil {
		return err
	}
	pool, err := postgres.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer pool.Close()
	nc, js, err := events.Connect(cfg.NATSURL, "schedulingd")
	if err != nil {
		return err
	}
	defer nc.Close()

	svc := &app.Service{Store: &postgres.Store{Pool: pool}, Policy: domain.DefaultPolicy(), Meetings: meetings, Log: log}
	srv := grpcserver.New(log, identity.UnaryServerInterceptor(identity.NewVerifier(cfg.Auth.JWTSecret), log))
	schedulingv1.RegisterSchedulingServiceServer(srv, &grpcapi.Server{App: svc, Log: log})
	relay := &outbox.Relay{Pool: pool, JS: js, Schema: postgres.Schema, Stream: events.SchedulingStream, Log: log}

	g, ctx := errgroup.WithContext(ctx)
	g.Go(func() error { return srv.Serve(ctx, cfg.GRPCAddr) })
	g.Go(func() error { return relay.Run(ctx) })
	g.Go(func() error { return standing.Consumer(pool, js, log).Run(ctx) })
	return g.Wait()
}

func meetingProvider(cfg settings) (meeting.Provider, error) {
	switch cfg.MeetingProvider {
	case "jitsi":
		return meeting.Jitsi{BaseURL: cfg.JitsiURL}, nil
	case "zoom":
		if cfg.ZoomAccountID == "" || cfg.ZoomClientID == "" || cfg.ZoomClientSecret == "" {
			return nil, errors.New("MEETING_PROVIDER=zoom needs ZOOM_ACCOUNT_ID, ZOOM_CLIENT_ID and ZOOM_CLIENT_SECRET")
		}
		return &meeting.Zoom{AccountID: cfg.ZoomAccountID, ClientID: cfg.ZoomClientID, ClientSecret: cfg.ZoomClientSecret}, nil
	}
	return nil, fmt.Errorf("MEETING_PROVIDER %q: want jitsi or zoom", cfg.MeetingProvider)
}
