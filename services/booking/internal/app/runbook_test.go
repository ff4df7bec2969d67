package app_test

import (
	"bufio"
	"context"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	sdkpb "go.temporal.io/api/sdk/v1"
	"go.temporal.io/api/workflowservice/v1"

	"github.com/bookwell/bookwell/services/booking/internal/workflow"
)

// runbookQueries reads the saved Temporal queries of docs/runbook.md: each
// `bin/temporal workflow list --query "..."` line, named by the "# name:"
// comment above it.
func runbookQueries(t *testing.T) map[string]string {
	t.Helper()
	f, err := os.Open("../../../../docs/runbook.md")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	named := regexp.MustCompile(`^# ([a-z-]+): `)
	query := regexp.MustCompile(`^bin/temporal workflow list --query "(.*)"$`)
	out := map[string]string{}
	name := ""
	for sc := bufio.NewScanner(f); sc.Scan(); {
		line := sc.Text()
		if m := named.FindStringSubmatch(line); m != nil {
			name = m[1]
		}
		if m := query.FindStringSubmatch(line); m != nil {
			if name == "" {
				t.Fatalf("runbook query without a name: %s", line)
			}
			out[name], name = m[1], ""
		}
	}
	return out
}

// The operator's view of a booking in the Temporal UI, and the runbook's
// saved queries, on a real dev server with bookings in known states.
func TestTheTemporalUIShowsTheBookingAndTheRunbooksQueriesFindTrouble(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	confirmed := e.request(t, "r-confirmed")
	if _, err := e.app.Approve(e.mentor, confirmed.ID(), time.Time{}); err != nil {
		t.Fatal(err)
	}
	pending := e.request(t, "r-pending")
	rejected := e.request(t, "r-rejected")
	if _, err := e.app.Reject(e.mentor, rejected.ID(), "not my topic"); err != nil {
		t.Fatal(err)
	}

	// What the UI shows of the confirmed booking.
	desc, err := e.tc.DescribeWorkflow(ctx, workflow.WorkflowID(confirmed.ID()), "")
	if err != nil {
		t.Fatal(err)
	}
	summary, err := desc.GetStaticSummary()
	if err != nil || !strings.Contains(summary, "mentee-ada books mentor-grace, offering deep-dive") || !strings.Contains(summary, "UTC") {
		t.Errorf("summary %q (%v): who, whom, what, when", summary, err)
	}
	details, err := desc.GetStaticDetails()
	if err != nil || !strings.Contains(details, confirmed.ID()) {
		t.Errorf("details %q (%v) lack the booking id", details, err)
	}
	if got, _ := desc.TypedSearchAttributes.GetKeyword(workflow.PaymentStatusKey); got != "PAID" {
		t.Errorf("PaymentStatus %q, want PAID", got)
	}
	if got, ok := desc.TypedSearchAttributes.GetTime(workflow.NextDeadlineKey); !ok || got.Before(time.Now()) {
		t.Errorf("NextDeadline %v (%v), want the session's reminder or end, ahead", got, ok)
	}
	v, err := e.tc.QueryWorkflow(ctx, workflow.WorkflowID(confirmed.ID()), "", "__temporal_workflow_metadata")
	if err != nil {
		t.Fatal(err)
	}
	var meta sdkpb.WorkflowMetadata
	if err := v.Get(&meta); err != nil {
		t.Fatal(err)
	}
	if cd := meta.GetCurrentDetails(); !strings.Contains(cd, "**CONFIRMED**") || !strings.Contains(cd, "payment: PAID") || !strings.Contains(cd, "next deadline:") {
		t.Errorf("current details %q: status, payment and next deadline", cd)
	}

	// The saved queries, with the runbook's times as a healthy system has
	// them, then moved so that each has something to find.
	queries := runbookQueries(t)
	for _, name := range []string{"overdue", "held-money", "uncaptured", "session-over", "mentor-open"} {
		if queries[name] == "" {
			t.Fatalf("the runbook has no %q query (has %v)", name, queries)
		}
	}
	now := time.Now().UTC()
	find := func(name string, vars map[string]time.Time, want ...string) {
		t.Helper()
		q := queries[name]
		for k, at := range vars {
			q = strings.ReplaceAll(q, "$"+k, at.Format(time.RFC3339))
		}
		var ids []string
		deadline := time.Now().Add(15 * time.Second)
		for {
			resp, err := e.tc.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{Query: q})
			if err != nil {
				t.Fatalf("%s: %s: %v", name, q, err)
			}
			ids = ids[:0]
			for _, x := range resp.GetExecutions() {
				ids = append(ids, strings.TrimPrefix(x.GetExecution().GetWorkflowId(), "booking-"))
			}
			slices.Sort(ids)
			slices.Sort(want)
			if slices.Equal(ids, want) || time.Now().After(deadline) {
				break
			}
			time.Sleep(200 * time.Millisecond)
		}
		if !slices.Equal(ids, want) && !(len(ids) == 0 && len(want) == 0) {
			t.Errorf("%s (%s) found %v, want %v", name, q, ids, want)
		}
	}
	// First a query that finds all three: visibility has caught up, and
	// the empty answers after it are real.
	find("overdue", map[string]time.Time{"AGO_5M": now.Add(400 * 24 * time.Hour)}, confirmed.ID(), pending.ID(), rejected.ID())
	find("overdue", map[string]time.Time{"AGO_5M": now.Add(-5 * time.Minute)})
	find("held-money", nil)
	find("uncaptured", nil)
	find("session-over", map[string]time.Time{"AGO_1D": now.Add(-24 * time.Hour)})
	find("session-over", map[string]time.Time{"AGO_1D": now.Add(4 * 24 * time.Hour)}, confirmed.ID())
	find("mentor-open", nil, pending.ID())
}
