package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"go.temporal.io/api/enums/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"google.golang.org/protobuf/proto"

	"github.com/bookwell/bookwell/deploy/cluster"
	"github.com/bookwell/bookwell/deploy/stack"
	"github.com/bookwell/bookwell/pkg/events"
	"github.com/bookwell/bookwell/pkg/identity"
)

// TestScaleOut runs bookwell as production does, on one machine: a
// three-node NATS JetStream cluster with three replicas per stream, the
// Temporal server on SQL persistence in Postgres, and two replicas of every
// bookwell process behind DNS names that list them, with clients spread over
// both gateways. It drives SCALE_BOOKINGS bookings through mixed journeys;
// a third of the way in it kills one NATS node and one replica of every
// process, two thirds of the way in it starts them again. Then every booking
// must be in its expected state in the read model and in its workflow, every
// capture, refund and email must have happened once, every event must be
// published once and handled once by each consumer, and the projections must
// agree. `make scale-test` runs it; it is skipped without SCALE_BOOKINGS.
func TestScaleOut(t *testing.T) {
	n, _ := strconv.Atoi(os.Getenv("SCALE_BOOKINGS"))
	if n == 0 || testing.Short() {
		t.Skip("set SCALE_BOOKINGS (make scale-test)")
	}
	const clients, mentors = 12, 12
	began := time.Now()
	w := startScale(t)
	t.Logf("topology up in %s: 3 NATS nodes, 1 Temporal server (SQL), %d bookwell processes", time.Since(began).Round(time.Second), len(w.bookwell.Names()))

	ctx := context.Background()
	admin := w.client(t, "admin-scale", identity.RoleAdmin)
	ms := make([]scaleMentor, mentors)
	for i := range ms {
		ms[i] = w.setupMentor(t, fmt.Sprintf("mentor-scale-%d", i))
	}
	base := time.Now().Add(72 * time.Hour).Truncate(time.Hour)

	var done atomic.Int64
	chaos := w.chaos(t, &done, n)
	results := make([]journeyResult, n)
	runConcurrently(n, clients, func(i int) {
		m := ms[i%mentors]
		slot := base.Add(time.Duration(i/mentors) * 2 * time.Hour)
		results[i] = w.journey(t, i, m, slot)
		done.Add(1)
	})
	<-chaos
	drive := time.Since(began)
	t.Logf("%d bookings driven in %s", n, drive.Round(time.Second))

	w.quiesce(t)
	checks := w.checkInvariants(t, admin, results)
	retries := 0
	for _, r := range results {
		retries += r.retries
	}
	// Round robin: before the kill, while both were up, each replica of the
	// busy gRPC services answered a fair share of the calls.
	for _, svc := range []string{"bookingd", "schedulingd", "paymentsd"} {
		calls := w.callsBeforeKill[svc]
		if total := calls[0] + calls[1]; total == 0 || calls[0]*4 < total || calls[1]*4 < total {
			t.Errorf("%s: replicas answered %v calls while both were up: the clients do not spread over both", svc, calls)
		}
		t.Logf("calls answered by %s-1 and -2 while both were up: %d and %d", svc, calls[0], calls[1])
	}
	w.logCapacityFigures(t, results)
	t.Logf("SCALE RESULT: processes=%d (2 per process x 7) nats_nodes=3 stream_replicas=3 bookings=%d journeys=%v "+
		"killed=[nats node + one replica of each of 7 processes] client_retries=%d checks=%v total=%s",
		len(w.bookwell.Names()), n, journeyCounts(results), retries, checks, time.Since(began).Round(time.Second))
	_ = ctx
}

// scaleWorld is the running topology.
type scaleWorld struct {
	dns      *cluster.DNS
	nats     *cluster.NATS
	temporal *cluster.Temporal
	bookwell *cluster.Bookwell
	dbURL    string
	tc       client.Client
	nc       *nats.Conn
	js       jetstream.JetStream
	lb       *balancer
	killed   []string
	// callsBeforeKill counts the gRPC calls each replica answered until
	// the kill, by process.
	callsBeforeKill map[string][2]int
}

