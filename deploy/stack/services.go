package stack

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
)

// ReadyKind says how the supervisor tells that a binary is ready.
type ReadyKind int

const (
	// ReadyGRPC: the grpc.health.v1 check on the address in Ready.AddrEnv says SERVING.
	ReadyGRPC ReadyKind = iota + 1
	// ReadyHTTP: GET /healthz on the address in Ready.AddrEnv answers 200.
	ReadyHTTP
	// ReadyRunning: the process is still up after Ready.After.
	ReadyRunning
)

// Readiness is how to tell a started binary is ready.
type Readiness struct {
	// Kind of check.
	Kind ReadyKind
	// AddrEnv names the environment variable holding the address to check
	// (ReadyGRPC, ReadyHTTP). A host-less ":8080" is checked on 127.0.0.1.
	AddrEnv string
	// Addr is the address to check when AddrEnv is empty.
	Addr string
	// Path is what ReadyHTTP asks for; default /healthz.
	Path string
	// After is how long a ReadyRunning process must stay up; default 1s.
	After time.Duration
}

// Binary is one program the supervisor builds and runs. Several binaries may
// share a Package (replicas of one process, each with its own Env): it is
// built once.
type Binary struct {
	// Name identifies it (Kill, Start) and names its log file.
	Name string
	// Package is the main package to build, relative to the repository root
	// ("./services/booking/cmd/bookingd") or an import path of a module the
	// workspace requires. `go build -o dir` names the executable after the
	// package's last element (the one before a /vN suffix).
	Package string
	// Path runs this executable instead of building Package.
	Path string
	// Args are its command-line arguments.
	Args []string
	// Ready tells when it is up.
	Ready Readiness
	// Env is added to the shared environment for this binary only.
	Env map[string]string
}

// executable is the file Build makes for b (or b.Path).
func (s *Services) executable(b Binary) string {
	if b.Path != "" {
		return b.Path
	}
	elems := strings.Split(strings.TrimSuffix(b.Package, "/"), "/")
	name := elems[len(elems)-1]
	if len(elems) > 1 && len(name) > 1 && name[0] == 'v' && strings.Trim(name[1:], "0123456789") == "" {
		name = elems[len(elems)-2]
	}
	return filepath.Join(s.binDir(), name)
}

// Binaries is the bookwell stack in start order: the services, the booking
// worker, the gateway in front of them, and the web console in front of the
// gateway (with development sign-in: this stack is for a developer's machine
// and the tests).
func Binaries() []Binary {
	svc := func(ctx, env string) Binary {
		return Binary{Name: ctx + "d", Package: "./services/" + ctx + "/cmd/" + ctx + "d", Ready: Readiness{Kind: ReadyGRPC, AddrEnv: env}}
	}
	return []Binary{
		svc("scheduling", "SCHEDULING_GRPC_ADDR"),
		svc("payments", "PAYMENTS_GRPC_ADDR"),
		svc("notifications", "NOTIFICATIONS_GRPC_ADDR"),
		svc("reputation", "REPUTATION_GRPC_ADDR"),
		svc("booking", "BOOKING_GRPC_ADDR"),
		{Name: "booking-worker", Package: "./services/booking/cmd/booking-worker", Ready: Readiness{Kind: ReadyRunning}},
		{Name: "gatewayd", Package: "./services/gateway/cmd/gatewayd", Ready: Readiness{Kind: ReadyHTTP, AddrEnv: "GATEWAY_HTTP_ADDR"}},
		{Name: "consoled", Package: "./services/console/server/cmd/consoled", Ready: Readiness{Kind: ReadyHTTP, AddrEnv: "CONSOLE_HTTP_ADDR"},
			Env: map[string]string{"CONSOLE_DEV_SIGNIN": "true"}},
	}
}

