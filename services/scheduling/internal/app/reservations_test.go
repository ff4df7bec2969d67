package app_test

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bookwell/bookwell/pkg/apperr"
	"github.com/bookwell/bookwell/services/scheduling/internal/domain"
)

func hold(booking, mentor, offering, mentee string, start time.Time) domain.Hold {
	return domain.Hold{BookingID: booking, MentorID: mentor, OfferingID: offering, MenteeID: mentee, Start: start, MenteeTimeZone: "Europe/London"}
}

func TestHoldIsIdempotent(t *testing.T) {
	s := newService(t)
	ctx := admin
	openEveryDay(t, s, "m1", "Europe/London", 0)
	o := createOffering(t, s, "m1", domain.KindPaid, 1)
	h := hold("b1", "m1", o.ID, "alice", at(2, 10, 0))
	first, err := s.Hold(ctx, h)
	if err != nil {
		t.Fatal(err)
	}
	if first.Status != domain.StatusHeld || !first.End.Equal(at(2, 11, 0)) {
		t.Fatalf("held %+v", first)
	}
	again, err := s.Hold(ctx, h)
	if err != nil || again.BookingID != "b1" || again.Version != first.Version || !again.Start.Equal(first.Start) {
		t.Fatalf("retried hold = %+v, %v", again, err)
	}
	if n := count(t, s, `SELECT count(*) FROM reservations`); n != 1 {
		t.Fatalf("%d reservations after a retried hold", n)
	}
	if n := count(t, s, `SELECT count(*) FROM outbox WHERE subject = 'reservation.held'`); n != 1 {
		t.Fatalf("%d reservation.held events after a retried hold", n)
	}
	// The same booking asking for another time is a caller's bug, not a retry.
	other := h
	other.Start = at(3, 10, 0)
	_, err = s.Hold(ctx, other)
	wantReason(t, err, "BOOKING_ALREADY_HELD")
}

func TestHoldRejectsBadInputAndChangesNothing(t *testing.T) {
	s := newService(t)
	ctx := admin
	openEveryDay(t, s, "m1", "Europe/London", 0)
	o := createOffering(t, s, "m1", domain.KindPaid, 1)
	for _, h := range []domain.Hold{
		{MentorID: "m1", OfferingID: o.ID, MenteeID: "a", Start: at(2, 10, 0)},
		{BookingID: "b", MentorID: "m1", OfferingID: o.ID, MenteeID: "a"},
		{BookingID: "b", MentorID: "m1", OfferingID: o.ID, MenteeID: "a", Start: at(2, 10, 0), PartySize: -1},
		{BookingID: "b", MentorID: "m1", OfferingID: o.ID, MenteeID: "a", Start: at(2, 10, 0), MenteeTimeZone: "Moon/Base"},
	} {
		_, err := s.Hold(ctx, h)
		wantInvalid(t, err)
	}
	_, err := s.Hold(ctx, hold("b", "m2", o.ID, "a", at(2, 10, 0)))
	wantReason(t, err, "OFFERING_NOT_FOUND")
	_, err = s.Hold(ctx, hold("b", "m1", "not-a-uuid", "a", at(2, 10, 0)))
	wantReason(t, err, "OFFERING_NOT_FOUND")
	_, err = s.Hold(ctx, hold("b", "m1", o.ID, "a", at(2, 21, 0)))
	wantReason(t, err, "OUTSIDE_AVAILABILITY")
	_, err = s.Hold(ctx, hold("b", "m1", o.ID, "a", at(0, 14, 0)))
	wantReason(t, err, "NOTICE_TOO_SHORT")
	_, err = s.Hold(ctx, hold("b", "m1", o.ID, "a", at(100, 10, 0)))
	wantReason(t, err, "BEYOND_HORIZON")
	p := hold("b", "m1", o.ID, "a", at(2, 10, 0))
	p.PartySize = 2
	_, err = s.Hold(ctx, p)
	wantReason(t, err, "OVER_CAPACITY")
	if n := count(t, s, `SELECT count(*) FROM reservations`) + count(t, s, `SELECT count(*) FROM outbox`); n != 0 {
		t.Fatalf("refused holds left %d rows", n)
	}
}

// holdConcurrently fires n holds for distinct bookings at one slot and
// returns how many succeeded and the reasons of the failures.
func holdConcurrently(t *testing.T, n int, do func(i int) error) (int, map[string]int) {
	var wg sync.WaitGroup
	var mu sync.Mutex
	ok, reasons := 0, map[string]int{}
	start := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			err := do(i)
			mu.Lock()
			defer mu.Unlock()
			var ae *apperr.Error
			switch {
			case err == nil:
				ok++
			case errors.As(err, &ae):
				reasons[ae.Reason]++
			default:
				reasons["unexpected: "+err.Error()]++
			}
		}()
	}
	close(start)
	wg.Wait()
	return ok, reasons
}

