package e2e

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"text/template"
	"time"

	"github.com/bookwell/bookwell/pkg/identity"
)

// calendarFeed serves a mentor's other calendar, as a calendar provider's
// ICS address would: testdata/ics/work.ics.tmpl with dates in the weeks
// ahead, plus events the test adds, or an error while it is "down".
type calendarFeed struct {
	*httptest.Server
	mu     sync.Mutex
	vars   feedVars
	status int
}

type feedVars struct {
	FirstMonday, SkippedMonday, Wednesday, Thursday, AllDay, AllDayEnd string
	Extra                                                              []feedEvent
}

type feedEvent struct{ UID, Start, End string }

func newCalendarFeed(t *testing.T, vars feedVars) *calendarFeed {
	t.Helper()
	tmpl := template.Must(template.ParseFiles("testdata/ics/work.ics.tmpl"))
	truncated, err := os.ReadFile("testdata/ics/truncated.ics")
	if err != nil {
		t.Fatal(err)
	}
	f := &calendarFeed{vars: vars, status: http.StatusOK}
	mux := http.NewServeMux()
	mux.HandleFunc("/work.ics", func(w http.ResponseWriter, _ *http.Request) {
		f.mu.Lock()
		defer f.mu.Unlock()
		if f.status != http.StatusOK {
			http.Error(w, "maintenance", f.status)
			return
		}
		var b bytes.Buffer
		if err := tmpl.Execute(&b, f.vars); err != nil {
			http.Error(w, err.Error(), 500)
			return
		}
		w.Header().Set("Content-Type", "text/calendar; charset=utf-8")
		_, _ = w.Write(bytes.ReplaceAll(b.Bytes(), []byte("\n"), []byte("\r\n")))
	})
	mux.HandleFunc("/truncated.ics", func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write(truncated) })
	f.Server = httptest.NewServer(mux)
	t.Cleanup(f.Close)
	return f
}

func (f *calendarFeed) set(status int, extra ...feedEvent) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.status = status
	f.vars.Extra = append(f.vars.Extra, extra...)
}

