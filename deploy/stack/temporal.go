package stack

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"go.temporal.io/api/enums/v1"
	"go.temporal.io/api/operatorservice/v1"
	"go.temporal.io/sdk/client"
)

// SearchAttribute is a custom search attribute registered on the dev server.
type SearchAttribute struct {
	// Name as workflows and the UI's filters use it.
	Name string
	// Type is the CLI's name for it: Keyword, Datetime, Int, ...
	Type string
}

// BookingSearchAttributes are the attributes that let an operator find a
// booking workflow by status, mentor, mentee, session time, next deadline
// and payment status (services/booking/internal/workflow/api.go).
func BookingSearchAttributes() []SearchAttribute {
	return []SearchAttribute{
		{Name: "BookingStatus", Type: "Keyword"},
		{Name: "MentorId", Type: "Keyword"},
		{Name: "MenteeId", Type: "Keyword"},
		{Name: "SessionStart", Type: "Datetime"},
		{Name: "NextDeadline", Type: "Datetime"},
		{Name: "PaymentStatus", Type: "Keyword"},
	}
}

// TemporalCLI finds the temporal binary: $TEMPORAL_CLI, else bin/temporal at
// the repository root (`make tools` installs it there).
func TemporalCLI() (string, error) {
	if p := os.Getenv("TEMPORAL_CLI"); p != "" {
		return p, nil
	}
	root, err := RepoRoot()
	if err != nil {
		return "", err
	}
	p := filepath.Join(root, "bin", "temporal")
	if _, err := os.Stat(p); err != nil {
		return "", fmt.Errorf("no Temporal CLI at %s (run `make tools` or set TEMPORAL_CLI)", p)
	}
	return p, nil
}

// TemporalUIURL is where the dev server serving the frontend at addr has its
// Web UI: the CLI's default, the frontend port plus 1000.
func TemporalUIURL(addr string) string {
	_, p, err := net.SplitHostPort(addr)
	port, _ := strconv.Atoi(p)
	if err != nil || port == 0 {
		return ""
	}
	return fmt.Sprintf("http://localhost:%d", port+1000)
}

// Temporal returns the frontend address of a Temporal server and a function
// that stops whatever was started for it. It uses TEMPORAL_ADDRESS if set;
// else it starts the dev server (see StartTemporal) with its state in
// <stateDir>/temporal.db, on port 7233 with the UI on 8233 (or on free ports
// when those are taken), its output in <stateDir>/logs/temporal.log.
func Temporal(ctx context.Context, stateDir string, log *slog.Logger) (string, func(), error) {
	if addr := os.Getenv("TEMPORAL_ADDRESS"); addr != "" {
		hctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		if err := temporalHealthy(hctx, addr); err != nil {
			return "", nil, fmt.Errorf("temporal: TEMPORAL_ADDRESS %s does not answer: %w", addr, err)
		}
		log.Info("temporal: using TEMPORAL_ADDRESS", "addr", addr)
		return addr, func() {}, nil
	}
	port, err := temporalPorts()
	if err != nil {
		return "", nil, err
	}
	srv, err := StartTemporal(ctx, TemporalOptions{
		DBFile:  filepath.Join(stateDir, "temporal.db"),
		Port:    port,
		LogFile: filepath.Join(stateDir, "logs", "temporal.log"),
		Log:     log,
	})
	if err != nil {
		return "", nil, err
	}
	return srv.Address, func() {
		if err := srv.Stop(); err != nil {
			log.Error("temporal: stop", "err", err)
		}
	}, nil
}

// temporalPorts is 7233 if it and 8233 (the UI) are free, else a free port
// whose UI port is free too.
func temporalPorts() (int, error) {
	if portFree(7233) && portFree(8233) {
		return 7233, nil
	}
	for range 20 {
		p, err := FreePort()
		if err != nil {
			return 0, err
		}
		if p+1000 < 65536 && portFree(p+1000) {
			return p, nil
		}
	}
	return 0, errors.New("temporal: no free pair of ports for the frontend and the UI")
}

