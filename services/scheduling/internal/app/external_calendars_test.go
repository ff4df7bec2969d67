package app_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bookwell/bookwell/services/scheduling/internal/app"
	"github.com/bookwell/bookwell/services/scheduling/internal/domain"
	"github.com/bookwell/bookwell/services/scheduling/internal/icsfeed"
)

// feed is an iCalendar feed served on this machine, whose events and
// answer the test changes.
type feed struct {
	*httptest.Server
	mu     sync.Mutex
	events []domain.Interval
	status int
	body   string // served as is when set
}

func newFeed(t *testing.T, events ...domain.Interval) *feed {
	f := &feed{events: events, status: http.StatusOK}
	f.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		f.mu.Lock()
		defer f.mu.Unlock()
		if f.status != http.StatusOK {
			http.Error(w, "unavailable", f.status)
			return
		}
		if f.body != "" {
			_, _ = w.Write([]byte(f.body))
			return
		}
		var b strings.Builder
		b.WriteString("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n")
		for i, e := range f.events {
			fmt.Fprintf(&b, "BEGIN:VEVENT\r\nUID:e%d@test\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:%s\r\nDTEND:%s\r\nSUMMARY:Busy\r\nEND:VEVENT\r\n",
				i, e.Start.UTC().Format("20060102T150405Z"), e.End.UTC().Format("20060102T150405Z"))
		}
		b.WriteString("END:VCALENDAR\r\n")
		_, _ = w.Write([]byte(b.String()))
	}))
	t.Cleanup(f.Close)
	return f
}

func (f *feed) set(status int, body string, events ...domain.Interval) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.status, f.body, f.events = status, body, events
}

