package e2e

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bookwell/bookwell/pkg/identity"
)

// TestChaos runs bookings through mixed journeys from several well-behaved
// clients while a seeded fault schedule kills, freezes and restarts every
// process and server, then checks, once everything has settled, that
// nothing was lost, stuck, paid wrongly, done twice, overbooked or missed,
// and that no client was told an applied command failed. It prints the
// recovery figures of each fault kind.
//
// `make test` runs the short version (100 bookings, every fault kind at
// least once); `make chaos` the full one. Settings (environment):
//
//	CHAOS_BOOKINGS  bookings to run (100)
//	CHAOS_SEED      the schedule's seed (random, printed: set it to replay)
//	CHAOS_CLIENTS   concurrent clients (6)
//	CHAOS_EVERY     bookings per fault after the first round of every kind (8)
//	CHAOS_BUDGET    how long a client retries one call, in seconds (60)
//	CHAOS_REPORT    a file to write the figures to, as Markdown
//	CHAOS_TOPOLOGY  single: one of everything (the default); replicated: the
//	                scale-out topology (deploy/cluster: three NATS nodes, the
//	                Temporal server on Postgres, two replicas of every process
//	                behind DNS), where a fault hits one node or one replica
func TestChaos(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end: builds and runs every binary, kills them")
	}
	n := envInt("CHAOS_BOOKINGS", 100)
	clients := envInt("CHAOS_CLIENTS", 6)
	every := envInt("CHAOS_EVERY", 8)
	budget := time.Duration(envInt("CHAOS_BUDGET", 60)) * time.Second
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv("CHAOS_SEED"); s != "" {
		v, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			t.Fatalf("CHAOS_SEED: %v", err)
		}
		seed = v
	}
	say := func(format string, args ...any) {
		fmt.Printf("chaos: "+format+"\n", args...)
	}
	topoName := os.Getenv("CHAOS_TOPOLOGY")
	if topoName == "" {
		topoName = "single"
	}
	say("seed %d, %d bookings, %d clients, topology %s (replay: CHAOS_SEED=%d CHAOS_BOOKINGS=%d CHAOS_TOPOLOGY=%s)",
		seed, n, clients, topoName, seed, n, topoName)

	w := startChaos(t, topoName)
	rnd := rand.New(rand.NewPCG(seed, 1))
	ctx := context.Background()

	// Mentors, each with one paid one-to-one offering, and the journeys:
	// one mentee each, on slots that never overlap, 3 days ahead or more
	// (a cancellation after approval is then fully refunded).
	mentors := max(4, n/25)
	gateways := w.topo.gateways()
	shim := &world{base: gateways[0]}
	offerings := make([]string, mentors)
	for m := range mentors {
		_, offerings[m] = shim.mentorWithOffering(t, fmt.Sprintf("chaos-mentor-%d", m), paidOffering(60, 1))
	}
	base := time.Now().Add(72 * time.Hour).Truncate(time.Hour)
	journeys := make([]*journey, n)
	for i := range journeys {
		m := i % mentors
		journeys[i] = &journey{i: i, kind: journeyKinds[rnd.IntN(len(journeyKinds))], mentor: fmt.Sprintf("chaos-mentor-%d", m),
			mentee: fmt.Sprintf("chaos-mentee-%d", i), offering: offerings[m], start: base.Add(time.Duration(i/mentors) * time.Hour)}
	}
	tokens := tokenCache()

	// The fault schedule: every kind once, in a seeded order, then one per
	// `every` bookings. Fault k fires once k+1 shares of the bookings are
	// done; bookings more than a window past a fault's share wait until it
	// has been injected, so that faults and bookings keep in step and every
	// fault meets client traffic however long its restart takes.
	faults := plan(rnd, max(len(allFaults(rnd)), n/every))
	window := min(n/4, 2*clients)
	trigger := func(k int) int { return (k + 1) * (n - window) / (len(faults) + 1) }
	// released counts the faults the bookings no longer wait for: injected,
	// or armed and waiting for the bookings' own traffic.
	var done, released atomic.Int64
	var injectedFaults []injected
	schedDone := make(chan struct{})
	faultRnd := rand.New(rand.NewPCG(seed, 2))
	go func() {
		defer close(schedDone)
		for k, f := range faults {
			for done.Load() < int64(trigger(k)) {
				time.Sleep(50 * time.Millisecond)
			}
			var once sync.Once
			release := func() { once.Do(func() { released.Add(1) }) }
			in := w.inject(ctx, f, faultRnd, release)
			release()
			say("fault %2d/%d %-32s %s", k+1, len(faults), f.String()+" "+in.detail, errText(in.err))
			injectedFaults = append(injectedFaults, in)
			time.Sleep(500 * time.Millisecond)
		}
	}()

	began := time.Now()
	work := make(chan *journey)
	go func() {
		k := 0 // the faults booking i waits for
		for i, j := range journeys {
			for k < len(faults) && trigger(k)+window <= i {
				k++
			}
			for released.Load() < int64(k) {
				time.Sleep(50 * time.Millisecond)
			}
			work <- j
		}
		close(work)
	}()
	var wg sync.WaitGroup
	for c := range clients {
		cl := &chaosClient{bases: gateways, http: &http.Client{Timeout: 20 * time.Second}, budget: budget,
			rnd: rand.New(rand.NewPCG(seed, uint64(100+c)))}
		wg.Go(func() {
			for j := range work {
				j.run(ctx, cl, seed, tokens)
				done.Add(1)
			}
		})
	}
	wg.Wait()
	<-schedDone
	took := time.Since(began)
	say("%d bookings in %s, %d faults", n, took.Round(time.Second), len(injectedFaults))

	// Everything up again, then wait for the queues to drain.
	w.ensureUp(ctx)
	settle := time.Now()
	if err := w.quiesce(ctx, 5*time.Minute); err != nil {
		t.Errorf("never settled: %v", err)
	}
	say("settled in %s", time.Since(settle).Round(time.Second))

	inv := w.check(ctx, t, journeys, tokens)
	figs := figures(journeys, injectedFaults, inv.contradicting)
	report := renderReport(seed, n, clients, took, inv, figs, slowest(journeys, injectedFaults, began, 5))
	fmt.Print(report)
	if path := os.Getenv("CHAOS_REPORT"); path != "" {
		if err := os.WriteFile(path, []byte(report), 0o644); err != nil {
			t.Error(err)
		}
	}

	for _, in := range injectedFaults {
		if in.err != nil {
			t.Errorf("fault %s could not be injected: %v", in.fault, in.err)
		}
	}
	kinds := map[string]bool{}
	for _, in := range injectedFaults {
		kinds[in.kind] = true
	}
	for _, k := range []string{fKill, fKillNATS, fKillTemp, fPGRestart, fPGKill, fFreeze, fSMTPKill} {
		if !kinds[k] {
			t.Errorf("fault kind %q never injected", k)
		}
	}
	for _, c := range inv.counts {
		if c.n != 0 {
			t.Errorf("invariant %s: %d; for example: %v", c.name, c.n, c.examples)
		}
	}
	if t.Failed() {
		dumpLogs(t, w.topo.logDir())
	}
}

func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return "FAILED: " + err.Error()
}

// tokenCache mints one bearer token per user, valid for the whole run.
func tokenCache() func(string, identity.Role) string {
	var mu sync.Mutex
	m := map[string]string{}
	return func(sub string, role identity.Role) string {
		mu.Lock()
		defer mu.Unlock()
		if tok, ok := m[sub]; ok {
			return tok
		}
		tok, err := identity.Mint(identity.DevSecret, identity.Principal{Subject: sub, Role: role}, 12*time.Hour, time.Now())
		if err != nil {
			panic(err)
		}
		m[sub] = tok
		return tok
	}
}

// ensureUp starts whatever a fault left down and lets every frozen process
// go on.
func (w *chaosWorld) ensureUp(ctx context.Context) {
	for _, name := range w.topo.all() {
		if !w.topo.running(name) {
			if err := w.startAgain(ctx, name); err != nil {
				w.log.Error("chaos: could not start again", "name", name, "err", err)
			}
		}
	}
}