// DefaultEnv is the environment contract every bookwell binary reads, with
// its default values.
func DefaultEnv() map[string]string {
	return map[string]string{
		"DATABASE_URL":            "postgres://postgres@127.0.0.1:5432/bookwell?sslmode=disable",
		"NATS_URL":                LocalNATSURL,
		"TEMPORAL_ADDRESS":        "127.0.0.1:7233",
		"BOOKING_GRPC_ADDR":       "127.0.0.1:9091",
		"SCHEDULING_GRPC_ADDR":    "127.0.0.1:9092",
		"PAYMENTS_GRPC_ADDR":      "127.0.0.1:9093",
		"PAYMENTS_HTTP_ADDR":      "127.0.0.1:8093",
		"NOTIFICATIONS_GRPC_ADDR": "127.0.0.1:9094",
		"REPUTATION_GRPC_ADDR":    "127.0.0.1:9095",
		"GATEWAY_HTTP_ADDR":       ":8080",
		"CONSOLE_HTTP_ADDR":       ":3000",
		// Each process's admin port: /livez, /readyz and /metrics
		// (AdminAddrEnv; the process reads it as ADMIN_HTTP_ADDR).
		AdminAddrEnv("bookingd"):       "127.0.0.1:9101",
		AdminAddrEnv("schedulingd"):    "127.0.0.1:9102",
		AdminAddrEnv("paymentsd"):      "127.0.0.1:9103",
		AdminAddrEnv("notificationsd"): "127.0.0.1:9104",
		AdminAddrEnv("reputationd"):    "127.0.0.1:9105",
		AdminAddrEnv("booking-worker"): "127.0.0.1:9106",
		AdminAddrEnv("gatewayd"):       "127.0.0.1:9107",
		AdminAddrEnv("consoled"):       "127.0.0.1:9108",
		// One server: streams keep one replica (production keeps three).
		"NATS_STREAM_REPLICAS": "1",
		// Mentors' external calendars may be served on this machine, on any
		// port (the tests serve them; production fetches public addresses
		// on ports 80 and 443 only).
		"EXTERNAL_CALENDAR_ALLOW_PREFIXES": "127.0.0.0/8,::1/128",
		"EXTERNAL_CALENDAR_ANY_PORT":       "true",
		// Development mode: development tokens (make token, the console's
		// sign-in) are accepted; services sign with the keys the stack
		// makes in <state>/service-keys/ (docs/security.md).
		"BOOKWELL_DEV": "true",
	}
}

// AdminAddrEnv names the variable of the stack's environment that holds the
// admin address (ADMIN_HTTP_ADDR: /livez, /readyz, /metrics) of the binary
// called name: BOOKING_WORKER_ADMIN_HTTP_ADDR for booking-worker.
func AdminAddrEnv(name string) string {
	return strings.ToUpper(strings.ReplaceAll(name, "-", "_")) + "_ADMIN_HTTP_ADDR"
}

// AdminAddrs are the admin addresses of the binaries in env, by binary name.
func AdminAddrs(env map[string]string, binaries []Binary) map[string]string {
	out := map[string]string{}
	for _, b := range binaries {
		if a := env[AdminAddrEnv(b.Name)]; a != "" {
			out[b.Name] = a
		}
	}
	return out
}

// binaryEnv is the environment b runs with: the stack's, b's own, and its
// admin address as ADMIN_HTTP_ADDR.
func (s *Services) binaryEnv(b Binary) map[string]string {
	env := s.Env()
	maps.Copy(env, b.Env)
	if a := env[AdminAddrEnv(b.Name)]; a != "" && env["ADMIN_HTTP_ADDR"] == "" {
		env["ADMIN_HTTP_ADDR"] = a
	}
	return env
}

// ConsoleURL is the web console's address for a browser, from its listen
// address: where email links point (APP_BASE_URL).
func ConsoleURL(env map[string]string) string {
	addr := env["CONSOLE_HTTP_ADDR"]
	if strings.HasPrefix(addr, ":") {
		addr = "localhost" + addr
	}
	return "http://" + addr
}

