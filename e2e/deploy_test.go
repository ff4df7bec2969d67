package e2e

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"go.temporal.io/sdk/temporal"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"

	"github.com/bookwell/bookwell/deploy/cluster"
	"github.com/bookwell/bookwell/deploy/stack"
	"github.com/bookwell/bookwell/pkg/natstest"
	"github.com/bookwell/bookwell/pkg/pgtest"
	"github.com/bookwell/bookwell/pkg/temporaltest"
)

// deps are Postgres, NATS and Temporal, each behind a proxy that can cut it.
type deps struct {
	pg, nats, temporal *cluster.Proxy
	dbURL              string
}

func startDeps(t *testing.T) deps {
	t.Helper()
	ns := natstest.New(t)
	ts := temporaltest.New(t, searchAttributes())
	db := pgtest.New(t)
	u, err := url.Parse(db)
	if err != nil {
		t.Fatal(err)
	}
	var d deps
	proxy := func(target string) *cluster.Proxy {
		p, err := cluster.StartProxy(target)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { p.Close() })
		return p
	}
	d.pg = proxy(u.Host)
	d.nats = proxy(strings.TrimPrefix(ns.URL, "nats://"))
	d.temporal = proxy(ts.HostPort)
	u.Host = d.pg.Addr
	d.dbURL = u.String()
	return d
}

func (d deps) env() map[string]string {
	return map[string]string{"DATABASE_URL": d.dbURL, "NATS_URL": "nats://" + d.nats.Addr,
		"TEMPORAL_ADDRESS": d.temporal.Addr, "LOG_FORMAT": "text"}
}

// TestReadinessFollowsDependencies: bookingd and the booking worker say they
// are not ready while Postgres, NATS or Temporal cannot be reached (gRPC
// health and /readyz, naming the dependency), and ready again by themselves
// once it is back; liveness stays up throughout.
func TestReadinessFollowsDependencies(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end: builds and runs binaries")
	}
	d := startDeps(t)
	env := d.env()
	addrs, err := stack.FreeAddrs()
	if err != nil {
		t.Fatal(err)
	}
	env["BOOKING_GRPC_ADDR"] = addrs["BOOKING_GRPC_ADDR"]
	ports, err := cluster.FreePorts(2)
	if err != nil {
		t.Fatal(err)
	}
	admin := map[string]string{"bookingd": "127.0.0.1:" + itoa(ports[0]), "booking-worker": "127.0.0.1:" + itoa(ports[1])}
	var bins []stack.Binary
	for _, b := range stack.Binaries() {
		if a, ok := admin[b.Name]; ok {
			b.Env = map[string]string{"ADMIN_HTTP_ADDR": a}
			bins = append(bins, b)
		}
	}
	s, err := stack.NewServices(stack.ServicesOptions{StateDir: t.TempDir(), Binaries: bins, Env: env})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	if err := s.Build(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		s.Stop()
		if t.Failed() {
			dumpLogs(t, s.LogDir())
		}
	})
	if err := s.StartAll(ctx); err != nil {
		t.Fatal(err)
	}
	conn, err := grpc.NewClient(env["BOOKING_GRPC_ADDR"], grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	health := func() healthpb.HealthCheckResponse_ServingStatus {
		cctx, ccancel := context.WithTimeout(ctx, 2*time.Second)
		defer ccancel()
		r, err := healthpb.NewHealthClient(conn).Check(cctx, &healthpb.HealthCheckRequest{})
		if err != nil {
			return healthpb.HealthCheckResponse_UNKNOWN
		}
		return r.GetStatus()
	}
	get := func(addr, path string) (int, string) {
		res, err := http.Get("http://" + addr + path)
		if err != nil {
			return 0, err.Error()
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b)
	}
	// ready waits until every process in who is ready (want) or not ready
	// naming dep, and checks liveness stays up.
	ready := func(want bool, dep string, who ...string) {
		t.Helper()
		eventually(t, 30*time.Second, fmt.Sprintf("%v ready=%v (%s)", who, want, dep), func() bool {
			for _, name := range who {
				if name == "bookingd" && (health() == healthpb.HealthCheckResponse_SERVING) != want {
					return false
				}
				code, body := get(admin[name], "/readyz")
				if (code == http.StatusOK) != want || (!want && !strings.Contains(body, dep)) {
					return false
				}
				if code, _ := get(admin[name], "/livez"); code != http.StatusOK {
					t.Fatalf("%s /livez answered %d while %s was down", name, code, dep)
				}
			}
			return true
		})
	}
	both := []string{"bookingd", "booking-worker"}
	ready(true, "", both...)
	for _, c := range []struct {
		dep   string
		proxy *cluster.Proxy
		who   []string
	}{
		{"postgres", d.pg, both},
		{"nats", d.nats, []string{"bookingd"}}, // the worker does not use NATS
		{"temporal", d.temporal, both},
	} {
		c.proxy.Cut()
		ready(false, c.dep, c.who...)
		if len(c.who) == 1 {
			if code, body := get(admin["booking-worker"], "/readyz"); code != http.StatusOK {
				t.Errorf("the worker, which does not use %s, went unready: %d %s", c.dep, code, body)
			}
		}
		c.proxy.Restore()
		ready(true, c.dep, both...)
	}
}

