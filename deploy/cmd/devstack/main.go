// Command devstack runs the whole bookwell stack on this machine (`make dev`):
// Postgres, NATS JetStream and a Temporal dev server (found or started, state
// in .dev/ at the repository root), then the five services, the booking
// worker, the REST gateway and the web console, built from source, and the
// trace viewer (Jaeger) and metrics server (Prometheus) when `make
// tools-observability` has built them. Ctrl-C stops everything in reverse
// order; the next run finds the data where it was. The console shows
// warnings and errors only (-verbose: everything); every line is in
// .dev/logs.
//
// With -postgres-only it makes sure a Postgres answers (the same way), prints
// its URL on stdout and keeps it until stopped; .ci/run uses that.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/bookwell/bookwell/deploy/stack"
	"github.com/bookwell/bookwell/pkg/logging"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "devstack:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("devstack", flag.ContinueOnError)
	pgOnly := fs.Bool("postgres-only", false, "only make sure Postgres answers, print its URL and keep it until stopped")
	only := fs.String("services", "", "comma-separated binaries to run (default: all eight)")
	quiet := fs.Bool("quiet", false, "do not echo the binaries' output here (it is in .dev/logs either way)")
	verbose := fs.Bool("verbose", false, "echo every line the binaries log here, not only warnings and errors")
	if err := fs.Parse(args); err != nil {
		return err
	}
	bins, err := pick(stack.Binaries(), *only)
	if err != nil {
		return err
	}
	root, err := stack.RepoRoot()
	if err != nil {
		return err
	}
	stateDir := filepath.Join(root, ".dev")
	if err := os.MkdirAll(stateDir, 0o755); err != nil {
		return err
	}
	log := logging.NewWriter(os.Stderr, "devstack", "text", os.Getenv("LOG_LEVEL"))

	if *pgOnly {
		url, stopPG, err := stack.Postgres(ctx, stateDir, log)
		if err != nil {
			return err
		}
		fmt.Fprintln(stdout, url)
		<-ctx.Done()
		stopPG()
		return nil
	}

	env := addrsFromEnv()
	if os.Getenv("LOG_FORMAT") == "" {
		env["LOG_FORMAT"] = "text" // readable on the console and in .dev/logs
	}
	opts := stack.ServicesOptions{StateDir: stateDir, RepoRoot: root, Binaries: bins, Log: log, Env: env}
	switch {
	case *quiet:
	case *verbose:
		opts.Output = stdout
	default:
		opts.Output = &quietConsole{w: stdout}
	}
	svcs, err := stack.NewServices(opts)
	if err != nil {
		return err
	}

	// Postgres, NATS, Temporal and the build are independent: do them at
	// once. Whatever was started is stopped again in reverse order.
	start := time.Now()
	var (
		mu                           sync.Mutex
		stops                        [3]func() // Postgres, NATS, Temporal
		pgURL, natsURL, temporalAddr string
		jaeger, prometheus           *tool
	)
	stopAll := func() {
		svcs.Stop()
		for _, t := range []*tool{prometheus, jaeger} {
			if t != nil {
				t.stop()
			}
		}
		for i := len(stops) - 1; i >= 0; i-- {
			if stops[i] != nil {
				stops[i]()
			}
		}
	}
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error {
		u, stop, err := stack.Postgres(gctx, stateDir, log)
		mu.Lock()
		pgURL, stops[0] = u, stop
		mu.Unlock()
		return err
	})
	g.Go(func() error {
		u, stop, err := stack.NATS(gctx, stateDir, log)
		mu.Lock()
		natsURL, stops[1] = u, stop
		mu.Unlock()
		return err
	})
	g.Go(func() error {
		a, stop, err := stack.Temporal(gctx, stateDir, log)
		mu.Lock()
		temporalAddr, stops[2] = a, stop
		mu.Unlock()
		return err
	})
	g.Go(func() error { return svcs.Build(gctx) })
	if os.Getenv("OTEL_EXPORTER_OTLP_ENDPOINT") == "" {
		g.Go(func() error {
			t, err := startJaeger(gctx, root, stateDir, log)
			mu.Lock()
			jaeger = t
			mu.Unlock()
			return err
		})
	}
	if err := g.Wait(); err != nil {
		stopAll()
		if ctx.Err() != nil {
			return nil // Ctrl-C while starting: everything started is stopped.
		}
		if strings.Contains(err.Error(), "directory not found") {
			err = fmt.Errorf("%w\nsome binaries are not written yet; run the others with e.g.\n  go run ./deploy/cmd/devstack -services bookingd,booking-worker,gatewayd", err)
		}
		return err
	}
	svcs.SetEnv(map[string]string{"DATABASE_URL": pgURL, "NATS_URL": natsURL, "TEMPORAL_ADDRESS": temporalAddr})
	if jaeger != nil {
		svcs.SetEnv(map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://" + jaegerOTLPGRPC})
	}
	if err := svcs.StartAll(ctx); err != nil {
		stopAll()
		if ctx.Err() != nil {
			return nil
		}
		return err
	}

	env = svcs.Env()
	admin := adminAddrs(env, bins)
	if prometheus, err = startPrometheus(ctx, root, stateDir, admin, log); err != nil {
		log.Warn("prometheus did not start; going on without it", "err", err)
	}
	traces, metrics := "(make tools-observability builds Jaeger)", "(make tools-observability builds Prometheus)"
	switch {
	case jaeger != nil:
		traces = "http://" + jaegerUI + "  (Jaeger; every process exports its spans to it)"
	case os.Getenv("OTEL_EXPORTER_OTLP_ENDPOINT") != "":
		traces = "exported to OTEL_EXPORTER_OTLP_ENDPOINT=" + os.Getenv("OTEL_EXPORTER_OTLP_ENDPOINT")
	}
	if prometheus != nil {
		metrics = "http://" + prometheusAddr + "  (Prometheus, scraping every process every 5s, with the alerts)"
	}
	var scrape []string
	for _, b := range bins {
		if a, ok := admin[b.Name]; ok {
			scrape = append(scrape, fmt.Sprintf("%s http://%s/metrics", b.Name, dialable(a)))
		}
	}
	rest := "http://localhost" + port(env["GATEWAY_HTTP_ADDR"])
	console := "(not running)"
	if svcs.Running("consoled") {
		console = stack.ConsoleURL(env) + "  (sign in as anyone: development mode)"
	}
	ui := stack.TemporalUIURL(temporalAddr)
	if os.Getenv("TEMPORAL_ADDRESS") != "" {
		ui = "(the UI of the server at TEMPORAL_ADDRESS)"
	}
	fmt.Fprintf(stdout, `
bookwell is up (took %s). Ctrl-C stops it; the data stays in .dev/ for the next run.
  Console       %s
  REST          %s
  OpenAPI       %s/openapi.json
  Temporal UI   %s
  Temporal      %s
  Postgres      %s
  NATS          %s
  Traces        %s
  Metrics       %s
  /metrics      %s
  logs          %s  (this console shows warnings and errors; -verbose: all)
`, time.Since(start).Round(100*time.Millisecond), console, rest, rest, ui, temporalAddr, pgURL, natsURL, traces, metrics,
		strings.Join(scrape, "\n                "), svcs.LogDir())

	<-ctx.Done()
	fmt.Fprintln(stdout, "\nstopping bookwell...")
	stopAll()
	return nil
}

// pick keeps the binaries named in the comma-separated list, in start order.
func pick(all []stack.Binary, list string) ([]stack.Binary, error) {
	if list == "" {
		return all, nil
	}
	var out []stack.Binary
	want := map[string]bool{}
	for _, n := range strings.Split(list, ",") {
		want[strings.TrimSpace(n)] = true
	}
	for _, b := range all {
		if want[b.Name] {
			out = append(out, b)
			delete(want, b.Name)
		}
	}
	if len(want) > 0 {
		var names []string
		for _, b := range all {
			names = append(names, b.Name)
		}
		return nil, fmt.Errorf("-services: unknown binary in %q; known: %s", list, strings.Join(names, ", "))
	}
	return out, nil
}

// addrsFromEnv keeps listen addresses set in our own environment.
func addrsFromEnv() map[string]string {
	env := map[string]string{}
	for k := range stack.DefaultEnv() {
		if strings.HasSuffix(k, "_ADDR") {
			if v := os.Getenv(k); v != "" {
				env[k] = v
			}
		}
	}
	return env
}

// port is the ":port" part of a listen address.
func port(addr string) string {
	if i := strings.LastIndex(addr, ":"); i >= 0 {
		return addr[i:]
	}
	return ""
}
