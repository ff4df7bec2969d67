// Package e2e tests bookwell through its real processes: the eight binaries
// built and started by deploy/stack, on a real Postgres, NATS JetStream and
// Temporal dev server, driven over HTTP through the REST gateway with JWTs.
package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/bookwell/bookwell/deploy/stack"
	"github.com/bookwell/bookwell/pkg/events"
	"github.com/bookwell/bookwell/pkg/identity"
	"github.com/bookwell/bookwell/pkg/natstest"
	"github.com/bookwell/bookwell/pkg/pgtest"
	"github.com/bookwell/bookwell/pkg/temporaltest"
)

// searchAttributes are the ones the booking workflow sets: those the dev
// server registers (deploy/stack).
func searchAttributes() temporal.SearchAttributes {
	var updates []temporal.SearchAttributeUpdate
	for _, a := range stack.BookingSearchAttributes() {
		switch a.Type {
		case "Keyword":
			updates = append(updates, temporal.NewSearchAttributeKeyKeyword(a.Name).ValueSet(""))
		case "Datetime":
			updates = append(updates, temporal.NewSearchAttributeKeyTime(a.Name).ValueSet(time.Unix(0, 0)))
		default:
			panic("search attribute " + a.Name + ": type " + a.Type + " not known here")
		}
	}
	return temporal.NewSearchAttributes(updates...)
}

// world is one running bookwell.
type world struct {
	base     string
	console  string // the web console, in front of the gateway
	js       jetstream.JetStream
	temporal client.Client
	services *stack.Services
}

// start runs bookwell for t; overrides add to or replace the processes'
// environment (a policy window, a rate limit).
func start(t testing.TB, overrides ...map[string]string) *world {
	t.Helper()
	if testing.Short() {
		t.Skip("end-to-end: builds and runs every binary")
	}
	ctx := context.Background()
	env, err := stack.FreeAddrs()
	if err != nil {
		t.Fatal(err)
	}
	ns := natstest.New(t)
	ts := temporaltest.New(t, searchAttributes())
	env["DATABASE_URL"] = pgtest.New(t)
	env["NATS_URL"] = ns.URL
	env["TEMPORAL_ADDRESS"] = ts.HostPort
	env["LOG_FORMAT"] = "text"
	for _, o := range overrides {
		for k, v := range o {
			env[k] = v
		}
	}
	s, err := stack.NewServices(stack.ServicesOptions{StateDir: t.TempDir(), Env: env})
	if err != nil {
		t.Fatal(err)
	}
	buildCtx, cancel := context.WithTimeout(ctx, 10*time.Minute)
	defer cancel()
	if err := s.Build(buildCtx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		s.Stop()
		if t.Failed() {
			dumpLogs(t, s.LogDir())
		}
	})
	// A start can fail for a reason that passes: a port picked free was
	// taken before its service bound it, or the shared Postgres has no
	// connection to spare while other tests' stacks start or stop ("too
	// many clients"). Log why, wait a little longer each time, and try
	// again on fresh ports.
	for attempt, wait := 1, 2*time.Second; ; attempt, wait = attempt+1, wait*2 {
		err := s.StartAll(ctx)
		if err == nil {
			break
		}
		dumpLogs(t, s.LogDir())
		s.Stop()
		if attempt == 4 {
			t.Fatal(err)
		}
		t.Logf("starting the stack failed (attempt %d), retrying in %s on fresh ports: %v", attempt, wait, err)
		time.Sleep(wait)
		fresh, ferr := stack.FreeAddrs()
		if ferr != nil {
			t.Fatal(ferr)
		}
		for k, v := range fresh {
			env[k] = v
		}
		s.SetEnv(env)
	}
	return &world{base: "http://" + s.Env()["GATEWAY_HTTP_ADDR"], console: stack.ConsoleURL(s.Env()), js: ns.JS, temporal: ts.Client, services: s}
}

// user is someone calling the REST API.
type user struct {
	t     testing.TB
	w     *world
	id    string
	token string
}