// TestBootstrapIsIdempotent: `<process> bootstrap` for every process makes
// the schemas (as a migrations role, granting the application's role), the
// streams, the consumers and the search attributes; a second run changes
// nothing; and a process started without bootstrapping on its own refuses
// a database the bootstrap has not prepared.
func TestBootstrapIsIdempotent(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end: builds and runs binaries")
	}
	ns := natstest.New(t)
	ts := temporaltest.New(t, temporal.SearchAttributes{}) // none: the bootstrap registers them
	db := pgtest.New(t)
	name := db[strings.LastIndex(db, "/")+1:]
	if i := strings.Index(name, "?"); i >= 0 {
		name = name[:i]
	}
	ctx := context.Background()
	c, err := pgx.Connect(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(ctx)
	suffix := itoa(int(time.Now().UnixNano() % 1_000_000))
	app, mig := "bw_app_"+suffix, "bw_mig_"+suffix
	for _, stmt := range []string{"CREATE ROLE " + app + " LOGIN", "CREATE ROLE " + mig + " LOGIN",
		"GRANT CONNECT ON DATABASE " + name + " TO " + app, "GRANT CONNECT, CREATE ON DATABASE " + name + " TO " + mig} {
		if _, err := c.Exec(ctx, stmt); err != nil {
			t.Fatal(err)
		}
	}
	t.Cleanup(func() {
		c, err := pgx.Connect(context.Background(), db)
		if err != nil {
			return
		}
		defer c.Close(context.Background())
		// The database goes with pgtest; the roles are the server's.
		for _, r := range []string{app, mig} {
			_, _ = c.Exec(context.Background(), "DROP OWNED BY "+r+" CASCADE")
		}
	})
	as := func(role string) string { return strings.Replace(db, "//postgres@", "//"+role+"@", 1) }
	env := map[string]string{"DATABASE_URL": as(app), "MIGRATIONS_DATABASE_URL": as(mig), "NATS_URL": ns.URL,
		"TEMPORAL_ADDRESS": ts.HostPort, "LOG_FORMAT": "text", "BOOTSTRAP_ON_START": "false"}
	addrs, err := stack.FreeAddrs()
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range addrs {
		env[k] = v
	}
	var bins []stack.Binary // the back end; the console has no schema
	for _, b := range stack.Binaries() {
		if b.Name != "consoled" {
			bins = append(bins, b)
		}
	}
	s, err := stack.NewServices(stack.ServicesOptions{StateDir: t.TempDir(), Env: env, Binaries: bins})
	if err != nil {
		t.Fatal(err)
	}
	bctx, cancel := context.WithTimeout(ctx, 10*time.Minute)
	defer cancel()
	if err := s.Build(bctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Stop)

	// Not bootstrapped yet: a process says what to do and does not start.
	out, err := s.Once(bctx, "schedulingd")
	if err == nil || !strings.Contains(string(out), "run `schedulingd bootstrap`") {
		t.Fatalf("schedulingd on an empty database: %v\n%s", err, out)
	}

	processes := []string{"schedulingd", "paymentsd", "notificationsd", "reputationd", "bookingd", "gatewayd"}
	bootstrap := func() string {
		var all strings.Builder
		for _, p := range processes {
			out, err := s.Once(bctx, p, "bootstrap")
			if err != nil {
				t.Fatal(err)
			}
			all.Write(out)
		}
		return all.String()
	}
	first := bootstrap()
	for _, want := range []string{`msg="bootstrap: stream SCHEDULING" service=schedulingd result="created (1 replicas)"`,
		`msg="bootstrap: search attributes" service=bookingd result="added BookingStatus, MenteeId, MentorId, NextDeadline, PaymentStatus, SessionStart"`,
		`msg="bootstrap: schema booking" service=bookingd result="migrated, use granted to ` + app + `"`,
		`msg="bootstrap: consumer notifications-booking" service=notificationsd result=created`} {
		if !strings.Contains(first, want) {
			t.Errorf("first bootstrap did not log %s:\n%s", want, first)
		}
	}
	before := schemaVersions(t, c)
	second := bootstrap()
	steps := regexp.MustCompile(`msg="bootstrap: (stream|consumer|search attributes)[^"]*" service=\S+ result=("[^"]*"|\S+)`).FindAllStringSubmatch(second, -1)
	if len(steps) < 10 {
		t.Fatalf("second bootstrap logged %d stream, consumer and attribute steps:\n%s", len(steps), second)
	}
	for _, m := range steps {
		if m[2] != "unchanged" {
			t.Errorf("second bootstrap changed something: %s", m[0])
		}
	}
	if after := schemaVersions(t, c); after != before {
		t.Errorf("second bootstrap applied migrations: %s, then %s", before, after)
	}
	// Bootstrapped: the processes start as the application's role.
	if err := s.StartAll(bctx); err != nil {
		t.Fatal(err)
	}
}

// schemaVersions lists every goose version table's rows, for comparison.
func schemaVersions(t *testing.T, c *pgx.Conn) string {
	t.Helper()
	rows, err := c.Query(context.Background(), `SELECT table_schema || '.' || table_name FROM information_schema.tables
		WHERE table_name LIKE 'goose%' ORDER BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	tables, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, tbl := range tables {
		var n int
		if err := c.QueryRow(context.Background(), "SELECT count(*) FROM "+tbl).Scan(&n); err != nil {
			t.Fatal(err)
		}
		b.WriteString(tbl + "=" + itoa(n) + " ")
	}
	return b.String()
}

func itoa(n int) string { return strconv.Itoa(n) }
