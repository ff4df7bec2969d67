// Package observability holds bookwell's alerting rules (alerts.yaml, a
// Prometheus rule file) and its Grafana dashboard (dashboard.json), and reads
// them for the tests that check every metric they name is one the processes
// export (e2e) and every alert has its runbook section.
package observability

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"
)

//go:embed alerts.yaml
var alertsYAML []byte

//go:embed dashboard.json
var dashboardJSON []byte

// AlertsYAML is the rule file as it is.
func AlertsYAML() []byte { return alertsYAML }

// Rule is one alerting rule.
type Rule struct {
	Alert       string            `yaml:"alert"`
	Expr        string            `yaml:"expr"`
	For         string            `yaml:"for"`
	Labels      map[string]string `yaml:"labels"`
	Annotations map[string]string `yaml:"annotations"`
}

// Rules are the alerting rules of alerts.yaml; unknown fields are an error.
func Rules() ([]Rule, error) {
	var f struct {
		Groups []struct {
			Name  string `yaml:"name"`
			Rules []Rule `yaml:"rules"`
		} `yaml:"groups"`
	}
	dec := yaml.NewDecoder(strings.NewReader(string(alertsYAML)))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("alerts.yaml: %w", err)
	}
	var out []Rule
	for _, g := range f.Groups {
		out = append(out, g.Rules...)
	}
	return out, nil
}

// DashboardExprs are the PromQL expressions of the dashboard's panels.
func DashboardExprs() ([]string, error) {
	var d struct {
		Panels []struct {
			Title   string `json:"title"`
			Targets []struct {
				Expr string `json:"expr"`
			} `json:"targets"`
		} `json:"panels"`
	}
	if err := json.Unmarshal(dashboardJSON, &d); err != nil {
		return nil, fmt.Errorf("dashboard.json: %w", err)
	}
	var out []string
	for _, p := range d.Panels {
		for _, t := range p.Targets {
			out = append(out, t.Expr)
		}
	}
	return out, nil
}

var (
	strings_   = regexp.MustCompile(`"(\\.|[^"\\])*"`)
	matchers   = regexp.MustCompile(`\{[^}]*\}`)
	ranges     = regexp.MustCompile(`\[[^\]]*\]`)
	grouping   = regexp.MustCompile(`\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)`)
	identifier = regexp.MustCompile(`[a-zA-Z_:][a-zA-Z0-9_:]*`)
)

// notMetrics are PromQL's functions, aggregations and keywords.
var notMetrics = []string{
	"abs", "absent", "absent_over_time", "avg", "avg_over_time", "bool", "bottomk", "ceil", "changes", "clamp", "clamp_max",
	"clamp_min", "count", "count_over_time", "count_values", "delta", "deriv", "exp", "floor", "group", "histogram_quantile",
	"idelta", "increase", "irate", "label_join", "label_replace", "ln", "log2", "log10", "max", "max_over_time", "min",
	"min_over_time", "offset", "quantile", "quantile_over_time", "rate", "resets", "round", "scalar", "sort", "sort_desc",
	"sqrt", "stddev", "stdvar", "sum", "sum_over_time", "time", "timestamp", "topk", "vector", "and", "or", "unless",
	"last_over_time", "present_over_time", "e", "inf", "nan",
}

// MetricNames are the metric names an expression reads.
func MetricNames(expr string) []string {
	s := strings_.ReplaceAllString(expr, "")
	s = matchers.ReplaceAllString(s, " ")
	s = ranges.ReplaceAllString(s, " ")
	s = grouping.ReplaceAllString(s, " ")
	var out []string
	for _, loc := range identifier.FindAllStringIndex(s, -1) {
		name := s[loc[0]:loc[1]]
		if loc[0] > 0 && (s[loc[0]-1] >= '0' && s[loc[0]-1] <= '9' || s[loc[0]-1] == '.') {
			continue // the exponent of a number (1e-9)
		}
		if slices.Contains(notMetrics, strings.ToLower(name)) {
			continue
		}
		out = append(out, name)
	}
	slices.Sort(out)
	return slices.Compact(out)
}
