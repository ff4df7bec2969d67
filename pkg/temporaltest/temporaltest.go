// Package temporaltest starts a real Temporal dev server (the `temporal` CLI
// that `make tools` installs in bin/) for a test, in memory, with the search
// attributes the test needs registered.
package temporaltest

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
)

// CLI finds the temporal binary: $TEMPORAL_CLI, else bin/temporal in the
// nearest folder above the working directory that has a go.work file.
func CLI() (string, error) {
	if p := os.Getenv("TEMPORAL_CLI"); p != "" {
		return p, nil
	}
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.work")); err == nil {
			p := filepath.Join(dir, "bin", "temporal")
			if _, err := os.Stat(p); err != nil {
				return "", err
			}
			return p, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", os.ErrNotExist
		}
		dir = parent
	}
}

// Server is a running dev server.
type Server struct {
	// HostPort is the frontend's address.
	HostPort string
	// Client is connected to the default namespace.
	Client client.Client
}

// New starts a dev server for t; it stops when t ends.
func New(t testing.TB, attrs temporal.SearchAttributes) *Server {
	t.Helper()
	cli, err := CLI()
	if err != nil {
		t.Fatalf("temporaltest: no temporal CLI (run `make tools` or set TEMPORAL_CLI): %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	srv, err := testsuite.StartDevServer(ctx, testsuite.DevServerOptions{
		ExistingPath:     cli,
		ClientOptions:    &client.Options{Namespace: "default", Logger: quiet{}},
		SearchAttributes: attrs,
		LogLevel:         "error",
		Stdout:           testWriter{t},
		Stderr:           testWriter{t},
	})
	if err != nil {
		t.Fatalf("temporaltest: start dev server: %v", err)
	}
	c := srv.Client()
	t.Cleanup(func() {
		if err := srv.Stop(); err != nil {
			t.Logf("temporaltest: stop: %v", err)
		}
	})
	return &Server{HostPort: srv.FrontendHostPort(), Client: c}
}

// testWriter sends the server's output to the test log, where it shows only
// for failing tests (or with -v).
type testWriter struct{ t testing.TB }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Logf("temporal: %s", p)
	return len(p), nil
}

// quiet drops the SDK client's own logs.
type quiet struct{}

func (quiet) Debug(string, ...any) {}
func (quiet) Info(string, ...any)  {}
func (quiet) Warn(string, ...any)  {}
func (quiet) Error(string, ...any) {}
