package e2e

import (
	"context"
	"flag"
	"fmt"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/bookwell/bookwell/pkg/identity"
)

// BenchmarkCreateApprove creates and approves b.N bookings through the REST
// gateway (8 clients at once) and runs b.N bare workflows (one activity, one
// update, one activity) on the same Temporal server with the same
// concurrency, the client and worker settings of the booking worker, in
// alternating rounds (so that a machine busy with other work weighs on both
// alike), and reports both rates, their ratio, the p50/p99 latency of create
// and approve, and of a whole bare workflow. Before the timer starts, one
// round of each warms the stack up (connections, caches). A booking round
// ends when its last approve is answered; the work it left behind (events
// relayed, emails sent, consumers' projections) then runs to its end before
// the bare round starts, so that it does not slow the bare workflows down;
// settled-bookings/s counts that work in the booking round's time:
//
//	go test -run '^$' -bench CreateApprove -benchtime 200x ./e2e/
//
// BenchmarkCreateApproveTraced is the same with every process exporting its
// spans (OTLP, the SDK's default batching) to a receiver in the test: the
// cost of tracing, compared in the same run.
func BenchmarkCreateApprove(b *testing.B) { createApprove(b, nil) }

func BenchmarkCreateApproveTraced(b *testing.B) {
	recv := newOTLPReceiver(b)
	createApprove(b, map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://" + recv.addr})
	b.ReportMetric(float64(len(recv.all()))/float64(b.N), "spans/booking")
}

func createApprove(b *testing.B, env map[string]string) {
	const clients, rounds = 8, 5
	w := start(b, map[string]string{"RATE_LIMIT_RPS": "10000", "RATE_LIMIT_BURST": "10000"}, env)
	mentors := make([]user, clients)
	offerings := make([]string, clients)
	for i := range mentors {
		mentors[i], offerings[i] = w.mentorWithOffering(b, fmt.Sprintf("mentor-load-%d", i), paidOffering(60, 1))
	}
	bc, err := client.Dial(client.Options{HostPort: w.services.Env()["TEMPORAL_ADDRESS"], Logger: quietLog{},
		ConnectionOptions: client.ConnectionOptions{GrpcCompression: &client.GrpcCompressionNone{}}})
	if err != nil {
		b.Fatal(err)
	}
	defer bc.Close()
	stopBare := startBareWorker(b, bc)
	defer stopBare()
	db, err := pgx.Connect(context.Background(), w.services.Env()["DATABASE_URL"])
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close(context.Background())
	settle := func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		if err := waitQuiet(ctx, db, w.js, 20*time.Millisecond); err != nil {
			b.Fatal(err)
		}
	}
	base := time.Now().Add(48 * time.Hour).Truncate(time.Hour)
	var mu sync.Mutex
	var creates, approves, bareTook []time.Duration
	bookingRound := func(from, to int) {
		runConcurrently(to-from, clients, func(k int) {
			i := from + k
			c := i % clients
			mentee := w.user(b, fmt.Sprintf("mentee-load-%d", i), identity.RoleMentee)
			t0 := time.Now()
			id := str(mentee.book(mentors[c].id, offerings[c], base.Add(time.Duration(i/clients)*time.Hour), nil), "booking.id")
			t1 := time.Now()
			mentors[c].ok("POST", "/v1/bookings/"+id+":approve", map[string]any{})
			t2 := time.Now()
			mu.Lock()
			creates, approves = append(creates, t1.Sub(t0)), append(approves, t2.Sub(t1))
			mu.Unlock()
		})
	}

	// Warm up: a round of each, on slots after the measured ones.
	bookingRound(b.N, b.N+2*clients)
	settle()
	bareWorkflows(b, bc, 2*clients, clients)
	creates, approves = nil, nil

	var bookings, settled, bare time.Duration
	b.ResetTimer()
	for r := range rounds {
		from, to := b.N*r/rounds, b.N*(r+1)/rounds
		began := time.Now()
		bookingRound(from, to)
		bookings += time.Since(began)
		settle()
		settled += time.Since(began)
		d, took := bareWorkflows(b, bc, to-from, clients)
		bare += d
		bareTook = append(bareTook, took...)
	}
	b.StopTimer()

	bookingRate := float64(b.N) / bookings.Seconds()
	bareRate := float64(b.N) / bare.Seconds()
	b.ReportMetric(bookingRate, "bookings/s")
	b.ReportMetric(float64(b.N)/settled.Seconds(), "settled-bookings/s")
	b.ReportMetric(bareRate, "bare-workflows/s")
	b.ReportMetric(bookingRate/bareRate, "ratio")
	b.ReportMetric(pct(creates, 50), "create-p50-ms")
	b.ReportMetric(pct(creates, 99), "create-p99-ms")
	b.ReportMetric(pct(approves, 50), "approve-p50-ms")
	b.ReportMetric(pct(approves, 99), "approve-p99-ms")
	b.ReportMetric(pct(bareTook, 50), "bare-p50-ms")
	b.ReportMetric(pct(bareTook, 99), "bare-p99-ms")
}