func (w *world) user(t testing.TB, id string, role identity.Role) user {
	tok, err := identity.Mint(identity.DevSecret, identity.Principal{Subject: id, Role: role}, time.Hour, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return user{t: t, w: w, id: id, token: tok}
}

// response is a decoded JSON answer.
type response struct {
	status int
	body   map[string]any
	raw    []byte
}

func (u user) call(method, path string, body any) response {
	u.t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			u.t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, u.w.base+path, rd)
	if err != nil {
		u.t.Fatal(err)
	}
	if u.token != "" {
		req.Header.Set("Authorization", "Bearer "+u.token)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		u.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	r := response{status: resp.StatusCode, raw: raw}
	_ = json.Unmarshal(raw, &r.body)
	return r
}

// ok calls and fails the test unless the answer is 200.
func (u user) ok(method, path string, body any) map[string]any {
	u.t.Helper()
	r := u.call(method, path, body)
	if r.status != http.StatusOK {
		u.t.Fatalf("%s %s as %s: %d %s", method, path, u.id, r.status, r.raw)
	}
	return r.body
}

// refused calls and checks the HTTP status and the ErrorInfo reason.
func (u user) refused(method, path string, body any, status int, reason string) response {
	u.t.Helper()
	r := u.call(method, path, body)
	if r.status != status || (reason != "" && !strings.Contains(string(r.raw), `"reason":"`+reason+`"`)) {
		u.t.Fatalf("%s %s as %s: %d %s; want %d %s", method, path, u.id, r.status, r.raw, status, reason)
	}
	return r
}

// get reads a path of nested JSON fields ("booking.status").
func get(m map[string]any, path string) any {
	var cur any = m
	for _, k := range strings.Split(path, ".") {
		mm, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		cur = mm[k]
	}
	return cur
}

func str(m map[string]any, path string) string {
	v, _ := get(m, path).(string)
	return v
}

// mentorWithOffering sets up a mentor who is available every day all day in
// Europe/Berlin with no minimum notice, and one offering; it returns the
// mentor and the offering id.
func (w *world) mentorWithOffering(t testing.TB, id string, offering map[string]any) (user, string) {
	m := w.user(t, id, identity.RoleMentor)
	var hours []map[string]any
	for d := 1; d <= 7; d++ {
		hours = append(hours, map[string]any{"day": d, "startTime": "00:00", "endTime": "24:00"})
	}
	m.ok("PUT", "/v1/mentors/"+id+"/availability", map[string]any{
		"timeZone": "Europe/Berlin", "weeklyHours": hours, "minNoticeMinutes": 1, "horizonDays": 60,
	})
	created := m.ok("POST", "/v1/mentors/"+id+"/offerings", offering)
	return m, str(created, "offering.id")
}

func paidOffering(minutes, capacity int) map[string]any {
	return map[string]any{"name": "Deep dive", "kind": "OFFERING_KIND_PAID", "durationMinutes": minutes,
		"priceMinorUnits": "5000", "currencyCode": "EUR", "capacity": capacity}
}

// book requests a session as mentee.
func (u user) book(mentor, offering string, start time.Time, extra map[string]any) map[string]any {
	u.t.Helper()
	b := map[string]any{"mentorId": mentor, "offeringId": offering, "startTime": start.UTC().Format(time.RFC3339),
		"paymentMethod": "PAYMENT_METHOD_CARD", "menteeName": "Ada Lovelace", "menteeEmail": u.id + "@example.com",
		"menteeTimeZone": "America/New_York"}
	for k, v := range extra {
		b[k] = v
	}
	return u.ok("POST", "/v1/bookings", map[string]any{"booking": b, "cardToken": "4242424242424242", "requestId": fmt.Sprint(time.Now().UnixNano())})
}

// eventsOf reads every event of one booking off the BOOKING stream, waiting
// until want of them are there.
func (w *world) eventsOf(t *testing.T, bookingID string, want int) []string {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		var types []string
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		cons, err := w.js.OrderedConsumer(ctx, events.BookingStream.Name, jetstream.OrderedConsumerConfig{})
		if err == nil {
			for {
				msg, err := cons.Next(jetstream.FetchMaxWait(300 * time.Millisecond))
				if err != nil {
					break
				}
				ev, err := events.Parse(msg.Data())
				if err == nil && strings.Contains(string(ev.Data), bookingID) {
					types = append(types, ev.Type)
				}
			}
		}
		cancel()
		if len(types) >= want || time.Now().After(deadline) {
			return types
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// eventually retries f until it is true or the time is up.
func eventually(t *testing.T, within time.Duration, what string, f func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !f() {
		if time.Now().After(deadline) {
			t.Fatalf("never: %s", what)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func mustJSON(m map[string]any) []byte {
	b, _ := json.Marshal(m)
	return b
}

// dumpLogs writes every service's log into the test's output.
func dumpLogs(t testing.TB, dir string) {
	files, _ := filepath.Glob(filepath.Join(dir, "*.log"))
	for _, f := range files {
		b, _ := os.ReadFile(f)
		if len(b) > 4000 {
			b = b[len(b)-4000:]
		}
		t.Logf("==== %s\n%s", filepath.Base(f), b)
	}
}
