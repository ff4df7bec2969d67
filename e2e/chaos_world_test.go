package e2e

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net"
	"net/mail"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"go.temporal.io/sdk/client"

	"github.com/bookwell/bookwell/deploy/stack"
	"github.com/bookwell/bookwell/pkg/identity"
)

// chaosWorld is a bookwell stack whose every part can be killed: a private
// Postgres cluster (never the machine's shared server), NATS with JetStream on
// file storage, a Temporal server on its own store, the bookwell processes,
// each its own process, and a mail server that counts what it receives.
type chaosWorld struct {
	dir    string
	log    *slog.Logger
	pg     *stack.PrivatePostgres
	stopPG func() error
	topo   topology
	smtp   *mailSink

	db *pgxpool.Pool
	nc *nats.Conn
	js jetstream.JetStream
	tc client.Client
}

// processes are the seven bookwell processes.
var processes = []string{"schedulingd", "paymentsd", "notificationsd", "reputationd", "bookingd", "booking-worker", "gatewayd"}

// topology is how many of each part run, and how to kill, freeze and start
// each one.
type topology interface {
	// instances are the running copies of a bookwell process.
	instances(process string) []string
	// natsNodes are the NATS servers.
	natsNodes() []string
	// all is every instance and NATS node.
	all() []string
	kill(name string) error
	start(ctx context.Context, name string) error
	freeze(name string) error
	thaw(name string) error
	running(name string) bool
	killTemporal() error
	startTemporal(ctx context.Context) error
	// gateways are the base URLs clients spread their calls over.
	gateways() []string
	logDir() string
	stop()
}

// topologySpec starts a topology: its Postgres (setting w.pg and w.stopPG,
// and DATABASE_URL in env), then the rest, with env for every bookwell
// process. It returns the topology with the NATS URL and the Temporal
// frontend's address.
type topologySpec func(ctx context.Context, t *testing.T, w *chaosWorld, env map[string]string) (topology, string, string, error)

// topologies by the name CHAOS_TOPOLOGY gives.
var topologies = map[string]topologySpec{"single": startSingle}

func startChaos(t *testing.T, topoName string) *chaosWorld {
	t.Helper()
	ctx := context.Background()
	spec, ok := topologies[topoName]
	if !ok {
		t.Fatalf("CHAOS_TOPOLOGY %q: no such topology", topoName)
	}
	// Not t.TempDir: as root, Postgres runs as its own user and must reach
	// its folder.
	dir, err := os.MkdirTemp("", "bookwell-chaos-")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	logf, err := os.Create(filepath.Join(dir, "harness.log"))
	if err != nil {
		t.Fatal(err)
	}
	w := &chaosWorld{dir: dir, log: slog.New(slog.NewTextHandler(logf, nil))}
	t.Cleanup(func() {
		w.stop()
		if t.Failed() {
			t.Logf("chaos: state and logs kept in %s", dir)
			return
		}
		_ = os.RemoveAll(dir)
	})

	if w.smtp, err = startMailSink(); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{
		"LOG_FORMAT": "text", "RATE_LIMIT_RPS": "100000", "RATE_LIMIT_BURST": "100000",
		"SMTP_HOST": "127.0.0.1", "SMTP_PORT": fmt.Sprint(w.smtp.port), "SMTP_TLS": "none",
	}
	topo, natsURL, temporalAddr, err := spec(ctx, t, w, env)
	w.topo = topo // stopped by the cleanup even if it did not all start
	if err != nil {
		t.Fatal(err)
	}

	if w.db, err = pgxpool.New(ctx, w.pg.URL); err != nil {
		t.Fatal(err)
	}
	if w.nc, err = nats.Connect(natsURL, nats.MaxReconnects(-1), nats.ReconnectWait(200*time.Millisecond)); err != nil {
		t.Fatal(err)
	}
	if w.js, err = jetstream.New(w.nc); err != nil {
		t.Fatal(err)
	}
	if w.tc, err = client.Dial(client.Options{HostPort: temporalAddr, Logger: quiet{}}); err != nil {
		t.Fatal(err)
	}
	return w
}

func (w *chaosWorld) stop() {
	if w.tc != nil {
		w.tc.Close()
	}
	if w.nc != nil {
		w.nc.Close()
	}
	if w.db != nil {
		w.db.Close()
	}
	if w.topo != nil {
		for _, name := range w.topo.all() {
			_ = w.topo.thaw(name) // a frozen process cannot stop
		}
		w.topo.stop()
	}
	if w.smtp != nil {
		w.smtp.close()
	}
	if w.stopPG != nil {
		if err := w.stopPG(); err != nil {
			w.log.Error("chaos: stop postgres", "err", err)
		}
	}
}

// admin is a user with the admin role, on the first gateway.
func (w *chaosWorld) admin(t *testing.T, tokens func(string, identity.Role) string) user {
	return user{t: t, w: &world{base: w.topo.gateways()[0]}, id: "chaos-admin", token: tokens("chaos-admin", identity.RoleAdmin)}
}

// ---- one of everything ----

// single is one of each part: a NATS server and the seven processes under
// one supervisor, and the Temporal dev server on its SQLite file.
type single struct {
	services *stack.Services
	tmu      sync.Mutex
	temporal *stack.TemporalServer
}

