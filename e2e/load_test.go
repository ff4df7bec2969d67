package e2e

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/bookwell/bookwell/pkg/identity"
)

// BenchmarkCreateApprove creates and approves b.N bookings through the REST
// gateway (8 clients at once), then runs b.N bare workflows (one activity, one
// update, one activity) on the same Temporal server with the same
// concurrency, and reports both rates, their ratio, and the p50/p99 latency of
// create and approve:
//
//	go test -run '^$' -bench CreateApprove -benchtime 200x ./e2e/
func BenchmarkCreateApprove(b *testing.B) {
	const clients = 8
	w := start(b, map[string]string{"RATE_LIMIT_RPS": "10000", "RATE_LIMIT_BURST": "10000"})
	mentors := make([]user, clients)
	offerings := make([]string, clients)
	for i := range mentors {
		mentors[i], offerings[i] = w.mentorWithOffering(b, fmt.Sprintf("mentor-load-%d", i), paidOffering(60, 1))
	}
	base := time.Now().Add(48 * time.Hour).Truncate(time.Hour)
	var mu sync.Mutex
	var creates, approves []time.Duration

	b.ResetTimer()
	began := time.Now()
	runConcurrently(b.N, clients, func(i int) {
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
	bookings := time.Since(began)
	b.StopTimer()

	bare := bareWorkflows(b, w.temporal, b.N, clients)
	bookingRate := float64(b.N) / bookings.Seconds()
	bareRate := float64(b.N) / bare.Seconds()
	b.ReportMetric(bookingRate, "bookings/s")
	b.ReportMetric(bareRate, "bare-workflows/s")
	b.ReportMetric(bookingRate/bareRate, "ratio")
	b.ReportMetric(pct(creates, 50), "create-p50-ms")
	b.ReportMetric(pct(creates, 99), "create-p99-ms")
	b.ReportMetric(pct(approves, 50), "approve-p50-ms")
	b.ReportMetric(pct(approves, 99), "approve-p99-ms")
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

func bareWorkflows(tb testing.TB, c client.Client, n, clients int) time.Duration {
	const queue = "bare"
	wk := worker.New(c, queue, worker.Options{})
	wk.RegisterWorkflow(bareWorkflow)
	wk.RegisterActivity(bareActivity)
	if err := wk.Start(); err != nil {
		tb.Fatal(err)
	}
	defer wk.Stop()
	ctx := context.Background()
	began := time.Now()
	runConcurrently(n, clients, func(i int) {
		run, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: fmt.Sprintf("bare-%d-%d", began.UnixNano(), i), TaskQueue: queue}, bareWorkflow)
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
	return time.Since(began)
}
