package cluster

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/bookwell/bookwell/deploy/stack"
)

// NATSPackage is the nats-server main package, at the version deploy/go.mod
// requires (the same the services' tests run in process).
const NATSPackage = "github.com/nats-io/nats-server/v2"

// NATSOptions configure StartNATS.
type NATSOptions struct {
	// Dir holds each node's config, store and log. Required.
	Dir string
	// Nodes is the cluster's size; default 3.
	Nodes int
	// RepoRoot is where nats-server is built; default stack.RepoRoot().
	RepoRoot string
	// Log reports progress; default slog.Default().
	Log *slog.Logger
	// ReadyTimeout bounds each wait for the cluster to be healthy; default 60s.
	ReadyTimeout time.Duration
}

// NATS is a JetStream cluster of nats-server processes on 127.0.0.1, each in
// its own process group so that it can be killed, frozen and started again
// with its store (node names are nats-1, nats-2, ...).
type NATS struct {
	opts  NATSOptions
	procs *stack.Services
	nodes []natsNode
}

type natsNode struct {
	name                     string
	port, routePort, monPort int
}

// StartNATS builds nats-server, writes one config per node (client, route and
// monitoring ports on 127.0.0.1, JetStream on disk, routes to every other
// node), starts every node and waits until each one's /healthz (which
// includes JetStream: a meta leader, its streams current) answers 200.
func StartNATS(ctx context.Context, o NATSOptions) (*NATS, error) {
	if o.Dir == "" {
		return nil, errors.New("nats cluster: Dir is required")
	}
	if o.Nodes == 0 {
		o.Nodes = 3
	}
	if o.Log == nil {
		o.Log = slog.Default()
	}
	if o.ReadyTimeout == 0 {
		o.ReadyTimeout = 60 * time.Second
	}
	c := &NATS{opts: o}
	ports, err := FreePorts(3 * o.Nodes)
	if err != nil {
		return nil, err
	}
	for i := range o.Nodes {
		c.nodes = append(c.nodes, natsNode{name: fmt.Sprintf("nats-%d", i+1),
			port: ports[3*i], routePort: ports[3*i+1], monPort: ports[3*i+2]})
	}
	var bins []stack.Binary
	for i, n := range c.nodes {
		conf := filepath.Join(o.Dir, n.name+".conf")
		if err := os.MkdirAll(o.Dir, 0o755); err != nil {
			return nil, err
		}
		if err := os.WriteFile(conf, []byte(c.config(i)), 0o644); err != nil {
			return nil, err
		}
		bins = append(bins, stack.Binary{Name: n.name, Package: NATSPackage, Args: []string{"-c", conf},
			Ready: stack.Readiness{Kind: stack.ReadyRunning, After: 200 * time.Millisecond}})
	}
	c.procs, err = stack.NewServices(stack.ServicesOptions{StateDir: o.Dir, RepoRoot: o.RepoRoot, Binaries: bins,
		Log: o.Log, StopTimeout: 15 * time.Second})
	if err != nil {
		return nil, err
	}
	if err := c.procs.Build(ctx); err != nil {
		return nil, err
	}
	if err := c.procs.StartAll(ctx); err != nil {
		return nil, err
	}
	if err := c.WaitHealthy(ctx); err != nil {
		c.Stop()
		return nil, err
	}
	o.Log.Info("nats cluster: ready", "nodes", o.Nodes, "url", c.URL())
	return c, nil
}

// config is node i's configuration file.
func (c *NATS) config(i int) string {
	n := c.nodes[i]
	var routes []string
	for j, m := range c.nodes {
		if j != i {
			routes = append(routes, fmt.Sprintf("nats-route://127.0.0.1:%d", m.routePort))
		}
	}
	return fmt.Sprintf(`server_name: %q
listen: "127.0.0.1:%d"
http: "127.0.0.1:%d"
jetstream {
  store_dir: %q
  max_memory_store: 64MB
  max_file_store: 4GB
}
cluster {
  name: "bookwell"
  listen: "127.0.0.1:%d"
  routes: [%s]
}
`, n.name, n.port, n.monPort, filepath.Join(c.opts.Dir, n.name, "store"), n.routePort, strings.Join(routes, ", "))
}

