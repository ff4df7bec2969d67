package app_test

import (
	"testing"
	"time"

	"github.com/bookwell/bookwell/services/scheduling/internal/domain"
)

func TestOfferingsCRUD(t *testing.T) {
	s := newService(t)
	ctx := admin
	paid := createOffering(t, s, "m1", domain.KindPaid, 1)
	intro := createOffering(t, s, "m1", domain.KindIntro, 1)
	createOffering(t, s, "m2", domain.KindPaid, 1)

	list, err := s.Offerings(ctx, "m1")
	if err != nil || len(list) != 2 || list[0].ID != paid.ID || list[1].ID != intro.ID {
		t.Fatalf("list = %+v, %v", list, err)
	}
	got, err := s.Offering(ctx, "m1", paid.ID)
	if err != nil || got.Name != "Session" || got.Duration != time.Hour || got.PriceMinor != 5000 || got.Currency != "EUR" || got.Capacity != 1 {
		t.Fatalf("get = %+v, %v", got, err)
	}
	if _, err := s.Offering(ctx, "m2", paid.ID); err == nil {
		t.Fatal("another mentor's offering was found")
	}

	upd := got
	upd.Name, upd.Capacity, upd.Duration, upd.ApprovalRequired = "Group class", 8, 90*time.Minute, true
	if _, err := s.UpdateOffering(ctx, "m1", paid.ID, upd); err != nil {
		t.Fatal(err)
	}
	got, _ = s.Offering(ctx, "m1", paid.ID)
	if got.Name != "Group class" || got.Capacity != 8 || got.Duration != 90*time.Minute || !got.ApprovalRequired {
		t.Fatalf("after update: %+v", got)
	}

	// Bad input is refused and changes nothing.
	bad := got
	bad.Kind = domain.KindIntro
	_, err = s.UpdateOffering(ctx, "m1", paid.ID, bad)
	wantInvalid(t, err)
	bad = got
	bad.Capacity, bad.Name = 0, ""
	_, err = s.UpdateOffering(ctx, "m1", paid.ID, bad)
	wantInvalid(t, err)
	if again, _ := s.Offering(ctx, "m1", paid.ID); again.Capacity != 8 || again.Name != "Group class" {
		t.Fatalf("a refused update changed the offering: %+v", again)
	}
	_, err = s.CreateOffering(ctx, "m1", domain.Offering{Name: "Intro", Kind: domain.KindIntro, Duration: time.Hour, Capacity: 1})
	wantInvalid(t, err)
	if n := count(t, s, `SELECT count(*) FROM offerings`); n != 3 {
		t.Fatalf("%d offerings stored, want 3", n)
	}

	if err := s.DeleteOffering(ctx, "m1", intro.ID); err != nil {
		t.Fatal(err)
	}
	_, err = s.Offering(ctx, "m1", intro.ID)
	wantReason(t, err, "OFFERING_NOT_FOUND")
	wantReason(t, s.DeleteOffering(ctx, "m1", intro.ID), "OFFERING_NOT_FOUND")
	if list, _ := s.Offerings(ctx, "m1"); len(list) != 1 {
		t.Fatalf("withdrawn offering still listed: %+v", list)
	}
}

func TestAvailabilityRoundTripAndSlots(t *testing.T) {
	s := newService(t)
	ctx := admin
	in := domain.Availability{
		MentorID: "m1", TimeZone: "America/New_York", Buffer: 15 * time.Minute, MinNotice: 2 * time.Hour, HorizonDays: 30,
		Weekly: []domain.WeeklyHours{{Day: time.Tuesday, Start: 9 * 60, End: 12 * 60}},
		Exceptions: []domain.DateException{
			{Date: "2026-06-09", Kind: domain.ExceptionBlocked},
			{Date: "2026-06-13", Kind: domain.ExceptionExtraHours, Start: 10 * 60, End: 11 * 60},
		},
		AwayStart: at(20, 0, 0), AwayEnd: at(25, 0, 0),
	}
	if _, err := s.UpdateAvailability(ctx, in); err != nil {
		t.Fatal(err)
	}
	got, err := s.Availability(ctx, "m1")
	if err != nil {
		t.Fatal(err)
	}
	if got.TimeZone != in.TimeZone || got.Buffer != in.Buffer || got.MinNotice != in.MinNotice || got.HorizonDays != 30 ||
		len(got.Weekly) != 1 || got.Weekly[0] != in.Weekly[0] || len(got.Exceptions) != 2 || got.Exceptions[1] != in.Exceptions[1] ||
		!got.AwayStart.Equal(in.AwayStart) {
		t.Fatalf("stored %+v, read back %+v", in, got)
	}
	_, err = s.UpdateAvailability(ctx, domain.Availability{MentorID: "m1", TimeZone: "Nowhere/Land"})
	wantInvalid(t, err)
	if again, _ := s.Availability(ctx, "m1"); again.TimeZone != "America/New_York" {
		t.Fatal("refused availability was stored")
	}

	o := createOffering(t, s, "m1", domain.KindPaid, 1)
	slots, err := s.Slots(ctx, "m1", o.ID, at(0, 0, 0), at(16, 0, 0))
	if err != nil {
		t.Fatal(err)
	}
	var starts []string
	for _, sl := range slots {
		starts = append(starts, sl.Start.UTC().Format("01-02 15:04"))
	}
	// Tuesdays 2 and 16 June 09:00 and 10:15 EDT (13:00, 14:15 UTC); the 9th is
	// blocked; Saturday 13th has extra hours 10-11 EDT.
	want := []string{"06-02 13:00", "06-02 14:15", "06-13 14:00", "06-16 13:00", "06-16 14:15"}
	if len(starts) != len(want) {
		t.Fatalf("slots %v, want %v", starts, want)
	}
	for i := range want {
		if starts[i] != want[i] {
			t.Fatalf("slots %v, want %v", starts, want)
		}
	}

	// A held reservation (with its buffer) takes its slot away.
	if _, err := s.Hold(ctx, domain.Hold{BookingID: "b1", MentorID: "m1", OfferingID: o.ID, MenteeID: "x", Start: slots[0].Start}); err != nil {
		t.Fatal(err)
	}
	slots, _ = s.Slots(ctx, "m1", o.ID, at(1, 0, 0), at(2, 0, 0))
	if len(slots) != 1 || slots[0].Start.UTC().Format("15:04") != "14:15" {
		t.Fatalf("slots after a hold: %+v", slots)
	}
	_, err = s.Slots(ctx, "m1", o.ID, at(0, 0, 0), at(90, 0, 0))
	wantInvalid(t, err)
}
