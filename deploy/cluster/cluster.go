// Package cluster runs bookwell's production topology on one machine, for
// tests that need more than the single-node stack of deploy/stack: a NATS
// JetStream cluster of separate nats-server processes, the Temporal server
// (go.temporal.io/server, built by `make tools`) on SQL persistence in
// Postgres, a DNS server that gives each service name the addresses of its
// replicas, and bookwell itself with several replicas of every process, each
// on its own loopback address (127.0.0.1, 127.0.0.2, ...) so that gRPC clients
// resolve and balance over them exactly as they do over a Kubernetes headless
// service.
//
// Every server is a process in its own process group: a test can kill it
// (SIGKILL), terminate it (SIGTERM), freeze it (SIGSTOP), thaw it and start it
// again on the same ports with the same state.
package cluster

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"strconv"

	"github.com/bookwell/bookwell/deploy/stack"
)

// LoopbackIP is the i-th loopback address: 127.0.0.1 for 0, 127.0.0.2 for 1.
// Linux routes all of 127.0.0.0/8 to the loopback interface.
func LoopbackIP(i int) string { return fmt.Sprintf("127.0.0.%d", i+1) }

// FreePorts returns n distinct TCP ports that are free on 127.0.0.1, below
// the kernel's ephemeral range (stack.FreePortsOn).
func FreePorts(n int) ([]int, error) {
	return stack.FreePortsOn(n, LoopbackIP(0))
}

// ReplicaPorts returns n ports each free on LoopbackIP(0..replicas-1), so
// that replica i can listen on LoopbackIP(i):port for each of them.
func ReplicaPorts(n, replicas int) ([]int, error) {
	ips := make([]string, replicas)
	for i := range ips {
		ips[i] = LoopbackIP(i)
	}
	return stack.FreePortsOn(n, ips...)
}

// PostgresOptions configure StartPostgres.
type PostgresOptions struct {
	// MaxConnections of the server; default 300 (two replicas of seven
	// processes and the Temporal server need more than a default 100).
	MaxConnections int
	// Log reports progress; default slog.Default().
	Log *slog.Logger
}

// Postgres is a private Postgres cluster for one topology, in a folder of its
// own under the system's temporary folder (the server runs as the postgres
// user when we are root, and must reach it), removed by Stop.
type Postgres struct {
	*stack.PrivatePostgres
	// AdminURL is the server's postgres database, as user postgres.
	AdminURL string
}

// StartPostgres creates and starts the cluster with the machine's initdb.
func StartPostgres(ctx context.Context, o PostgresOptions) (*Postgres, error) {
	if o.MaxConnections == 0 {
		o.MaxConnections = 300
	}
	if o.Log == nil {
		o.Log = slog.Default()
	}
	dir, err := os.MkdirTemp("", "bookwell-postgres-")
	if err != nil {
		return nil, err
	}
	// fsync off: only a crash of the machine loses data then, which the
	// topology would not survive anyway; processes killed lose nothing.
	p, err := stack.StartPrivatePostgresWith(ctx, dir, o.Log, map[string]string{
		"max_connections": strconv.Itoa(o.MaxConnections), "fsync": "off", "synchronous_commit": "off",
	})
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	return &Postgres{PrivatePostgres: p, AdminURL: fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", p.Port)}, nil
}

// Stop stops the server and removes its folder.
func (p *Postgres) Stop() error {
	err := p.PrivatePostgres.Stop()
	if rerr := os.RemoveAll(p.Dir); err == nil {
		err = rerr
	}
	return err
}