func runConcurrently(n, clients int, f func(i int)) {
	next := make(chan int)
	var wg sync.WaitGroup
	for range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				f(i)
			}
		}()
	}
	for i := range n {
		next <- i
	}
	close(next)
	wg.Wait()
}

func pct(ds []time.Duration, p int) float64 {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	return float64(s[min(len(s)-1, len(s)*p/100)].Microseconds()) / 1000
}

// quietLog drops the bare client's logs.
type quietLog struct{}

func (quietLog) Debug(string, ...any) {}
func (quietLog) Info(string, ...any)  {}
func (quietLog) Warn(string, ...any)  {}
func (quietLog) Error(string, ...any) {}

// bareWorkflow is the yardstick: one activity, one update, one activity.
func bareWorkflow(ctx workflow.Context) error {
	ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{StartToCloseTimeout: 10 * time.Second})
	done := false
	if err := workflow.SetUpdateHandler(ctx, "go", func(ctx workflow.Context) error {
		done = true
		return nil
	}); err != nil {
		return err
	}
	if err := workflow.ExecuteActivity(ctx, bareActivity).Get(ctx, nil); err != nil {
		return err
	}
	if err := workflow.Await(ctx, func() bool { return done }); err != nil {
		return err
	}
	return workflow.ExecuteActivity(ctx, bareActivity).Get(ctx, nil)
}

func bareActivity(context.Context) error { return nil }

const bareQueue = "bare"

// startBareWorker runs the bare workflow's worker, with the booking worker's
// options (the SDK's defaults), until the returned function is called.
func startBareWorker(tb testing.TB, c client.Client) func() {
	wk := worker.New(c, bareQueue, worker.Options{})
	wk.RegisterWorkflow(bareWorkflow)
	wk.RegisterActivity(bareActivity)
	if err := wk.Start(); err != nil {
		tb.Fatal(err)
	}
	return wk.Stop
}

// bareWorkflows runs n bare workflows, clients at a time, and returns how
// long they all took and how long each took (start to completion).
func bareWorkflows(tb testing.TB, c client.Client, n, clients int) (time.Duration, []time.Duration) {
	ctx := context.Background()
	var mu sync.Mutex
	var took []time.Duration
	began := time.Now()
	runConcurrently(n, clients, func(i int) {
		t0 := time.Now()
		defer func() {
			mu.Lock()
			took = append(took, time.Since(t0))
			mu.Unlock()
		}()
		run, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: fmt.Sprintf("bare-%d-%d", began.UnixNano(), i), TaskQueue: bareQueue}, bareWorkflow)
		if err != nil {
			tb.Error(err)
			return
		}
		h, err := c.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{WorkflowID: run.GetID(), UpdateName: "go", WaitForStage: client.WorkflowUpdateStageCompleted})
		if err == nil {
			err = h.Get(ctx, nil)
		}
		if err == nil {
			err = run.Get(ctx, nil)
		}
		if err != nil {
			tb.Error(err)
		}
	})
	return time.Since(began), took
}

var (
	loadRun  = flag.Bool("load", false, "run TestOpenLoad, the open-loop load")
	loadURL  = flag.String("load.url", "", "the REST gateway of a running stack (make dev: http://localhost:8080); empty starts one like the benchmark")
	loadRate = flag.Float64("load.rate", 0, "arrivals (create then approve) per second; 0 measures the saturation rate first and runs at half of it")
	loadFor  = flag.Duration("load.for", time.Minute, "how long the open-loop phase sends")
)

