package observability

import (
	"bytes"
	"os"
	"slices"
	"strings"
	"testing"
)

func TestRulesAndDashboardParse(t *testing.T) {
	rules, err := Rules()
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"BookingActivityFailing", "OutboxStale", "EventDeadLettered", "GatewayErrors", "ConsumerLagging", "EmailsFailing"}
	var got []string
	for _, r := range rules {
		got = append(got, r.Alert)
		if r.Expr == "" || r.Annotations["summary"] == "" || r.Labels["severity"] == "" {
			t.Errorf("%s: expr, summary and severity are needed", r.Alert)
		}
		if len(MetricNames(r.Expr)) == 0 {
			t.Errorf("%s reads no metric", r.Alert)
		}
	}
	if !slices.Equal(got, want) {
		t.Errorf("alerts %v, want %v", got, want)
	}
	exprs, err := DashboardExprs()
	if err != nil {
		t.Fatal(err)
	}
	if len(exprs) < 10 {
		t.Errorf("the dashboard has %d queries", len(exprs))
	}
}

func TestMetricNames(t *testing.T) {
	for expr, want := range map[string][]string{
		`sum(rate(bookwell_http_requests_total{code=~"5.."}[5m])) / clamp_min(sum(rate(bookwell_http_requests_total[5m])), 1e-9) > 0.02`: {"bookwell_http_requests_total"},
		`histogram_quantile(0.95, sum by (le, route) (rate(bookwell_http_request_duration_seconds_bucket[5m])))`:                         {"bookwell_http_request_duration_seconds_bucket"},
		`max by (consumer) (bookwell_consumer_lag_messages) > 100 and on(consumer) up`:                                                   {"bookwell_consumer_lag_messages", "up"},
	} {
		if got := MetricNames(expr); !slices.Equal(got, want) {
			t.Errorf("%s: %v, want %v", expr, got, want)
		}
	}
}

// TestRunbookHasEveryAlert: each alert's runbook annotation points at a
// section of docs/runbook.md.
func TestRunbookHasEveryAlert(t *testing.T) {
	doc, err := os.ReadFile("../../docs/runbook.md")
	if err != nil {
		t.Fatal(err)
	}
	rules, _ := Rules()
	for _, r := range rules {
		if !bytes.Contains(doc, []byte("\n### "+r.Alert+"\n")) {
			t.Errorf("docs/runbook.md has no section ### %s", r.Alert)
		}
		if r.Annotations["runbook"] != "docs/runbook.md#"+strings.ToLower(r.Alert) {
			t.Errorf("%s: runbook annotation %q", r.Alert, r.Annotations["runbook"])
		}
	}
}

// TestChartCarriesTheRules: the chart's PrometheusRule is made from a copy of
// alerts.yaml (Helm reads files inside the chart only), which must not drift.
func TestChartCarriesTheRules(t *testing.T) {
	copyOf, err := os.ReadFile("../helm/bookwell/files/alerts.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(copyOf, alertsYAML) {
		t.Error("deploy/helm/bookwell/files/alerts.yaml differs from deploy/observability/alerts.yaml: cp deploy/observability/alerts.yaml deploy/helm/bookwell/files/")
	}
}