func startScale(t *testing.T) *scaleWorld {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	dir := t.TempDir()
	log := scaleLog(t)
	w := &scaleWorld{}
	// Its own Postgres: fourteen processes and the Temporal server need more
	// connections than a shared server may have to spare.
	pg, err := cluster.StartPostgres(ctx, cluster.PostgresOptions{Log: log})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := pg.Stop(); err != nil {
			t.Log(err)
		}
	})
	if w.dbURL, err = stack.EnsureDatabase(ctx, pg.AdminURL, "bookwell"); err != nil {
		t.Fatal(err)
	}
	// As in production: the processes connect as a role that may only read
	// and write; the bootstrap migrates as the schemas' owner and grants it.
	appURL, migratorURL := roles(t, w.dbURL)
	if w.dns, err = cluster.StartDNS(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(w.dns.Stop)
	if w.nats, err = cluster.StartNATS(ctx, cluster.NATSOptions{Dir: filepath.Join(dir, "nats"), Log: log}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(w.nats.Stop)
	if w.temporal, err = cluster.StartTemporal(ctx, cluster.TemporalOptions{Dir: filepath.Join(dir, "temporal"), PostgresURL: pg.AdminURL, Log: log}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(w.temporal.Stop)
	if w.tc, err = client.DialContext(ctx, client.Options{HostPort: w.temporal.Address, Logger: quiet{}}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(w.tc.Close)
	if w.nc, err = nats.Connect(w.nats.URL(), nats.MaxReconnects(-1)); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(w.nc.Close)
	if w.js, err = jetstream.New(w.nc); err != nil {
		t.Fatal(err)
	}
	w.bookwell, err = cluster.StartBookwell(ctx, cluster.BookwellOptions{
		Dir: filepath.Join(dir, "bookwell"), DNS: w.dns, Log: log, Bootstrap: true,
		Env: map[string]string{
			"DATABASE_URL":            appURL,
			"MIGRATIONS_DATABASE_URL": migratorURL,
			"DATABASE_MAX_CONNS":      "4",
			"NATS_URL":                w.nats.URL(),
			"NATS_STREAM_REPLICAS":    "3",
			"TEMPORAL_ADDRESS":        w.temporal.Address,
			"LOG_FORMAT":              "text",
			// The calls each replica answered are counted from its
			// "finished call" lines, which a call that worked logs at DEBUG.
			"LOG_LEVEL":        "debug",
			"RATE_LIMIT_RPS":   "100000",
			"RATE_LIMIT_BURST": "100000",
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		w.bookwell.Stop()
		if t.Failed() {
			dumpLogs(t, w.bookwell.LogDir())
		}
	})
	w.lb = &balancer{bases: w.bookwell.GatewayURLs()}
	return w
}

// roles makes the application's and the migrations' roles on the database
// at dbURL and returns their URLs.
func roles(t *testing.T, dbURL string) (app, migrator string) {
	t.Helper()
	ctx := context.Background()
	c, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(ctx)
	for _, stmt := range []string{
		"CREATE ROLE bookwell_app LOGIN", "CREATE ROLE bookwell_migrator LOGIN",
		"GRANT CONNECT ON DATABASE bookwell TO bookwell_app",
		"GRANT CONNECT, CREATE ON DATABASE bookwell TO bookwell_migrator",
	} {
		if _, err := c.Exec(ctx, stmt); err != nil {
			t.Fatal(err)
		}
	}
	as := func(role string) string { return strings.Replace(dbURL, "//postgres@", "//"+role+"@", 1) }
	return as("bookwell_app"), as("bookwell_migrator")
}

// chaos kills one NATS node (the BOOKING stream's leader) and replica 1 of
// every process once a third of the bookings are done, and starts them again
// at two thirds. The returned channel closes when both have happened.
func (w *scaleWorld) chaos(t *testing.T, done *atomic.Int64, n int) <-chan struct{} {
	out := make(chan struct{})
	wait := func(k int64) {
		for done.Load() < k {
			time.Sleep(50 * time.Millisecond)
		}
	}
	go func() {
		defer close(out)
		wait(int64(n / 3))
		info, err := w.nats.StreamInfo(context.Background(), events.BookingStream.Name)
		victim := "nats-2"
		if err == nil && info.Cluster != nil && info.Cluster.Leader != "" {
			victim = info.Cluster.Leader
		}
		w.callsBeforeKill = map[string][2]int{}
		for _, svc := range []string{"bookingd", "schedulingd", "paymentsd"} {
			var calls [2]int
			for r := range calls {
				b, _ := os.ReadFile(filepath.Join(w.bookwell.LogDir(), fmt.Sprintf("%s-%d.log", svc, r+1)))
				calls[r] = bytes.Count(b, []byte(`msg="finished call"`))
			}
			w.callsBeforeKill[svc] = calls
		}
		if err := w.nats.Kill(victim); err != nil {
			t.Error(err)
		}
		w.killed = append(w.killed, victim)
		for _, name := range w.bookwell.Names() {
			if strings.HasSuffix(name, "-1") {
				if err := w.bookwell.Kill(name); err != nil {
					t.Error(err)
				}
				w.killed = append(w.killed, name)
			}
		}
		t.Logf("killed at %d bookings done: %v", done.Load(), w.killed)
		wait(int64(2 * n / 3))
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer cancel()
		for _, name := range w.killed {
			var err error
			if strings.HasPrefix(name, "nats-") {
				err = w.nats.Start(ctx, name)
			} else {
				err = w.bookwell.Start(ctx, name)
			}
			if err != nil {
				t.Errorf("restart %s: %v", name, err)
			}
		}
		t.Logf("restarted at %d bookings done", done.Load())
	}()
	return out
}

// balancer spreads requests over the gateways as a load balancer would, and
// retries as a well-behaved client does: the same Idempotency-Key on another
// gateway after a connection failure, a 5xx, a 429 or a key still in use.
type balancer struct {
	bases []string
	next  atomic.Uint64
}

type scaleClient struct {
	w     *scaleWorld
	id    string
	token string
}

func (w *scaleWorld) client(t *testing.T, id string, role identity.Role) scaleClient {
	tok, err := identity.Mint(identity.DevSecret, identity.Principal{Subject: id, Role: role}, 6*time.Hour, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return scaleClient{w: w, id: id, token: tok}
}

// do sends one request until it gets a final answer (or two minutes pass);
// it returns the answer and how many attempts failed before it.
func (c scaleClient) do(method, path, key string, body any) (int, map[string]any, []byte, int, error) {
	var raw []byte
	if body != nil {
		raw, _ = json.Marshal(body)
	}
	deadline := time.Now().Add(2 * time.Minute)
	failed := 0
	for {
		base := c.w.lb.bases[c.w.lb.next.Add(1)%uint64(len(c.w.lb.bases))]
		req, _ := http.NewRequest(method, base+path, bytes.NewReader(raw))
		req.Header.Set("Authorization", "Bearer "+c.token)
		req.Header.Set("Content-Type", "application/json")
		if key != "" {
			req.Header.Set("Idempotency-Key", key)
		}
		res, err := http.DefaultClient.Do(req)
		var status int
		var out []byte
		if err == nil {
			status = res.StatusCode
			out, _ = io.ReadAll(res.Body)
			res.Body.Close()
		}
		retry := err != nil || status >= 500 || status == http.StatusTooManyRequests ||
			(status == http.StatusConflict && bytes.Contains(out, []byte("IDEMPOTENCY_KEY_IN_USE")))
		if !retry {
			var m map[string]any
			_ = json.Unmarshal(out, &m)
			return status, m, out, failed, nil
		}
		failed++
		if time.Now().After(deadline) {
			return status, nil, out, failed, fmt.Errorf("%s %s: no answer in 2 minutes (last %d %v %s)", method, path, status, err, out)
		}
		time.Sleep(time.Duration(min(failed, 10)) * 100 * time.Millisecond)
	}
}

type scaleMentor struct {
	c        scaleClient
	offering string
}

func (w *scaleWorld) setupMentor(t *testing.T, id string) scaleMentor {
	c := w.client(t, id, identity.RoleMentor)
	var hours []map[string]any
	for d := 1; d <= 7; d++ {
		hours = append(hours, map[string]any{"day": d, "startTime": "00:00", "endTime": "24:00"})
	}
	if s, _, raw, _, err := c.do("PUT", "/v1/mentors/"+id+"/availability", "", map[string]any{
		"timeZone": "Europe/Berlin", "weeklyHours": hours, "minNoticeMinutes": 1, "horizonDays": 90}); err != nil || s != 200 {
		t.Fatalf("availability: %d %s %v", s, raw, err)
	}
	s, m, raw, _, err := c.do("POST", "/v1/mentors/"+id+"/offerings", "offering-"+id, paidOffering(60, 1))
	if err != nil || s != 200 {
		t.Fatalf("offering: %d %s %v", s, raw, err)
	}
	return scaleMentor{c: c, offering: str(m, "offering.id")}
}

// The journeys, by booking number modulo 5, and where each must end.
var journeys = []struct {
	name              string
	status, payment   string
	captures, refunds int
}{
	{"approve", "BOOKING_STATUS_CONFIRMED", "PAYMENT_STATUS_PAID", 1, 0},
	// A released card hold shows as refunded on the booking: nothing was taken.
	{"reject", "BOOKING_STATUS_REJECTED", "PAYMENT_STATUS_REFUNDED", 0, 0},
	{"cancel-pending", "BOOKING_STATUS_CANCELLED", "PAYMENT_STATUS_REFUNDED", 0, 0},
	{"approve-then-cancel", "BOOKING_STATUS_CANCELLED", "PAYMENT_STATUS_REFUNDED", 1, 1},
	{"propose-accept", "BOOKING_STATUS_CONFIRMED", "PAYMENT_STATUS_PAID", 1, 0},
}

type journeyResult struct {
	journey int
	id      string
	mentor  string
	mentee  string
	retries int
	err     error
}

func journeyCounts(rs []journeyResult) map[string]int {
	out := map[string]int{}
	for _, r := range rs {
		out[journeys[r.journey].name]++
	}
	return out
}

// journey runs booking i's journey; failures are recorded, not fatal, so
// that one stuck booking does not hide the others.
func (w *scaleWorld) journey(t *testing.T, i int, m scaleMentor, slot time.Time) journeyResult {
	r := journeyResult{journey: i % len(journeys), mentor: m.c.id}
	mentee := w.client(t, fmt.Sprintf("mentee-scale-%d", i), identity.RoleMentee)
	r.mentee = mentee.id
	step := func(c scaleClient, verb string, body map[string]any, after string) bool {
		if r.err != nil {
			return false
		}
		s, res, raw, failed, err := c.do("POST", "/v1/bookings/"+r.id+":"+verb, fmt.Sprintf("%s-%s-%d", r.id, verb, i), body)
		r.retries += failed
		switch {
		case err != nil:
			r.err = err
		case s == http.StatusOK && str(res, "booking.status") == after:
		case s == http.StatusConflict && failed > 0:
			// An earlier attempt went through but its answer was lost (the
			// gateway died holding it): the client reads the booking to know.
			_, got, _, _, gerr := c.do("GET", "/v1/bookings/"+r.id, "", nil)
			if gerr != nil || str(got, "booking.status") != after {
				r.err = fmt.Errorf("%s: %s after a retry and the booking is %s (%v)", verb, raw, str(got, "booking.status"), gerr)
			}
		default:
			r.err = fmt.Errorf("%s: %d %s", verb, s, raw)
		}
		return r.err == nil
	}
	s, res, raw, failed, err := mentee.do("POST", "/v1/bookings", fmt.Sprintf("create-%d", i), map[string]any{
		"booking": map[string]any{"mentorId": m.c.id, "offeringId": m.offering, "startTime": slot.UTC().Format(time.RFC3339),
			"paymentMethod": "PAYMENT_METHOD_CARD", "menteeName": "Scale Mentee", "menteeEmail": mentee.id + "@example.com",
			"menteeTimeZone": "America/New_York"},
		"cardToken": "4242424242424242", "requestId": fmt.Sprintf("scale-%d", i)})
	r.retries += failed
	if err != nil || s != http.StatusOK {
		r.err = fmt.Errorf("create: %d %s %v", s, raw, err)
		return r
	}
	r.id = str(res, "booking.id")
	switch journeys[r.journey].name {
	case "approve":
		step(m.c, "approve", map[string]any{}, "BOOKING_STATUS_CONFIRMED")
	case "reject":
		step(m.c, "reject", map[string]any{"reason": "Not my field"}, "BOOKING_STATUS_REJECTED")
	case "cancel-pending":
		step(mentee, "cancel", map[string]any{"reason": "Changed my mind"}, "BOOKING_STATUS_CANCELLED")
	case "approve-then-cancel":
		if step(m.c, "approve", map[string]any{}, "BOOKING_STATUS_CONFIRMED") {
			step(mentee, "cancel", map[string]any{"reason": "Something came up"}, "BOOKING_STATUS_CANCELLED")
		}
	case "propose-accept":
		if step(m.c, "propose", map[string]any{"startTime": slot.Add(time.Hour).UTC().Format(time.RFC3339), "note": "An hour later?"}, "BOOKING_STATUS_NEGOTIATING") {
			step(mentee, "accept", map[string]any{}, "BOOKING_STATUS_CONFIRMED")
		}
	}
	return r
}

// quiesce waits until every outbox is relayed, every consumer has handled
// everything, and every email has left.
func (w *scaleWorld) quiesce(t *testing.T) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	db := w.db(t)
	if err := waitQuiet(ctx, db, w.js, 500*time.Millisecond); err != nil {
		t.Fatal(err)
	}
}

func (w *scaleWorld) db(t *testing.T) *pgx.Conn {
	t.Helper()
	c, err := pgx.Connect(context.Background(), w.dbURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close(context.Background()) })
	return c
}

// streamEvents reads every event of a stream: id -> subject, and the ids
// seen more than once.
func (w *scaleWorld) streamEvents(t *testing.T, stream string) (map[string]events.Event, []string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	st, err := w.js.Stream(ctx, stream)
	if err != nil {
		t.Fatalf("%s: %v", stream, err)
	}
	info, err := st.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]events.Event{}
	var dups []string
	for seq := info.State.FirstSeq; seq <= info.State.LastSeq && info.State.Msgs > 0; seq++ {
		var msg *jetstream.RawStreamMsg
		for {
			msg, err = st.GetMsg(ctx, seq)
			if err == nil || errors.Is(err, jetstream.ErrMsgNotFound) || ctx.Err() != nil {
				break
			}
			time.Sleep(100 * time.Millisecond)
		}
		if err != nil {
			t.Fatalf("%s: message %d: %v", stream, seq, err)
		}
		ev, err := events.Parse(msg.Data)
		if err != nil {
			t.Fatalf("%s: %v", stream, err)
		}
		if _, seen := out[ev.ID.String()]; seen {
			dups = append(dups, ev.ID.String())
		}
		out[ev.ID.String()] = ev
	}
	return out, dups
}

// checkInvariants checks every booking's end and every effect; it returns
// the figures it counted.
func (w *scaleWorld) checkInvariants(t *testing.T, admin scaleClient, results []journeyResult) map[string]int {
	t.Helper()
	ctx := context.Background()
	figures := map[string]int{}
	byID := map[string]journeyResult{}
	for _, r := range results {
		if r.err != nil {
			t.Errorf("booking %s (%s): %v", r.id, journeys[r.journey].name, r.err)
			continue
		}
		byID[r.id] = r
	}
	if len(byID) != len(results) {
		t.Fatalf("%d of %d journeys failed", len(results)-len(byID), len(results))
	}

	// 1. Every booking reached its expected state in the read model, and its
	// workflow agrees.
	for id, r := range byID {
		j := journeys[r.journey]
		_, b, raw, _, err := admin.do("GET", "/v1/bookings/"+id, "", nil)
		if err != nil || str(b, "booking.status") != j.status || str(b, "booking.paymentStatus") != j.payment {
			t.Errorf("booking %s (%s): read model %s / %s, want %s / %s (%v %.300s)", id, j.name,
				str(b, "booking.status"), str(b, "booking.paymentStatus"), j.status, j.payment, err, raw)
			continue
		}
		val, err := w.tc.QueryWorkflow(ctx, "booking-"+id, "", "booking")
		if err != nil {
			t.Errorf("booking %s: query its workflow: %v", id, err)
			continue
		}
		var wf map[string]any
		if err := val.Get(&wf); err != nil {
			t.Fatal(err)
		}
		if got := fmt.Sprint(wf["Status"]); "BOOKING_STATUS_"+got != j.status && got != j.status {
			t.Errorf("booking %s: workflow says %v, read model %s", id, wf["Status"], j.status)
		}
		figures["read model = workflow"]++
	}
	// The operator's view: the status search attribute agrees too.
	for _, j := range journeys {
		want := 0
		for _, r := range byID {
			if journeys[r.journey].status == j.status {
				want++
			}
		}
		q := fmt.Sprintf("BookingStatus = '%s'", strings.TrimPrefix(j.status, "BOOKING_STATUS_"))
		res, err := w.tc.CountWorkflow(ctx, &workflowservice.CountWorkflowExecutionsRequest{Query: q})
		if err != nil || int(res.GetCount()) != want {
			t.Errorf("workflows with %s: %d (%v), want %d", q, res.GetCount(), err, want)
		}
	}

	// Every stream keeps three replicas, all current after the node's
	// restart.
	for _, s := range []events.Stream{events.BookingStream, events.PaymentsStream, events.SchedulingStream, events.ReputationStream, events.DeadLetterStream} {
		info, err := w.nats.StreamInfo(ctx, s.Name)
		if err != nil {
			continue // nothing was ever published to it
		}
		if info.Config.Replicas != 3 || info.Cluster == nil || len(info.Cluster.Replicas) != 2 {
			t.Errorf("stream %s: %d replicas, want 3", s.Name, info.Config.Replicas)
		}
	}

	// 2. One outbox publication per event: every row relayed, each event in
	// its stream exactly once, nothing else there.
	db := w.db(t)
	streams := map[string]events.Stream{"booking": events.BookingStream, "payments": events.PaymentsStream,
		"scheduling": events.SchedulingStream, "reputation": events.ReputationStream}
	published := map[string]map[string]events.Event{}
	for schema, s := range streams {
		evs, dups := w.streamEvents(t, s.Name)
		published[s.Name] = evs
		if len(dups) > 0 {
			t.Errorf("%s: %d events published twice, e.g. %s", s.Name, len(dups), dups[0])
		}
		rows, err := db.Query(ctx, "SELECT id::text FROM "+schema+".outbox")
		if err != nil {
			t.Fatal(err)
		}
		ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			t.Fatal(err)
		}
		if len(ids) != len(evs) {
			t.Errorf("%s: %d events in the outbox, %d in the stream", schema, len(ids), len(evs))
		}
		for _, id := range ids {
			if _, ok := evs[id]; !ok {
				t.Errorf("%s: event %s never reached %s", schema, id, s.Name)
			}
		}
		figures["events published once"] += len(ids)
	}
	if dl, _ := w.nats.StreamInfo(ctx, events.DeadLetterStream.Name); dl != nil && dl.State.Msgs > 0 {
		t.Errorf("%d events dead-lettered", dl.State.Msgs)
	}

	// 3. One capture (and one refund) per booking that should have one.
	captures, refunds := map[string]int{}, map[string]int{}
	for _, ev := range published[events.PaymentsStream.Name] {
		for id := range byID {
			if bytes.Contains(ev.Data, []byte(id)) {
				switch ev.Type {
				case "payment.captured":
					captures[id]++
				case "payment.refunded":
					refunds[id]++
				}
			}
		}
	}
	for id, r := range byID {
		j := journeys[r.journey]
		if captures[id] != j.captures || refunds[id] != j.refunds {
			t.Errorf("booking %s (%s): %d captures and %d refunds, want %d and %d", id, j.name, captures[id], refunds[id], j.captures, j.refunds)
		}
		figures["captures"] += captures[id]
		figures["refunds"] += refunds[id]
	}

	// 4. One handling per consumer: each durable consumer recorded each
	// event it receives exactly once, and its projection is at the last
	// version of every booking.
	for _, s := range []events.Stream{events.BookingStream, events.PaymentsStream, events.ReputationStream, events.SchedulingStream} {
		st, err := w.js.Stream(ctx, s.Name)
		if err != nil {
			continue // a stream nobody published to
		}
		lister := st.ListConsumers(ctx)
		for ci := range lister.Info() {
			filters := ci.Config.FilterSubjects
			if ci.Config.FilterSubject != "" {
				filters = append(filters, ci.Config.FilterSubject)
			}
			want := 0
			for _, ev := range published[s.Name] {
				if len(filters) == 0 || slices.ContainsFunc(filters, func(f string) bool { return subjectMatches(f, ev.Type) }) {
					want++
				}
			}
			got := 0
			for _, schema := range []string{"notifications", "reputation", "payments", "scheduling", "booking"} {
				var n int
				err := db.QueryRow(ctx, "SELECT count(*) FROM "+schema+".processed_events WHERE consumer = $1", ci.Name).Scan(&n)
				if err == nil {
					got += n
				}
			}
			if got != want {
				t.Errorf("consumer %s on %s: %d events recorded as handled, %d delivered to it", ci.Name, s.Name, got, want)
			}
			figures["consumer handlings"] += got
		}
	}
	for _, schema := range []string{"reputation", "notifications"} {
		var n, behind int
		if err := db.QueryRow(ctx, `SELECT count(*), count(*) FILTER (WHERE p.version <> b.version)
			FROM `+schema+`.bookings p JOIN booking.bookings b ON b.id::text = p.booking_id`).Scan(&n, &behind); err != nil {
			t.Fatalf("%s projection: %v", schema, err)
		}
		if n != len(byID) || behind != 0 {
			t.Errorf("%s projection: %d bookings (want %d), %d not at the booking's last version", schema, n, len(byID), behind)
		}
	}

	// 5. One email per event and recipient: every email sent once, none
	// twice for the same notification.
	var emails, sent, delivered, twice int
	if err := db.QueryRow(ctx, `SELECT count(*), count(*) FILTER (WHERE status = 'sent'),
		(SELECT count(*) FROM notifications.dev_mailbox),
		(SELECT count(*) FROM (SELECT n.user_id, n.kind, n.booking_id FROM notifications.emails e
			JOIN notifications.notifications n ON n.id = e.notification_id
			GROUP BY 1, 2, 3 HAVING count(*) > 1) d)
		FROM notifications.emails`).Scan(&emails, &sent, &delivered, &twice); err != nil {
		t.Fatal(err)
	}
	if sent != emails || delivered != emails || twice != 0 {
		t.Errorf("emails: %d written, %d sent, %d delivered, %d (reader, kind, booking) mailed twice", emails, sent, delivered, twice)
	}
	// The delivery log shows each hand-over to the mail server: a second one
	// for an email is a second email in the reader's inbox.
	var resent int
	if err := db.QueryRow(ctx, `SELECT count(*) FROM (SELECT email_id FROM notifications.email_log
		WHERE status = 'sent' GROUP BY 1 HAVING count(*) > 1) d`).Scan(&resent); err != nil {
		t.Fatal(err)
	}
	if resent > 0 {
		t.Errorf("%d emails were handed to the mail server more than once", resent)
	}
	var requestMails int
	if err := db.QueryRow(ctx, `SELECT count(*) FROM notifications.dev_mailbox m JOIN notifications.emails e ON e.id = m.email_id
		JOIN notifications.notifications n ON n.id = e.notification_id WHERE n.user_id LIKE 'mentor-scale-%' AND n.kind = 'booking.requested'`).Scan(&requestMails); err != nil {
		t.Fatal(err)
	}
	if requestMails != len(byID) {
		t.Errorf("mentors were mailed %d new requests, want one per booking (%d)", requestMails, len(byID))
	}
	figures["emails"] = delivered
	return figures
}

// subjectMatches reports whether a NATS subject filter (with * and >)
// matches subject.
func subjectMatches(filter, subject string) bool {
	f, s := strings.Split(filter, "."), strings.Split(subject, ".")
	for i, tok := range f {
		if tok == ">" {
			return len(s) > i
		}
		if i >= len(s) || (tok != "*" && tok != s[i]) {
			return false
		}
	}
	return len(f) == len(s)
}

func scaleLog(t *testing.T) *slog.Logger {
	return slog.New(slog.NewTextHandler(scaleWriter{t}, &slog.HandlerOptions{Level: slog.LevelInfo}))
}

type scaleWriter struct{ t *testing.T }

func (w scaleWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

// quiet drops the Temporal SDK client's own logs.
type quiet struct{}

func (quiet) Debug(string, ...any) {}
func (quiet) Info(string, ...any)  {}
func (quiet) Warn(string, ...any)  {}
func (quiet) Error(string, ...any) {}

// logCapacityFigures logs what one booking costs each engine, for the
// capacity estimate in docs/deploy.md: events and bytes per stream, Temporal
// history events and bytes per journey, Postgres row writes per schema.
func (w *scaleWorld) logCapacityFigures(t *testing.T, results []journeyResult) {
	ctx := context.Background()
	n := float64(len(results))
	for _, s := range []events.Stream{events.BookingStream, events.PaymentsStream, events.SchedulingStream, events.ReputationStream} {
		if info, err := w.nats.StreamInfo(ctx, s.Name); err == nil && info.State.Msgs > 0 {
			t.Logf("CAPACITY stream %s: %.2f events per booking, %d bytes per event", s.Name,
				float64(info.State.Msgs)/n, info.State.Bytes/info.State.Msgs)
		}
	}
	perJourney := map[int][]int{}
	for _, r := range results {
		if len(perJourney[r.journey]) >= 5 || r.err != nil {
			continue
		}
		it := w.tc.GetWorkflowHistory(ctx, "booking-"+r.id, "", false, enums.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
		events, size, actions := 0, 0, 0
		for it.HasNext() {
			ev, err := it.Next()
			if err != nil {
				break
			}
			events++
			size += proto.Size(ev)
			// What Temporal Cloud bills as actions: starts, updates,
			// activities, local activities (markers), timers, search
			// attribute upserts, signals.
			switch ev.GetEventType() {
			case enums.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED, enums.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED,
				enums.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED, enums.EVENT_TYPE_MARKER_RECORDED, enums.EVENT_TYPE_TIMER_STARTED,
				enums.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES, enums.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED:
				actions++
			}
		}
		perJourney[r.journey] = append(perJourney[r.journey], events, size, actions)
	}
	for j, v := range perJourney {
		ev, by, ac := 0, 0, 0
		for i := 0; i < len(v); i += 3 {
			ev += v[i]
			by += v[i+1]
			ac += v[i+2]
		}
		k := len(v) / 3
		t.Logf("CAPACITY workflow %s (open until its after-care ends): %d history events, %d bytes, %d actions so far", journeys[j].name, ev/k, by/k, ac/k)
	}
	time.Sleep(1500 * time.Millisecond) // backends flush their table statistics within a second of going idle
	for _, db := range []string{w.dbURL, w.temporal.Databases[0], w.temporal.Databases[1]} {
		c, err := pgx.Connect(ctx, db)
		if err != nil {
			t.Log(err)
			continue
		}
		rows, err := c.Query(ctx, `SELECT schemaname, sum(n_tup_ins)::bigint, sum(n_tup_upd)::bigint, sum(n_tup_del)::bigint,
			sum(pg_total_relation_size(relid))::bigint FROM pg_stat_user_tables GROUP BY 1 ORDER BY 1`)
		if err == nil {
			for rows.Next() {
				var schema string
				var ins, upd, del, size int64
				if rows.Scan(&schema, &ins, &upd, &del, &size) == nil {
					t.Logf("CAPACITY postgres %s/%s: %.1f inserts, %.1f updates, %.1f deletes per booking; %.1f kB on disk per booking (tables and indexes)",
						dbName(db), schema, float64(ins)/n, float64(upd)/n, float64(del)/n, float64(size)/n/1024)
				}
			}
			rows.Close()
		}
		c.Close(ctx)
	}
}

func dbName(u string) string {
	u = u[strings.LastIndex(u, "/")+1:]
	if i := strings.Index(u, "?"); i >= 0 {
		u = u[:i]
	}
	return u
}