// URL lists every node's client URL, comma-separated, as NATS_URL takes it.
func (c *NATS) URL() string {
	urls := make([]string, len(c.nodes))
	for i, n := range c.nodes {
		urls[i] = fmt.Sprintf("nats://127.0.0.1:%d", n.port)
	}
	return strings.Join(urls, ",")
}

// Names are the nodes' names, nats-1 first.
func (c *NATS) Names() []string { return c.procs.Names() }

// Kill ends a node with SIGKILL, as a crash or a lost machine would.
func (c *NATS) Kill(name string) error { return c.procs.Kill(name) }

// Terminate stops a node as an orchestrator would (SIGTERM: lame duck mode).
func (c *NATS) Terminate(name string) error { return c.procs.Terminate(name) }

// Freeze stops a node with SIGSTOP; Thaw lets it go on.
func (c *NATS) Freeze(name string) error { return c.procs.Freeze(name) }
func (c *NATS) Thaw(name string) error   { return c.procs.Thaw(name) }

// Start starts a stopped node again, on its ports with its store, and waits
// until the whole cluster is healthy again and every stream's replicas are
// current (the node has caught up).
func (c *NATS) Start(ctx context.Context, name string) error {
	if err := c.procs.Start(ctx, name); err != nil {
		return err
	}
	if err := c.WaitHealthy(ctx); err != nil {
		return err
	}
	return c.WaitCurrent(ctx)
}

// WaitCurrent waits until every stream has a leader and all its replicas are
// online and current.
func (c *NATS) WaitCurrent(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, c.opts.ReadyTimeout)
	defer cancel()
	var last error
	for {
		if last = c.streamsCurrent(ctx); last == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("nats cluster: streams not current after %s: %v", c.opts.ReadyTimeout, last)
		case <-time.After(200 * time.Millisecond):
		}
	}
}

func (c *NATS) streamsCurrent(ctx context.Context) error {
	nc, err := nats.Connect(c.URL(), nats.Timeout(2*time.Second))
	if err != nil {
		return err
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		return err
	}
	lister := js.ListStreams(ctx)
	for info := range lister.Info() {
		if info.Cluster == nil || info.Cluster.Leader == "" {
			return fmt.Errorf("stream %s has no leader", info.Config.Name)
		}
		for _, r := range info.Cluster.Replicas {
			if !r.Current || r.Offline {
				return fmt.Errorf("stream %s: replica %s is behind (lag %d, offline %v)", info.Config.Name, r.Name, r.Lag, r.Offline)
			}
		}
	}
	return lister.Err()
}

// Running reports whether the node's process is up.
func (c *NATS) Running(name string) bool { return c.procs.Running(name) }

// WaitHealthy waits until every running node's /healthz answers 200.
func (c *NATS) WaitHealthy(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, c.opts.ReadyTimeout)
	defer cancel()
	for _, n := range c.nodes {
		if !c.procs.Running(n.name) {
			continue
		}
		url := fmt.Sprintf("http://127.0.0.1:%d/healthz", n.monPort)
		var last error
		for {
			last = httpOK(ctx, url)
			if last == nil {
				break
			}
			select {
			case <-ctx.Done():
				return fmt.Errorf("nats cluster: %s not healthy after %s: %v (log %s)", n.name, c.opts.ReadyTimeout, last,
					filepath.Join(c.procs.LogDir(), n.name+".log"))
			case <-time.After(100 * time.Millisecond):
			}
		}
	}
	return nil
}

// StreamInfo connects to the cluster and reads a stream's state and its
// replicas' (for tests: is every replica current?).
func (c *NATS) StreamInfo(ctx context.Context, stream string) (*jetstream.StreamInfo, error) {
	nc, err := nats.Connect(c.URL(), nats.Timeout(2*time.Second))
	if err != nil {
		return nil, err
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		return nil, err
	}
	s, err := js.Stream(ctx, stream)
	if err != nil {
		return nil, err
	}
	return s.Info(ctx)
}

// Stop stops every node.
func (c *NATS) Stop() { c.procs.Stop() }

func httpOK(ctx context.Context, url string) error {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		b := make([]byte, 300)
		n, _ := res.Body.Read(b)
		return fmt.Errorf("%s: %s %s", url, res.Status, b[:n])
	}
	return nil
}
