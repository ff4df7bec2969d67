package service

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"os"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/nats-io/jwt/v2"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/nats-io/nkeys"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"go.temporal.io/api/enums/v1"
	"go.temporal.io/api/operatorservice/v1"
	"go.temporal.io/sdk/client"
	temporalotel "go.temporal.io/sdk/contrib/opentelemetry"
	tlog "go.temporal.io/sdk/log"

	"github.com/bookwell/bookwell/pkg/config"
	"github.com/bookwell/bookwell/pkg/consumer"
	"github.com/bookwell/bookwell/pkg/events"
	"github.com/bookwell/bookwell/pkg/identity"
	"github.com/bookwell/bookwell/pkg/logging"
	"github.com/bookwell/bookwell/pkg/pgdb"
	"github.com/bookwell/bookwell/pkg/telemetry"
	"github.com/bookwell/bookwell/pkg/tlsconf"
)

// DatabaseConfig secures and sizes the Postgres connections. DATABASE_URL and
// MIGRATIONS_DATABASE_URL may come as _FILE (pkg/config).
type DatabaseConfig struct {
	// SSLMode and SSLRootCert override the URL's sslmode and sslrootcert
	// (verify-full with the server's CA in production).
	SSLMode     string `env:"DATABASE_SSLMODE"`
	SSLRootCert string `env:"DATABASE_SSLROOTCERT"`
	// MaxConns bounds each pool; pgx's default (4, or the CPU count) if 0.
	MaxConns int `env:"DATABASE_MAX_CONNS"`
	// MigrationsURL is a role that owns the schemas, for Bootstrap only;
	// empty: the application's role migrates.
	MigrationsURL string `env:"MIGRATIONS_DATABASE_URL"`
}

// url is base with the TLS and pool settings applied.
func (d DatabaseConfig) url(base string) (string, error) {
	set := map[string]string{}
	if d.SSLMode != "" {
		set["sslmode"] = d.SSLMode
	}
	if d.SSLRootCert != "" {
		set["sslrootcert"] = d.SSLRootCert
	}
	if d.MaxConns > 0 {
		set["pool_max_conns"] = strconv.Itoa(d.MaxConns)
	}
	if len(set) == 0 {
		return base, nil
	}
	if !strings.Contains(base, "://") { // keyword=value form
		for _, k := range slices.Sorted(maps.Keys(set)) {
			base += " " + k + "=" + set[k]
		}
		return base, nil
	}
	u, err := url.Parse(base)
	if err != nil {
		return "", errors.New("DATABASE_URL is not a valid URL") // never echo it: it may hold a password
	}
	q := u.Query()
	for k, v := range set {
		q.Set(k, v)
	}
	u.RawQuery = q.Encode()
	return u.String(), nil
}

// NATSConfig authenticates and secures the NATS connection and sizes the
// streams. NATS_CREDS (a .creds file's content) and NATS_NKEY_SEED are
// secrets: give them as NATS_CREDS_FILE, NATS_NKEY_SEED_FILE.
type NATSConfig struct {
	Creds    string `env:"NATS_CREDS"`
	NKeySeed string `env:"NATS_NKEY_SEED"`
	// TLS to the servers: implied by a CA or a client certificate.
	TLS        bool   `env:"NATS_TLS"`
	TLSCA      string `env:"NATS_TLS_CA_FILE"`
	TLSCert    string `env:"NATS_TLS_CERT_FILE"`
	TLSKey     string `env:"NATS_TLS_KEY_FILE"`
	ServerName string `env:"NATS_TLS_SERVER_NAME"`
	// Every stream's replicas and retention; NATS_STREAM_<NAME>_REPLICAS,
	// _MAX_AGE and _MAX_BYTES override them for one stream. Three replicas:
	// set 1 for a single server (development). No byte limit unless set:
	// JetStream reserves a stream's MaxBytes on every replica's disk, so it
	// is sized per stream (the Helm chart does).
	StreamReplicas int           `env:"NATS_STREAM_REPLICAS" envDefault:"3"`
	StreamMaxAge   time.Duration `env:"NATS_STREAM_MAX_AGE" envDefault:"720h"`
	StreamMaxBytes int64         `env:"NATS_STREAM_MAX_BYTES"`
}

