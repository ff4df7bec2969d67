package cluster_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"go.temporal.io/api/enums/v1"
	"go.temporal.io/api/operatorservice/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	tlog "go.temporal.io/sdk/log"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/bookwell/bookwell/deploy/cluster"
)

func waitForSignal(ctx workflow.Context) (string, error) {
	var v string
	workflow.GetSignalChannel(ctx, "go").Receive(ctx, &v)
	return v, nil
}

// TestTemporalOnSQL: the server keeps a running workflow in Postgres across
// a crash: started before, signalled after the server was killed and started
// again, it completes; and it is found by a custom search attribute.
func TestTemporalOnSQL(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the Temporal server")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	srv, err := cluster.StartTemporal(ctx, cluster.TemporalOptions{Dir: t.TempDir(), Log: testLog(t)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		srv.Stop()
		if err := srv.DropDatabases(context.Background()); err != nil {
			t.Log(err)
		}
	})
	c, err := client.DialContext(ctx, client.Options{HostPort: srv.Address, Namespace: srv.Namespace, Logger: tlog.NewStructuredLogger(testLog(t))})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.OperatorService().AddSearchAttributes(ctx, &operatorservice.AddSearchAttributesRequest{
		Namespace: srv.Namespace, SearchAttributes: map[string]enums.IndexedValueType{"Color": enums.INDEXED_VALUE_TYPE_KEYWORD},
	}); err != nil {
		t.Fatal(err)
	}
	w := worker.New(c, "q", worker.Options{})
	w.RegisterWorkflow(waitForSignal)
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	defer w.Stop()
	// The frontend learns the new attribute when its namespace cache
	// refreshes (every 2 s).
	var run client.WorkflowRun
	for {
		run, err = c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: "wf-1", TaskQueue: "q",
			TypedSearchAttributes: temporal.NewSearchAttributes(temporal.NewSearchAttributeKeyKeyword("Color").ValueSet("blue"))}, waitForSignal)
		if err == nil {
			break
		}
		if ctx.Err() != nil || !strings.Contains(err.Error(), "no mapping defined") {
			t.Fatal(err)
		}
		time.Sleep(200 * time.Millisecond)
	}
	if err := srv.Kill(); err != nil {
		t.Fatal(err)
	}
	if err := srv.Start(ctx); err != nil {
		t.Fatal(err)
	}
	for {
		err := c.SignalWorkflow(ctx, "wf-1", "", "go", "after the crash")
		if err == nil {
			break
		}
		if ctx.Err() != nil {
			t.Fatalf("signal after restart: %v", err)
		}
		time.Sleep(200 * time.Millisecond)
	}
	var got string
	if err := run.Get(ctx, &got); err != nil || got != "after the crash" {
		t.Fatalf("workflow result %q, %v", got, err)
	}
	for {
		res, err := c.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{Namespace: srv.Namespace, Query: "Color = 'blue'"})
		if err == nil && len(res.Executions) == 1 && res.Executions[0].Execution.WorkflowId == "wf-1" {
			return
		}
		if ctx.Err() != nil {
			t.Fatalf("not found by its search attribute: %v %v", res, err)
		}
		time.Sleep(200 * time.Millisecond)
	}
}
