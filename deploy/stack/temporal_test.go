package stack_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.temporal.io/api/enums/v1"
	"go.temporal.io/api/operatorservice/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/bookwell/bookwell/deploy/stack"
)

func TestTemporalSaysWhenTEMPORAL_ADDRESSDoesNotAnswer(t *testing.T) {
	t.Setenv("TEMPORAL_ADDRESS", freeAddr(t))
	_, _, err := stack.Temporal(context.Background(), t.TempDir(), testLog(t))
	if err == nil || !strings.Contains(err.Error(), "TEMPORAL_ADDRESS") {
		t.Fatalf("got %v, want an error naming TEMPORAL_ADDRESS", err)
	}
}

// A booking workflow started before a restart is still there after it,
// still findable by its search attributes, and the attributes stay registered.
func TestTemporalDevServerKeepsWorkflowsAcrossRestarts(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the Temporal dev server three times")
	}
	port, err := stack.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	opts := stack.TemporalOptions{
		DBFile:      filepath.Join(dir, "temporal.db"),
		Port:        port,
		Headless:    true,
		LogFile:     filepath.Join(dir, "temporal.log"),
		Log:         testLog(t),
		StopTimeout: 10 * time.Second,
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()

	start := time.Now()
	srv, err := stack.StartTemporal(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("cold start (new db file): %s", time.Since(start).Round(time.Millisecond))
	running := srv
	t.Cleanup(func() {
		if running != nil {
			_ = running.Stop()
		}
	})

	c := dialTemporal(t, ctx, srv.Address)
	status := temporal.NewSearchAttributeKeyKeyword("BookingStatus")
	mentor := temporal.NewSearchAttributeKeyKeyword("MentorId")
	sessionStart := temporal.NewSearchAttributeKeyTime("SessionStart")
	// No worker polls this task queue: the workflow stays running, as a
	// booking waiting for its mentor would.
	run, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID:        "booking-restart-test",
		TaskQueue: "nobody-polls",
		TypedSearchAttributes: temporal.NewSearchAttributes(
			status.ValueSet("PENDING"), mentor.ValueSet("mentor-7"),
			sessionStart.ValueSet(time.Date(2030, 1, 2, 9, 0, 0, 0, time.UTC))),
	}, "BookingWorkflow")
	if err != nil {
		t.Fatalf("start a workflow with the booking search attributes: %v", err)
	}
	c.Close()

	for i := 1; i <= 2; i++ {
		if err := running.Stop(); err != nil {
			t.Fatalf("stop %d: %v", i, err)
		}
		running = nil
		start = time.Now()
		srv, err = stack.StartTemporal(ctx, opts)
		if err != nil {
			t.Fatalf("restart %d on the same db file: %v", i, err)
		}
		running = srv
		t.Logf("warm start %d (existing db file): %s", i, time.Since(start).Round(time.Millisecond))

		c := dialTemporal(t, ctx, srv.Address)
		desc, err := c.DescribeWorkflowExecution(ctx, run.GetID(), run.GetRunID())
		if err != nil {
			t.Fatalf("restart %d: workflow lost: %v", i, err)
		}
		if got := desc.GetWorkflowExecutionInfo().GetStatus(); got != enums.WORKFLOW_EXECUTION_STATUS_RUNNING {
			t.Errorf("restart %d: workflow status %s, want RUNNING", i, got)
		}
		attrs, err := c.OperatorService().ListSearchAttributes(ctx, &operatorservice.ListSearchAttributesRequest{Namespace: "default"})
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range stack.BookingSearchAttributes() {
			if _, ok := attrs.GetCustomAttributes()[a.Name]; !ok {
				t.Errorf("restart %d: search attribute %s not registered", i, a.Name)
			}
		}
		// An operator's filter in the UI finds it (visibility is eventually consistent).
		found := false
		for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline) && !found; time.Sleep(100 * time.Millisecond) {
			res, err := c.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{
				Query: `BookingStatus = "PENDING" AND MentorId = "mentor-7"`,
			})
			if err != nil {
				t.Fatal(err)
			}
			found = len(res.GetExecutions()) == 1 && res.GetExecutions()[0].GetExecution().GetWorkflowId() == run.GetID()
		}
		if !found {
			t.Errorf("restart %d: no workflow found by BookingStatus and MentorId", i)
		}
		c.Close()
	}
}

func dialTemporal(t *testing.T, ctx context.Context, addr string) client.Client {
	t.Helper()
	c, err := client.DialContext(ctx, client.Options{HostPort: addr, Logger: quiet{}})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

type quiet struct{}

func (quiet) Debug(string, ...any) {}
func (quiet) Info(string, ...any)  {}
func (quiet) Warn(string, ...any)  {}
func (quiet) Error(string, ...any) {}

// A CLI that refuses --search-attribute still gets a server with every
// booking attribute: StartTemporal retries without them and adds them itself.
func TestTemporalRegistersAttributesWhenTheCLIRefuses(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the Temporal dev server")
	}
	real, err := stack.TemporalCLI()
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("REAL_TEMPORAL_CLI", real)
	wrapper, err := filepath.Abs("testdata/temporal-refusing-attributes.sh")
	if err != nil {
		t.Fatal(err)
	}
	port, err := stack.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	srv, err := stack.StartTemporal(ctx, stack.TemporalOptions{
		CLI: wrapper, DBFile: filepath.Join(dir, "temporal.db"), Port: port, Headless: true,
		LogFile: filepath.Join(dir, "temporal.log"), Log: testLog(t),
	})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Stop()
	c := dialTemporal(t, ctx, srv.Address)
	defer c.Close()
	attrs, err := c.OperatorService().ListSearchAttributes(ctx, &operatorservice.ListSearchAttributesRequest{Namespace: "default"})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]enums.IndexedValueType{
		"BookingStatus": enums.INDEXED_VALUE_TYPE_KEYWORD, "MentorId": enums.INDEXED_VALUE_TYPE_KEYWORD,
		"MenteeId": enums.INDEXED_VALUE_TYPE_KEYWORD, "SessionStart": enums.INDEXED_VALUE_TYPE_DATETIME,
		"NextDeadline": enums.INDEXED_VALUE_TYPE_DATETIME, "PaymentStatus": enums.INDEXED_VALUE_TYPE_KEYWORD,
	}
	for name, typ := range want {
		if got, ok := attrs.GetCustomAttributes()[name]; !ok || got != typ {
			t.Errorf("search attribute %s: got %v (registered %v), want %v", name, got, ok, typ)
		}
	}
}
