// Package service is the skeleton of every bookwell process. A main names
// its configuration and its parts; service does the rest the same way for
// all of them: configuration from the environment, the logger, the signals
// that stop it, the migrated Postgres pool, the NATS JetStream connection,
// the gRPC server (identity, health, errors), gRPC clients to other services,
// outbox relays and event consumers, and a clean shutdown in which every part
// stops and every connection closes, context.Canceled counting as a clean
// stop.
//
//	func main() { service.Main("schedulingd", config{}, build) }
//
//	func build(ctx context.Context, p *service.Process, c config) error {
//		pool, err := p.Postgres(ctx, postgres.Schema, postgres.Migrations()...)
//		if err != nil {
//			return err
//		}
//		schedulingv1.RegisterSchedulingServiceServer(p.GRPC(c.GRPCAddr), grpcapi.New(app.New(...)))
//		p.Relay(pool, postgres.Schema, events.SchedulingStream)
//		return nil
//	}
//
// Every connection a process makes and every server it runs is made in this
// package, so what concerns them all is added here once:
//
//   - metrics and tracing: a stats handler on the server in GRPC and on the
//     clients in Dial, a tracer on the pool in Postgres, the trace context
//     on the events relayed (Relay) and consumed (Consume), and the metrics
//     endpoint as one more part (HTTP);
//   - readiness: every dependency registers a Check (Postgres and NATS do it
//     themselves; a main adds Temporal's); Ready runs them all, and a loop
//     that turns their result into the health service's status belongs in
//     run;
//   - transport security of the clients: Dial.
package service

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"slices"
	"syscall"
	"time"
	_ "time/tzdata" // IANA time zones even where the system has none

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"golang.org/x/sync/errgroup"
	"google.golang.org/grpc"

	"github.com/bookwell/bookwell/pkg/config"
	"github.com/bookwell/bookwell/pkg/consumer"
	"github.com/bookwell/bookwell/pkg/events"
	"github.com/bookwell/bookwell/pkg/grpcclient"
	"github.com/bookwell/bookwell/pkg/grpcserver"
	"github.com/bookwell/bookwell/pkg/identity"
	"github.com/bookwell/bookwell/pkg/outbox"
	"github.com/bookwell/bookwell/pkg/pgdb"
	"github.com/bookwell/bookwell/pkg/retention"
)

// Config is the environment every bookwell process reads. A process's own
// configuration struct embeds it and adds its settings.
type Config struct {
	// DatabaseURL is the Postgres server; each service keeps to its schema.
	DatabaseURL string `env:"DATABASE_URL" envDefault:"postgres://postgres@127.0.0.1:5432/bookwell?sslmode=disable"`
	// Database secures and sizes the connections (deploy.go).
	Database DatabaseConfig
	// NATSURL is the NATS server, with JetStream; several comma-separated.
	NATSURL string `env:"NATS_URL" envDefault:"nats://127.0.0.1:4222"`
	// NATS authenticates and secures the connection and sizes the streams.
	NATS NATSConfig
	// GRPC secures the calls between services.
	GRPC GRPCConfig
	// Auth is where identities come from: the identity provider for users,
	// a key per service, or development mode (docs/security.md).
	Auth identity.Config
	// AdminAddr serves /livez, /readyz and /metrics when set (":8081").
	AdminAddr string `env:"ADMIN_HTTP_ADDR"`
	// Retention is how long the outbox and the consumers keep what they no
	// longer need.
	Retention RetentionConfig
	// BootstrapOnStart has the process migrate its schema and create its
	// streams and consumers as it starts. Off, `<process> bootstrap` must
	// have done it (the Helm chart's Job).
	BootstrapOnStart bool `env:"BOOTSTRAP_ON_START" envDefault:"true"`
}

func (c Config) common() Config { return c }

// Configuration is a process's configuration: a struct that embeds Config.
type Configuration interface{ common() Config }

// Build names a process's parts on p, given its configuration c. It runs
// once, before any part starts; ctx ends when the process is told to stop.
type Build[C Configuration] func(ctx context.Context, p *Process, c C) error

// Main runs the process called name until SIGINT or SIGTERM: see Run. When
// the process fails it prints why and exits with status 1.
//
// With the argument "bootstrap" (`bookingd bootstrap`) it runs Bootstrap
// instead: once per environment and release, before the processes start.
func Main[C Configuration](name string, defaults C, build Build[C]) {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	run := Run[C]
	if command(os.Args[1:]) == "bootstrap" {
		run = Bootstrap[C]
	}
	err := run(ctx, name, defaults, build)
	stop()
	if err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v\n", name, err)
		os.Exit(1)
	}
}

