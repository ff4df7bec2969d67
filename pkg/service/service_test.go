package service_test

import (
	"context"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/protobuf/types/known/wrapperspb"

	"github.com/bookwell/bookwell/pkg/consumer"
	"github.com/bookwell/bookwell/pkg/events"
	"github.com/bookwell/bookwell/pkg/natstest"
	"github.com/bookwell/bookwell/pkg/outbox"
	"github.com/bookwell/bookwell/pkg/pgtest"
	"github.com/bookwell/bookwell/pkg/service"
)

type config struct {
	service.Config
	GRPCAddr string        `env:"TEST_GRPC_ADDR"`
	Window   time.Duration `env:"TEST_WINDOW"`
}

func freeAddr(t *testing.T) string {
	t.Helper()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer lis.Close()
	return lis.Addr().String()
}

var stream = events.Stream{Name: "TEST", Subjects: []string{"test.>"}}

// A process serves gRPC with health checks, relays its outbox and consumes
// what was relayed, until it is told to stop; then every part stops, Run
// says the stop was clean, and the pool is closed.
func TestAProcessRunsItsPartsUntilToldToStop(t *testing.T) {
	ns := natstest.New(t)
	t.Setenv("DATABASE_URL", pgtest.New(t))
	t.Setenv("NATS_URL", ns.URL)
	t.Setenv("NATS_STREAM_REPLICAS", "1") // one server
	addr := freeAddr(t)
	t.Setenv("TEST_GRPC_ADDR", addr)
	t.Setenv("LOG_LEVEL", "error")
	t.Setenv("BOOKWELL_DEV", "true")

	heard := make(chan events.Event, 1)
	var pinged func(context.Context) error
	build := func(ctx context.Context, p *service.Process, c config) error {
		pool, err := p.Postgres(ctx, "svc", outbox.Migrations(), consumer.Migrations())
		if err != nil {
			return err
		}
		pinged = pool.Ping
		p.GRPC(c.GRPCAddr)
		p.Relay(pool, "svc", stream)
		p.Consume(pool, consumer.Consumer{Stream: stream, Durable: "svc-test", Handle: func(_ context.Context, _ pgx.Tx, ev events.Event) error {
			heard <- ev
			return nil
		}})
		// The fact the relay publishes and the consumer hears.
		ev, err := events.New(uuid.New(), "test.happened", "svc", time.Now(), wrapperspb.String("hello"))
		if err != nil {
			return err
		}
		return pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error { return outbox.Add(ctx, tx, ev) })
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- service.Run(ctx, "test", config{}, build) }()

	select {
	case ev := <-heard:
		if ev.Type != "test.happened" {
			t.Fatalf("heard %s, want test.happened", ev.Type)
		}
	case err := <-done:
		t.Fatalf("the process stopped: %v", err)
	case <-time.After(30 * time.Second):
		t.Fatal("the relayed event never reached the consumer")
	}
	conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	resp, err := healthpb.NewHealthClient(conn).Check(ctx, &healthpb.HealthCheckRequest{})
	if err != nil || resp.GetStatus() != healthpb.HealthCheckResponse_SERVING {
		t.Fatalf("health: %v, %v; want SERVING", resp, err)
	}

	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("a stop asked for is clean; Run returned %v", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("the process did not stop")
	}
	if err := pinged(context.Background()); err == nil {
		t.Fatal("the pool is still open after the process stopped")
	}
}

// A part that fails stops the others, and Run names it.
func TestAFailingPartStopsTheProcess(t *testing.T) {
	t.Setenv("LOG_LEVEL", "error")
	t.Setenv("BOOKWELL_DEV", "true")
	stopped := make(chan struct{})
	closed := false
	build := func(_ context.Context, p *service.Process, _ config) error {
		p.Defer(func() { closed = true })
		p.Go("steady", func(ctx context.Context) error {
			<-ctx.Done()
			close(stopped)
			return ctx.Err()
		})
		p.Go("broken", func(context.Context) error { return errors.New("disk full") })
		return nil
	}
	err := service.Run(context.Background(), "test", config{}, build)
	if err == nil || !strings.Contains(err.Error(), "broken: disk full") {
		t.Fatalf("Run returned %v; want the broken part's failure", err)
	}
	select {
	case <-stopped:
	default:
		t.Fatal("the steady part was not stopped")
	}
	if !closed {
		t.Fatal("what the process opened was not closed")
	}
}

// The configuration starts from the main's defaults; a variable that is set
// wins, a malformed one stops the process before it builds anything.
func TestConfigurationStartsFromTheDefaults(t *testing.T) {
	var got config
	build := func(_ context.Context, _ *service.Process, c config) error { got = c; return nil }
	t.Setenv("LOG_LEVEL", "error")
	t.Setenv("BOOKWELL_DEV", "true")
	if err := service.Run(context.Background(), "test", config{Window: time.Hour, GRPCAddr: "x"}, build); err != nil {
		t.Fatal(err)
	}
	if got.Window != time.Hour || got.NATSURL != "nats://127.0.0.1:4222" {
		t.Fatalf("config %+v; want the default window and NATS URL", got)
	}
	t.Setenv("TEST_WINDOW", "2h")
	if err := service.Run(context.Background(), "test", config{Window: time.Hour}, build); err != nil || got.Window != 2*time.Hour {
		t.Fatalf("TEST_WINDOW=2h gave %v (%v)", got.Window, err)
	}
	got = config{}
	t.Setenv("TEST_WINDOW", "soon")
	if err := service.Run(context.Background(), "test", config{}, build); err == nil || !strings.Contains(err.Error(), `"soon"`) || got.Window != 0 {
		t.Fatalf("a malformed TEST_WINDOW: %v, built %+v", err, got)
	}
}

// Readiness runs every registered check and names those that fail.
func TestReadyNamesTheDependenciesThatFail(t *testing.T) {
	t.Setenv("LOG_LEVEL", "error")
	t.Setenv("BOOKWELL_DEV", "true")
	var ready error
	build := func(ctx context.Context, p *service.Process, _ config) error {
		p.Check("temporal", func(context.Context) error { return errors.New("connection refused") })
		p.Check("cache", func(context.Context) error { return nil })
		ready = p.Ready(ctx)
		return nil
	}
	if err := service.Run(context.Background(), "test", config{}, build); err != nil {
		t.Fatal(err)
	}
	if ready == nil || !strings.Contains(ready.Error(), "temporal: connection refused") || strings.Contains(ready.Error(), "cache") {
		t.Fatalf("Ready = %v; want temporal only", ready)
	}
}

// Outside development mode, a process without the identity provider's
// settings and its service key does not start, and says what to set.
func TestAProcessOutsideDevelopmentModeNeedsIdentitySettings(t *testing.T) {
	t.Setenv("LOG_LEVEL", "error")
	t.Setenv("BOOKWELL_DEV", "false")
	built := false
	err := service.Run(context.Background(), "test", config{}, func(context.Context, *service.Process, config) error {
		built = true
		return nil
	})
	if err == nil || built {
		t.Fatalf("started without identity settings: %v", err)
	}
	for _, want := range []string{"AUTH_ISSUER", "AUTH_AUDIENCE", "SERVICE_SIGNING_KEY", "BOOKWELL_DEV"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("the refusal does not mention %s: %v", want, err)
		}
	}
}
