package e2e

import (
	"bufio"
	"bytes"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/bookwell/bookwell/deploy/stack"
)

// sample is one line of a Prometheus text exposition: a series and its value.
type sample struct {
	name, labels string
	value        float64
}

// scrape is one reading of a process's /metrics.
type scrape []sample

// scrapeAll reads /metrics on every process's admin port, by binary name.
func (w *world) scrapeAll(t testing.TB) map[string]scrape {
	t.Helper()
	out := map[string]scrape{}
	for name, addr := range stack.AdminAddrs(w.services.Env(), stack.Binaries()) {
		resp, err := http.Get("http://" + addr + "/metrics")
		if err != nil {
			t.Fatalf("%s: GET /metrics: %v", name, err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: GET /metrics: %d %s", name, resp.StatusCode, body)
		}
		out[name] = parseExposition(body)
	}
	return out
}

func parseExposition(body []byte) scrape {
	var s scrape
	sc := bufio.NewScanner(bytes.NewReader(body))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		if i < 0 {
			continue
		}
		v, err := strconv.ParseFloat(line[i+1:], 64)
		if err != nil {
			continue
		}
		series := line[:i]
		name, labels := series, ""
		if j := strings.IndexByte(series, '{'); j >= 0 {
			name, labels = series[:j], series[j:]
		}
		s = append(s, sample{name: name, labels: labels, value: v})
	}
	return s
}

// sum adds the values of the series of metric name whose labels contain
// every one of want (`route="/v1/bookings"`).
func (s scrape) sum(name string, want ...string) float64 {
	total := 0.0
next:
	for _, x := range s {
		if x.name != name {
			continue
		}
		for _, w := range want {
			if !strings.Contains(x.labels, w) {
				continue next
			}
		}
		total += x.value
	}
	return total
}

// names are the metric families exported, histogram and summary series
// counted under their family's name.
func (s scrape) names() map[string]bool {
	out := map[string]bool{}
	for _, x := range s {
		out[x.name] = true
		for _, suffix := range []string{"_bucket", "_sum", "_count"} {
			if strings.HasSuffix(x.name, suffix) {
				out[strings.TrimSuffix(x.name, suffix)] = true
			}
		}
	}
	return out
}

// moved is one metric that must grow on one process while a booking is
// created and approved.
type moved struct {
	process, metric string
	labels          []string
}

// checkMoved scrapes until every metric in want has grown since before, or
// fails after a while naming those that did not.
func (w *world) checkMoved(t *testing.T, before map[string]scrape, want []moved) map[string]scrape {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		after := w.scrapeAll(t)
		var still []string
		for _, m := range want {
			b, a := before[m.process].sum(m.metric, m.labels...), after[m.process].sum(m.metric, m.labels...)
			if a <= b {
				still = append(still, m.process+" "+m.metric+"{"+strings.Join(m.labels, ",")+"}: "+strconv.FormatFloat(b, 'g', -1, 64)+" -> "+strconv.FormatFloat(a, 'g', -1, 64))
			}
		}
		if len(still) == 0 {
			return after
		}
		if time.Now().After(deadline) {
			var have []string
			for p, s := range after {
				for n := range s.names() {
					if strings.HasPrefix(n, "bookwell_") || strings.HasPrefix(n, "temporal_") {
						have = append(have, p+" "+n)
					}
				}
			}
			slices.Sort(have)
			t.Fatalf("metrics that did not move:\n%s\nexported:\n%s", strings.Join(still, "\n"), strings.Join(have, "\n"))
		}
		time.Sleep(time.Second)
	}
}