// TestOpenLoad is an open-loop load: bookings arrive at a fixed rate, each
// one a create then an approve through the REST gateway, whatever the
// answers' latency (closed-loop clients slow down with the system and hide
// its queueing). Without -load.rate it first finds the saturation rate, the
// completions per second of 16 closed-loop clients over 20 s, then offers
// half of it. It reports what it measured; it asserts nothing about time.
//
//	go test -run TestOpenLoad -v -timeout 30m ./e2e/ -args -load
//	go test -run TestOpenLoad -v -timeout 30m ./e2e/ -args -load -load.url http://localhost:8080
func TestOpenLoad(t *testing.T) {
	if !*loadRun {
		t.Skip("a load, not a test: run with -args -load")
	}
	w := &world{base: *loadURL}
	if w.base == "" {
		w = start(t, map[string]string{"RATE_LIMIT_RPS": "10000", "RATE_LIMIT_BURST": "10000"})
	}
	reuseConnections()
	const mentorCount = 16
	run := time.Now().UnixNano() // names unique to this run, for a stack that keeps its data
	mentors := make([]user, mentorCount)
	offerings := make([]string, mentorCount)
	for i := range mentors {
		mentors[i], offerings[i] = w.mentorWithOffering(t, fmt.Sprintf("mentor-load-%d-%d", run, i), paidOffering(30, 1))
	}
	base := time.Now().Add(48 * time.Hour).Truncate(time.Hour)
	var next atomic.Int64
	booking := func() (create, approve time.Duration, err error) {
		i := int(next.Add(1))
		m := i % mentorCount
		mentee := w.user(t, fmt.Sprintf("mentee-load-%d-%d", run, i), identity.RoleMentee)
		start := base.Add(time.Duration(i/mentorCount) * 30 * time.Minute)
		t0 := time.Now()
		r := mentee.call("POST", "/v1/bookings", map[string]any{"booking": map[string]any{
			"mentorId": mentors[m].id, "offeringId": offerings[m], "startTime": start.UTC().Format(time.RFC3339),
			"paymentMethod": "PAYMENT_METHOD_CARD", "menteeName": "Load Test", "menteeTimeZone": "Europe/Berlin"},
			"cardToken": "4242424242424242", "requestId": fmt.Sprint(i)})
		create = time.Since(t0)
		if r.status != http.StatusOK {
			return create, 0, fmt.Errorf("create: %d %s", r.status, r.raw)
		}
		t1 := time.Now()
		r = mentors[m].call("POST", "/v1/bookings/"+str(r.body, "booking.id")+":approve", map[string]any{})
		approve = time.Since(t1)
		if r.status != http.StatusOK {
			return create, approve, fmt.Errorf("approve: %d %s", r.status, r.raw)
		}
		return create, approve, nil
	}

	rate := *loadRate
	if rate == 0 {
		const clients, window = 16, 20 * time.Second
		var done atomic.Int64
		stop := time.Now().Add(window)
		var wg sync.WaitGroup
		began := time.Now()
		for range clients {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for time.Now().Before(stop) {
					if _, _, err := booking(); err == nil {
						done.Add(1)
					}
				}
			}()
		}
		wg.Wait()
		saturation := float64(done.Load()) / time.Since(began).Seconds()
		t.Logf("saturation: %.1f bookings/s (%d closed-loop clients, %s)", saturation, clients, window)
		rate = saturation / 2
	}

	var mu sync.Mutex
	var creates, approves []time.Duration
	var failures []error
	var wg sync.WaitGroup
	interval := time.Duration(float64(time.Second) / rate)
	t.Logf("open loop: offering %.2f/s for %s", rate, *loadFor)
	began := time.Now()
	tick := time.NewTicker(interval)
	for deadline := began.Add(*loadFor); time.Now().Before(deadline); <-tick.C {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, a, err := booking()
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				failures = append(failures, err)
				return
			}
			creates, approves = append(creates, c), append(approves, a)
		}()
	}
	tick.Stop()
	wg.Wait()
	t.Logf("open loop: offered %.2f/s for %s; %d completed, %d failed (%.2f completed/s)",
		rate, *loadFor, len(creates), len(failures), float64(len(creates))/time.Since(began).Seconds())
	t.Logf("create  p50 %.0f ms, p90 %.0f ms, p99 %.0f ms", pct(creates, 50), pct(creates, 90), pct(creates, 99))
	t.Logf("approve p50 %.0f ms, p90 %.0f ms, p99 %.0f ms", pct(approves, 50), pct(approves, 90), pct(approves, 99))
	for i, err := range failures {
		if i == 5 {
			break
		}
		t.Logf("failure: %v", err)
	}
}

// reuseConnections lets the REST clients keep a connection per concurrent
// call, as a real client pool does, instead of opening one per call beyond
// the standard library's two idle ones.
func reuseConnections() {
	if tr, ok := http.DefaultTransport.(*http.Transport); ok {
		tr.MaxIdleConnsPerHost = 256
	}
}