func (n NATSConfig) options() ([]nats.Option, error) {
	var opts []nats.Option
	switch {
	case n.Creds != "" && n.NKeySeed != "":
		return nil, errors.New("configuration: NATS_CREDS and NATS_NKEY_SEED: give one")
	case n.Creds != "":
		userJWT, err := jwt.ParseDecoratedJWT([]byte(n.Creds))
		if err != nil {
			return nil, fmt.Errorf("configuration: NATS_CREDS: %w", err)
		}
		kp, err := nkeys.ParseDecoratedNKey([]byte(n.Creds))
		if err != nil {
			return nil, fmt.Errorf("configuration: NATS_CREDS: %w", err)
		}
		seed, err := kp.Seed()
		if err != nil {
			return nil, fmt.Errorf("configuration: NATS_CREDS: %w", err)
		}
		opts = append(opts, nats.UserJWTAndSeed(userJWT, string(seed)))
	case n.NKeySeed != "":
		kp, err := nkeys.FromSeed([]byte(strings.TrimSpace(n.NKeySeed)))
		if err != nil {
			return nil, fmt.Errorf("configuration: NATS_NKEY_SEED: %w", err)
		}
		pub, err := kp.PublicKey()
		if err != nil {
			return nil, fmt.Errorf("configuration: NATS_NKEY_SEED: %w", err)
		}
		opts = append(opts, nats.Nkey(pub, kp.Sign))
	}
	files := tlsconf.Files{CA: n.TLSCA, Cert: n.TLSCert, Key: n.TLSKey, ServerName: n.ServerName}
	if n.TLS || files.Given() {
		tc, err := tlsconf.Client(files)
		if err != nil {
			return nil, fmt.Errorf("configuration: NATS TLS: %w", err)
		}
		opts = append(opts, nats.Secure(tc))
	}
	return opts, nil
}

// settings are every stream's limits, with the per-stream overrides; a
// malformed override is an error now rather than when the stream is made.
func (n NATSConfig) settings() (events.Settings, error) {
	base := events.Limits{Replicas: n.StreamReplicas, MaxAge: n.StreamMaxAge, MaxBytes: n.StreamMaxBytes}
	all := map[string]events.Limits{}
	var errs []error
	for _, s := range []events.Stream{events.BookingStream, events.SchedulingStream, events.PaymentsStream, events.ReputationStream, events.DeadLetterStream} {
		l := base
		prefix := "NATS_STREAM_" + s.Name + "_"
		if v := os.Getenv(prefix + "REPLICAS"); v != "" {
			n, err := strconv.Atoi(v)
			errs = append(errs, wrapIf(err, prefix+"REPLICAS"))
			l.Replicas = n
		}
		if v := os.Getenv(prefix + "MAX_AGE"); v != "" {
			d, err := time.ParseDuration(v)
			errs = append(errs, wrapIf(err, prefix+"MAX_AGE"))
			l.MaxAge = d
		}
		if v := os.Getenv(prefix + "MAX_BYTES"); v != "" {
			b, err := strconv.ParseInt(v, 10, 64)
			errs = append(errs, wrapIf(err, prefix+"MAX_BYTES"))
			l.MaxBytes = b
		}
		if l.Replicas < 1 || l.Replicas > 5 {
			errs = append(errs, fmt.Errorf("stream %s: replicas %d: want 1 to 5", s.Name, l.Replicas))
		}
		all[s.Name] = l
	}
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("configuration: %w", err)
	}
	return func(name string) events.Limits {
		if l, ok := all[name]; ok {
			return l
		}
		return base
	}, nil
}

func wrapIf(err error, name string) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%s: %w", name, err)
}

// GRPCConfig secures the calls between services. With a certificate and key
// the servers speak TLS and the clients present them; with a CA the servers
// require client certificates it signed and the clients verify servers with
// it (mutual TLS).
type GRPCConfig struct {
	TLSCA      string `env:"GRPC_TLS_CA_FILE"`
	TLSCert    string `env:"GRPC_TLS_CERT_FILE"`
	TLSKey     string `env:"GRPC_TLS_KEY_FILE"`
	ServerName string `env:"GRPC_TLS_SERVER_NAME"`
}

func (g GRPCConfig) files() tlsconf.Files {
	return tlsconf.Files{CA: g.TLSCA, Cert: g.TLSCert, Key: g.TLSKey, ServerName: g.ServerName}
}

