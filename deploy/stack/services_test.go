package stack_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"

	"github.com/bookwell/bookwell/deploy/stack"
)

const fakePkg = "./deploy/stack/testdata/fakesvc"

func freeAddr(t *testing.T) string {
	t.Helper()
	p, err := stack.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("127.0.0.1:%d", p)
}

func testLog(t *testing.T) *slog.Logger {
	return slog.New(slog.NewTextHandler(testWriter{t}, nil))
}

type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

// syncBuffer is a bytes.Buffer safe for the supervisor's writers.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// newServices builds fakesvc and returns a supervisor for bins.
func newServices(t *testing.T, opts stack.ServicesOptions) *stack.Services {
	t.Helper()
	opts.StateDir = t.TempDir()
	opts.Log = testLog(t)
	s, err := stack.NewServices(opts)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	if err := s.Build(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Stop)
	return s
}

func grpcServing(addr string) error {
	conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		return err
	}
	defer conn.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	res, err := healthpb.NewHealthClient(conn).Check(ctx, &healthpb.HealthCheckRequest{})
	if err != nil {
		return err
	}
	if res.GetStatus() != healthpb.HealthCheckResponse_SERVING {
		return fmt.Errorf("status %s", res.GetStatus())
	}
	return nil
}

func readLog(t *testing.T, s *stack.Services, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(s.LogDir(), name+".log"))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestServicesRunKillRestartAndStop(t *testing.T) {
	grpcAddr, httpAddr := freeAddr(t), freeAddr(t)
	out := &syncBuffer{}
	s := newServices(t, stack.ServicesOptions{
		Binaries: []stack.Binary{
			{Name: "fake-grpc", Package: fakePkg, Ready: stack.Readiness{Kind: stack.ReadyGRPC, AddrEnv: "FAKE_GRPC_ADDR"},
				Env: map[string]string{"FAKE_GRPC_ADDR": grpcAddr}},
			{Name: "fake-worker", Package: fakePkg, Ready: stack.Readiness{Kind: stack.ReadyRunning, After: 200 * time.Millisecond}},
			{Name: "fake-gateway", Package: fakePkg, Ready: stack.Readiness{Kind: stack.ReadyHTTP, AddrEnv: "FAKE_HTTP_ADDR"},
				Env: map[string]string{"FAKE_HTTP_ADDR": httpAddr}},
		},
		Env:    map[string]string{"DATABASE_URL": "postgres://example/overridden", "FAKE_PRINT_ENV": "DATABASE_URL NATS_URL"},
		Output: out,
	})
	ctx := context.Background()
	if err := s.StartAll(ctx); err != nil {
		t.Fatal(err)
	}
	// Ready means ready: the checks answer right away.
	if err := grpcServing(grpcAddr); err != nil {
		t.Fatalf("gRPC health after StartAll: %v", err)
	}
	res, err := http.Get("http://" + httpAddr + "/healthz")
	if err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("GET /healthz after StartAll: %v %v", res, err)
	}
	res.Body.Close()
	for _, name := range s.Names() {
		if !s.Running(name) {
			t.Errorf("%s not running after StartAll", name)
		}
		// Each got the overridden and the default environment.
		log := readLog(t, s, name)
		for _, want := range []string{"DATABASE_URL=postgres://example/overridden", "NATS_URL=nats://127.0.0.1:4222", "fakesvc: up"} {
			if !strings.Contains(log, want) {
				t.Errorf("%s log lacks %q:\n%s", name, want, log)
			}
		}
	}
	if !strings.Contains(out.String(), "fake-worker    | fakesvc: up\n") {
		t.Errorf("prefixed output lacks the worker's line:\n%s", out.String())
	}

	// A crash: the service is gone until started again.
	if err := s.Kill("fake-grpc"); err != nil {
		t.Fatal(err)
	}
	if s.Running("fake-grpc") {
		t.Error("fake-grpc still running after Kill")
	}
	if err := grpcServing(grpcAddr); err == nil {
		t.Error("gRPC health still answers after Kill")
	}
	if strings.Contains(readLog(t, s, "fake-grpc"), "fakesvc: stopping") {
		t.Error("Kill let the process stop gracefully; want SIGKILL")
	}
	if err := s.Start(ctx, "fake-grpc"); err != nil {
		t.Fatal(err)
	}
	if err := grpcServing(grpcAddr); err != nil {
		t.Fatalf("gRPC health after restart: %v", err)
	}
	if err := s.Start(ctx, "fake-grpc"); err == nil {
		t.Error("Start of a running binary: want an error")
	}
	if err := s.Start(ctx, "nosuch"); err == nil {
		t.Error("Start of an unknown binary: want an error")
	}

	// Stop is graceful: every binary saw SIGTERM and shut down on its own.
	s.Stop()
	for _, name := range s.Names() {
		if s.Running(name) {
			t.Errorf("%s running after Stop", name)
		}
		if !strings.Contains(readLog(t, s, name), "fakesvc: stopping") {
			t.Errorf("%s did not stop gracefully:\n%s", name, readLog(t, s, name))
		}
	}
	if err := grpcServing(grpcAddr); err == nil {
		t.Error("gRPC health answers after Stop")
	}
}

