package cluster

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"google.golang.org/protobuf/types/known/durationpb"

	"github.com/bookwell/bookwell/deploy/stack"
)

// TemporalOptions configure StartTemporal.
type TemporalOptions struct {
	// Dir holds the server's config and log. Required.
	Dir string
	// PostgresURL is a role that may create databases (default: the test
	// server, TEST_DATABASE_URL or 127.0.0.1:5432 as user postgres). The
	// server's two databases are created on it with fresh names.
	PostgresURL string
	// Server and SQLTool are the temporal-server and temporal-sql-tool
	// binaries; default bin/ at the repository root (`make tools`).
	Server, SQLTool string
	// Namespace is registered once the server answers; default "default".
	Namespace string
	// HistoryShards is fixed for the life of the databases; default 4.
	HistoryShards int
	// Log reports progress; default slog.Default().
	Log *slog.Logger
}

// Temporal is a Temporal server (frontend, history, matching and worker
// services in one process) whose persistence and visibility are Postgres
// databases, as a production cluster on SQL keeps them.
type Temporal struct {
	// Address is the frontend's host:port.
	Address string
	// Namespace is the registered namespace.
	Namespace string
	// Databases are the persistence and visibility databases' URLs.
	Databases [2]string

	opts  TemporalOptions
	procs *stack.Services
	admin string
}

// StartTemporal creates the databases, sets their schemas up with
// temporal-sql-tool (the versioned schemas embedded in the tool), starts the
// server, waits until its frontend answers, and registers the namespace.
func StartTemporal(ctx context.Context, o TemporalOptions) (*Temporal, error) {
	if o.Dir == "" {
		return nil, errors.New("temporal: Dir is required")
	}
	if o.Log == nil {
		o.Log = slog.Default()
	}
	if o.Namespace == "" {
		o.Namespace = "default"
	}
	if o.HistoryShards == 0 {
		o.HistoryShards = 4
	}
	if o.PostgresURL == "" {
		o.PostgresURL = adminURL()
	}
	for _, b := range []*string{&o.Server, &o.SQLTool} {
		if *b != "" {
			continue
		}
		root, err := stack.RepoRoot()
		if err != nil {
			return nil, err
		}
		name := map[*string]string{&o.Server: "temporal-server", &o.SQLTool: "temporal-sql-tool"}[b]
		*b = filepath.Join(root, "bin", name)
	}
	for _, b := range []string{o.Server, o.SQLTool} {
		if _, err := os.Stat(b); err != nil {
			return nil, fmt.Errorf("temporal: %s: run `make tools`, which builds the Temporal server: %w", b, err)
		}
	}
	if err := os.MkdirAll(o.Dir, 0o755); err != nil {
		return nil, err
	}
	t := &Temporal{opts: o, Namespace: o.Namespace, admin: o.PostgresURL}
	if err := t.start(ctx); err != nil {
		if t.procs != nil {
			t.Stop()
		}
		if t.Databases[0] != "" {
			_ = t.DropDatabases(context.WithoutCancel(ctx))
		}
		return nil, err
	}
	return t, nil
}

