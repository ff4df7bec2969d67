package postgres_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/bookwell/bookwell/pkg/pgtest"
	"github.com/bookwell/bookwell/services/scheduling/internal/app"
	"github.com/bookwell/bookwell/services/scheduling/internal/domain"
	"github.com/bookwell/bookwell/services/scheduling/internal/postgres"
)

// The contract of app.Store, checked against real Postgres: what the use
// cases rely on the store for.

var t0 = time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)

func newStore(t *testing.T) (app.Store, *pgxpool.Pool) {
	t.Helper()
	pool, err := postgres.Open(context.Background(), pgtest.New(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	return &postgres.Store{Pool: pool}, pool
}

func offering(mentor string, capacity int) domain.Offering {
	return domain.Offering{ID: uuid.NewString(), MentorID: mentor, Name: "Session", Kind: domain.KindPaid,
		Duration: time.Hour, PriceMinor: 5000, Currency: "EUR", Capacity: capacity, CreatedAt: t0, UpdatedAt: t0}
}

func TestOfferingsAreTheirMentorsAndChangeInOneTransaction(t *testing.T) {
	s, _ := newStore(t)
	ctx := context.Background()
	a, b := offering("m1", 1), offering("m1", 1)
	b.CreatedAt = t0.Add(time.Minute)
	for _, o := range []domain.Offering{b, a} {
		if err := s.CreateOffering(ctx, o); err != nil {
			t.Fatal(err)
		}
	}
	if got, err := s.Offering(ctx, "m1", a.ID); err != nil || got.Name != "Session" || got.Duration != time.Hour || got.Currency != "EUR" {
		t.Fatalf("read back %+v, %v", got, err)
	}
	for _, id := range []string{a.ID, "not-a-uuid", uuid.NewString()} {
		if _, err := s.Offering(ctx, "m2", id); !errors.Is(err, domain.ErrOfferingNotFound) {
			t.Errorf("m2 reading %s: %v, want OFFERING_NOT_FOUND", id, err)
		}
	}
	if list, err := s.Offerings(ctx, "m1"); err != nil || len(list) != 2 || list[0].ID != a.ID {
		t.Fatalf("list %+v, %v; want a then b, oldest first", list, err)
	}

	refused := errors.New("refused")
	if _, err := s.UpdateOffering(ctx, "m1", a.ID, func(o *domain.Offering) error { o.Name = "Changed"; return refused }); !errors.Is(err, refused) {
		t.Fatalf("update: %v, want the change's error", err)
	}
	if got, _ := s.Offering(ctx, "m1", a.ID); got.Name != "Session" {
		t.Fatalf("a refused change was stored: %q", got.Name)
	}
	if got, err := s.UpdateOffering(ctx, "m1", a.ID, func(o *domain.Offering) error { o.Name = "Changed"; return nil }); err != nil || got.Name != "Changed" {
		t.Fatalf("update: %+v, %v", got, err)
	}

	if err := s.DeleteOffering(ctx, "m1", a.ID, t0); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteOffering(ctx, "m1", a.ID, t0); !errors.Is(err, domain.ErrOfferingNotFound) {
		t.Fatalf("deleting twice: %v, want OFFERING_NOT_FOUND", err)
	}
	if _, err := s.Offering(ctx, "m1", a.ID); !errors.Is(err, domain.ErrOfferingNotFound) {
		t.Fatalf("a withdrawn offering is still read: %v", err)
	}
}

func TestAvailabilityIsReadBackAsWritten(t *testing.T) {
	s, _ := newStore(t)
	ctx := context.Background()
	if a, err := s.Availability(ctx, "m1"); err != nil || a.TimeZone != "UTC" || len(a.Weekly) != 0 {
		t.Fatalf("never set: %+v, %v; want none, in UTC", a, err)
	}
	in := domain.Availability{MentorID: "m1", TimeZone: "Europe/Berlin",
		Weekly: []domain.WeeklyHours{{Day: time.Monday, Start: 9 * 60, End: 17 * 60}},
		Exceptions: []domain.DateException{
			{Date: "2026-06-08", Kind: domain.ExceptionBlocked},
			{Date: "2026-06-13", Kind: domain.ExceptionExtraHours, Start: 10 * 60, End: 12 * 60},
		},
		Buffer: 15 * time.Minute, MinNotice: 2 * time.Hour, HorizonDays: 30,
		AwayStart: t0.Add(24 * time.Hour), AwayEnd: t0.Add(48 * time.Hour), UpdatedAt: t0}
	if err := s.PutAvailability(ctx, in); err != nil {
		t.Fatal(err)
	}
	got, err := s.Availability(ctx, "m1")
	if err != nil {
		t.Fatal(err)
	}
	if got.TimeZone != in.TimeZone || len(got.Weekly) != 1 || got.Weekly[0] != in.Weekly[0] ||
		len(got.Exceptions) != 2 || got.Exceptions[0] != in.Exceptions[0] || got.Exceptions[1] != in.Exceptions[1] ||
		got.Buffer != in.Buffer || got.MinNotice != in.MinNotice || got.HorizonDays != 30 ||
		!got.AwayStart.Equal(in.AwayStart) || !got.AwayEnd.Equal(in.AwayEnd) {
		t.Fatalf("read back %+v\nwrote %+v", got, in)
	}
}

func TestTheNewestStandingWins(t *testing.T) {
	s, pool := newStore(t)
	ctx := context.Background()
	if st, err := s.Standing(ctx, "m1"); err != nil || st != domain.Unannounced {
		t.Fatalf("never announced: %+v, %v", st, err)
	}
	set := func(st domain.Standing, at time.Time) {
		t.Helper()
		if err := pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
			return postgres.InTx(tx).SetStanding(ctx, "m1", st, "test", at)
		}); err != nil {
			t.Fatal(err)
		}
	}
	suspended := domain.Standing{Name: "SUSPENDED", TakesBookings: false}
	set(suspended, t0)
	set(domain.Standing{Name: "ACTIVE", TakesBookings: true}, t0.Add(-time.Hour))
	if st, _ := s.Standing(ctx, "m1"); st != suspended {
		t.Fatalf("after an older standing: %+v, want still suspended", st)
	}
}