func TestServicesStopKillsABinaryThatIgnoresSIGTERM(t *testing.T) {
	s := newServices(t, stack.ServicesOptions{
		Binaries: []stack.Binary{{Name: "stubborn", Package: fakePkg,
			Ready: stack.Readiness{Kind: stack.ReadyRunning, After: 100 * time.Millisecond},
			Env:   map[string]string{"FAKE_IGNORE_TERM": "1"}}},
		StopTimeout: 300 * time.Millisecond,
	})
	if err := s.StartAll(context.Background()); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	s.Stop()
	if s.Running("stubborn") {
		t.Fatal("still running after Stop")
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("Stop took %s with a 300ms stop timeout", d)
	}
}

func TestServicesReportWhyABinaryDiedAtStart(t *testing.T) {
	s := newServices(t, stack.ServicesOptions{
		Binaries: []stack.Binary{
			{Name: "fine", Package: fakePkg, Ready: stack.Readiness{Kind: stack.ReadyRunning, After: 100 * time.Millisecond}},
			{Name: "broken", Package: fakePkg, Ready: stack.Readiness{Kind: stack.ReadyGRPC, AddrEnv: "FAKE_GRPC_ADDR"},
				Env: map[string]string{"FAKE_GRPC_ADDR": freeAddr(t), "FAKE_FAIL": "cannot reach the database"}},
		},
	})
	err := s.StartAll(context.Background())
	if err == nil {
		t.Fatal("StartAll succeeded with a binary that exits at start")
	}
	for _, want := range []string{"broken", "exited at start", "cannot reach the database"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q: %v", want, err)
		}
	}
	if s.Running("fine") {
		t.Error("a failed StartAll left the earlier binary running")
	}
}

func TestServicesBuildFailureNamesThePackage(t *testing.T) {
	s, err := stack.NewServices(stack.ServicesOptions{
		StateDir: t.TempDir(),
		Binaries: []stack.Binary{{Name: "ghost", Package: "./deploy/stack/testdata/nosuch"}},
		Log:      testLog(t),
	})
	if err != nil {
		t.Fatal(err)
	}
	err = s.Build(context.Background())
	if err == nil || !strings.Contains(err.Error(), "testdata/nosuch") {
		t.Fatalf("Build of a missing package: got %v, want an error naming it", err)
	}
}

func TestServicesRejectADuplicateName(t *testing.T) {
	b := stack.Binary{Name: "twice", Package: fakePkg}
	if _, err := stack.NewServices(stack.ServicesOptions{StateDir: t.TempDir(), Binaries: []stack.Binary{b, b}}); err == nil {
		t.Fatal("want an error for a name listed twice")
	}
}

func TestFreeAddrsCoverEveryListenAddress(t *testing.T) {
	env, err := stack.FreeAddrs()
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, k := range []string{"BOOKING_GRPC_ADDR", "SCHEDULING_GRPC_ADDR", "PAYMENTS_GRPC_ADDR", "NOTIFICATIONS_GRPC_ADDR", "REPUTATION_GRPC_ADDR", "GATEWAY_HTTP_ADDR"} {
		v := env[k]
		if !strings.HasPrefix(v, "127.0.0.1:") || v == stack.DefaultEnv()[k] || seen[v] {
			t.Errorf("%s = %q: want a distinct free 127.0.0.1 port", k, v)
		}
		seen[v] = true
	}
	if _, ok := env["TEMPORAL_ADDRESS"]; ok {
		t.Error("FreeAddrs must not move TEMPORAL_ADDRESS")
	}
}
