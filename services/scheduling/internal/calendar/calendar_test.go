package calendar

import (
	"net/url"
	"strings"
	"testing"
	"time"

	ics "github.com/arran4/golang-ical"
)

var ev = Event{
	UID:         "booking-b1@bookwell",
	Title:       "Intro with Ada, Lovelace & co",
	Description: "First chat; bring questions.\nJoin: https://meet.jit.si/bookwell-x",
	Location:    "https://meet.jit.si/bookwell-x",
	Start:       time.Date(2026, 3, 29, 0, 30, 0, 0, time.UTC),
	End:         time.Date(2026, 3, 29, 0, 50, 0, 0, time.UTC),
	Updated:     time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC),
	Sequence:    2,
}

func query(t *testing.T, raw string) url.Values {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return u.Query()
}

func TestLinks(t *testing.T) {
	l := LinksFor(ev)
	g := query(t, l.Google)
	if !strings.HasPrefix(l.Google, "https://calendar.google.com/calendar/render?") || g.Get("action") != "TEMPLATE" ||
		g.Get("dates") != "20260329T003000Z/20260329T005000Z" || g.Get("text") != ev.Title || g.Get("details") != ev.Description {
		t.Errorf("google link %s", l.Google)
	}
	y := query(t, l.Yahoo)
	if y.Get("st") != "20260329T003000Z" || y.Get("et") != "20260329T005000Z" || y.Get("title") != ev.Title || y.Get("v") != "60" {
		t.Errorf("yahoo link %s", l.Yahoo)
	}
	o := query(t, l.Outlook)
	if o.Get("startdt") != "2026-03-29T00:30:00Z" || o.Get("enddt") != "2026-03-29T00:50:00Z" || o.Get("subject") != ev.Title || o.Get("rru") != "addevent" {
		t.Errorf("outlook link %s", l.Outlook)
	}
	// A time given in another zone is the same instant in the links.
	local := ev
	local.Start = ev.Start.In(time.FixedZone("X", 5*3600))
	if LinksFor(local).Google != l.Google {
		t.Error("links depend on the zone of the time value")
	}
}

func TestICSParsesBack(t *testing.T) {
	second := ev
	second.UID, second.Title = "session-7@bookwell", "Group class"
	second.Start, second.End = ev.Start.Add(24*time.Hour), ev.End.Add(25*time.Hour)
	doc := ICS("Ada's sessions", ev, second)
	if !strings.Contains(doc, "\r\n") {
		t.Fatal("ICS lines must end in CRLF")
	}
	cal, err := ics.ParseCalendar(strings.NewReader(doc))
	if err != nil {
		t.Fatal(err)
	}
	events := cal.Events()
	if len(events) != 2 {
		t.Fatalf("%d events parsed, want 2", len(events))
	}
	e := events[0]
	start, err1 := e.GetStartAt()
	end, err2 := e.GetEndAt()
	if err1 != nil || err2 != nil || !start.Equal(ev.Start) || !end.Equal(ev.End) {
		t.Fatalf("start %v end %v (%v %v), want %v %v", start, end, err1, err2, ev.Start, ev.End)
	}
	if e.Id() != ev.UID || e.GetProperty(ics.ComponentPropertySummary).Value != ev.Title ||
		e.GetProperty(ics.ComponentPropertyDescription).Value != ev.Description ||
		e.GetProperty(ics.ComponentPropertyLocation).Value != ev.Location {
		t.Fatalf("event round trip lost data:\n%s", doc)
	}
	if events[1].Id() != second.UID {
		t.Fatalf("second event %q", events[1].Id())
	}
}