// outboxed lists the subjects of the events recorded for a booking, sorted.
func outboxed(t *testing.T, pool *pgxpool.Pool, bookingID string) []string {
	t.Helper()
	rows, err := pool.Query(context.Background(), `SELECT subject FROM outbox
		WHERE convert_from(payload, 'UTF8')::jsonb->'data'->'reservation'->>'bookingId' = $1 ORDER BY subject`, bookingID)
	if err != nil {
		t.Fatal(err)
	}
	subjects, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	return subjects
}

func TestAReservationChangesWithItsEventOrNotAtAll(t *testing.T) {
	s, pool := newStore(t)
	ctx := context.Background()
	o := offering("m1", 1)
	if err := s.CreateOffering(ctx, o); err != nil {
		t.Fatal(err)
	}
	pass := func(domain.HoldState) error { return nil }
	start := t0.Add(48 * time.Hour)
	h := domain.Hold{BookingID: "b1", MentorID: "m1", OfferingID: o.ID, MenteeID: "ann", Start: start, PartySize: 1, MenteeTimeZone: "UTC"}

	// The rules refuse: nothing is stored.
	refused := errors.New("refused by the rules")
	if _, _, err := s.Hold(ctx, h, t0, func(domain.HoldState) error { return refused }); !errors.Is(err, refused) {
		t.Fatalf("hold: %v, want the checker's error", err)
	}
	if _, err := s.Reservation(ctx, "b1"); !errors.Is(err, domain.ErrReservationNotFound) {
		t.Fatalf("a refused hold was stored: %v", err)
	}

	r, existed, err := s.Hold(ctx, h, t0, pass)
	if err != nil || existed || r.Status != domain.StatusHeld || !r.End.Equal(start.Add(time.Hour)) {
		t.Fatalf("hold: %+v existed=%v %v", r, existed, err)
	}
	// Again: the same reservation, nothing new.
	if again, existed, err := s.Hold(ctx, h, t0, pass); err != nil || !existed || again.Version != r.Version {
		t.Fatalf("hold again: %+v existed=%v %v", again, existed, err)
	}
	// Another booking at that time: the database refuses.
	other := h
	other.BookingID, other.MenteeID = "b2", "bob"
	if _, _, err := s.Hold(ctx, other, t0, pass); !errors.Is(err, domain.ErrSlotTaken) {
		t.Fatalf("second hold at the same time: %v, want SLOT_TAKEN", err)
	}
	if ids, err := s.Conflicts(ctx, "m1", start, start.Add(time.Hour), ""); err != nil || len(ids) != 1 || ids[0] != "b1" {
		t.Fatalf("conflicts %v, %v; want b1", ids, err)
	}

	if c, err := s.Confirm(ctx, "b1", "https://meet.example/1", t0); err != nil || c.Status != domain.StatusConfirmed || c.MeetingURL != "https://meet.example/1" {
		t.Fatalf("confirm: %+v, %v", c, err)
	}
	if c, err := s.Confirm(ctx, "b1", "https://meet.example/2", t0); err != nil || c.MeetingURL != "https://meet.example/1" {
		t.Fatalf("confirm again: %+v, %v; want the first link kept", c, err)
	}
	if sessions, err := s.ConfirmedSessions(ctx, "m1", t0); err != nil || len(sessions) != 1 || sessions[0].BookingID != "b1" || sessions[0].Seats != 1 {
		t.Fatalf("confirmed sessions %+v, %v", sessions, err)
	}
	moved, err := s.Move(ctx, "b1", start.Add(2*time.Hour), t0, pass)
	if err != nil || !moved.Start.Equal(start.Add(2*time.Hour)) {
		t.Fatalf("move: %+v, %v", moved, err)
	}
	// The old time is free again.
	if _, _, err := s.Hold(ctx, other, t0, pass); err != nil {
		t.Fatalf("the time moved away from is still taken: %v", err)
	}

	if rel, err := s.Release(ctx, "b1", t0); err != nil || rel == nil || rel.Status != domain.StatusReleased {
		t.Fatalf("release: %+v, %v", rel, err)
	}
	if rel, err := s.Release(ctx, "b1", t0); err != nil || rel == nil || rel.Version != moved.Version+1 {
		t.Fatalf("release again: %+v, %v; want it unchanged", rel, err)
	}
	if rel, err := s.Release(ctx, "never-held", t0); err != nil || rel != nil {
		t.Fatalf("release of a booking that never held: %+v, %v; want nil", rel, err)
	}
	want := []string{"reservation.confirmed", "reservation.held", "reservation.moved", "reservation.released"}
	if got := outboxed(t, pool, "b1"); !slices.Equal(got, want) {
		t.Fatalf("events of b1: %v, want one of each of %v", got, want)
	}
}
