package cluster

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/bookwell/bookwell/deploy/stack"
)

// BookwellOptions configure StartBookwell.
type BookwellOptions struct {
	// Dir receives bin/ and logs/. Required.
	Dir string
	// DNS resolves the services' names for the gRPC clients. Required.
	DNS *DNS
	// Replicas of every process; default 2.
	Replicas int
	// Env is given to every process: DATABASE_URL, NATS_URL,
	// TEMPORAL_ADDRESS and anything else.
	Env map[string]string
	// RepoRoot is where the binaries are built; default stack.RepoRoot().
	RepoRoot string
	// Log reports progress; default slog.Default().
	Log *slog.Logger
	// Output, if set, also receives every replica's output.
	Output io.Writer
	// Bootstrap runs `<process> bootstrap` for every process once, one after
	// the other, before any replica starts (as the Helm chart's Job does);
	// the replicas then start with BOOTSTRAP_ON_START=false.
	Bootstrap bool
}

// Bookwell is every bookwell process with several replicas. Replica r of a
// process listens on LoopbackIP(r) at the port its service has in common
// with its other replicas, and is named <binary>-<r+1> (bookingd-1,
// bookingd-2, booking-worker-1, gatewayd-2, ...). Clients of a gRPC service
// dial dns://<DNS>/<service>.bookwell.test:<port>, whose records list the
// replicas that are up.
type Bookwell struct {
	opts  BookwellOptions
	procs *stack.Services
	bins  []stack.Binary
	// service is each replica's DNS name ("" for the worker), ip its address.
	service map[string]string
	ip      map[string]string
}

// services are the DNS names of the processes with a listen address, by
// the variable that holds it.
var serviceNames = map[string]string{
	"BOOKING_GRPC_ADDR":       "booking",
	"SCHEDULING_GRPC_ADDR":    "scheduling",
	"PAYMENTS_GRPC_ADDR":      "payments",
	"NOTIFICATIONS_GRPC_ADDR": "notifications",
	"REPUTATION_GRPC_ADDR":    "reputation",
	"GATEWAY_HTTP_ADDR":       "gateway",
}