// TemporalConfig says where Temporal is and how to prove who we are: TLS to
// the frontend (its CA, or the system's roots), a client certificate (mTLS),
// or an API key (Temporal Cloud; TEMPORAL_API_KEY_FILE keeps it out of the
// environment).
type TemporalConfig struct {
	Address    string `env:"TEMPORAL_ADDRESS" envDefault:"127.0.0.1:7233"`
	Namespace  string `env:"TEMPORAL_NAMESPACE" envDefault:"default"`
	TLS        bool   `env:"TEMPORAL_TLS"`
	TLSCA      string `env:"TEMPORAL_TLS_CA_FILE"`
	TLSCert    string `env:"TEMPORAL_TLS_CERT_FILE"`
	TLSKey     string `env:"TEMPORAL_TLS_KEY_FILE"`
	ServerName string `env:"TEMPORAL_TLS_SERVER_NAME"`
	APIKey     string `env:"TEMPORAL_API_KEY"`
}

// options are the SDK's client options for c.
func (c TemporalConfig) options() (client.Options, error) {
	o := client.Options{HostPort: c.Address, Namespace: c.Namespace,
		// Requests are a few hundred bytes to a few kilobytes: gzip costs
		// CPU on both ends for little (docs/benchmarks.md, booking's speed).
		ConnectionOptions: client.ConnectionOptions{GrpcCompression: &client.GrpcCompressionNone{}}}
	files := tlsconf.Files{CA: c.TLSCA, Cert: c.TLSCert, Key: c.TLSKey, ServerName: c.ServerName}
	if c.TLS || c.APIKey != "" || files.Given() {
		tc, err := tlsconf.Client(files)
		if err != nil {
			return o, fmt.Errorf("configuration: Temporal TLS: %w", err)
		}
		o.ConnectionOptions.TLS = tc
	}
	if c.APIKey != "" {
		o.Credentials = client.NewAPIKeyStaticCredentials(c.APIKey)
	}
	return o, nil
}

// Temporal connects to Temporal as c says, waiting up to 30 seconds for it to
// answer; the client is closed when the process stops and checked by
// readiness.
func (p *Process) Temporal(ctx context.Context, c TemporalConfig) (client.Client, error) {
	o, err := c.options()
	if err != nil {
		return nil, err
	}
	o.Logger = tlog.NewStructuredLogger(p.Log.With("component", "temporal"))
	// The workflow and each activity continue the trace of the request
	// that started or updated them.
	tracing, err := temporalotel.NewTracingInterceptor(temporalotel.TracerOptions{TextMapPropagator: telemetry.Propagator})
	if err != nil {
		return nil, fmt.Errorf("temporal tracing: %w", err)
	}
	o.Interceptors = append(o.Interceptors, tracing, telemetry.ActivityAttempts())
	o.MetricsHandler = telemetry.TemporalMetrics()
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	var tc client.Client
	for {
		tc, err = client.DialContext(ctx, o)
		if err == nil {
			break
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("connect to Temporal at %s: %w", c.Address, err)
		case <-time.After(500 * time.Millisecond):
		}
	}
	p.Defer(tc.Close)
	p.Check("temporal", func(ctx context.Context) error {
		_, err := tc.CheckHealth(ctx, &client.CheckHealthRequest{})
		return err
	})
	return tc, nil
}

// SearchAttributes has Bootstrap register attrs on the client's namespace
// (those missing; a type that differs is an error) and wait until the
// frontend serves them. Outside Bootstrap it does nothing.
func (p *Process) SearchAttributes(tc client.Client, namespace string, attrs map[string]enums.IndexedValueType) {
	if !p.bootstrap {
		return
	}
	p.steps = append(p.steps, step{name: "search attributes", run: func(ctx context.Context, _ jetstream.JetStream) (string, error) {
		return registerSearchAttributes(ctx, tc, namespace, attrs)
	}})
}

func registerSearchAttributes(ctx context.Context, tc client.Client, ns string, attrs map[string]enums.IndexedValueType) (string, error) {
	list, err := tc.OperatorService().ListSearchAttributes(ctx, &operatorservice.ListSearchAttributesRequest{Namespace: ns})
	if err != nil {
		return "", fmt.Errorf("list search attributes: %w", err)
	}
	missing := map[string]enums.IndexedValueType{}
	for name, typ := range attrs {
		have, ok := list.GetCustomAttributes()[name]
		switch {
		case !ok:
			missing[name] = typ
		case have != typ:
			return "", fmt.Errorf("search attribute %s is a %s on namespace %s, bookwell needs a %s", name, have, ns, typ)
		}
	}
	if len(missing) == 0 {
		return "unchanged", nil
	}
	if _, err := tc.OperatorService().AddSearchAttributes(ctx, &operatorservice.AddSearchAttributesRequest{
		Namespace: ns, SearchAttributes: missing}); err != nil {
		return "", fmt.Errorf("add search attributes: %w", err)
	}
	names := slices.Sorted(maps.Keys(missing))
	return "added " + strings.Join(names, ", "), nil
}