// TemporalOptions configure StartTemporal.
type TemporalOptions struct {
	// CLI is the temporal binary; default TemporalCLI().
	CLI string
	// DBFile keeps the server's state between runs (SQLite). Required.
	DBFile string
	// Port of the frontend on 127.0.0.1; the UI listens on Port+1000.
	Port int
	// Headless turns the Web UI off (tests).
	Headless bool
	// LogFile receives the server's output (appended); default os.DevNull.
	LogFile string
	// Log reports progress; default slog.Default().
	Log *slog.Logger
	// StopTimeout is how long Stop waits after SIGINT before SIGKILL; default 10s.
	StopTimeout time.Duration
}

// TemporalServer is a running Temporal dev server.
type TemporalServer struct {
	// Address is the frontend's host:port.
	Address string
	// UI is the Web UI's URL, "" when headless.
	UI string

	cmd  *exec.Cmd
	done chan struct{} // closed when the process has exited
	opts TemporalOptions
}

// StartTemporal runs `temporal server start-dev` with its state in
// opts.DBFile and the booking search attributes, waits until the frontend
// answers a health check, and makes sure the attributes are registered (a
// restart on an existing file finds them there). It stops the process again
// if it never becomes healthy.
func StartTemporal(ctx context.Context, opts TemporalOptions) (*TemporalServer, error) {
	if opts.Log == nil {
		opts.Log = slog.Default()
	}
	if opts.StopTimeout == 0 {
		opts.StopTimeout = 10 * time.Second
	}
	if opts.LogFile == "" {
		opts.LogFile = os.DevNull
	}
	if opts.CLI == "" {
		cli, err := TemporalCLI()
		if err != nil {
			return nil, fmt.Errorf("temporal: %w", err)
		}
		opts.CLI = cli
	}
	if err := os.MkdirAll(filepath.Dir(opts.DBFile), 0o755); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Dir(opts.LogFile), 0o755); err != nil {
		return nil, err
	}
	start := time.Now()
	srv, err := startTemporal(ctx, opts, true)
	if err != nil && strings.Contains(strings.ToLower(err.Error()), "search attribute") {
		// Older CLIs refuse to re-register attributes the file already has:
		// start without them; ensureSearchAttributes adds any missing.
		opts.Log.Info("temporal: retrying without --search-attribute", "reason", err)
		srv, err = startTemporal(ctx, opts, false)
	}
	if err != nil {
		return nil, err
	}
	if err := srv.ensureSearchAttributes(ctx); err != nil {
		_ = srv.Stop()
		return nil, err
	}
	opts.Log.Info("temporal: dev server ready", "addr", srv.Address, "ui", srv.UI, "db", opts.DBFile,
		"took", time.Since(start).Round(time.Millisecond))
	return srv, nil
}

// startTemporal starts the process once and waits for it to be healthy.
func startTemporal(ctx context.Context, opts TemporalOptions, withAttrs bool) (*TemporalServer, error) {
	logf, err := os.OpenFile(opts.LogFile, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, err
	}
	defer logf.Close()
	offset, _ := logf.Seek(0, 2)
	args := []string{"server", "start-dev",
		"--db-filename", opts.DBFile,
		// A write-ahead log, synced at checkpoints rather than at every
		// commit: a crash of the server loses nothing, a crash of the
		// machine at most the last moments (docs/benchmarks.md).
		"--sqlite-pragma", "journal_mode=wal", "--sqlite-pragma", "synchronous=normal",
		"--ip", "127.0.0.1",
		"--port", strconv.Itoa(opts.Port),
		"--log-level", "warn",
	}
	s := &TemporalServer{Address: net.JoinHostPort("127.0.0.1", strconv.Itoa(opts.Port)), opts: opts, done: make(chan struct{})}
	if opts.Headless {
		args = append(args, "--headless")
	} else {
		args = append(args, "--ui-port", strconv.Itoa(opts.Port+1000))
		s.UI = TemporalUIURL(s.Address)
	}
	if withAttrs {
		for _, a := range BookingSearchAttributes() {
			args = append(args, "--search-attribute", a.Name+"="+a.Type)
		}
	}
	s.cmd = exec.Command(opts.CLI, args...)
	s.cmd.Stdout, s.cmd.Stderr = logf, logf
	// Own process group: a Ctrl-C in the terminal reaches devstack only, which
	// then stops everything in order. Pdeathsig: never outlive us.
	s.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := s.cmd.Start(); err != nil {
		return nil, fmt.Errorf("temporal: start %s: %w", opts.CLI, err)
	}
	go func() { _ = s.cmd.Wait(); close(s.done) }() // owned by s: Stop waits for it.

	wctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-s.done:
			return nil, fmt.Errorf("temporal: dev server exited before it was ready (%v); output:\n%s",
				s.cmd.ProcessState, tailFile(opts.LogFile, offset, 2000))
		case <-wctx.Done():
			_ = s.Stop()
			return nil, fmt.Errorf("temporal: dev server not healthy on %s after a minute; output in %s", s.Address, opts.LogFile)
		case <-tick.C:
		}
		if !dialable(s.Address) {
			continue
		}
		hctx, hcancel := context.WithTimeout(wctx, 2*time.Second)
		err := temporalHealthy(hctx, s.Address)
		hcancel()
		if err == nil {
			return s, nil
		}
	}
}