func (t *Temporal) start(ctx context.Context) error {
	o := t.opts
	start := time.Now()
	suffix := randomSuffix()
	dbs := [2]string{"temporal_" + suffix, "temporal_visibility_" + suffix}
	for i, db := range dbs {
		u, err := stack.EnsureDatabase(ctx, o.PostgresURL, db)
		if err != nil {
			return fmt.Errorf("temporal: %w", err)
		}
		t.Databases[i] = u
	}
	schemas := [2]string{"postgresql/v12/temporal", "postgresql/v12/visibility"}
	for i, db := range dbs {
		if err := t.sqlTool(ctx, db, "setup-schema", "-v", "0.0"); err != nil {
			return err
		}
		if err := t.sqlTool(ctx, db, "update-schema", "--schema-name", schemas[i]); err != nil {
			return err
		}
	}
	ports, err := FreePorts(9) // below 32768, as the smallint column needs
	if err != nil {
		return err
	}
	t.Address = net.JoinHostPort("127.0.0.1", strconv.Itoa(ports[0]))
	conf := filepath.Join(o.Dir, "temporal.yaml")
	dyn := filepath.Join(o.Dir, "dynamicconfig.yaml")
	cfg, err := t.config(dbs, ports, dyn)
	if err != nil {
		return err
	}
	if err := os.WriteFile(conf, []byte(cfg), 0o644); err != nil {
		return err
	}
	// Updates and update-with-start are on by default in this version; the
	// lower limits of a development box are raised for many clients at once.
	if err := os.WriteFile(dyn, []byte(dynamicConfig), 0o644); err != nil {
		return err
	}
	t.procs, err = stack.NewServices(stack.ServicesOptions{StateDir: o.Dir, Log: o.Log, ReadyTimeout: 2 * time.Minute,
		StopTimeout: 20 * time.Second,
		Binaries: []stack.Binary{{Name: "temporal-server", Path: o.Server,
			Args:  []string{"--config-file", conf, "--allow-no-auth", "start"},
			Ready: stack.Readiness{Kind: stack.ReadyGRPC, Addr: t.Address}}}})
	if err != nil {
		return err
	}
	if err := t.procs.StartAll(ctx); err != nil {
		return err
	}
	if err := t.registerNamespace(ctx); err != nil {
		return err
	}
	o.Log.Info("temporal: server on SQL persistence ready", "addr", t.Address, "namespace", o.Namespace,
		"databases", dbs, "took", time.Since(start).Round(time.Millisecond))
	return nil
}

const dynamicConfig = `frontend.namespaceRPS:
  - value: 10000
frontend.namespaceCount:
  - value: 10000
frontend.maxNamespaceVisibilityRPSPerInstance:
  - value: 1000
`

// config is the server's configuration: four services on 127.0.0.1, both
// stores on Postgres through pgx.
func (t *Temporal) config(dbs [2]string, ports []int, dyn string) (string, error) {
	u, err := url.Parse(t.admin)
	if err != nil {
		return "", err
	}
	host := u.Host
	if u.Port() == "" {
		host = net.JoinHostPort(u.Hostname(), "5432")
	}
	user := u.User.Username()
	pass, _ := u.User.Password()
	store := func(db string, conns int) string {
		return fmt.Sprintf(`      sql:
        pluginName: postgres12_pgx
        databaseName: %q
        connectAddr: %q
        connectProtocol: tcp
        user: %q
        password: %q
        maxConns: %d
        maxIdleConns: %d
        maxConnLifetime: 1h
`, db, host, user, pass, conns, conns)
	}
	return fmt.Sprintf(`log:
  stdout: true
  level: warn
persistence:
  defaultStore: default
  visibilityStore: visibility
  numHistoryShards: %d
  datastores:
    default:
%s    visibility:
%sglobal:
  membership:
    maxJoinDuration: 30s
    broadcastAddress: 127.0.0.1
services:
  frontend:
    rpc: {grpcPort: %d, membershipPort: %d, httpPort: %d, bindOnLocalHost: true}
  history:
    rpc: {grpcPort: %d, membershipPort: %d, bindOnLocalHost: true}
  matching:
    rpc: {grpcPort: %d, membershipPort: %d, bindOnLocalHost: true}
  worker:
    rpc: {grpcPort: %d, membershipPort: %d, bindOnLocalHost: true}
clusterMetadata:
  enableGlobalNamespace: false
  failoverVersionIncrement: 10
  masterClusterName: active
  currentClusterName: active
  clusterInformation:
    active:
      enabled: true
      initialFailoverVersion: 1
      rpcName: frontend
      rpcAddress: %q
dcRedirectionPolicy:
  policy: noop
dynamicConfigClient:
  filepath: %q
  pollInterval: 10s
`, t.opts.HistoryShards, store(dbs[0], 20), store(dbs[1], 10),
		ports[0], ports[1], ports[2], ports[3], ports[4], ports[5], ports[6], ports[7], ports[8],
		t.Address, dyn), nil
}

// sqlTool runs temporal-sql-tool against db on the admin server.
func (t *Temporal) sqlTool(ctx context.Context, db string, args ...string) error {
	u, err := url.Parse(t.admin)
	if err != nil {
		return err
	}
	port := u.Port()
	if port == "" {
		port = "5432"
	}
	pass, _ := u.User.Password()
	cmd := exec.CommandContext(ctx, t.opts.SQLTool, append([]string{"--db", db}, args...)...)
	cmd.Env = append(os.Environ(), "SQL_PLUGIN=postgres12_pgx", "SQL_HOST="+u.Hostname(), "SQL_PORT="+port,
		"SQL_USER="+u.User.Username(), "SQL_PASSWORD="+pass)
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("temporal-sql-tool %v on %s: %w\n%s", args, db, err, tail(out, 2000))
	}
	return nil
}

