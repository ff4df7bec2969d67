package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/bookwell/bookwell/deploy/stack"
)

// The local trace viewer and metrics server: Jaeger's all-in-one program and
// Prometheus, built into bin/ by `make tools-observability`. make dev starts
// each one that is there; without them it runs as before.
const (
	jaegerUI       = "127.0.0.1:16686"
	jaegerOTLPGRPC = "127.0.0.1:4317"
	prometheusAddr = "127.0.0.1:9090"
)

// tool is one of them running.
type tool struct {
	name string
	cmd  *exec.Cmd
	done chan struct{}
}

func (t *tool) stop() {
	_ = t.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-t.done:
	case <-time.After(10 * time.Second):
		_ = t.cmd.Process.Kill()
		<-t.done
	}
}

// startTool runs bin/<name> with args, its output in .dev/logs/<name>.log,
// and waits until addr accepts connections.
func startTool(ctx context.Context, root, stateDir, name, addr string, log *slog.Logger, args ...string) (*tool, error) {
	path := filepath.Join(root, "bin", name)
	if _, err := os.Stat(path); err != nil {
		return nil, nil // not built: make tools-observability
	}
	if c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond); err == nil {
		c.Close()
		log.Warn(name+": its address is taken; not starting it", "addr", addr)
		return nil, nil
	}
	if err := os.MkdirAll(filepath.Join(stateDir, "logs"), 0o755); err != nil {
		return nil, err
	}
	logf, err := os.OpenFile(filepath.Join(stateDir, "logs", name+".log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(path, args...)
	cmd.Dir = stateDir
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		logf.Close()
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	t := &tool{name: name, cmd: cmd, done: make(chan struct{})}
	go func() { _ = cmd.Wait(); logf.Close(); close(t.done) }()
	deadline := time.Now().Add(30 * time.Second)
	for {
		if c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond); err == nil {
			c.Close()
			log.Info(name+": ready", "addr", addr)
			return t, nil
		}
		select {
		case <-t.done:
			return nil, fmt.Errorf("%s exited at start; see .dev/logs/%s.log", name, name)
		case <-ctx.Done():
			t.stop()
			return nil, ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.stop()
			return nil, fmt.Errorf("%s did not listen on %s within 30s; see .dev/logs/%s.log", name, addr, name)
		}
	}
}

// startJaeger runs Jaeger (memory storage, OTLP on 4317, UI on 16686) if it
// is built.
func startJaeger(ctx context.Context, root, stateDir string, log *slog.Logger) (*tool, error) {
	return startTool(ctx, root, stateDir, "jaeger", jaegerOTLPGRPC, log)
}

// prometheusConfig scrapes every process's /metrics and loads bookwell's
// alerting rules.
func prometheusConfig(root string, admin map[string]string) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "# Written by make dev (deploy/cmd/devstack) at each start.\nglobal:\n  scrape_interval: 5s\n  evaluation_interval: 5s\n")
	fmt.Fprintf(&b, "rule_files:\n  - %q\n", filepath.Join(root, "deploy", "observability", "alerts.yaml"))
	fmt.Fprintf(&b, "scrape_configs:\n")
	names := make([]string, 0, len(admin))
	for n := range admin {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		fmt.Fprintf(&b, "  - job_name: %q\n    static_configs:\n      - targets: [%q]\n", n, dialable(admin[n]))
	}
	return b.Bytes()
}

// startPrometheus runs Prometheus on .dev/prometheus.yml if it is built.
func startPrometheus(ctx context.Context, root, stateDir string, admin map[string]string, log *slog.Logger) (*tool, error) {
	if _, err := os.Stat(filepath.Join(root, "bin", "prometheus")); err != nil {
		return nil, nil
	}
	cfg := filepath.Join(stateDir, "prometheus.yml")
	if err := os.WriteFile(cfg, prometheusConfig(root, admin), 0o644); err != nil {
		return nil, err
	}
	return startTool(ctx, root, stateDir, "prometheus", prometheusAddr, log,
		"--config.file="+cfg, "--storage.tsdb.path="+filepath.Join(stateDir, "prometheus"),
		"--web.listen-address="+prometheusAddr, "--storage.tsdb.retention.time=2d")
}

// dialable turns a listen address (":9101") into one to connect to.
func dialable(addr string) string {
	if strings.HasPrefix(addr, ":") {
		return "127.0.0.1" + addr
	}
	return addr
}

// adminAddrs are the admin addresses of the binaries that run.
func adminAddrs(env map[string]string, bins []stack.Binary) map[string]string {
	return stack.AdminAddrs(env, bins)
}

// quietConsole passes to w only the lines worth a developer's attention:
// warnings and errors, and whatever is not a structured log line (a panic,
// a stack trace, a process's last words). Every line is in .dev/logs anyway.
type quietConsole struct {
	mu      sync.Mutex
	w       io.Writer
	partial []byte
}

func (q *quietConsole) Write(p []byte) (int, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.partial = append(q.partial, p...)
	for {
		i := bytes.IndexByte(q.partial, '\n')
		if i < 0 {
			break
		}
		line := q.partial[:i+1]
		if !quiet(line) {
			if _, err := q.w.Write(line); err != nil {
				return len(p), err
			}
		}
		q.partial = q.partial[i+1:]
	}
	return len(p), nil
}

// quiet says whether a log line is below WARN.
func quiet(line []byte) bool {
	for _, l := range []string{"level=DEBUG", "level=INFO", `"level":"DEBUG"`, `"level":"INFO"`} {
		if bytes.Contains(line, []byte(l)) {
			return true
		}
	}
	return false
}