// FreeAddrs gives each listen address of DefaultEnv (the *_GRPC_ADDR and
// GATEWAY_HTTP_ADDR) a free port on 127.0.0.1, for tests running the stack
// beside another one.
func FreeAddrs() (map[string]string, error) {
	env := map[string]string{}
	for k := range DefaultEnv() {
		if !strings.HasSuffix(k, "_ADDR") || k == "TEMPORAL_ADDRESS" {
			continue
		}
		p, err := FreePort()
		if err != nil {
			return nil, err
		}
		env[k] = fmt.Sprintf("127.0.0.1:%d", p)
	}
	return env, nil
}

// ServicesOptions configure a Services supervisor.
type ServicesOptions struct {
	// StateDir receives bin/ (the executables) and logs/<name>.log. Required.
	StateDir string
	// RepoRoot is where `go build` runs; default RepoRoot().
	RepoRoot string
	// Binaries to build and run, in start order; default Binaries().
	Binaries []Binary
	// Env overrides DefaultEnv (DATABASE_URL, ports, ...), for every binary.
	Env map[string]string
	// Output, if set, also receives every line each binary prints, prefixed
	// with its name (make dev shows it in the terminal).
	Output io.Writer
	// Log reports progress; default slog.Default().
	Log *slog.Logger
	// ReadyTimeout bounds the wait for each binary to be ready; default 60s.
	ReadyTimeout time.Duration
	// StopTimeout is how long Stop waits after SIGTERM before SIGKILL; default 10s.
	StopTimeout time.Duration
}

// Services builds and supervises bookwell binaries: each runs in its own
// process group with its output in its log file, and can be killed and
// started again (the end-to-end tests kill services mid-flight).
type Services struct {
	opts ServicesOptions
	out  *lockedWriter

	mu    sync.Mutex
	procs map[string]*process
}

// process is one run of a binary.
type process struct {
	cmd  *exec.Cmd
	done chan struct{} // closed once the process has exited
	err  error         // its exit status, set before done closes
	logf *os.File
	// expected is set when we stop or kill it, so an exit is not a surprise.
	expected atomic.Bool
}

// NewServices returns a supervisor; nothing is built or started yet.
func NewServices(opts ServicesOptions) (*Services, error) {
	if opts.StateDir == "" {
		return nil, errors.New("services: StateDir is required")
	}
	if opts.RepoRoot == "" {
		root, err := RepoRoot()
		if err != nil {
			return nil, err
		}
		opts.RepoRoot = root
	}
	if opts.Binaries == nil {
		opts.Binaries = Binaries()
	}
	if opts.Log == nil {
		opts.Log = slog.Default()
	}
	if opts.ReadyTimeout == 0 {
		opts.ReadyTimeout = 60 * time.Second
	}
	if opts.StopTimeout == 0 {
		opts.StopTimeout = 10 * time.Second
	}
	seen := map[string]bool{}
	for _, b := range opts.Binaries {
		if seen[b.Name] {
			return nil, fmt.Errorf("services: binary %q listed twice", b.Name)
		}
		seen[b.Name] = true
	}
	keys, err := actionLinkEnv(opts.StateDir, opts.Env)
	if err != nil {
		return nil, err
	}
	bins, verify, err := serviceKeyEnv(opts.StateDir, opts.Env, opts.Binaries)
	if err != nil {
		return nil, err
	}
	opts.Binaries = bins
	maps.Copy(keys, verify)
	if len(keys) > 0 {
		opts.Env = maps.Clone(opts.Env)
		if opts.Env == nil {
			opts.Env = map[string]string{}
		}
		maps.Copy(opts.Env, keys)
	}
	s := &Services{opts: opts, procs: map[string]*process{}}
	if opts.Output != nil {
		s.out = &lockedWriter{w: opts.Output}
	}
	return s, nil
}

// SetEnv adds to the environment of binaries started from now on (for
// values known only once Postgres, NATS and Temporal are up).
func (s *Services) SetEnv(env map[string]string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.opts.Env == nil {
		s.opts.Env = map[string]string{}
	}
	maps.Copy(s.opts.Env, env)
}