// registerNamespace registers the namespace unless it exists, then waits
// until the frontend serves it (its namespace cache refreshes every 2s).
func (t *Temporal) registerNamespace(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	c, err := t.dial(ctx)
	if err != nil {
		return err
	}
	defer c.Close()
	_, err = c.WorkflowService().RegisterNamespace(ctx, &workflowservice.RegisterNamespaceRequest{
		Namespace:                        t.Namespace,
		WorkflowExecutionRetentionPeriod: durationpb.New(24 * time.Hour),
	})
	var exists *serviceerror.NamespaceAlreadyExists
	if err != nil && !errors.As(err, &exists) {
		return fmt.Errorf("temporal: register namespace %s: %w", t.Namespace, err)
	}
	for {
		_, err := c.WorkflowService().ListOpenWorkflowExecutions(ctx, &workflowservice.ListOpenWorkflowExecutionsRequest{Namespace: t.Namespace, MaximumPageSize: 1})
		if err == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("temporal: namespace %s not served: %w", t.Namespace, err)
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// dial connects once the frontend says it is healthy (it answers the gRPC
// health check before its own services are up).
func (t *Temporal) dial(ctx context.Context) (client.Client, error) {
	for {
		c, err := client.DialContext(ctx, client.Options{HostPort: t.Address, Logger: quietLogger{}})
		if err == nil {
			return c, nil
		}
		if !t.procs.Running("temporal-server") {
			b, _ := os.ReadFile(t.LogFile())
			return nil, fmt.Errorf("temporal: the server exited; its output:\n%s", tail(b, 3000))
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("temporal: frontend on %s not healthy: %w", t.Address, err)
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// Kill ends the server with SIGKILL; Start runs it again on the same ports
// and databases.
func (t *Temporal) Kill() error { return t.procs.Kill("temporal-server") }

// Freeze stops the server with SIGSTOP; Thaw lets it go on.
func (t *Temporal) Freeze() error { return t.procs.Freeze("temporal-server") }
func (t *Temporal) Thaw() error   { return t.procs.Thaw("temporal-server") }

// Start starts the server again after Kill and waits for its frontend.
func (t *Temporal) Start(ctx context.Context) error {
	if err := t.procs.Start(ctx, "temporal-server"); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	c, err := t.dial(ctx)
	if err != nil {
		return err
	}
	c.Close()
	return nil
}

// LogFile is the server's output.
func (t *Temporal) LogFile() string { return filepath.Join(t.procs.LogDir(), "temporal-server.log") }

// Stop stops the server; DropDatabases removes its databases afterwards.
func (t *Temporal) Stop() { t.procs.Stop() }

// DropDatabases drops the server's two databases (after Stop).
func (t *Temporal) DropDatabases(ctx context.Context) error {
	c, err := pgx.Connect(ctx, t.admin)
	if err != nil {
		return err
	}
	defer c.Close(ctx)
	var errs []error
	for _, u := range t.Databases {
		pu, err := url.Parse(u)
		if err != nil || len(pu.Path) < 2 {
			continue
		}
		db := pu.Path[1:]
		if _, err := c.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{db}.Sanitize()+" WITH (FORCE)"); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// adminURL is the Postgres tests use: TEST_DATABASE_URL, else the local server.
func adminURL() string {
	if u := os.Getenv("TEST_DATABASE_URL"); u != "" {
		return u
	}
	return "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
}

func randomSuffix() string {
	b := make([]byte, 5)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func tail(b []byte, n int) []byte {
	if len(b) > n {
		return b[len(b)-n:]
	}
	return b
}

// quietLogger drops the Temporal SDK client's own logs.
type quietLogger struct{}

func (quietLogger) Debug(string, ...any) {}
func (quietLogger) Info(string, ...any)  {}
func (quietLogger) Warn(string, ...any)  {}
func (quietLogger) Error(string, ...any) {}
