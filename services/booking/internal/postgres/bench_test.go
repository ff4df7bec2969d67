package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/bookwell/bookwell/pkg/identity"
	"github.com/bookwell/bookwell/pkg/pgdb"
	"github.com/bookwell/bookwell/pkg/pgtest"
	"github.com/bookwell/bookwell/services/booking/internal/app"
	"github.com/bookwell/bookwell/services/booking/internal/domain"
)

var benchRows = flag.Int("rows", 100_000, "bookings in the read model of BenchmarkLists (spread over rows/100 mentors, one of them with 10,000)")

// BenchmarkLists measures the booking lists through the use case (app.List
// and app.Export on this store) over a read model of -rows bookings loaded
// with COPY. The database (booking_bench_<rows>) is kept between runs; drop
// it to load anew. Each list reports its p50/p99 over b.N calls:
//
//	go test -run '^$' -bench Lists -benchtime 400x ./services/booking/internal/postgres/ -args -rows 1000000
func BenchmarkLists(b *testing.B) {
	ctx := context.Background()
	pool, err := pgdb.Open(ctx, benchDatabase(b, *benchRows), Schema, Migrations()...)
	if err != nil {
		b.Fatal(err)
	}
	defer pool.Close()
	var n int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM bookings`).Scan(&n); err != nil {
		b.Fatal(err)
	}
	if n != *benchRows {
		began := time.Now()
		if err := load(ctx, pool, *benchRows); err != nil {
			b.Fatal(err)
		}
		b.Logf("loaded %d bookings in %s", *benchRows, time.Since(began).Round(time.Second))
	}
	if _, err := pool.Exec(ctx, `ANALYZE bookings`); err != nil { // as autovacuum would have
		b.Fatal(err)
	}
	svc := app.New(nil, NewStore(pool), domain.DefaultPolicy(), app.Lookups{}, func() time.Time { return benchNow })
	admin := identity.With(ctx, identity.Principal{Subject: "admin-1", Role: identity.RoleAdmin})
	mentor := func(id string) context.Context {
		return identity.With(ctx, identity.Principal{Subject: id, Role: identity.RoleMentor})
	}
	list := func(ctx context.Context, q app.ListQuery) func() int {
		return func() int {
			bs, _, err := svc.List(ctx, q)
			if err != nil {
				b.Fatal(err)
			}
			return len(bs)
		}
	}
	someID := uuid.NewSHA1(benchNamespace, []byte("12345")).String()
	for _, c := range []struct {
		name string
		run  func() int
	}{
		{"mentor first page (100 bookings)", list(mentor("mentor-42"), app.ListQuery{})},
		{"mentor first page (10,000 bookings)", list(mentor(bigMentor), app.ListQuery{})},
		{"admin status filter", list(admin, app.ListQuery{Filter: app.Filter{Statuses: []domain.Status{domain.StatusNoShow}}})},
		{"admin two statuses", list(admin, app.ListQuery{Filter: app.Filter{Statuses: []domain.Status{domain.StatusPending, domain.StatusNegotiating}}})},
		{"admin search by full name", list(admin, app.ListQuery{Filter: app.Filter{Query: "Grace M. Hopper"}})},
		{"admin search by a surname (3% of rows)", list(admin, app.ListQuery{Filter: app.Filter{Query: "hopper"}})},
		{"admin search by email", list(admin, app.ListQuery{Filter: app.Filter{Query: "Mentee-4242@example.com"}})},
		{"admin search by part of an email", list(admin, app.ListQuery{Filter: app.Filter{Query: "ntee-4242"}})},
		{"admin search by booking id", list(admin, app.ListQuery{Filter: app.Filter{Query: someID}})},
		{"mentor upcoming", list(mentor(bigMentor), app.ListQuery{Upcoming: true})},
		{"admin upcoming", list(admin, app.ListQuery{Upcoming: true})},
	} {
		b.Run(c.name, func(b *testing.B) {
			if c.run() == 0 {
				b.Fatal("the list is empty: the benchmark measures nothing")
			}
			took := make([]time.Duration, 0, b.N)
			b.ResetTimer()
			for range b.N {
				t0 := time.Now()
				c.run()
				took = append(took, time.Since(t0))
			}
			b.ReportMetric(percentile(took, 50), "p50-ms")
			b.ReportMetric(percentile(took, 99), "p99-ms")
		})
	}
	// The export holds one page at a time: its peak heap is the same for
	// 1,000 rows as for 10,000.
	for _, rows := range []int{1000, 10_000} {
		b.Run(fmt.Sprintf("export %d rows", rows), func(b *testing.B) {
			q := app.ListQuery{Filter: app.Filter{StartBefore: exportUntil(b, pool, rows)}}
			for range min(b.N, 3) { // an export is long: b.N of them would be too
				peak := peakHeap(func() {
					w := &countingWriter{}
					if err := svc.Export(mentor(bigMentor), q, false, w); err != nil {
						b.Fatal(err)
					}
					if w.lines != rows+1 {
						b.Fatalf("exported %d lines, want %d and the header", w.lines-1, rows)
					}
				})
				b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
			}
		})
	}
}

var (
	benchNow       = time.Date(2030, 6, 1, 12, 0, 0, 0, time.UTC)
	benchNamespace = uuid.MustParse("e3a4c1f2-8b9d-4e6f-a1b2-c3d4e5f60718")
)

const bigMentor = "mentor-big"

// benchDatabase is the URL of booking_bench_<rows> on the test server,
// created when missing.
func benchDatabase(b *testing.B, rows int) string {
	ctx := context.Background()
	admin, err := pgx.Connect(ctx, pgtest.AdminURL())
	if err != nil {
		b.Fatal(err)
	}
	defer admin.Close(ctx)
	name := fmt.Sprintf("booking_bench_%d", rows)
	var exists bool
	if err := admin.QueryRow(ctx, `SELECT EXISTS (SELECT FROM pg_database WHERE datname = $1)`, name).Scan(&exists); err != nil {
		b.Fatal(err)
	}
	if !exists {
		if _, err := admin.Exec(ctx, "CREATE DATABASE "+name); err != nil {
			b.Fatal(err)
		}
	}
	u, err := url.Parse(pgtest.AdminURL())
	if err != nil {
		b.Fatal(err)
	}
	u.Path = "/" + name
	return u.String()
}

var (
	firstNames = []string{"Ada", "Grace", "Alan", "Barbara", "Edsger", "Margaret", "Donald", "Frances", "Ken", "Radia",
		"Linus", "Sophie", "Tim", "Katherine", "John", "Hedy", "Dennis", "Shafi", "Niklaus", "Leslie"}
	lastNames = []string{"Lovelace", "Hopper", "Turing", "Liskov", "Dijkstra", "Hamilton", "Knuth", "Allen", "Thompson",
		"Perlman", "Torvalds", "Wilson", "Berners-Lee", "Johnson", "Backus", "Lamarr", "Ritchie", "Goldwasser", "Wirth", "Lamport",
		"Kay", "Hoare", "Milner", "Cerf", "Kahn", "Floyd", "Codd", "Gray", "Stonebraker", "Pike"}
	benchStatuses = []domain.Status{ // weighted like a marketplace's history
		domain.StatusCompleted, domain.StatusCompleted, domain.StatusCompleted, domain.StatusCompleted, domain.StatusCompleted,
		domain.StatusConfirmed, domain.StatusConfirmed, domain.StatusCancelled, domain.StatusPending, domain.StatusRejected,
		domain.StatusExpired, domain.StatusNoShow, domain.StatusAwaitingPayment, domain.StatusNegotiating,
		domain.StatusPendingConfirmation, domain.StatusCompleted, domain.StatusCompleted, domain.StatusConfirmed,
		domain.StatusCompleted, domain.StatusCancelled,
	}
)

// load fills the read model with rows bookings over rows/100 mentors (one
// of them, bigMentor, with 10,000; the others with about 100), sessions
// spread over a year around benchNow, with COPY.
func load(ctx context.Context, pool *pgxpool.Pool, rows int) error {
	if _, err := pool.Exec(ctx, `TRUNCATE bookings`); err != nil {
		return err
	}
	mentors := max(rows/100, 1)
	policy := toPolicyRow(domain.DefaultPolicy())
	i := 0
	_, err := pool.CopyFrom(ctx, pgx.Identifier{"bookings"},
		[]string{"id", "mentor_id", "mentee_id", "offering_id", "status", "start_time", "end_time", "created_at", "updated_at",
			"version", "snapshot", "payment_method", "payment_status", "mentee_name", "mentee_email", "session_id", "sort_time"},
		pgx.CopyFromFunc(func() ([]any, error) {
			if i == rows {
				return nil, nil
			}
			mentor := fmt.Sprintf("mentor-%d", i%mentors)
			start := benchNow.Add(-300*24*time.Hour + time.Duration(i*37%(390*24))*time.Hour)
			if i < min(10_000, rows) {
				mentor, start = bigMentor, benchNow.Add(-300*24*time.Hour+time.Duration(i)*time.Hour)
			}
			mentee := fmt.Sprintf("mentee-%d", i%max(rows/10, 1))
			r := row{
				ID: uuid.NewSHA1(benchNamespace, []byte(fmt.Sprint(i))).String(), MentorID: mentor, MenteeID: mentee,
				OfferingID: "offering-1", Status: string(benchStatuses[i*7%len(benchStatuses)]), Start: start,
				End: start.Add(time.Hour), Duration: time.Hour, PartySize: 1, Message: "I would like help with my thesis.",
				MenteeName:  fmt.Sprintf("%s %c. %s", firstNames[i%len(firstNames)], 'A'+rune(i/600%26), lastNames[i/20%len(lastNames)]),
				MenteeEmail: mentee + "@example.com", MenteeTZ: "Europe/Berlin", MentorTZ: "America/New_York",
				OfferingKind: string(domain.OfferingPaid), OfferingName: "Deep dive", PaymentMethod: string(domain.PaymentCard),
				PaymentStatus: string(domain.PaymentStatusPaid), Price: moneyRow{"EUR", 5000}, Refunded: moneyRow{"EUR", 0},
				MeetingURL: "https://meet.jit.si/bookwell-x", Policy: policy, CreatedAt: start.Add(-72 * time.Hour),
				UpdatedAt: start.Add(-48 * time.Hour), ExpiresAt: start.Add(-24 * time.Hour), Version: 3,
			}
			i++
			snap, err := json.Marshal(r)
			if err != nil {
				return nil, err
			}
			return []any{r.ID, r.MentorID, r.MenteeID, r.OfferingID, r.Status, r.Start, r.End, r.CreatedAt, r.UpdatedAt,
				r.Version, snap, r.PaymentMethod, r.PaymentStatus, r.MenteeName, r.MenteeEmail,
				domain.SessionID(r.MentorID, r.OfferingID, r.Start), r.Start}, nil
		}))
	if err != nil {
		return err
	}
	_, err = pool.Exec(ctx, `VACUUM ANALYZE bookings`)
	return err
}

// exportUntil is the start_before that selects the big mentor's first rows
// bookings (zero: all of them).
func exportUntil(b *testing.B, pool *pgxpool.Pool, rows int) time.Time {
	var at time.Time
	err := pool.QueryRow(context.Background(), `SELECT sort_time FROM bookings WHERE mentor_id = $1 ORDER BY sort_time, id OFFSET $2 LIMIT 1`,
		bigMentor, rows).Scan(&at)
	if errors.Is(err, pgx.ErrNoRows) {
		return time.Time{}
	}
	if err != nil {
		b.Fatal(err)
	}
	return at
}

// peakHeap runs f and returns the most heap in use while it ran, sampled
// every millisecond.
func peakHeap(f func()) uint64 {
	runtime.GC()
	var peak atomic.Uint64
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		var m runtime.MemStats
		for {
			runtime.ReadMemStats(&m)
			if m.HeapInuse > peak.Load() {
				peak.Store(m.HeapInuse)
			}
			select {
			case <-done:
				return
			case <-time.After(time.Millisecond):
			}
		}
	}()
	f()
	close(done)
	wg.Wait()
	return peak.Load()
}

// countingWriter counts the lines written to it.
type countingWriter struct{ lines int }

func (w *countingWriter) Write(p []byte) (int, error) {
	for _, c := range p {
		if c == '\n' {
			w.lines++
		}
	}
	return len(p), nil
}

var _ io.Writer = (*countingWriter)(nil)

func percentile(ds []time.Duration, p int) float64 {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	return float64(s[min(len(s)-1, len(s)*p/100)].Microseconds()) / 1000
}