// LogDir is the folder of the binaries' log files.
func (s *Services) LogDir() string { return filepath.Join(s.opts.StateDir, "logs") }

// Env is the environment the binaries get (DefaultEnv with the overrides).
// Email links point at the console (APP_BASE_URL) unless set otherwise.
func (s *Services) Env() map[string]string {
	s.mu.Lock()
	defer s.mu.Unlock()
	env := DefaultEnv()
	maps.Copy(env, s.opts.Env)
	if env["APP_BASE_URL"] == "" {
		env["APP_BASE_URL"] = ConsoleURL(env)
	}
	return env
}

// Build compiles every binary into <StateDir>/bin with one `go build`, so
// shared packages compile once.
func (s *Services) Build(ctx context.Context) error {
	start := time.Now()
	pkgs := make([]string, 0, len(s.opts.Binaries))
	for _, b := range s.opts.Binaries {
		if b.Path == "" && !slices.Contains(pkgs, b.Package) {
			pkgs = append(pkgs, b.Package)
		}
	}
	if len(pkgs) == 0 {
		return nil
	}
	cmd := exec.CommandContext(ctx, "go", append([]string{"build", "-o", s.binDir() + string(filepath.Separator)}, pkgs...)...)
	cmd.Dir = s.opts.RepoRoot
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("services: go build: %w\n%s", err, out)
	}
	s.opts.Log.Info("services: built", "count", len(pkgs), "dir", s.binDir(), "took", time.Since(start).Round(time.Millisecond))
	return nil
}

func (s *Services) binDir() string { return filepath.Join(s.opts.StateDir, "bin") }

// StartAll starts every binary in order, each once the one before is ready.
// On failure it stops those it started.
func (s *Services) StartAll(ctx context.Context) error {
	for _, b := range s.opts.Binaries {
		if err := s.Start(ctx, b.Name); err != nil {
			s.Stop()
			return err
		}
	}
	return nil
}

// Start starts the named binary (again) and waits until it is ready.
func (s *Services) Start(ctx context.Context, name string) error {
	b, ok := s.binary(name)
	if !ok {
		return fmt.Errorf("services: no binary %q", name)
	}
	s.mu.Lock()
	if p := s.procs[name]; p != nil && !p.exited() {
		s.mu.Unlock()
		return fmt.Errorf("services: %s is already running", name)
	}
	s.mu.Unlock()

	if err := os.MkdirAll(s.LogDir(), 0o755); err != nil {
		return err
	}
	logPath := filepath.Join(s.LogDir(), name+".log")
	logf, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	offset, _ := logf.Seek(0, io.SeekEnd)
	env := s.binaryEnv(b)
	cmd := exec.Command(s.executable(b), b.Args...)
	cmd.Dir = s.opts.RepoRoot
	cmd.Env = os.Environ()
	for _, k := range slices.Sorted(maps.Keys(env)) {
		cmd.Env = append(cmd.Env, k+"="+env[k])
	}
	var w io.Writer = logf
	if s.out != nil {
		w = io.MultiWriter(logf, &prefixWriter{prefix: fmt.Sprintf("%-15s| ", name), w: s.out})
	}
	cmd.Stdout, cmd.Stderr = w, w
	cmd.WaitDelay = time.Second // do not hang on a pipe a grandchild keeps open
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		logf.Close()
		return fmt.Errorf("services: start %s: %w", name, err)
	}
	p := &process{cmd: cmd, done: make(chan struct{}), logf: logf}
	go func() { // owned by s: Stop and Kill wait for done.
		p.err = cmd.Wait()
		logf.Close()
		if !p.expected.Load() {
			s.opts.Log.Error("services: exited unexpectedly", "name", name, "err", p.err, "log", logPath)
		}
		close(p.done)
	}()
	s.mu.Lock()
	s.procs[name] = p
	s.mu.Unlock()

	start := time.Now()
	if err := s.waitReady(ctx, b, env, p); err != nil {
		s.stop(name, p)
		return fmt.Errorf("services: %s: %w; its output:\n%s", name, err, tailFile(logPath, offset, 3000))
	}
	s.opts.Log.Info("services: ready", "name", name, "pid", cmd.Process.Pid, "took", time.Since(start).Round(time.Millisecond))
	return nil
}