// StartBookwell builds the processes once and starts every replica, in
// stack.Binaries() order (all replicas of one process before the next
// process), each once it is ready.
func StartBookwell(ctx context.Context, o BookwellOptions) (*Bookwell, error) {
	if o.Dir == "" || o.DNS == nil {
		return nil, errors.New("bookwell: Dir and DNS are required")
	}
	if o.Replicas == 0 {
		o.Replicas = 2
	}
	if o.Log == nil {
		o.Log = slog.Default()
	}
	vars := make([]string, 0, len(serviceNames))
	for k := range serviceNames {
		vars = append(vars, k)
	}
	// The back end: the web console takes no part in a booking's path.
	var binaries []stack.Binary
	for _, b := range stack.Binaries() {
		if b.Name != "consoled" {
			binaries = append(binaries, b)
		}
	}
	// One more port: payments' own HTTP server (the card processor's
	// webhook), which each replica serves on its address.
	ports, err := ReplicaPorts(len(vars)+len(binaries)+1, o.Replicas)
	if err != nil {
		return nil, err
	}
	port := map[string]int{}
	env := maps.Clone(o.Env)
	if env == nil {
		env = map[string]string{}
	}
	for i, k := range vars {
		port[k] = ports[i]
		if strings.HasSuffix(k, "_GRPC_ADDR") {
			env[k] = o.DNS.Target(serviceNames[k], ports[i])
		}
	}
	b := &Bookwell{opts: o, service: map[string]string{}, ip: map[string]string{}}
	var bins []stack.Binary
	for i, bin := range binaries {
		adminPort := ports[len(vars)+i] // /livez, /readyz, /metrics
		for r := range o.Replicas {
			ip := LoopbackIP(r)
			rb := bin
			rb.Name = fmt.Sprintf("%s-%d", bin.Name, r+1)
			rb.Env = maps.Clone(bin.Env)
			if rb.Env == nil {
				rb.Env = map[string]string{}
			}
			rb.Env["ADMIN_HTTP_ADDR"] = net.JoinHostPort(ip, strconv.Itoa(adminPort))
			if bin.Name == "paymentsd" {
				rb.Env["PAYMENTS_HTTP_ADDR"] = net.JoinHostPort(ip, strconv.Itoa(ports[len(ports)-1]))
			}
			if k := bin.Ready.AddrEnv; k != "" {
				rb.Env[k] = net.JoinHostPort(ip, strconv.Itoa(port[k]))
				b.service[rb.Name] = serviceNames[k]
			}
			b.ip[rb.Name] = ip
			bins = append(bins, rb)
		}
	}
	b.bins = bins
	b.procs, err = stack.NewServices(stack.ServicesOptions{StateDir: o.Dir, RepoRoot: o.RepoRoot, Binaries: bins,
		Env: env, Output: o.Output, Log: o.Log, ReadyTimeout: 90 * time.Second})
	if err != nil {
		return nil, err
	}
	if err := b.procs.Build(ctx); err != nil {
		return nil, err
	}
	if o.Bootstrap {
		b.procs.SetEnv(map[string]string{"BOOTSTRAP_ON_START": "false"})
		for _, bin := range binaries {
			if bin.Name == "booking-worker" {
				continue // bookingd's bootstrap covers the booking schema
			}
			start := time.Now()
			if _, err := b.procs.Once(ctx, bin.Name+"-1", "bootstrap"); err != nil {
				return nil, err
			}
			o.Log.Info("bookwell: bootstrapped", "process", bin.Name, "took", time.Since(start).Round(time.Millisecond))
		}
	}
	for _, name := range b.procs.Names() {
		if err := b.Start(ctx, name); err != nil {
			b.Stop()
			return nil, err
		}
	}
	return b, nil
}

// Names are the replicas in start order.
func (b *Bookwell) Names() []string { return b.procs.Names() }

// Start starts a replica and, once it is ready, adds it to its service's
// DNS records.
func (b *Bookwell) Start(ctx context.Context, name string) error {
	if err := b.procs.Start(ctx, name); err != nil {
		return err
	}
	if svc := b.service[name]; svc != "" {
		b.opts.DNS.Add(svc, b.ip[name])
	}
	return nil
}

// Kill removes a replica from its service's DNS records and kills it
// (SIGKILL), as a node failure would: the records change when the
// orchestrator notices, calls in flight fail.
func (b *Bookwell) Kill(name string) error {
	if svc := b.service[name]; svc != "" {
		b.opts.DNS.Remove(svc, b.ip[name])
	}
	return b.procs.Kill(name)
}

// Freeze stops a replica with SIGSTOP (it stays in DNS: nothing noticed);
// Thaw lets it go on.
func (b *Bookwell) Freeze(name string) error { return b.procs.Freeze(name) }
func (b *Bookwell) Thaw(name string) error   { return b.procs.Thaw(name) }

// Running reports whether the replica's process is up.
func (b *Bookwell) Running(name string) bool { return b.procs.Running(name) }

// GatewayURLs are the base URLs of the gateway replicas.
func (b *Bookwell) GatewayURLs() []string {
	var out []string
	for _, n := range b.procs.Names() {
		if b.service[n] == "gateway" {
			out = append(out, "http://"+b.Env(n)["GATEWAY_HTTP_ADDR"])
		}
	}
	return out
}

// Env is the environment replica name runs with.
func (b *Bookwell) Env(name string) map[string]string {
	env := b.procs.Env()
	for _, bin := range b.bins {
		if bin.Name == name {
			maps.Copy(env, bin.Env)
		}
	}
	return env
}

// LogDir is the folder of the replicas' logs.
func (b *Bookwell) LogDir() string { return b.procs.LogDir() }

// Stop stops every replica.
func (b *Bookwell) Stop() { b.procs.Stop() }
