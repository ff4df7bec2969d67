package render

import (
	"bytes"
	"strings"
	"testing"
	"time"

	ics "github.com/arran4/golang-ical"

	"github.com/bookwell/bookwell/services/notifications/internal/domain"
)

func approvedInput(reader domain.Role) Input {
	b := domain.Booking{
		ID: "b1", MentorID: "mentor-1", MenteeID: "mentee-1", OfferingName: "Career chat",
		Start: time.Date(2026, 3, 2, 14, 0, 0, 0, time.UTC), End: time.Date(2026, 3, 2, 15, 0, 0, 0, time.UTC),
		MeetingURL: "https://meet.example/abc", Status: "CONFIRMED", Version: 3,
	}
	in := Input{
		Notice: domain.Notice{Kind: "approved", Reader: reader, Calendar: true},
		Event:  domain.BookingEvent{Subject: "booking.approved", Booking: b},
	}
	mentor := domain.Recipient{Name: "Maria", TimeZone: "Europe/Berlin"}
	mentee := domain.Recipient{Name: "Tom", TimeZone: "America/New_York"}
	if reader == domain.RoleMentor {
		in.Reader, in.Other = mentor, mentee
	} else {
		in.Reader, in.Other = mentee, mentor
	}
	return in
}

func TestEveryKindRenders(t *testing.T) {
	r, err := New("https://app.example")
	if err != nil {
		t.Fatal(err)
	}
	for kind := range r.text {
		in := approvedInput(domain.RoleMentee)
		in.Notice.Kind = kind
		in.Event.Text = "hello"
		in.Amount = domain.Money{Currency: "EUR", AmountMinor: 4050}
		m, err := r.Render(in)
		if err != nil {
			t.Fatalf("%s: %v", kind, err)
		}
		if m.Title == "" || m.Summary == "" || m.Text == "" || !strings.Contains(m.HTML, "Hi Tom") {
			t.Errorf("%s: incomplete rendering %+v", kind, m)
		}
		if strings.Contains(m.Text+m.HTML+m.Title, "<no value>") {
			t.Errorf("%s: a field is missing from the view: %s", kind, m.Text)
		}
	}
	if len(r.text) < 15 {
		t.Errorf("only %d templates", len(r.text))
	}
}

func TestApprovedShowsEachReadersTimeZone(t *testing.T) {
	r, err := New("https://app.example")
	if err != nil {
		t.Fatal(err)
	}
	mentee, err := r.Render(approvedInput(domain.RoleMentee))
	if err != nil {
		t.Fatal(err)
	}
	mentor, err := r.Render(approvedInput(domain.RoleMentor))
	if err != nil {
		t.Fatal(err)
	}
	if want := "09:00 EST (America/New_York)"; !strings.Contains(mentee.Text, want) || !strings.Contains(mentee.HTML, want) {
		t.Errorf("mentee sees %q, want %q", mentee.Text, want)
	}
	if want := "15:00 CET (Europe/Berlin)"; !strings.Contains(mentor.Text, want) {
		t.Errorf("mentor sees %q, want %q", mentor.Text, want)
	}
	for _, s := range []string{"calendar.google.com", "calendar.yahoo.com", "outlook.live.com", "https://meet.example/abc", "https://app.example/bookings/b1"} {
		if !strings.Contains(mentee.Text, s) {
			t.Errorf("mentee text lacks %q", s)
		}
	}
	if len(mentee.Attachments) != 1 {
		t.Fatalf("attachments %v", mentee.Attachments)
	}
	cal, err := ics.ParseCalendar(bytes.NewReader(mentee.Attachments[0].Data))
	if err != nil {
		t.Fatal(err)
	}
	evs := cal.Events()
	if len(evs) != 1 {
		t.Fatalf("%d events", len(evs))
	}
	start, err := evs[0].GetStartAt()
	if err != nil || !start.Equal(time.Date(2026, 3, 2, 14, 0, 0, 0, time.UTC)) {
		t.Errorf("start %v %v", start, err)
	}
	if got := evs[0].GetProperty(ics.ComponentPropertySummary).Value; got != "Career chat with Maria" {
		t.Errorf("summary %q", got)
	}
}
