package postgres_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/bookwell/bookwell/pkg/events"
	"github.com/bookwell/bookwell/services/booking/internal/app"
	"github.com/bookwell/bookwell/services/booking/internal/domain"
	"github.com/bookwell/bookwell/services/booking/internal/postgres"
	"github.com/bookwell/bookwell/services/booking/internal/protoconv"
)

var _ app.ErasureStore = (*postgres.Store)(nil)

// Erasing a mentee: refused while a booking of theirs may still change;
// then their bookings keep the money and the dates under a pseudonym, their
// name, email and words are gone (from the lists' search too), an audit
// record and one event are written, and erasing again changes nothing.
func TestErasingAPersonAnonymisesTheirBookingsOnceTheyCanNoLongerChange(t *testing.T) {
	s, outboxed := newStore(t)
	ctx := context.Background()
	mine := booking(t, 1, "mentor-grace", "mentee-ada", "Ada Lovelace", 48*time.Hour)
	other := booking(t, 2, "mentor-grace", "mentee-bob", "Bob Builder", 72*time.Hour)
	for _, b := range []*domain.Booking{mine, other} {
		if err := s.Save(ctx, b, nil); err != nil {
			t.Fatal(err)
		}
	}
	erase := func(now time.Time) (domain.Erasure, bool, error) {
		e, err := domain.NewErasure("mentee-ada", "admin-1", "ticket 42", now)
		if err != nil {
			t.Fatal(err)
		}
		return s.EraseUser(ctx, "mentee-ada", e, func(e domain.Erasure) (events.Event, error) {
			return protoconv.UserErasedEvent(e, "mentee-ada")
		}, now)
	}

	// Pending: refused, nothing changed.
	if _, _, err := erase(t0); !errors.Is(err, domain.ErrErasureNotYet) {
		t.Fatalf("erasing with a pending booking: %v", err)
	}
	if got, _ := s.Get(ctx, mine.ID()); got.MenteeID() != "mentee-ada" {
		t.Fatalf("a refused erasure changed the booking: %s", got.MenteeID())
	}

	// Rejected: within its after-care still refused, after it erased.
	rejectedAt := t0.Add(time.Hour)
	if err := mine.Reject(domain.Actor{ID: "mentor-grace", Role: domain.RoleMentor}, "Ada Lovelace's topic is not mine",
		domain.Payment{Status: domain.PaymentStatusNone}, rejectedAt); err != nil {
		t.Fatal(err)
	}
	if err := s.Save(ctx, mine, nil); err != nil {
		t.Fatal(err)
	}
	if _, _, err := erase(rejectedAt.Add(24 * time.Hour)); !errors.Is(err, domain.ErrErasureNotYet) {
		t.Fatalf("erasing within the after-care: %v", err)
	}
	later := t0.Add(domain.DefaultPolicy().AfterCare + 72*time.Hour)
	e, done, err := erase(later)
	if err != nil || !done || e.Bookings != 1 || e.Pseudonym == "" || e.RequestedBy != "admin-1" || e.Reason != "ticket 42" {
		t.Fatalf("erase: %+v %v %v", e, done, err)
	}
	if outboxed(e.ID) != 1 {
		t.Fatal("no event announces the erasure")
	}
	got, err := s.Get(ctx, mine.ID())
	if err != nil {
		t.Fatal(err)
	}
	snap := got.Snapshot()
	if snap.MenteeID != e.Pseudonym || snap.MenteeName != "" || snap.MenteeEmail != "" || len(snap.IntakeAnswers) != 0 ||
		(snap.Outcome != nil && snap.Outcome.Reason != "") {
		t.Fatalf("personal data left: %+v", snap)
	}
	if snap.Price.Amount != 5000 || snap.MentorID != "mentor-grace" || !snap.Start.Equal(mine.Start()) {
		t.Fatalf("money, the other side or the date lost: %+v", snap)
	}
	for _, f := range []app.Filter{{MenteeID: "mentee-ada"}, {Query: "Ada"}, {Query: "mentee-ada@example.com"}} {
		if list, _, err := s.List(ctx, f); err != nil || len(list) != 0 {
			t.Fatalf("the erased mentee is still found by %+v: %d %v", f, len(list), err)
		}
	}
	if list, _, _ := s.List(ctx, app.Filter{MenteeID: e.Pseudonym}); len(list) != 1 {
		t.Fatalf("the pseudonym finds %d bookings", len(list))
	}
	if b, _ := s.Get(ctx, other.ID()); b.Snapshot().MenteeName != "Bob Builder" {
		t.Fatal("someone else's booking was changed")
	}

	// Again: the first erasure, nothing new.
	again, done, err := erase(later.Add(time.Hour))
	if err != nil || done || again.ID != e.ID || again.Pseudonym != e.Pseudonym {
		t.Fatalf("erasing again: %+v %v %v", again, done, err)
	}
}