// temporalHealthy dials the frontend and runs the SDK's health check.
func temporalHealthy(ctx context.Context, addr string) error {
	c, err := client.DialContext(ctx, client.Options{HostPort: addr, Logger: quietLogger{}})
	if err != nil {
		return err
	}
	defer c.Close()
	_, err = c.CheckHealth(ctx, &client.CheckHealthRequest{})
	return err
}

// ensureSearchAttributes adds whichever booking attributes the default
// namespace lacks.
func (s *TemporalServer) ensureSearchAttributes(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	c, err := client.DialContext(ctx, client.Options{HostPort: s.Address, Logger: quietLogger{}})
	if err != nil {
		return fmt.Errorf("temporal: %w", err)
	}
	defer c.Close()
	list, err := c.OperatorService().ListSearchAttributes(ctx, &operatorservice.ListSearchAttributesRequest{Namespace: "default"})
	if err != nil {
		return fmt.Errorf("temporal: list search attributes: %w", err)
	}
	missing := map[string]enums.IndexedValueType{}
	for _, a := range BookingSearchAttributes() {
		if _, ok := list.GetCustomAttributes()[a.Name]; ok {
			continue
		}
		t, err := enums.IndexedValueTypeFromString(a.Type)
		if err != nil {
			return fmt.Errorf("temporal: search attribute %s: %w", a.Name, err)
		}
		missing[a.Name] = t
	}
	if len(missing) == 0 {
		return nil
	}
	if _, err := c.OperatorService().AddSearchAttributes(ctx, &operatorservice.AddSearchAttributesRequest{
		Namespace: "default", SearchAttributes: missing,
	}); err != nil {
		return fmt.Errorf("temporal: add search attributes: %w", err)
	}
	s.opts.Log.Info("temporal: registered search attributes", "count", len(missing))
	return nil
}

// Stop asks the server to shut down (SIGINT) and kills it if it has not
// exited after the stop timeout.
func (s *TemporalServer) Stop() error {
	select {
	case <-s.done:
		return nil
	default:
	}
	_ = s.cmd.Process.Signal(syscall.SIGINT)
	select {
	case <-s.done:
		s.opts.Log.Info("temporal: stopped")
		return nil
	case <-time.After(s.opts.StopTimeout):
	}
	_ = s.cmd.Process.Kill()
	<-s.done
	return fmt.Errorf("temporal: killed after not stopping within %s", s.opts.StopTimeout)
}

// tailFile is the end of path from offset on, at most max bytes.
func tailFile(path string, offset int64, max int) string {
	b, err := os.ReadFile(path)
	if err != nil || offset > int64(len(b)) {
		return ""
	}
	b = b[offset:]
	if len(b) > max {
		b = b[len(b)-max:]
	}
	return string(b)
}

// quietLogger drops the Temporal SDK client's own logs.
type quietLogger struct{}

func (quietLogger) Debug(string, ...any) {}
func (quietLogger) Info(string, ...any)  {}
func (quietLogger) Warn(string, ...any)  {}
func (quietLogger) Error(string, ...any) {}