func TestNoOverbookingUnderConcurrency(t *testing.T) {
	for _, tc := range []struct {
		name     string
		capacity int
		reason   string
	}{
		{"one-to-one", 1, "SLOT_TAKEN"},
		{"class of 12", 12, "OVER_CAPACITY"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newService(t)
			ctx := admin
			openEveryDay(t, s, "m1", "Europe/London", 0)
			o := createOffering(t, s, "m1", domain.KindPaid, tc.capacity)
			const n = 200
			ok, reasons := holdConcurrently(t, n, func(i int) error {
				_, err := s.Hold(ctx, hold(fmt.Sprintf("b%03d", i), "m1", o.ID, fmt.Sprintf("mentee%d", i), at(3, 9, 0)))
				return err
			})
			if ok != tc.capacity || reasons[tc.reason] != n-tc.capacity || len(reasons) != 1 {
				t.Fatalf("%d holds succeeded, failures %v; want %d and %d × %s", ok, reasons, tc.capacity, n-tc.capacity, tc.reason)
			}
			if held := count(t, s, `SELECT coalesce(sum(party_size), 0)::int FROM reservations WHERE status = 'HELD'`); held != tc.capacity {
				t.Fatalf("%d seats held, capacity %d", held, tc.capacity)
			}
		})
	}
}

// Overlapping sessions of different offerings of one mentor also race; the
// exclusion constraint lets exactly one through.
func TestNoDoubleBookingAcrossOfferings(t *testing.T) {
	s := newService(t)
	ctx := admin
	openEveryDay(t, s, "m1", "Europe/London", 10*time.Minute)
	var offs []domain.Offering
	for range 4 {
		offs = append(offs, createOffering(t, s, "m1", domain.KindPaid, 1))
	}
	ok, reasons := holdConcurrently(t, 200, func(i int) error {
		// Starts spread over 09:00-09:50, every 10 minutes: all overlap 09:50-10:00.
		start := at(3, 9, 10*(i%6))
		_, err := s.Hold(ctx, hold(fmt.Sprintf("b%03d", i), "m1", offs[i%4].ID, fmt.Sprintf("mentee%d", i), start))
		return err
	})
	if ok != 1 || reasons["SLOT_TAKEN"] != 199 {
		t.Fatalf("%d overlapping holds succeeded, failures %v", ok, reasons)
	}
}

func TestMoveIsAtomic(t *testing.T) {
	s := newService(t)
	ctx := admin
	openEveryDay(t, s, "m1", "Europe/London", 0)
	o := createOffering(t, s, "m1", domain.KindPaid, 1)
	if _, err := s.Hold(ctx, hold("b1", "m1", o.ID, "alice", at(2, 10, 0))); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Hold(ctx, hold("b2", "m1", o.ID, "bob", at(2, 12, 0))); err != nil {
		t.Fatal(err)
	}
	// Onto bob's time: refused, and alice keeps 10:00.
	_, err := s.Move(ctx, "b1", at(2, 12, 30))
	wantReason(t, err, "SLOT_TAKEN")
	r, _ := s.Reservation(ctx, "b1")
	if !r.Start.Equal(at(2, 10, 0)) {
		t.Fatalf("failed move changed the start to %v", r.Start)
	}
	_, err = s.Hold(ctx, hold("b3", "m1", o.ID, "carol", at(2, 10, 0)))
	wantReason(t, err, "SLOT_TAKEN")

	// Half an hour later, overlapping its own old time: fine.
	moved, err := s.Move(ctx, "b1", at(2, 10, 30))
	if err != nil || !moved.Start.Equal(at(2, 10, 30)) || !moved.End.Equal(at(2, 11, 30)) || moved.Version != 2 {
		t.Fatalf("move = %+v, %v", moved, err)
	}
	if again, err := s.Move(ctx, "b1", at(2, 10, 30)); err != nil || again.Version != 2 {
		t.Fatalf("retried move = %+v, %v", again, err)
	}
	// The old 10:00 is free only up to 10:30 now; 08:30 fits.
	if _, err := s.Hold(ctx, hold("b3", "m1", o.ID, "carol", at(2, 9, 30))); err != nil {
		t.Fatalf("time freed by a move: %v", err)
	}
	_, err = s.Move(ctx, "b1", at(2, 22, 0))
	wantReason(t, err, "OUTSIDE_AVAILABILITY")
	_, err = s.Move(ctx, "nope", at(2, 15, 0))
	wantReason(t, err, "RESERVATION_NOT_FOUND")
	if n := count(t, s, `SELECT count(*) FROM outbox WHERE subject = 'reservation.moved'`); n != 1 {
		t.Fatalf("%d moved events, want 1", n)
	}
}

