package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/bookwell/bookwell/deploy/observability"
	"github.com/bookwell/bookwell/deploy/stack"
)

// checkRulesAndDashboard fails for every metric that an alerting rule or the
// dashboard (deploy/observability) reads and that no process exported in
// scraped.
func checkRulesAndDashboard(t *testing.T, scraped map[string]scrape) {
	t.Helper()
	exported := map[string]bool{}
	for _, s := range scraped {
		for n := range s.names() {
			exported[n] = true
		}
	}
	rules, err := observability.Rules()
	if err != nil {
		t.Fatal(err)
	}
	exprs, err := observability.DashboardExprs()
	if err != nil {
		t.Fatal(err)
	}
	used := map[string]string{}
	for _, r := range rules {
		for _, n := range observability.MetricNames(r.Expr) {
			used[n] = "alert " + r.Alert
		}
	}
	for _, e := range exprs {
		for _, n := range observability.MetricNames(e) {
			if _, ok := used[n]; !ok {
				used[n] = "the dashboard"
			}
		}
	}
	var unknown []string
	for n, where := range used {
		if !exported[n] {
			unknown = append(unknown, n+" ("+where+")")
		}
	}
	slices.Sort(unknown)
	if len(unknown) > 0 {
		t.Errorf("metrics named in deploy/observability that no process exports: %v", unknown)
	}
}

// runbookSQL is every ```sql block of docs/runbook.md under the headings
// "## Alerts" and "## Following a trace" (the operator commands' sections
// keep their own), in order.
func runbookSQL(t *testing.T) []string {
	t.Helper()
	root, err := stack.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	doc, err := os.ReadFile(filepath.Join(root, "docs", "runbook.md"))
	if err != nil {
		t.Fatal(err)
	}
	var blocks []string
	section, in := "", false
	var cur []string
	for _, line := range strings.Split(string(doc), "\n") {
		switch {
		case in && strings.HasPrefix(line, "```"):
			blocks, in, cur = append(blocks, strings.Join(cur, "\n")), false, nil
		case in:
			cur = append(cur, line)
		case strings.HasPrefix(line, "## "):
			section = line
		case line == "```sql" && (section == "## Alerts" || section == "## Following a trace"):
			in = true
		}
	}
	return blocks
}

// checkRunbookSQL runs every query of the runbook against the stack's
// database, migrated by the processes, with the psql variables it uses set
// to a real booking, email and event; each must run, the booking's trace
// query must give its trace.
func checkRunbookSQL(t *testing.T, w *world, bookingID, traceID string) {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, w.services.Env()["DATABASE_URL"])
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	vars := map[string]string{"booking_id": bookingID}
	for name, q := range map[string]string{
		"email_id": `SELECT id::text FROM notifications.emails ORDER BY created_at LIMIT 1`,
		"event_id": `SELECT event_id::text FROM notifications.processed_events LIMIT 1`,
	} {
		var v string
		if err := conn.QueryRow(ctx, q).Scan(&v); err != nil {
			t.Fatalf("%s for the runbook's queries: %v", name, err)
		}
		vars[name] = v
	}
	variable := regexp.MustCompile(`:'([a-z_]+)'`)
	blocks := runbookSQL(t)
	if len(blocks) < 8 {
		t.Fatalf("the runbook has %d SQL blocks", len(blocks))
	}
	for _, b := range blocks {
		q := variable.ReplaceAllStringFunc(b, func(m string) string {
			v, ok := vars[variable.FindStringSubmatch(m)[1]]
			if !ok {
				t.Errorf("runbook query uses %s, which the test does not set:\n%s", m, b)
			}
			return "'" + v + "'"
		})
		rows, err := conn.Query(ctx, q)
		if err != nil {
			t.Errorf("runbook query fails: %v\n%s", err, b)
			continue
		}
		var got [][]any
		for rows.Next() {
			v, _ := rows.Values()
			got = append(got, v)
		}
		if err := rows.Err(); err != nil {
			t.Errorf("runbook query fails: %v\n%s", err, b)
		}
		if strings.Contains(b, "AS trace_id") && strings.Contains(b, "booking.bookings") {
			if len(got) != 1 || fmt.Sprint(got[0][2]) != traceID {
				t.Errorf("the runbook's trace of booking %s: %v, want %s", bookingID, got, traceID)
			}
		}
	}
}