// Run loads the configuration (starting from defaults: a field whose
// variable is unset keeps its default), lets build name the parts, runs them
// until ctx ends or one fails, then stops the others and closes what the
// process opened, in reverse order. It returns the first failure; a stop
// asked for through ctx is not one.
func Run[C Configuration](ctx context.Context, name string, defaults C, build Build[C]) error {
	c := defaults
	if err := config.Load(&c); err != nil {
		return err
	}
	p, err := newProcess(name, c.common(), false)
	if err != nil {
		return err
	}
	defer p.close()
	if err := p.identities(ctx); err != nil {
		return err
	}
	if err := build(ctx, p, c); err != nil {
		return clean(ctx, err)
	}
	return clean(ctx, p.run(ctx))
}

// clean drops an error that only says the process was told to stop.
func clean(ctx context.Context, err error) error {
	if errors.Is(err, context.Canceled) && ctx.Err() != nil {
		return nil
	}
	return err
}

// Process is one running bookwell program: its name, its logger, the parts
// it runs and what it closes when they have stopped.
type Process struct {
	// Name names the process in its logs, its NATS connection and the
	// service tokens it calls other services with.
	Name string
	// Log is its logger (LOG_FORMAT json or text, LOG_LEVEL).
	Log *slog.Logger

	config  Config
	nc      *nats.Conn
	js      jetstream.JetStream
	server  *grpcserver.Server
	parts   []part
	closers []func()
	checks  []check

	// bootstrap: build runs to name the steps of Bootstrap, not parts.
	bootstrap bool
	steps     []step
	streams   events.Settings
	grpcTLS   *tls.Config // the clients' TLS, nil for plaintext
	readiness readiness
	self      identity.SelfAuthenticated
	verifier  *identity.Verifier
	key       *identity.ServiceKey
}

// identities builds the process's token verifier and service key from its
// configuration: outside development mode, without the identity provider's
// settings and a service key, the process does not start.
func (p *Process) identities(ctx context.Context) error {
	var err error
	if p.verifier, err = p.config.Auth.Verifier(ctx); err != nil {
		return fmt.Errorf("configuration: %w", err)
	}
	if p.key, err = p.config.Auth.ServiceKey(p.Name); err != nil {
		return fmt.Errorf("configuration: %w", err)
	}
	if p.config.Auth.Dev {
		p.Log.Warn("development mode (BOOKWELL_DEV): HS256 development tokens are accepted; never in production")
	}
	return nil
}

// Verifier checks bearer tokens as this process's gRPC server does: for a
// main that checks tokens itself (the gateway).
func (p *Process) Verifier() *identity.Verifier { return p.verifier }

// part is something the process runs until its context ends.
type part struct {
	name string
	// nats: the part needs the JetStream connection, made before it starts.
	nats bool
	run  func(ctx context.Context, js jetstream.JetStream) error
}

// check is one dependency readiness looks at.
type check struct {
	name string
	fn   func(context.Context) error
}

// Go runs fn as a part of the process, from the start until ctx ends. An
// error other than context.Canceled stops the whole process.
func (p *Process) Go(name string, fn func(ctx context.Context) error) {
	p.parts = append(p.parts, part{name: name, run: func(ctx context.Context, _ jetstream.JetStream) error { return fn(ctx) }})
}

// Defer has close called when the process stops, after every part has
// stopped; the last deferred is called first.
func (p *Process) Defer(close func()) { p.closers = append(p.closers, close) }

// Check registers a dependency for readiness: fn fails when it cannot be
// reached.
func (p *Process) Check(name string, fn func(ctx context.Context) error) {
	p.checks = append(p.checks, check{name: name, fn: fn})
}

// Ready runs every check and reports those that fail.
func (p *Process) Ready(ctx context.Context) error {
	var errs []error
	for _, c := range p.checks {
		if err := c.fn(ctx); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", c.name, err))
		}
	}
	return errors.Join(errs...)
}