func startSingle(ctx context.Context, _ *testing.T, w *chaosWorld, env map[string]string) (topology, string, string, error) {
	var err error
	if w.pg, err = stack.StartPrivatePostgres(ctx, filepath.Join(w.dir, "postgres"), w.log); err != nil {
		return nil, "", "", err
	}
	w.stopPG, env["DATABASE_URL"] = w.pg.Stop, w.pg.URL
	tport, err := stack.FreePort()
	if err != nil {
		return nil, "", "", err
	}
	s := &single{}
	if s.temporal, err = stack.StartTemporal(ctx, stack.TemporalOptions{
		DBFile: filepath.Join(w.dir, "temporal.db"), Port: tport, Headless: true,
		LogFile: filepath.Join(w.dir, "logs", "temporal.log"), Log: w.log,
	}); err != nil {
		return nil, "", "", err
	}
	addrs, err := stack.FreeAddrs()
	if err != nil {
		return s, "", "", err
	}
	natsPort, err1 := stack.FreePort()
	monPort, err2 := stack.FreePort()
	if err := errors.Join(err1, err2); err != nil {
		return s, "", "", err
	}
	natsURL := fmt.Sprintf("nats://127.0.0.1:%d", natsPort)
	maps.Copy(addrs, env)
	addrs["NATS_URL"], addrs["TEMPORAL_ADDRESS"] = natsURL, s.temporal.Address
	bins := append([]stack.Binary{stack.NATSServerBinary("nats", natsPort, monPort, filepath.Join(w.dir, "nats"))}, stack.Binaries()...)
	if s.services, err = stack.NewServices(stack.ServicesOptions{StateDir: filepath.Join(w.dir, "run"), Binaries: bins, Env: addrs, Log: w.log}); err != nil {
		return s, "", "", err
	}
	bctx, cancel := context.WithTimeout(ctx, 10*time.Minute)
	defer cancel()
	if err := s.services.Build(bctx); err != nil {
		return s, "", "", err
	}
	if err := s.services.StartAll(ctx); err != nil {
		return s, "", "", fmt.Errorf("%w; logs in %s", err, s.services.LogDir())
	}
	return s, natsURL, s.temporal.Address, nil
}

func (s *single) instances(process string) []string { return []string{process} }
func (s *single) natsNodes() []string               { return []string{"nats"} }
func (s *single) all() []string                     { return s.services.Names() }
func (s *single) kill(name string) error            { return s.services.Kill(name) }
func (s *single) start(ctx context.Context, name string) error {
	return s.services.Start(ctx, name)
}
func (s *single) freeze(name string) error { return s.services.Freeze(name) }
func (s *single) thaw(name string) error   { return s.services.Thaw(name) }
func (s *single) running(name string) bool { return s.services.Running(name) }
func (s *single) gateways() []string {
	return []string{"http://" + s.services.Env()["GATEWAY_HTTP_ADDR"]}
}
func (s *single) logDir() string { return s.services.LogDir() }

func (s *single) killTemporal() error {
	s.tmu.Lock()
	defer s.tmu.Unlock()
	return s.temporal.Kill()
}

// startTemporal starts the dev server again on its port and file.
func (s *single) startTemporal(ctx context.Context) error {
	s.tmu.Lock()
	opts := s.temporal.Options()
	s.tmu.Unlock()
	srv, err := stack.StartTemporal(ctx, opts)
	if err != nil {
		return err
	}
	s.tmu.Lock()
	s.temporal = srv
	s.tmu.Unlock()
	return nil
}

func (s *single) stop() {
	if s.services != nil {
		s.services.Stop()
	}
	s.tmu.Lock()
	defer s.tmu.Unlock()
	if s.temporal != nil {
		_ = s.temporal.Stop()
	}
}

// ---- the mail server ----

// mailSink is a real SMTP server (github.com/emersion/go-smtp) that keeps
// what it takes: a message sent twice is seen twice. Armed, it runs a
// function right after taking the next message and before answering it
// (the harness kills notificationsd there).
type mailSink struct {
	port int
	srv  *smtp.Server

	mu    sync.Mutex
	byID  map[string]int
	total int
	armed func()
}

func startMailSink() (*mailSink, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s := &mailSink{port: l.Addr().(*net.TCPAddr).Port, byID: map[string]int{}}
	s.srv = smtp.NewServer(s)
	s.srv.Domain = "mail.chaos.test"
	s.srv.AllowInsecureAuth = true
	s.srv.MaxMessageBytes = 10 << 20
	go func() { _ = s.srv.Serve(l) }()
	return s, nil
}

func (s *mailSink) close() { _ = s.srv.Close() }

// arm makes f run once, after the next message is taken.
func (s *mailSink) arm(f func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.armed = f
}

// counts returns how many times each Message-ID arrived, and the total.
func (s *mailSink) counts() (map[string]int, int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]int, len(s.byID))
	for k, v := range s.byID {
		out[k] = v
	}
	return out, s.total
}

func (s *mailSink) NewSession(*smtp.Conn) (smtp.Session, error) { return sinkSession{s}, nil }

type sinkSession struct{ s *mailSink }

func (sinkSession) Reset()                               {}
func (sinkSession) Logout() error                        { return nil }
func (sinkSession) Mail(string, *smtp.MailOptions) error { return nil }
func (sinkSession) Rcpt(string, *smtp.RcptOptions) error { return nil }
func (x sinkSession) Data(r io.Reader) error {
	m, err := mail.ReadMessage(r)
	if err != nil {
		return err // the data never ended: nothing taken
	}
	if _, err := io.Copy(io.Discard, m.Body); err != nil {
		return err
	}
	id := strings.Trim(m.Header.Get("Message-Id"), "<>")
	x.s.mu.Lock()
	x.s.byID[id]++
	x.s.total++
	f := x.s.armed
	x.s.armed = nil
	x.s.mu.Unlock()
	if f != nil {
		f()
	}
	return nil
}