// newProcess prepares a process: TLS for its gRPC server and clients, the
// streams' settings, and its admin endpoints.
func newProcess(name string, c Config, bootstrap bool) (*Process, error) {
	p := &Process{Name: name, Log: logging.New(name), config: c, bootstrap: bootstrap, self: identity.SelfAuthenticated{},
		// Until identities: what bootstrap keeps (it serves and calls nothing).
		verifier: new(identity.Verifier), key: identity.DevServiceKey(name)}
	var err error
	if p.streams, err = c.NATS.settings(); err != nil {
		return nil, err
	}
	if files := c.GRPC.files(); files.Given() {
		if p.grpcTLS, err = tlsconf.Client(files); err != nil {
			return nil, fmt.Errorf("configuration: gRPC TLS: %w", err)
		}
		if p.readiness.serverTLS, err = tlsconf.Server(files); err != nil {
			return nil, fmt.Errorf("configuration: gRPC TLS: %w", err)
		}
	}
	if !bootstrap {
		flush, err := telemetry.Setup(context.Background(), name)
		if err != nil {
			return nil, err
		}
		p.Defer(flush) // closed last: the spans of the stop are exported too
	}
	if c.AdminAddr != "" && !bootstrap {
		p.HTTP(c.AdminAddr, p.adminHandler())
	}
	return p, nil
}

// readiness is the last verdict of the process's checks.
type readiness struct {
	ok        atomic.Bool
	mu        sync.Mutex
	reason    string
	serverTLS *tls.Config
}

// ReadinessInterval is how often the checks run.
var ReadinessInterval = 2 * time.Second

// watchReadiness runs the checks now and then every ReadinessInterval until
// ctx ends, turning their verdict into the gRPC health status and /readyz.
func (p *Process) watchReadiness(ctx context.Context) {
	check := func() {
		cctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		err := p.Ready(cctx)
		cancel()
		if ctx.Err() != nil {
			return
		}
		ok := err == nil
		was := p.readiness.ok.Swap(ok)
		p.readiness.mu.Lock()
		p.readiness.reason = ""
		if err != nil {
			p.readiness.reason = err.Error()
		}
		p.readiness.mu.Unlock()
		if p.server != nil {
			p.server.SetServing(ok)
		}
		switch {
		case ok && !was:
			p.Log.Info("ready")
		case !ok && was:
			p.Log.Warn("not ready", "err", err)
		}
	}
	p.readiness.ok.Store(true) // so that a first failure is logged
	check()
	go func() {
		t := time.NewTicker(ReadinessInterval)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				check()
			}
		}
	}()
}

// adminHandler serves /livez (the process runs), /readyz (its dependencies
// answer: 503 with the reasons otherwise) and /metrics (Prometheus).
func (p *Process) adminHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /livez", func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("ok\n")) })
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, _ *http.Request) {
		if p.readiness.ok.Load() {
			_, _ = w.Write([]byte("ok\n"))
			return
		}
		p.readiness.mu.Lock()
		reason := p.readiness.reason
		p.readiness.mu.Unlock()
		w.WriteHeader(http.StatusServiceUnavailable)
		_, _ = w.Write([]byte("not ready: " + reason + "\n"))
	})
	mux.Handle("GET /metrics", promhttp.Handler())
	return mux
}

// step is one thing Bootstrap does; it says what it changed.
type step struct {
	name string
	nats bool
	run  func(ctx context.Context, js jetstream.JetStream) (string, error)
}