// waitReady polls the binary's readiness check until it passes, the process
// exits, or the ready timeout ends.
func (s *Services) waitReady(ctx context.Context, b Binary, env map[string]string, p *process) error {
	ctx, cancel := context.WithTimeout(ctx, s.opts.ReadyTimeout)
	defer cancel()
	if b.Ready.Kind == ReadyRunning {
		after := b.Ready.After
		if after == 0 {
			after = time.Second
		}
		select {
		case <-p.done:
			return fmt.Errorf("exited at start (%v)", p.err)
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(after):
			return nil
		}
	}
	addr := b.Ready.Addr
	if b.Ready.AddrEnv != "" {
		addr = env[b.Ready.AddrEnv]
	}
	if addr == "" {
		return fmt.Errorf("no address in %s to check readiness on", b.Ready.AddrEnv)
	}
	if strings.HasPrefix(addr, ":") {
		addr = "127.0.0.1" + addr
	}
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	var last error
	for {
		if b.Ready.Kind == ReadyHTTP {
			last = httpReady(ctx, addr, b.Ready.Path)
		} else {
			last = grpcReady(ctx, addr)
		}
		if last == nil {
			return nil
		}
		select {
		case <-p.done:
			return fmt.Errorf("exited at start (%v)", p.err)
		case <-ctx.Done():
			if ctx.Err() == context.DeadlineExceeded {
				return fmt.Errorf("not ready on %s after %s: %v", addr, s.opts.ReadyTimeout, last)
			}
			return ctx.Err()
		case <-tick.C:
		}
	}
}

// grpcReady runs the standard gRPC health check on addr.
func grpcReady(ctx context.Context, addr string) error {
	if !dialable(addr) {
		return fmt.Errorf("nothing listens on %s", addr)
	}
	conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		return err
	}
	defer conn.Close()
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	res, err := healthpb.NewHealthClient(conn).Check(ctx, &healthpb.HealthCheckRequest{})
	if err != nil {
		return err
	}
	if res.GetStatus() != healthpb.HealthCheckResponse_SERVING {
		return fmt.Errorf("health: %s", res.GetStatus())
	}
	return nil
}

// httpReady asks GET path (default /healthz) on addr for a 200.
func httpReady(ctx context.Context, addr, path string) error {
	if path == "" {
		path = "/healthz"
	}
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+addr+path, nil)
	if err != nil {
		return err
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s", path, res.Status)
	}
	return nil
}

// Kill sends SIGKILL to the named binary, as a crash would, and waits for
// it to be gone.
func (s *Services) Kill(name string) error {
	s.mu.Lock()
	p := s.procs[name]
	s.mu.Unlock()
	if p == nil || p.exited() {
		return fmt.Errorf("services: %s is not running", name)
	}
	p.expected.Store(true)
	_ = syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL)
	<-p.done
	s.opts.Log.Info("services: killed", "name", name)
	return nil
}

// Once runs the named binary with args and its environment until it exits
// (a one-off command such as `bookingd bootstrap`) and returns its output.
func (s *Services) Once(ctx context.Context, name string, args ...string) ([]byte, error) {
	b, ok := s.binary(name)
	if !ok {
		return nil, fmt.Errorf("services: no binary %q", name)
	}
	env := s.Env()
	maps.Copy(env, b.Env)
	cmd := exec.CommandContext(ctx, s.executable(b), args...)
	cmd.Dir = s.opts.RepoRoot
	cmd.Env = os.Environ()
	for _, k := range slices.Sorted(maps.Keys(env)) {
		cmd.Env = append(cmd.Env, k+"="+env[k])
	}
	out, err := cmd.CombinedOutput()
	if err != nil {
		return out, fmt.Errorf("services: %s %s: %w\n%s", name, strings.Join(args, " "), err, out)
	}
	return out, nil
}