// Postgres opens a pool whose connections work in schema, applies the
// migrations (each set once, whichever replica comes first), and closes the
// pool when the process stops.
//
// Without BOOTSTRAP_ON_START the pool only connects, and fails if a migration
// is pending: the bootstrap has not run for this release. In Bootstrap, the
// migrations run as MIGRATIONS_DATABASE_URL's role when set, which then
// grants the application's role what it needs in schema.
func (p *Process) Postgres(ctx context.Context, schema string, migrations ...pgdb.Migrations) (*pgxpool.Pool, error) {
	url, err := p.config.Database.url(p.config.DatabaseURL)
	if err != nil {
		return nil, err
	}
	var pool *pgxpool.Pool
	switch {
	case p.bootstrap:
		pool, err = p.migrate(ctx, url, schema, migrations)
	case p.config.BootstrapOnStart:
		pool, err = pgdb.Open(ctx, url, schema, migrations...)
	default:
		pool, err = pgdb.Connect(ctx, url, schema)
		if err == nil {
			err = pgdb.CheckMigrated(ctx, pool, migrations...)
			if err != nil {
				pool.Close()
				err = fmt.Errorf("%w: run `%s bootstrap` for this release", err, p.Name)
			}
		}
	}
	if err != nil {
		return nil, err
	}
	p.Defer(pool.Close)
	p.Check("postgres", pool.Ping)
	return pool, nil
}

// JetStream connects to NATS (once; reconnecting for ever after a loss) and
// returns its JetStream context. Relay and Consume connect by themselves;
// call it for what runs before the parts do.
func (p *Process) JetStream() (jetstream.JetStream, error) {
	if p.js != nil {
		return p.js, nil
	}
	opts, err := p.config.NATS.options()
	if err != nil {
		return nil, err
	}
	nc, js, err := events.Connect(p.config.NATSURL, p.Name, opts...)
	if err != nil {
		return nil, err
	}
	p.nc, p.js = nc, js
	p.Defer(nc.Close)
	p.Check("nats", func(context.Context) error {
		if !nc.IsConnected() {
			return fmt.Errorf("connection %s", nc.Status())
		}
		return nil
	})
	return js, nil
}

// GRPC returns the process's gRPC server, for the main to register its
// service on; the server serves on addr while the process runs. Every call
// but health checks and reflection needs a valid bearer token (identity),
// and a handler's errors reach the caller as their gRPC status
// (apperr/grpcstatus). A process has one server: later calls return it and
// ignore addr.
func (p *Process) GRPC(addr string) *grpcserver.Server {
	if p.server == nil {
		p.server = grpcserver.NewWith(p.Log, grpcserver.Options{TLS: p.readiness.serverTLS},
			identity.UnaryServerInterceptor(p.verifier, p.self))
		p.server.SetServing(p.readiness.ok.Load())
		p.Go("gRPC server", func(ctx context.Context) error { return p.server.Serve(ctx, addr) })
	}
	return p.server
}

// SelfAuthenticated lets the gRPC method (its full name) through the
// server's identity check without a caller: the handler checks a signature
// over the request itself (an email's action link).
func (p *Process) SelfAuthenticated(method string) { p.self[method] = true }

// Dial returns a connection to another bookwell service's gRPC API at addr,
// calling as this process with service tokens signed by its own key
// (SERVICE_SIGNING_KEY), closed when the process stops. It connects lazily
// and reconnects by itself.
func (p *Process) Dial(addr string) (*grpc.ClientConn, error) {
	conn, err := grpcclient.Dial(addr, p.key, p.grpcTLS)
	if err != nil {
		return nil, err
	}
	p.Defer(func() { _ = conn.Close() })
	return conn, nil
}

// Transport is the dial options of Dial without the service token: for a
// process that forwards its callers' tokens (the gateway).
func (p *Process) Transport() []grpc.DialOption { return grpcclient.Transport(p.grpcTLS) }

// HTTP serves h on addr while the process runs, then shuts down gracefully,
// giving requests in flight up to ten seconds.
func (p *Process) HTTP(addr string, h http.Handler) {
	p.Go("HTTP server", func(ctx context.Context) error {
		lis, err := net.Listen("tcp", addr)
		if err != nil {
			return fmt.Errorf("listen %s: %w", addr, err)
		}
		srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
		p.Log.Info("HTTP server listening", "addr", lis.Addr().String())
		served := make(chan error, 1)
		go func() { served <- srv.Serve(lis) }()
		select {
		case err := <-served:
			return fmt.Errorf("serve HTTP: %w", err)
		case <-ctx.Done():
		}
		shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		err = srv.Shutdown(shutdown)
		<-served
		return err
	})
}