// TestExternalCalendars connects a mentor's other calendar, served on this
// machine as a real ICS file (a weekly meeting with an exception, an all-day
// event, a zone only the file defines, an event shown as free), through
// REST: its busy times leave the free slots, a request that now overlaps one
// shows the conflict to the mentor, a feed that fails keeps its last good
// copy and says why, the schedule fetches it again by itself, and a feed
// that is not a calendar, or an address inside the network, is refused.
func TestExternalCalendars(t *testing.T) {
	w := start(t, map[string]string{"EXTERNAL_CALENDAR_REFRESH": "2s"})
	mentor, offering := w.mentorWithOffering(t, "cal-mentor", paidOffering(60, 1))
	mentee := w.user(t, "cal-mentee", identity.RoleMentee)
	berlin, _ := time.LoadLocation("Europe/Berlin")

	// The first Monday at least three days ahead, in Berlin.
	day := time.Now().In(berlin).AddDate(0, 0, 3)
	for day.Weekday() != time.Monday {
		day = day.AddDate(0, 0, 1)
	}
	mon := time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, berlin)
	date := func(d time.Time) string { return d.Format("20060102") }
	tue, wed, thu := mon.AddDate(0, 0, 1), mon.AddDate(0, 0, 2), mon.AddDate(0, 0, 3)
	feed := newCalendarFeed(t, feedVars{
		FirstMonday: date(mon), SkippedMonday: date(mon.AddDate(0, 0, 7)),
		Wednesday: date(wed), Thursday: date(thu), AllDay: date(thu), AllDayEnd: date(thu.AddDate(0, 0, 1)),
	})
	calendars := "/v1/mentors/" + mentor.id + "/externalCalendars"

	// free lists the free starts of one Berlin day, as "15:04".
	free := func(d time.Time) []string {
		next := d.AddDate(0, 0, 1)
		r := mentee.ok("GET", "/v1/mentors/"+mentor.id+"/slots?offeringId="+offering+"&timeZone=Europe/Berlin&startTime="+
			url.QueryEscape(d.UTC().Format(time.RFC3339))+"&endTime="+url.QueryEscape(next.UTC().Format(time.RFC3339)), nil)
		var out []string
		for _, s := range asList(get(r, "slots")) {
			st, _ := time.Parse(time.RFC3339, s["startTime"].(string))
			out = append(out, st.In(berlin).Format("15:04"))
		}
		return out
	}
	expect := func(what string, d time.Time, present, absent []string) {
		t.Helper()
		got := free(d)
		for _, h := range present {
			if !slices.Contains(got, h) {
				t.Errorf("%s: %s is not free on %s; free: %v", what, h, d.Format("Mon 2 Jan"), got)
			}
		}
		for _, h := range absent {
			if slices.Contains(got, h) {
				t.Errorf("%s: %s is free on %s; free: %v", what, h, d.Format("Mon 2 Jan"), got)
			}
		}
	}
	expect("before connecting", mon, []string{"09:00", "10:00"}, nil)

	var id string
	t.Run("connecting fetches the feed, and its busy times leave the free slots", func(t *testing.T) {
		c := mentor.ok("POST", calendars, map[string]any{"name": "Work", "url": feed.URL + "/work.ics"})
		id = str(c, "externalCalendar.id")
		if str(c, "externalCalendar.fetchTime") == "" || str(c, "externalCalendar.lastError") != "" || get(c, "externalCalendar.busyPeriods") == nil {
			t.Fatalf("connected: %s", mustJSON(c))
		}
		expect("the weekly meeting, 09:00-11:00 Berlin", mon, []string{"08:00", "11:00"}, []string{"09:00", "10:00"})
		expect("the week the meeting is excluded (EXDATE)", mon.AddDate(0, 0, 7), []string{"09:00", "10:00"}, nil)
		expect("the meeting recurs", mon.AddDate(0, 0, 14), []string{"08:00", "11:00"}, []string{"09:00", "10:00"})
		expect("an Outlook zone's 14:00-15:00", wed, []string{"13:00", "15:00", "10:00"}, []string{"14:00"})
		if got := free(thu); len(got) != 0 {
			t.Errorf("the all-day event leaves %v free on Thursday", got)
		}
	})

	t.Run("a request that now conflicts shows it to the mentor", func(t *testing.T) {
		at := time.Date(tue.Year(), tue.Month(), tue.Day(), 16, 0, 0, 0, berlin)
		booking := str(mentee.book(mentor.id, offering, at, nil), "booking.id")
		if v := mentor.ok("GET", "/v1/bookings/"+booking, nil); get(v, "pendingView.timeStillFree") != true {
			t.Fatalf("before the new event: %s", mustJSON(v["pendingView"].(map[string]any)))
		}
		feed.set(http.StatusOK, feedEvent{UID: "late@google.com", Start: at.Add(30 * time.Minute).UTC().Format("20060102T150405Z"),
			End: at.Add(time.Hour).UTC().Format("20060102T150405Z")})
		mentor.ok("POST", calendars+"/"+id+":refresh", map[string]any{})
		v := mentor.ok("GET", "/v1/bookings/"+booking, nil)
		if get(v, "pendingView.timeStillFree") == true || !strings.Contains(str(v, "pendingView.conflict"), "busy in your calendar “Work”") {
			t.Fatalf("the pending view after the feed changed: %s", mustJSON(v))
		}
		// A new request for that time is refused.
		r := mentee.call("POST", "/v1/bookings", map[string]any{"booking": map[string]any{"mentorId": mentor.id, "offeringId": offering,
			"startTime": at.Add(30 * time.Minute).UTC().Format(time.RFC3339), "paymentMethod": "PAYMENT_METHOD_CARD"},
			"cardToken": "4242424242424242", "requestId": "cal-busy"})
		if r.status != http.StatusConflict || !strings.Contains(string(r.raw), "MENTOR_BUSY") {
			t.Fatalf("a request inside the busy time: %d %s", r.status, r.raw)
		}
	})

	t.Run("a feed that fails keeps its last good copy and says why; the schedule fetches it again", func(t *testing.T) {
		before := mentor.ok("GET", calendars, nil)
		good := asList(get(before, "externalCalendars"))[0]
		feed.set(http.StatusServiceUnavailable)
		c := mentor.ok("POST", calendars+"/"+id+":refresh", map[string]any{})
		if !strings.Contains(str(c, "externalCalendar.lastError"), "503 Service Unavailable") ||
			str(c, "externalCalendar.fetchTime") != good["fetchTime"] || get(c, "externalCalendar.busyPeriods") != good["busyPeriods"] {
			t.Fatalf("after a failed fetch: %s; before: %s", mustJSON(c), mustJSON(good))
		}
		expect("the last good copy still counts", mon, nil, []string{"09:00", "10:00"})

		feed.set(http.StatusOK)
		eventually(t, 20*time.Second, "the schedule fetches the feed again", func() bool {
			c := asList(get(mentor.ok("GET", calendars, nil), "externalCalendars"))[0]
			return c["lastError"] == nil && c["fetchTime"] != good["fetchTime"]
		})

		// A server that is gone altogether.
		gone := newCalendarFeed(t, feed.vars)
		c = mentor.ok("POST", calendars, map[string]any{"name": "Side project", "url": gone.URL + "/work.ics"})
		gone.Close()
		c = mentor.ok("POST", calendars+"/"+str(c, "externalCalendar.id")+":refresh", map[string]any{})
		if !strings.Contains(str(c, "externalCalendar.lastError"), "could not connect") || str(c, "externalCalendar.fetchTime") == "" {
			t.Fatalf("a server that is gone: %s", mustJSON(c))
		}
		mentor.ok("DELETE", calendars+"/"+str(c, "externalCalendar.id"), nil)
	})

	t.Run("a feed that is not a calendar, and an address inside the network, are refused", func(t *testing.T) {
		for feedURL, why := range map[string]string{
			feed.URL + "/truncated.ics":               "not a readable iCalendar file",
			feed.URL + "/nothing-here.ics":            "404 Not Found",
			"http://169.254.169.254/latest/meta-data": "private or reserved network",
			"http://10.0.0.1/calendar.ics":            "private or reserved network",
			"ftp://example.com/calendar.ics":          "must be an http, https or webcal address",
		} {
			r := mentor.refused("POST", calendars, map[string]any{"name": "Bad", "url": feedURL}, http.StatusBadRequest, "INVALID_ARGUMENT")
			if !strings.Contains(string(r.raw), why) || !strings.Contains(string(r.raw), "external_calendar.url") {
				t.Errorf("%s: %s, want %q", feedURL, r.raw, why)
			}
		}
		if n := len(asList(get(mentor.ok("GET", calendars, nil), "externalCalendars"))); n != 1 {
			t.Fatalf("%d calendars after the refusals, want 1", n)
		}
	})

	t.Run("removing the calendar frees its times", func(t *testing.T) {
		mentor.ok("DELETE", calendars+"/"+id, nil)
		expect("after removing", mon, []string{"09:00", "10:00"}, nil)
		if n := len(asList(get(mentor.ok("GET", calendars, nil), "externalCalendars"))); n != 0 {
			t.Fatalf("%d calendars after removing", n)
		}
	})
}
