package postgres_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/bookwell/bookwell/pkg/events"
	"github.com/bookwell/bookwell/pkg/pgdb"
	"github.com/bookwell/bookwell/pkg/pgtest"
	"github.com/bookwell/bookwell/services/booking/internal/app"
	"github.com/bookwell/bookwell/services/booking/internal/domain"
	"github.com/bookwell/bookwell/services/booking/internal/postgres"
	"github.com/bookwell/bookwell/services/booking/internal/workflow"
)

// The store's contract, against a real Postgres: what app.Store and
// workflow.Store promise.
var (
	_ app.Store      = (*postgres.Store)(nil)
	_ workflow.Store = (*postgres.Store)(nil)
)

var t0 = time.Date(2030, 3, 4, 9, 0, 0, 0, time.UTC)

func newStore(t *testing.T) (*postgres.Store, func(string) int) {
	t.Helper()
	if testing.Short() {
		t.Skip("integration: real Postgres")
	}
	pool, err := pgdb.Open(context.Background(), pgtest.New(t), postgres.Schema, postgres.Migrations()...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	outboxed := func(id string) int {
		var n int
		if err := pool.QueryRow(context.Background(), `SELECT count(*) FROM outbox WHERE id = $1`, id).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	return postgres.NewStore(pool), outboxed
}

// booking makes a requested booking: mentor, mentee, name, start offset.
func booking(t *testing.T, i int, mentor, mentee, name string, start time.Duration) *domain.Booking {
	t.Helper()
	return pricedBooking(t, i, mentor, mentee, name, start, domain.Money{Currency: "EUR", Amount: 5000})
}

// pricedBooking is booking at another price.
func pricedBooking(t *testing.T, i int, mentor, mentee, name string, start time.Duration, price domain.Money) *domain.Booking {
	t.Helper()
	b, err := domain.NewBooking(fmt.Sprintf("00000000-0000-4000-8000-%012d", i), domain.Request{
		MentorID: mentor, MenteeID: mentee, OfferingID: "o", Start: t0.Add(start), PaymentMethod: domain.PaymentCard,
		MenteeName: name, MenteeEmail: mentee + "@example.com", IntakeAnswers: map[string]string{"why": "Go"},
		Attendees: []string{}, PartySize: 1,
	}, domain.DefaultPolicy(), t0.Add(-time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if err := b.ApplyOffering(domain.Offering{Kind: domain.OfferingPaid, Name: "Deep dive", Duration: time.Hour,
		Price: price, MentorTZ: "Europe/Berlin"}); err != nil {
		t.Fatal(err)
	}
	if err := b.Requested(domain.PaymentStatusAuthorized); err != nil {
		t.Fatal(err)
	}
	return b
}

func TestASavedBookingReadsBackAsItWasAndAnOlderVersionNeverOverwritesIt(t *testing.T) {
	s, outboxed := newStore(t)
	ctx := context.Background()
	b := booking(t, 1, "mentor-grace", "mentee-ada", "Ada Lovelace", 48*time.Hour)
	ev, err := events.New(workflow.EventID(b.ID(), 1), "booking.requested", "booking", t0, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Save(ctx, b, &ev); err != nil {
		t.Fatal(err)
	}
	if err := s.Save(ctx, b, &ev); err != nil { // a retried activity
		t.Fatal(err)
	}
	if n := outboxed(ev.ID.String()); n != 1 {
		t.Fatalf("the event is in the outbox %d times", n)
	}
	got, err := s.Get(ctx, b.ID())
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got.Snapshot(), b.Snapshot()) {
		t.Fatalf("read back\n%+v\nsaved\n%+v", got.Snapshot(), b.Snapshot())
	}

	older := domain.Restore(b.Snapshot())
	if err := b.Approve(domain.System, time.Time{}, domain.Approved{Payment: domain.PaymentStatusPaid}, t0); err != nil {
		t.Fatal(err)
	}
	if err := s.Save(ctx, b, nil); err != nil {
		t.Fatal(err)
	}
	if err := s.Save(ctx, older, nil); err != nil { // a late retry of the first save
		t.Fatal(err)
	}
	if got, _ := s.Get(ctx, b.ID()); got.Status() != domain.StatusConfirmed || got.Version() != 2 {
		t.Fatalf("after an older save: %s v%d", got.Status(), got.Version())
	}
	if _, err := s.Get(ctx, "00000000-0000-4000-8000-999999999999"); !errors.Is(err, domain.ErrNotFound) {
		t.Fatalf("a missing booking: %v", err)
	}
}

func TestListsFilterSearchOrderAndPage(t *testing.T) {
	s, _ := newStore(t)
	ctx := context.Background()
	var all []*domain.Booking
	for i := range 7 {
		mentor := "mentor-grace"
		if i%2 == 1 {
			mentor = "mentor-linus"
		}
		b := booking(t, i+1, mentor, fmt.Sprintf("mentee-%d", i), fmt.Sprintf("Mentee %c", 'A'+i), time.Duration(7-i)*time.Hour)
		if i == 3 {
			if err := b.Approve(domain.System, time.Time{}, domain.Approved{Payment: domain.PaymentStatusPaid}, t0); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.Save(ctx, b, nil); err != nil {
			t.Fatal(err)
		}
		all = append(all, b)
	}
	ids := func(bs []*domain.Booking) []string {
		var out []string
		for _, b := range bs {
			out = append(out, b.ID())
		}
		return out
	}
	list := func(f app.Filter) []string {
		t.Helper()
		bs, next, err := s.List(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		if next != "" {
			t.Fatalf("unexpected next page for %+v", f)
		}
		return ids(bs)
	}
	want := func(is ...int) []string {
		var out []string
		for _, i := range is {
			out = append(out, all[i].ID())
		}
		return out
	}
	for _, c := range []struct {
		name string
		f    app.Filter
		want []string
	}{
		{"a mentor's, by session time", app.Filter{MentorID: "mentor-grace"}, want(6, 4, 2, 0)},
		{"newest session first", app.Filter{MentorID: "mentor-grace", OrderBy: "start_time desc"}, want(0, 2, 4, 6)},
		{"one status", app.Filter{Statuses: []domain.Status{domain.StatusConfirmed}}, want(3)},
		{"two statuses, merged in order", app.Filter{Statuses: []domain.Status{domain.StatusConfirmed, domain.StatusPending}, MentorID: "mentor-linus"}, want(5, 3, 1)},
		{"search by name, any case", app.Filter{Query: "mentee c"}, want(2)},
		{"search by email", app.Filter{Query: "MENTEE-4@EXAMPLE.com"}, want(4)},
		{"search by the beginning of an email", app.Filter{Query: "mentee-4@"}, want(4)},
		{"search inside an email", app.Filter{Query: "tee-4"}, want(4)},
		{"an address is not searched inside", app.Filter{Query: "ntee-4@example.com"}, nil},
		{"search by booking id", app.Filter{Query: all[5].ID()}, want(5)},
		{"a LIKE wildcard is a plain character", app.Filter{Query: "%"}, nil},
		{"a time window", app.Filter{StartAfter: t0.Add(2 * time.Hour), StartBefore: t0.Add(4 * time.Hour)}, want(5, 4)},
	} {
		if got := list(c.f); !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: got %v, want %v", c.name, got, c.want)
		}
	}

	// Pages of 3 walk all seven once, in order, also with two statuses.
	for _, f := range []app.Filter{{PageSize: 3}, {PageSize: 3, Statuses: []domain.Status{domain.StatusPending, domain.StatusConfirmed}}} {
		var seen []string
		for {
			bs, next, err := s.List(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			seen = append(seen, ids(bs)...)
			if next == "" {
				break
			}
			f.PageToken = next
		}
		if w := want(6, 5, 4, 3, 2, 1, 0); !reflect.DeepEqual(seen, w) {
			t.Errorf("pages %+v: %v, want %v", f, seen, w)
		}
	}
	var each []string
	if err := s.Each(ctx, app.Filter{MentorID: "mentor-linus"}, func(b *domain.Booking) error {
		each = append(each, b.ID())
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if w := want(5, 3, 1); !reflect.DeepEqual(each, w) {
		t.Errorf("each: %v, want %v", each, w)
	}
	if _, _, err := s.List(ctx, app.Filter{PageToken: "nonsense"}); !errors.Is(err, app.ErrBadPageToken) {
		t.Errorf("a bad page token: %v", err)
	}
}

func TestAMentorsPolicyIsSavedAndReadBack(t *testing.T) {
	s, _ := newStore(t)
	ctx := context.Background()
	if _, ok, err := s.Policy(ctx, "mentor-grace"); err != nil || ok {
		t.Fatalf("no policy yet: %v %v", ok, err)
	}
	p := domain.DefaultPolicy()
	p.AutoApprove, p.ApprovalWindow = true, 72*time.Hour
	if err := s.SavePolicy(ctx, "mentor-grace", p); err != nil {
		t.Fatal(err)
	}
	if got, ok, err := s.Policy(ctx, "mentor-grace"); err != nil || !ok || got != p {
		t.Fatalf("read back %+v %v %v; saved %+v", got, ok, err, p)
	}
}
