package app_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/google/uuid"
	"google.golang.org/protobuf/proto"

	reputationv1 "github.com/bookwell/bookwell/gen/go/bookwell/reputation/v1"
	schedulingv1 "github.com/bookwell/bookwell/gen/go/bookwell/scheduling/v1"
	"github.com/bookwell/bookwell/pkg/events"
	"github.com/bookwell/bookwell/pkg/natstest"
	"github.com/bookwell/bookwell/pkg/outbox"
	"github.com/bookwell/bookwell/services/scheduling/internal/domain"
	"github.com/bookwell/bookwell/services/scheduling/internal/eventapi"
	"github.com/bookwell/bookwell/services/scheduling/internal/postgres"
)

func introHold(booking, mentor, offering, mentee, zone string, start time.Time) domain.Hold {
	return domain.Hold{BookingID: booking, MentorID: mentor, OfferingID: offering, MenteeID: mentee, Start: start, MenteeTimeZone: zone}
}

func TestIntroRules(t *testing.T) {
	s := newService(t)
	ctx := admin
	intros := map[string]domain.Offering{}
	for i := 1; i <= 5; i++ {
		m := fmt.Sprintf("m%d", i)
		openAllDay(t, s, m, "Asia/Tokyo")
		intros[m] = createOffering(t, s, m, domain.KindIntro, 1)
	}
	_, err := s.Hold(ctx, introHold("x1", "m1", intros["m1"].ID, "ann", "UTC", now.Add(47*time.Hour)))
	wantReason(t, err, "NOTICE_TOO_SHORT")
	_, err = s.Hold(ctx, introHold("x1", "m1", intros["m1"].ID, "ann", "UTC", at(15, 1, 0)))
	wantReason(t, err, "BEYOND_HORIZON")
	r, err := s.Hold(ctx, introHold("x1", "m1", intros["m1"].ID, "ann", "UTC", now.Add(48*time.Hour+time.Minute)))
	if err != nil || r.End.Sub(r.Start) != 20*time.Minute || r.Kind != domain.KindIntro {
		t.Fatalf("intro 48h ahead = %+v, %v", r, err)
	}
	// One free intro per mentee per mentor, even another month; a released
	// one does not count.
	_, err = s.Hold(ctx, introHold("x2", "m1", intros["m1"].ID, "ann", "UTC", at(3, 1, 0)))
	wantReason(t, err, "INTRO_ALREADY_USED")
	if _, err := s.Release(ctx, "x1"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Hold(ctx, introHold("x2", "m1", intros["m1"].ID, "ann", "UTC", at(3, 1, 0))); err != nil {
		t.Fatalf("intro after the first was released: %v", err)
	}

	// Three a month, counted in the mentee's own time zone. Move the clock
	// to 20 June so that 1 July 02:00 UTC is bookable: that is still June
	// in New York, but July in London.
	s.Now = func() time.Time { return time.Date(2026, 6, 20, 12, 0, 0, 0, time.UTC) }
	june := func(d, h int) time.Time { return time.Date(2026, 6, d, h, 0, 0, 0, time.UTC) }
	july1 := time.Date(2026, 7, 1, 2, 0, 0, 0, time.UTC)
	for h, mentee := range []string{"ny", "ldn"} {
		zone := map[string]string{"ny": "America/New_York", "ldn": "Europe/London"}[mentee]
		for i := 1; i <= 3; i++ {
			m := fmt.Sprintf("m%d", i)
			if _, err := s.Hold(ctx, introHold(mentee+m, m, intros[m].ID, mentee, zone, june(22+i, h))); err != nil {
				t.Fatalf("%s intro %d: %v", mentee, i, err)
			}
		}
	}
	_, err = s.Hold(ctx, introHold("ny4", "m5", intros["m5"].ID, "ny", "America/New_York", july1))
	wantReason(t, err, "INTRO_QUOTA_EXCEEDED")
	if _, err := s.Hold(ctx, introHold("ldn4", "m4", intros["m4"].ID, "ldn", "Europe/London", july1)); err != nil {
		t.Fatalf("1 July 03:00 in London is July's quota: %v", err)
	}
}

// The quota holds under concurrency: one mentee racing for 5 intros with 5
// mentors in one month gets exactly 3.
func TestIntroQuotaUnderConcurrency(t *testing.T) {
	s := newService(t)
	ctx := admin
	var offs []domain.Offering
	for i := range 5 {
		m := fmt.Sprintf("m%d", i)
		openEveryDay(t, s, m, "UTC", 0)
		offs = append(offs, createOffering(t, s, m, domain.KindIntro, 1))
	}
	ok, reasons := holdConcurrently(t, 5, func(i int) error {
		_, err := s.Hold(ctx, introHold(fmt.Sprintf("b%d", i), fmt.Sprintf("m%d", i), offs[i].ID, "ann", "UTC", at(4, 10, 0)))
		return err
	})
	if ok != 3 || reasons["INTRO_QUOTA_EXCEEDED"] != 2 {
		t.Fatalf("%d intros held, failures %v; want 3 and 2 × INTRO_QUOTA_EXCEEDED", ok, reasons)
	}
}

func TestAwayMode(t *testing.T) {
	s := newService(t)
	ctx := admin
	openEveryDay(t, s, "m1", "Europe/London", 0)
	o := createOffering(t, s, "m1", domain.KindPaid, 1)
	if _, err := s.Hold(ctx, hold("before", "m1", o.ID, "ann", at(5, 10, 0))); err != nil {
		t.Fatal(err)
	}
	a, _ := s.Availability(ctx, "m1")
	a.AwayStart, a.AwayEnd = at(3, 0, 0), at(10, 0, 0)
	if _, err := s.UpdateAvailability(ctx, a); err != nil {
		t.Fatal(err)
	}
	_, err := s.Hold(ctx, hold("b1", "m1", o.ID, "bob", at(4, 10, 0)))
	wantReason(t, err, "MENTOR_AWAY")
	if _, err := s.Hold(ctx, hold("b2", "m1", o.ID, "bob", at(2, 10, 0))); err != nil {
		t.Fatalf("before the away period: %v", err)
	}
	slots, _ := s.Slots(ctx, "m1", o.ID, at(3, 0, 0), at(10, 0, 0))
	if len(slots) != 0 {
		t.Fatalf("%d slots offered while away", len(slots))
	}
	// Existing bookings stay and can still be confirmed.
	if r, err := s.Confirm(ctx, "before"); err != nil || r.Status != domain.StatusConfirmed {
		t.Fatalf("confirm during away mode = %+v, %v", r, err)
	}
	// The weekly hours survive away mode.
	a.AwayStart, a.AwayEnd = time.Time{}, time.Time{}
	if _, err := s.UpdateAvailability(ctx, a); err != nil {
		t.Fatal(err)
	}
	if slots, _ := s.Slots(ctx, "m1", o.ID, at(4, 0, 0), at(5, 0, 0)); len(slots) != 12 {
		t.Fatalf("%d slots after away mode ended, want 12", len(slots))
	}
}

func publishStanding(t *testing.T, ns *natstest.Server, mentor string, st reputationv1.Standing, at time.Time) {
	t.Helper()
	msg := &reputationv1.MentorStandingChanged{MentorId: mentor, Standing: st, Reason: "test"}
	ev, err := events.Wrap(uuid.New(), reputationv1.EventType_EVENT_TYPE_STANDING_CHANGED, at, msg)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := json.Marshal(ev)
	if _, err := ns.JS.Publish(context.Background(), ev.Type, body); err != nil {
		t.Fatal(err)
	}
}

func TestSuspendedMentorTakesNoHolds(t *testing.T) {
	s := newService(t)
	ns := natstest.New(t)
	ctx, cancel := context.WithCancel(admin)
	if _, err := events.Ensure(ctx, ns.JS, events.ReputationStream); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		done <- eventapi.StandingConsumer(s).With(pool(s), ns.JS, slog.New(slog.NewTextHandler(io.Discard, nil))).Run(ctx)
	}()
	t.Cleanup(func() { cancel(); <-done })

	openEveryDay(t, s, "m1", "Europe/London", 0)
	o := createOffering(t, s, "m1", domain.KindPaid, 1)
	suspended := time.Now()
	publishStanding(t, ns, "m1", reputationv1.Standing_STANDING_SUSPENDED, suspended)
	waitFor(t, func() bool {
		_, err := s.Slots(ctx, "m1", o.ID, at(2, 0, 0), at(3, 0, 0))
		return errors.Is(err, domain.ErrMentorUnavailable)
	})
	_, err := s.Hold(ctx, hold("b1", "m1", o.ID, "ann", at(2, 10, 0)))
	wantReason(t, err, "MENTOR_UNAVAILABLE")
	_, err = s.Slots(ctx, "m1", o.ID, at(2, 0, 0), at(3, 0, 0))
	wantReason(t, err, "MENTOR_UNAVAILABLE")
	// A request with preferred times holds no slot: booking asks for the
	// offering to book, which is refused the same way; the mentor can
	// still read it.
	_, err = s.OfferingToBook(ctx, "m1", o.ID)
	wantReason(t, err, "MENTOR_UNAVAILABLE")
	if _, err := s.Offering(ctx, "m1", o.ID); err != nil {
		t.Fatalf("reading a suspended mentor's offering: %v", err)
	}

	// An older event delivered late does not undo the newer standing.
	handled := func(n int) func() bool {
		return func() bool {
			return count(t, s, `SELECT count(*) FROM processed_events WHERE consumer = $1`, eventapi.StandingDurable) == n
		}
	}
	publishStanding(t, ns, "m1", reputationv1.Standing_STANDING_ACTIVE, suspended.Add(-time.Hour))
	waitFor(t, handled(2))
	_, err = s.Hold(ctx, hold("b1", "m1", o.ID, "ann", at(2, 10, 0)))
	wantReason(t, err, "MENTOR_UNAVAILABLE")
	// A flagged mentor is still bookable.
	publishStanding(t, ns, "m1", reputationv1.Standing_STANDING_FLAGGED, suspended.Add(time.Second))
	waitFor(t, handled(3))
	if _, err := s.Hold(ctx, hold("b1", "m1", o.ID, "ann", at(2, 10, 0))); err != nil {
		t.Fatalf("a flagged mentor still takes bookings: %v", err)
	}
	if _, err := s.OfferingToBook(ctx, "m1", o.ID); err != nil {
		t.Fatalf("a flagged mentor still takes requests with preferred times: %v", err)
	}
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met in 15s")
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// Reservation events reach the SCHEDULING stream through the outbox relay.
func TestEventsAreRelayed(t *testing.T) {
	s := newService(t)
	ns := natstest.New(t)
	ctx, cancel := context.WithCancel(admin)
	relay := &outbox.Relay{Pool: pool(s), JS: ns.JS, Schema: postgres.Schema, Stream: events.SchedulingStream,
		Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Poll: 100 * time.Millisecond}
	done := make(chan error, 1)
	go func() { done <- relay.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })

	openEveryDay(t, s, "m1", "Europe/London", 0)
	o := createOffering(t, s, "m1", domain.KindPaid, 1)
	if _, err := s.Hold(ctx, hold("b1", "m1", o.ID, "ann", at(2, 10, 0))); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Move(ctx, "b1", at(2, 14, 0)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Confirm(ctx, "b1"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Release(ctx, "b1"); err != nil {
		t.Fatal(err)
	}
	var subjects []string
	waitFor(t, func() bool {
		st, err := ns.JS.Stream(ctx, events.SchedulingStream.Name)
		if err != nil {
			return false
		}
		info, err := st.Info(ctx)
		return err == nil && info.State.Msgs == 4
	})
	st, _ := ns.JS.Stream(ctx, events.SchedulingStream.Name)
	for seq := uint64(1); seq <= 4; seq++ {
		m, err := st.GetMsg(ctx, seq)
		if err != nil {
			t.Fatal(err)
		}
		subjects = append(subjects, m.Subject)
		ev, err := events.Parse(m.Data)
		if err != nil {
			t.Fatal(err)
		}
		if m.Header.Get("Nats-Msg-Id") != ev.ID.String() {
			t.Errorf("%s published with message id %q, want the event id", m.Subject, m.Header.Get("Nats-Msg-Id"))
		}
		var msg proto.Message
		switch m.Subject {
		case "reservation.held":
			msg = &schedulingv1.ReservationHeld{}
		case "reservation.moved":
			msg = &schedulingv1.ReservationMoved{}
		case "reservation.confirmed":
			msg = &schedulingv1.ReservationConfirmed{}
		case "reservation.released":
			msg = &schedulingv1.ReservationReleased{}
		}
		if err := ev.Decode(msg); err != nil {
			t.Fatal(err)
		}
		if r := msg.ProtoReflect().Get(msg.ProtoReflect().Descriptor().Fields().ByName("reservation")).Message().Interface().(*schedulingv1.Reservation); r.GetBookingId() != "b1" {
			t.Errorf("%s carries booking %q", m.Subject, r.GetBookingId())
		}
	}
	want := []string{"reservation.held", "reservation.moved", "reservation.confirmed", "reservation.released"}
	for i := range want {
		if subjects[i] != want[i] {
			t.Fatalf("published %v, want %v", subjects, want)
		}
	}
}