// Relay publishes the outbox in schema of pool to stream (created or updated
// first) while the process runs.
func (p *Process) Relay(pool *pgxpool.Pool, schema string, stream events.Stream) {
	if p.bootstrap {
		p.steps = append(p.steps, step{name: "stream " + stream.Name, nats: true, run: func(ctx context.Context, js jetstream.JetStream) (string, error) {
			return ensureStream(ctx, js, stream, p.streams.Of(stream))
		}})
		return
	}
	p.parts = append(p.parts, part{name: "outbox relay " + schema, nats: true, run: func(ctx context.Context, js jetstream.JetStream) error {
		r := &outbox.Relay{Pool: pool, JS: js, Schema: schema, Stream: stream, Log: p.Log,
			Limits: p.streams.Of(stream), SkipEnsure: !p.config.BootstrapOnStart}
		return r.Run(ctx)
	}})
	p.Go("outbox retention "+schema, retention.Job{
		Name: "published outbox events of " + schema, Keep: p.config.Retention.Outbox, Every: p.config.Retention.Interval, Log: p.Log,
		Delete: func(ctx context.Context, before time.Time) (int64, error) {
			return outbox.DeletePublishedBefore(ctx, pool, before)
		},
	}.Run)
}

// Consume runs c, a durable consumer whose handler works in transactions of
// pool, while the process runs. Its Pool, JS and Log are the process's.
func (p *Process) Consume(pool *pgxpool.Pool, c consumer.Consumer) {
	c.Limits, c.SkipEnsure = p.streams, !p.config.BootstrapOnStart
	if p.bootstrap {
		p.steps = append(p.steps, step{name: "consumer " + c.Durable, nats: true, run: func(ctx context.Context, js jetstream.JetStream) (string, error) {
			return ensureConsumer(ctx, c.With(pool, js, p.Log))
		}})
		return
	}
	p.parts = append(p.parts, part{name: "consumer " + c.Durable, nats: true, run: func(ctx context.Context, js jetstream.JetStream) error {
		return c.With(pool, js, p.Log).Run(ctx)
	}})
	p.Go("handled events retention "+c.Durable, retention.Job{
		Name: "handled event ids of " + c.Durable, Keep: p.config.Retention.HandledEvents, Every: p.config.Retention.Interval, Log: p.Log,
		Delete: func(ctx context.Context, before time.Time) (int64, error) {
			return consumer.DeleteHandledBefore(ctx, pool, c.Durable, before)
		},
	}.Run)
}

// RetentionConfig is how long rows that only guard against duplicates are
// kept, and how often the old ones are deleted. Zero keeps them for ever.
type RetentionConfig struct {
	// Outbox is how long a published event stays in the outbox.
	Outbox time.Duration `env:"OUTBOX_RETENTION" envDefault:"168h"`
	// HandledEvents is how long a consumer remembers an event it handled
	// (and keeps a redriven dead letter): longer than the streams keep
	// events (NATS_STREAM_MAX_AGE, 30 days).
	HandledEvents time.Duration `env:"HANDLED_EVENTS_RETENTION" envDefault:"1080h"`
	// Interval is how often old rows are deleted.
	Interval time.Duration `env:"RETENTION_INTERVAL" envDefault:"1h"`
}

// run starts every part and waits for them: all of them stop when ctx ends
// or when one fails.
func (p *Process) run(ctx context.Context) error {
	if slices.ContainsFunc(p.parts, func(x part) bool { return x.nats }) {
		if _, err := p.JetStream(); err != nil {
			return err
		}
	}
	p.watchReadiness(ctx)
	g, ctx := errgroup.WithContext(ctx)
	names := make([]string, 0, len(p.parts))
	for _, x := range p.parts {
		names = append(names, x.name)
		g.Go(func() error {
			if err := x.run(ctx, p.js); err != nil && !errors.Is(err, context.Canceled) {
				return fmt.Errorf("%s: %w", x.name, err)
			}
			return nil
		})
	}
	p.Log.Info("started", "parts", names)
	err := g.Wait()
	if err != nil {
		p.Log.Error("stopping", "err", err)
	} else {
		p.Log.Info("stopped")
	}
	return err
}

// close closes what the process opened, the last opened first.
func (p *Process) close() {
	for _, c := range slices.Backward(p.closers) {
		c()
	}
}
