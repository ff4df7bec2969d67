package main

import (
	"context"
	"io"
	"slices"
	"strings"
	"testing"

	"github.com/bookwell/bookwell/deploy/stack"
)

func TestServicesFlagKeepsStartOrderAndRejectsUnknownNames(t *testing.T) {
	bins, err := pick(stack.Binaries(), "gatewayd, bookingd,booking-worker")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, b := range bins {
		names = append(names, b.Name)
	}
	if want := []string{"bookingd", "booking-worker", "gatewayd"}; !slices.Equal(names, want) {
		t.Errorf("got %v, want %v (start order: the gateway last)", names, want)
	}

	err = run(context.Background(), []string{"-services", "bookingd,bookng-worker"}, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "bookng-worker") || !strings.Contains(err.Error(), "booking-worker") {
		t.Fatalf("got %v, want an error quoting the list and naming the known binaries", err)
	}
}

func TestConsoleShowsWarningsAndErrorsOnly(t *testing.T) {
	var out strings.Builder
	q := &quietConsole{w: &out}
	for _, chunk := range []string{
		"bookingd       | time=… level=INFO msg=started\nbookingd       | time=… level=WA",
		"RN msg=\"not ready\"\n",
		"gatewayd       | {\"time\":\"…\",\"level\":\"INFO\",\"msg\":\"request\"}\n",
		"gatewayd       | {\"time\":\"…\",\"level\":\"ERROR\",\"msg\":\"request\",\"status\":500}\n",
		"booking-worker | panic: boom\n",
		"bookingd       | time=… level=DEBUG msg=\"finished call\"\n",
	} {
		if _, err := q.Write([]byte(chunk)); err != nil {
			t.Fatal(err)
		}
	}
	want := "bookingd       | time=… level=WARN msg=\"not ready\"\n" +
		"gatewayd       | {\"time\":\"…\",\"level\":\"ERROR\",\"msg\":\"request\",\"status\":500}\n" +
		"booking-worker | panic: boom\n"
	if out.String() != want {
		t.Errorf("console:\n%s\nwant:\n%s", out.String(), want)
	}
}

func TestPrometheusScrapesEveryProcess(t *testing.T) {
	env := stack.DefaultEnv()
	cfg := string(prometheusConfig("/repo", stack.AdminAddrs(env, stack.Binaries())))
	for _, b := range stack.Binaries() {
		if !strings.Contains(cfg, "job_name: \""+b.Name+"\"") || !strings.Contains(cfg, env[stack.AdminAddrEnv(b.Name)]) {
			t.Errorf("%s is not scraped:\n%s", b.Name, cfg)
		}
	}
	if !strings.Contains(cfg, "/repo/deploy/observability/alerts.yaml") {
		t.Errorf("the alerts are not loaded:\n%s", cfg)
	}
}