func TestConfirmAndRelease(t *testing.T) {
	s := newService(t)
	ctx := admin
	openEveryDay(t, s, "m1", "Europe/London", 0)
	o := createOffering(t, s, "m1", domain.KindPaid, 1)
	if _, err := s.Hold(ctx, hold("b1", "m1", o.ID, "alice", at(2, 10, 0))); err != nil {
		t.Fatal(err)
	}
	c, err := s.Confirm(ctx, "b1")
	if err != nil || c.Status != domain.StatusConfirmed || !strings.HasPrefix(c.MeetingURL, "https://meet.jit.si/") {
		t.Fatalf("confirm = %+v, %v", c, err)
	}
	c2, err := s.Confirm(ctx, "b1")
	if err != nil || c2.MeetingURL != c.MeetingURL || c2.Version != c.Version {
		t.Fatalf("retried confirm = %+v, %v", c2, err)
	}
	_, err = s.Confirm(ctx, "nope")
	wantReason(t, err, "RESERVATION_NOT_FOUND")

	r, err := s.Release(ctx, "b1")
	if err != nil || r == nil || r.Status != domain.StatusReleased {
		t.Fatalf("release = %+v, %v", r, err)
	}
	if r, err := s.Release(ctx, "b1"); err != nil || r.Version != 3 {
		t.Fatalf("retried release = %+v, %v", r, err)
	}
	if r, err := s.Release(ctx, "never-held"); err != nil || r != nil {
		t.Fatalf("release of nothing = %+v, %v", r, err)
	}
	_, err = s.Confirm(ctx, "b1")
	wantReason(t, err, "RESERVATION_RELEASED")
	_, err = s.Move(ctx, "b1", at(3, 10, 0))
	wantReason(t, err, "RESERVATION_RELEASED")
	// The slot is free again.
	if _, err := s.Hold(ctx, hold("b2", "m1", o.ID, "bob", at(2, 10, 0))); err != nil {
		t.Fatalf("hold after release: %v", err)
	}
	for subject, want := range map[string]int{"reservation.held": 2, "reservation.confirmed": 1, "reservation.released": 1} {
		if n := count(t, s, `SELECT count(*) FROM outbox WHERE subject = $1`, subject); n != want {
			t.Errorf("%d %s events, want %d", n, subject, want)
		}
	}
}

func TestClassSeatsAndParties(t *testing.T) {
	s := newService(t)
	ctx := admin
	openEveryDay(t, s, "m1", "Europe/London", 0)
	class := createOffering(t, s, "m1", domain.KindPaid, 5)
	p := hold("b1", "m1", class.ID, "alice", at(2, 10, 0))
	p.PartySize = 4
	if _, err := s.Hold(ctx, p); err != nil {
		t.Fatal(err)
	}
	slots, _ := s.Slots(ctx, "m1", class.ID, at(2, 10, 0), at(2, 10, 1))
	if len(slots) != 1 || slots[0].SeatsLeft != 1 {
		t.Fatalf("slots = %+v, want one with 1 seat left", slots)
	}
	p2 := hold("b2", "m1", class.ID, "bob", at(2, 10, 0))
	p2.PartySize = 2
	_, err := s.Hold(ctx, p2)
	wantReason(t, err, "OVER_CAPACITY")
	p2.PartySize = 1
	if _, err := s.Hold(ctx, p2); err != nil {
		t.Fatal(err)
	}
	// A one-to-one of another offering cannot sit on the class.
	o := createOffering(t, s, "m1", domain.KindPaid, 1)
	_, err = s.Hold(ctx, hold("b3", "m1", o.ID, "carol", at(2, 10, 30)))
	wantReason(t, err, "SLOT_TAKEN")

	free, err := s.Conflicts(ctx, "m1", at(2, 10, 0), at(2, 11, 0), "b1")
	if err != nil || len(free) != 0 {
		t.Fatalf("conflicts for a class member = %v, %v; want none (same session)", free, err)
	}
	busy, err := s.Conflicts(ctx, "m1", at(2, 10, 30), at(2, 11, 30), "b9")
	if err != nil || len(busy) != 2 || busy[0] != "b1" || busy[1] != "b2" {
		t.Fatalf("conflicts = %v, %v; want b1 b2", busy, err)
	}
	if n, _ := s.Conflicts(ctx, "m1", at(2, 11, 0), at(2, 12, 0), ""); len(n) != 0 {
		t.Fatalf("back-to-back counted as a conflict: %v", n)
	}
}
