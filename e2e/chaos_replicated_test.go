package e2e

import (
	"context"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/bookwell/bookwell/deploy/cluster"
	"github.com/bookwell/bookwell/deploy/stack"
)

// replicated is the production topology on one machine (deploy/cluster): a
// three-node NATS JetStream cluster, the Temporal server on Postgres, and two
// replicas of every bookwell process behind DNS names that list them. A
// fault hits one node or one replica; clients spread calls over both
// gateways.
type replicated struct {
	dns      *cluster.DNS
	nats     *cluster.NATS
	temporal *cluster.Temporal
	bookwell *cluster.Bookwell
	stopOnce sync.Once
}

func init() { topologies["replicated"] = startReplicated }

func startReplicated(ctx context.Context, t *testing.T, w *chaosWorld, env map[string]string) (topology, string, string, error) {
	// Its own Postgres, with connections enough for fourteen processes and
	// the Temporal server.
	pg, err := cluster.StartPostgres(ctx, cluster.PostgresOptions{Log: w.log})
	if err != nil {
		return nil, "", "", err
	}
	w.pg, w.stopPG = pg.PrivatePostgres, pg.Stop
	dbURL, err := stack.EnsureDatabase(ctx, pg.AdminURL, stack.Database)
	if err != nil {
		return nil, "", "", err
	}
	// As in production: the processes read and write as a role of their own;
	// the bootstrap migrates as the schemas' owner.
	env["DATABASE_URL"], env["MIGRATIONS_DATABASE_URL"] = roles(t, dbURL)
	// The harness reads every schema, as the owner.
	w.pg.URL = dbURL
	r := &replicated{}
	if r.dns, err = cluster.StartDNS(); err != nil {
		return nil, "", "", err
	}
	if r.nats, err = cluster.StartNATS(ctx, cluster.NATSOptions{Dir: filepath.Join(w.dir, "nats"), Log: w.log}); err != nil {
		return r, "", "", err
	}
	if r.temporal, err = cluster.StartTemporal(ctx, cluster.TemporalOptions{Dir: filepath.Join(w.dir, "temporal"),
		PostgresURL: pg.AdminURL, Log: w.log}); err != nil {
		return r, "", "", err
	}
	env["NATS_URL"], env["TEMPORAL_ADDRESS"] = r.nats.URL(), r.temporal.Address
	env["NATS_STREAM_REPLICAS"], env["DATABASE_MAX_CONNS"] = "3", "4"
	r.bookwell, err = cluster.StartBookwell(ctx, cluster.BookwellOptions{Dir: filepath.Join(w.dir, "bookwell"), DNS: r.dns,
		Log: w.log, Bootstrap: true, Env: env})
	return r, r.nats.URL(), r.temporal.Address, err
}

func (r *replicated) instances(process string) []string {
	var out []string
	for _, name := range r.bookwell.Names() {
		if strings.HasPrefix(name, process+"-") {
			out = append(out, name)
		}
	}
	return out
}

func (r *replicated) natsNodes() []string { return r.nats.Names() }

func (r *replicated) all() []string {
	var out []string
	if r.nats != nil {
		out = append(out, r.nats.Names()...)
	}
	if r.bookwell != nil {
		out = append(out, r.bookwell.Names()...)
	}
	return out
}

func (r *replicated) isNATS(name string) bool { return slices.Contains(r.nats.Names(), name) }

func (r *replicated) kill(name string) error {
	if r.isNATS(name) {
		return r.nats.Kill(name)
	}
	return r.bookwell.Kill(name)
}

func (r *replicated) start(ctx context.Context, name string) error {
	if r.isNATS(name) {
		return r.nats.Start(ctx, name)
	}
	return r.bookwell.Start(ctx, name)
}

func (r *replicated) freeze(name string) error {
	if r.isNATS(name) {
		return r.nats.Freeze(name)
	}
	return r.bookwell.Freeze(name)
}

func (r *replicated) thaw(name string) error {
	if r.isNATS(name) {
		return r.nats.Thaw(name)
	}
	return r.bookwell.Thaw(name)
}

func (r *replicated) running(name string) bool {
	if r.isNATS(name) {
		return r.nats.Running(name)
	}
	return r.bookwell.Running(name)
}

func (r *replicated) killTemporal() error                     { return r.temporal.Kill() }
func (r *replicated) startTemporal(ctx context.Context) error { return r.temporal.Start(ctx) }
func (r *replicated) gateways() []string                      { return r.bookwell.GatewayURLs() }
func (r *replicated) logDir() string                          { return r.bookwell.LogDir() }

func (r *replicated) stop() {
	r.stopOnce.Do(func() {
		if r.bookwell != nil {
			r.bookwell.Stop()
		}
		if r.temporal != nil {
			r.temporal.Stop()
		}
		if r.nats != nil {
			r.nats.Stop()
		}
		if r.dns != nil {
			r.dns.Stop()
		}
	})
}
