package workflow

import (
	"context"
	"flag"
	"fmt"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"go.temporal.io/sdk/client"
	"google.golang.org/protobuf/proto"

	"github.com/bookwell/bookwell/pkg/events"
	"github.com/bookwell/bookwell/pkg/temporaltest"
	"github.com/bookwell/bookwell/services/booking/internal/domain"
)

var (
	pendingCount  = flag.Int("pending", 0, "TestManyPendingBookings: how many pending bookings to hold (e.g. 100000)")
	pendingExpire = flag.Int("pending.expiring", 600, "TestManyPendingBookings: how many of them expire while it watches")
)

// TestManyPendingBookings holds -pending bookings waiting for an answer on a
// real Temporal dev server, each with its live timers, and a worker with the
// booking worker's settings (fake scheduling and payments, a store that only
// watches). -pending.expiring of them expire during two minutes once all are
// started: it reports how late each expiry fired after its due time, and the
// worker process's memory. A measurement, not a test: it asserts nothing
// about time.
//
//	go test -run TestManyPendingBookings -v -timeout 2h ./services/booking/internal/workflow/ -args -pending 100000
func TestManyPendingBookings(t *testing.T) {
	if *pendingCount == 0 {
		t.Skip("a measurement: run with -args -pending N")
	}
	ts := temporaltest.New(t, RegisteredSearchAttributes())
	watch := &expiryWatch{due: map[string]time.Time{}}
	w := NewWorker(ts.Client, &Activities{Store: watch, Scheduling: fakeScheduling{offering: paid60}, Payments: fakePayments{}})
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	defer w.Stop()

	n, expiring := *pendingCount, min(*pendingExpire, *pendingCount)
	began := time.Now()
	// Start them all; the expiring ones are due in a window after the last
	// start (estimated generously, then re-aimed below), the others in a
	// week.
	window := 2 * time.Minute
	startAll := func(from, to int, due func(i int) time.Time) {
		var next atomic.Int64
		next.Store(int64(from))
		var wg sync.WaitGroup
		for range 32 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					i := int(next.Add(1) - 1)
					if i >= to {
						return
					}
					startPending(t, ts.Client, i, due(i), watch)
				}
			}()
		}
		wg.Wait()
	}
	week := 7 * 24 * time.Hour
	startAll(0, n-expiring, func(int) time.Time { return time.Now().Add(week) })
	t.Logf("%d bookings started after %s (%.0f/s)", n-expiring, time.Since(began).Round(time.Second),
		float64(n-expiring)/time.Since(began).Seconds())
	// The worker has requested them all (held, authorized, recorded) only
	// when it has caught up with the starts.
	for watch.requestedCount() < n-expiring && time.Since(began) < time.Hour {
		time.Sleep(time.Second)
	}
	t.Logf("%d bookings pending (requested by the worker) after %s", watch.requestedCount(), time.Since(began).Round(time.Second))
	rss, heap := memory()
	t.Logf("worker process with %d pending: RSS %d MiB, Go heap in use %d MiB", n-expiring, rss>>20, heap>>20)

	first := time.Now().Add(30 * time.Second)
	startAll(n-expiring, n, func(i int) time.Time {
		return first.Add(time.Duration(i-(n-expiring)) * window / time.Duration(expiring))
	})
	deadline := first.Add(window + 2*time.Minute)
	for watch.count() < expiring && time.Now().Before(deadline) {
		time.Sleep(time.Second)
	}
	rss, heap = memory()
	late := watch.lateness()
	t.Logf("%d of %d expiries seen; lateness after the due time: p50 %s, p90 %s, p99 %s, max %s",
		len(late), expiring, q(late, 50), q(late, 90), q(late, 99), q(late, 100))
	t.Logf("worker process with %d bookings: RSS %d MiB, Go heap in use %d MiB", n, rss>>20, heap>>20)
	var size int
	it := ts.Client.GetWorkflowHistory(context.Background(), WorkflowID(pendingID(0)), "", false, 0)
	events := 0
	for it.HasNext() {
		ev, err := it.Next()
		if err != nil {
			t.Fatal(err)
		}
		size += proto.Size(ev)
		events++
	}
	t.Logf("history of a pending booking: %d events, %d bytes", events, size)
}

func pendingID(i int) string {
	return uuid.NewSHA1(uuid.NameSpaceOID, []byte("pending-"+strconv.Itoa(i))).String()
}

func startPending(t *testing.T, c client.Client, i int, due time.Time, watch *expiryWatch) {
	now := time.Now()
	p := domain.DefaultPolicy()
	p.ApprovalWindow = due.Sub(now)
	p.ReminderAfter = 2 * p.ApprovalWindow // no reminder before the expiry
	b, err := domain.NewBooking(pendingID(i), domain.Request{MentorID: fmt.Sprintf("mentor-%d", i%1000),
		MenteeID: fmt.Sprintf("mentee-%d", i), OfferingID: "deep-dive", Start: now.Add(30 * 24 * time.Hour),
		PaymentMethod: domain.PaymentCard}, p, now)
	if err != nil {
		t.Fatal(err)
	}
	watch.expect(b.ID(), due)
	if _, err := c.ExecuteWorkflow(context.Background(), client.StartWorkflowOptions{ID: WorkflowID(b.ID()), TaskQueue: TaskQueue,
		TypedSearchAttributes: SearchAttributes(b)}, BookingWorkflow, Input{Booking: toState(b), Fingerprint: "fp"}); err != nil {
		t.Error(err)
	}
}

// expiryWatch is a store that notes when each booking was saved expired.
type expiryWatch struct {
	mu        sync.Mutex
	due       map[string]time.Time
	late      []time.Duration
	requested int
}

func (e *expiryWatch) requestedCount() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.requested
}

func (e *expiryWatch) expect(id string, due time.Time) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.due[id] = due
}

func (e *expiryWatch) Save(_ context.Context, b *domain.Booking, _ *events.Event) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if b.Status() == domain.StatusPending {
		e.requested++
		return nil
	}
	if b.Status() != domain.StatusExpired {
		return nil
	}
	if due, ok := e.due[b.ID()]; ok {
		e.late = append(e.late, time.Since(due))
		delete(e.due, b.ID())
	}
	return nil
}

func (e *expiryWatch) count() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return len(e.late)
}

func (e *expiryWatch) lateness() []time.Duration {
	e.mu.Lock()
	defer e.mu.Unlock()
	return slices.Clone(e.late)
}

func q(ds []time.Duration, p int) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[min(len(s)-1, len(s)*p/100)].Round(time.Millisecond)
}

// memory is this process's resident set and Go heap in use.
func memory() (rss, heap uint64) {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	b, _ := os.ReadFile("/proc/self/status")
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmRSS:" {
			kb, _ := strconv.ParseUint(f[1], 10, 64)
			rss = kb << 10
		}
	}
	return rss, m.HeapInuse
}