// Freeze stops the named binary's processes with SIGSTOP, as a hung
// process or a long pause would: its connections stay open, nothing answers.
func (s *Services) Freeze(name string) error { return s.signal(name, syscall.SIGSTOP, "frozen") }

// Thaw lets a frozen binary run on (SIGCONT).
func (s *Services) Thaw(name string) error { return s.signal(name, syscall.SIGCONT, "thawed") }

func (s *Services) signal(name string, sig syscall.Signal, what string) error {
	s.mu.Lock()
	p := s.procs[name]
	s.mu.Unlock()
	if p == nil || p.exited() {
		return fmt.Errorf("services: %s is not running", name)
	}
	if err := syscall.Kill(-p.cmd.Process.Pid, sig); err != nil {
		return fmt.Errorf("services: %s: %w", name, err)
	}
	s.opts.Log.Info("services: "+what, "name", name)
	return nil
}

// Terminate stops the named binary as an orchestrator would (SIGTERM, then
// SIGKILL after the stop timeout) and waits for it to be gone.
func (s *Services) Terminate(name string) error {
	s.mu.Lock()
	p := s.procs[name]
	s.mu.Unlock()
	if p == nil || p.exited() {
		return fmt.Errorf("services: %s is not running", name)
	}
	s.stop(name, p)
	return nil
}

// Running reports whether the named binary's process is up.
func (s *Services) Running(name string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.procs[name]
	return p != nil && !p.exited()
}

// Stop stops every running binary in reverse start order: SIGTERM, then
// SIGKILL for any still up after the stop timeout.
func (s *Services) Stop() {
	bins := slices.Clone(s.opts.Binaries)
	slices.Reverse(bins)
	for _, b := range bins {
		s.mu.Lock()
		p := s.procs[b.Name]
		s.mu.Unlock()
		if p != nil {
			s.stop(b.Name, p)
		}
	}
}

// stop ends one process: SIGTERM to its group, SIGKILL after the timeout.
func (s *Services) stop(name string, p *process) {
	if p.exited() {
		return
	}
	p.expected.Store(true)
	_ = syscall.Kill(-p.cmd.Process.Pid, syscall.SIGTERM)
	_ = syscall.Kill(-p.cmd.Process.Pid, syscall.SIGCONT) // a frozen process must run to stop
	select {
	case <-p.done:
		s.opts.Log.Info("services: stopped", "name", name)
		return
	case <-time.After(s.opts.StopTimeout):
	}
	_ = syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL)
	<-p.done
	s.opts.Log.Warn("services: killed after not stopping in time", "name", name, "timeout", s.opts.StopTimeout)
}

func (s *Services) binary(name string) (Binary, bool) {
	for _, b := range s.opts.Binaries {
		if b.Name == name {
			return b, true
		}
	}
	return Binary{}, false
}

// Names lists the binaries in start order.
func (s *Services) Names() []string {
	names := make([]string, len(s.opts.Binaries))
	for i, b := range s.opts.Binaries {
		names[i] = b.Name
	}
	return names
}

func (p *process) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// lockedWriter serialises writes from several processes' output.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(b)
}

// prefixWriter writes whole lines, each after its prefix.
type prefixWriter struct {
	prefix string
	w      io.Writer
	buf    []byte
}

func (p *prefixWriter) Write(b []byte) (int, error) {
	p.buf = append(p.buf, b...)
	var out bytes.Buffer
	for {
		i := bytes.IndexByte(p.buf, '\n')
		if i < 0 {
			break
		}
		out.WriteString(p.prefix)
		out.Write(p.buf[:i+1])
		p.buf = p.buf[i+1:]
	}
	if out.Len() > 0 {
		if _, err := p.w.Write(out.Bytes()); err != nil {
			return 0, err
		}
	}
	return len(b), nil
}