// withFeeds is s fetching feeds on this machine, as a local stack does.
func withFeeds(t *testing.T, s *app.Service, refresh time.Duration) *app.Service {
	t.Helper()
	f, err := icsfeed.New(icsfeed.Config{AllowPrefixes: []string{"127.0.0.0/8"}, AnyPort: true, Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	s.Feeds = f
	s.Calendars = app.ExternalCalendarPolicy{Refresh: refresh, Horizon: 60 * 24 * time.Hour}
	return s
}

func slotStarts(t *testing.T, s *app.Service, mentor string, o domain.Offering, day int) []string {
	t.Helper()
	slots, err := s.Slots(asMentor(mentor), mentor, o.ID, at(day, 0, 0), at(day+1, 0, 0))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, sl := range slots {
		out = append(out, sl.Start.UTC().Format("15:04"))
	}
	return out
}

func TestABusyTimeInAnotherCalendarTakesNoSession(t *testing.T) {
	s := withFeeds(t, newService(t), time.Hour)
	openEveryDay(t, s, "m1", "UTC", 0)
	o := createOffering(t, s, "m1", domain.KindPaid, 1)
	f := newFeed(t, domain.Interval{Start: at(3, 10, 30), End: at(3, 12, 0)})

	c, err := s.AddExternalCalendar(asMentor("m1"), "m1", "Work", f.URL+"/work.ics")
	if err != nil {
		t.Fatal(err)
	}
	if c.BusyPeriods != 1 || c.FetchedAt.IsZero() || c.LastError != "" {
		t.Fatalf("connected as %+v", c)
	}
	got := strings.Join(slotStarts(t, s, "m1", o, 3), " ")
	if strings.Contains(got, "10:00") || strings.Contains(got, "11:00") || !strings.Contains(got, "09:00") || !strings.Contains(got, "12:00") {
		t.Fatalf("slots on the busy day: %s; want 10:00 and 11:00 gone", got)
	}
	_, err = s.Hold(admin, domain.Hold{BookingID: "b1", MentorID: "m1", OfferingID: o.ID, MenteeID: "e1", Start: at(3, 11, 0)})
	wantReason(t, err, "MENTOR_BUSY")
	names, err := s.BusyCalendars(admin, "m1", at(3, 11, 30), at(3, 12, 30))
	if err != nil || len(names) != 1 || names[0] != "Work" {
		t.Fatalf("busy calendars: %v %v", names, err)
	}
	if names, _ := s.BusyCalendars(admin, "m1", at(3, 12, 0), at(3, 13, 0)); len(names) != 0 {
		t.Fatalf("busy after the event ended: %v", names)
	}

	// Removed, the calendar takes nothing any more.
	if err := s.RemoveExternalCalendar(asMentor("m1"), "m1", c.ID); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(slotStarts(t, s, "m1", o, 3), " "); !strings.Contains(got, "10:00") {
		t.Fatalf("slots after removing the calendar: %s", got)
	}
}

func TestAFeedThatFailsKeepsItsLastGoodCopyAndSaysWhy(t *testing.T) {
	s := withFeeds(t, newService(t), time.Hour)
	openEveryDay(t, s, "m1", "UTC", 0)
	o := createOffering(t, s, "m1", domain.KindPaid, 1)
	f := newFeed(t, domain.Interval{Start: at(3, 10, 0), End: at(3, 11, 0)})
	c, err := s.AddExternalCalendar(asMentor("m1"), "m1", "Work", f.URL)
	if err != nil {
		t.Fatal(err)
	}

	for _, down := range []struct {
		status int
		body   string
		why    string
	}{
		{http.StatusServiceUnavailable, "", "the server answered 503 Service Unavailable"},
		{http.StatusOK, "<html>sign in</html>", "not a readable iCalendar file"},
	} {
		f.set(down.status, down.body)
		got, err := s.RefreshExternalCalendar(asMentor("m1"), "m1", c.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(got.LastError, down.why) || !got.FetchedAt.Equal(c.FetchedAt) || got.BusyPeriods != 1 || !got.LastAttemptAt.After(c.FetchedAt) {
			t.Fatalf("after a failed fetch: %+v; want the error %q and the first copy's time", got, down.why)
		}
		if got := strings.Join(slotStarts(t, s, "m1", o, 3), " "); strings.Contains(got, "10:00") {
			t.Fatalf("the last good copy no longer counts: %s", got)
		}
	}

	// Back up with another event: the new copy replaces the old.
	f.set(http.StatusOK, "", domain.Interval{Start: at(3, 14, 0), End: at(3, 15, 0)})
	got, err := s.RefreshExternalCalendar(asMentor("m1"), "m1", c.ID)
	if err != nil || got.LastError != "" || !got.FetchedAt.After(c.FetchedAt) {
		t.Fatalf("after the feed came back: %+v %v", got, err)
	}
	if got := strings.Join(slotStarts(t, s, "m1", o, 3), " "); !strings.Contains(got, "10:00") || strings.Contains(got, "14:00") {
		t.Fatalf("slots after the new copy: %s", got)
	}
}

func TestAFeedThatCannotBeReadIsNotConnected(t *testing.T) {
	s := withFeeds(t, newService(t), time.Hour)
	openEveryDay(t, s, "m1", "UTC", 0)
	f := newFeed(t)
	f.set(http.StatusNotFound, "")
	_, err := s.AddExternalCalendar(asMentor("m1"), "m1", "Work", f.URL)
	wantInvalid(t, err)
	if !strings.Contains(err.Error(), "could not be read: the server answered 404 Not Found") {
		t.Fatalf("refusal: %v", err)
	}
	for _, bad := range []string{"", "ftp://example.com/cal.ics", "https://user:pw@example.com/cal.ics", "not a url", "file:///etc/passwd"} {
		_, err := s.AddExternalCalendar(asMentor("m1"), "m1", "Work", bad)
		wantInvalid(t, err)
	}
	if n := count(t, s, `SELECT count(*) FROM external_calendars`); n != 0 {
		t.Fatalf("%d calendars stored after refusals", n)
	}
	// Another mentor's calendars are not one's own.
	good := newFeed(t)
	c, err := s.AddExternalCalendar(asMentor("m1"), "m1", "Work", good.URL)
	if err != nil {
		t.Fatal(err)
	}
	wantReason(t, s.RemoveExternalCalendar(asMentor("m2"), "m1", c.ID), "NOT_YOUR_RESOURCE")
	wantReason(t, s.RemoveExternalCalendar(asMentor("m2"), "m2", c.ID), "EXTERNAL_CALENDAR_NOT_FOUND")
	for i := 1; i < domain.MaxExternalCalendars; i++ {
		if _, err := s.AddExternalCalendar(asMentor("m1"), "m1", fmt.Sprint("Cal ", i), good.URL); err != nil {
			t.Fatal(err)
		}
	}
	_, err = s.AddExternalCalendar(asMentor("m1"), "m1", "One too many", good.URL)
	wantReason(t, err, "TOO_MANY_CALENDARS")
}

// The schedule fetches every calendar again once its refresh is due, without
// anyone asking.
func TestCalendarsAreFetchedOnASchedule(t *testing.T) {
	s := withFeeds(t, newService(t), 50*time.Millisecond)
	s.Now = time.Now // the schedule runs on the wall clock
	openEveryDay(t, s, "m1", "UTC", 0)
	day := time.Now().UTC().Add(72 * time.Hour).Truncate(24 * time.Hour)
	f := newFeed(t, domain.Interval{Start: day.Add(10 * time.Hour), End: day.Add(11 * time.Hour)})
	c, err := s.AddExternalCalendar(asMentor("m1"), "m1", "Work", f.URL)
	if err != nil {
		t.Fatal(err)
	}
	f.set(http.StatusOK, "", domain.Interval{Start: day.Add(13 * time.Hour), End: day.Add(14 * time.Hour)},
		domain.Interval{Start: day.Add(15 * time.Hour), End: day.Add(16 * time.Hour)})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.RefreshDue(ctx) }()
	defer func() {
		cancel()
		<-done
	}()
	deadline := time.Now().Add(10 * time.Second)
	for {
		list, err := s.ExternalCalendars(asMentor("m1"), "m1")
		if err != nil {
			t.Fatal(err)
		}
		if len(list) == 1 && list[0].BusyPeriods == 2 && list[0].FetchedAt.After(c.FetchedAt) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("never refreshed: %+v", list)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