// Bootstrap prepares an environment for the process called name, once per
// environment and release, before its replicas start: build runs as it does
// for Run, but instead of parts it names steps: the migrations of each
// schema it opens (as MIGRATIONS_DATABASE_URL's role when set, granting the
// application's role what it needs), the streams it publishes to and the
// consumers it reads through (with the configured replicas and limits), the
// Temporal search attributes it uses. Each step logs what it changed;
// running Bootstrap again changes nothing.
func Bootstrap[C Configuration](ctx context.Context, name string, defaults C, build Build[C]) error {
	c := defaults
	if err := config.Load(&c); err != nil {
		return err
	}
	p, err := newProcess(name, c.common(), true)
	if err != nil {
		return err
	}
	defer p.close()
	start := time.Now()
	if err := build(ctx, p, c); err != nil {
		return clean(ctx, err)
	}
	for _, s := range p.steps {
		var js jetstream.JetStream
		if s.nats {
			if js, err = p.JetStream(); err != nil {
				return err
			}
		}
		sctx, cancel := context.WithTimeout(ctx, time.Minute)
		what, err := s.run(sctx, js)
		cancel()
		if err != nil {
			return fmt.Errorf("bootstrap: %s: %w", s.name, err)
		}
		p.Log.Info("bootstrap: "+s.name, "result", what)
	}
	p.Log.Info("bootstrap: done", "steps", len(p.steps), "took", time.Since(start).Round(time.Millisecond))
	return nil
}

// migrate runs the migrations for schema as the migrations role (or the
// application's) and grants the application's role its use; the pool it
// returns is the application's.
func (p *Process) migrate(ctx context.Context, appURL, schema string, migrations []pgdb.Migrations) (*pgxpool.Pool, error) {
	migURL := appURL
	if p.config.Database.MigrationsURL != "" {
		var err error
		if migURL, err = p.config.Database.url(p.config.Database.MigrationsURL); err != nil {
			return nil, err
		}
	}
	mig, err := pgdb.Open(ctx, migURL, schema, migrations...)
	if err != nil {
		return nil, err
	}
	defer mig.Close()
	what := "migrated"
	if migURL != appURL {
		cfg, err := pgxpool.ParseConfig(appURL)
		if err != nil {
			return nil, errors.New("DATABASE_URL does not parse")
		}
		if err := pgdb.GrantUse(ctx, mig, schema, cfg.ConnConfig.User); err != nil {
			return nil, err
		}
		what = "migrated, use granted to " + cfg.ConnConfig.User
	}
	p.Log.Info("bootstrap: schema "+schema, "result", what)
	return pgdb.Connect(ctx, appURL, schema)
}

// ensureStream creates or updates a stream to its configuration and says
// which it did.
func ensureStream(ctx context.Context, js jetstream.JetStream, s events.Stream, l events.Limits) (string, error) {
	want := s.Config(l)
	before, err := js.Stream(ctx, s.Name)
	if err != nil && !errors.Is(err, jetstream.ErrStreamNotFound) {
		return "", err
	}
	if _, err := events.EnsureWith(ctx, js, s, l); err != nil {
		if l.Replicas > 1 {
			err = fmt.Errorf("%w (a single server takes one replica: NATS_STREAM_REPLICAS=1)", err)
		}
		return "", err
	}
	if before == nil {
		return fmt.Sprintf("created (%d replicas)", want.Replicas), nil
	}
	if sameStream(before.CachedInfo().Config, want) {
		return "unchanged", nil
	}
	return fmt.Sprintf("updated (%d replicas, max age %s, max bytes %d)", want.Replicas, want.MaxAge, want.MaxBytes), nil
}

func sameStream(have, want jetstream.StreamConfig) bool {
	return slices.Equal(have.Subjects, want.Subjects) && have.Replicas == want.Replicas && have.MaxAge == want.MaxAge &&
		have.MaxBytes == want.MaxBytes && have.Duplicates == want.Duplicates && have.Storage == want.Storage && have.Discard == want.Discard
}

// ensureConsumer creates or updates the consumer (and its streams).
func ensureConsumer(ctx context.Context, c *consumer.Consumer) (string, error) {
	for _, s := range []events.Stream{c.Stream, events.DeadLetterStream} {
		if _, err := ensureStream(ctx, c.JS, s, c.Limits.Of(s)); err != nil {
			return "", fmt.Errorf("stream %s: %w", s.Name, err)
		}
	}
	before, err := c.JS.Consumer(ctx, c.Stream.Name, c.Durable)
	if err != nil && !errors.Is(err, jetstream.ErrConsumerNotFound) {
		return "", err
	}
	cons, err := c.Ensure(ctx)
	if err != nil {
		return "", err
	}
	if before == nil {
		return "created", nil
	}
	if reflect.DeepEqual(before.CachedInfo().Config, cons.CachedInfo().Config) {
		return "unchanged", nil
	}
	return "updated", nil
}

// command is the first argument that is not a flag.
func command(args []string) string {
	for _, a := range args {
		if !strings.HasPrefix(a, "-") {
			return a
		}
	}
	return ""
}
