package icsfeed

import (
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/bookwell/bookwell/services/scheduling/internal/domain"
)

var berlin, _ = time.LoadLocation("Europe/Berlin")

// spring2030 is March and April 2030: Europe moves its clocks on 31 March,
// the United States on 10 March.
var spring2030 = domain.Interval{Start: utc0(2030, 3, 1, 0, 0), End: utc0(2030, 5, 1, 0, 0)}

func utc0(y int, m time.Month, d, h, min int) time.Time {
	return time.Date(y, m, d, h, min, 0, 0, time.UTC)
}

func parseFile(t *testing.T, name string, window domain.Interval) []domain.Interval {
	t.Helper()
	f, err := os.Open("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	got, err := Parse(f, window, berlin)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return got
}

func wantBusy(t *testing.T, got []domain.Interval, want ...domain.Interval) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("got %d busy periods, want %d:\n got %s\nwant %s", len(got), len(want), show(got), show(want))
	}
	for i := range want {
		if !got[i].Start.Equal(want[i].Start) || !got[i].End.Equal(want[i].End) {
			t.Fatalf("busy period %d:\n got %s\nwant %s", i, show(got), show(want))
		}
	}
}

func show(is []domain.Interval) string {
	var b strings.Builder
	for _, i := range is {
		b.WriteString("[" + i.Start.UTC().Format("01-02 15:04") + " " + i.End.UTC().Format("01-02 15:04") + "] ")
	}
	return b.String()
}

func span(m1 time.Month, d1, h1, min1 int, m2 time.Month, d2, h2, min2 int) domain.Interval {
	return domain.Interval{Start: utc0(2030, m1, d1, h1, min1), End: utc0(2030, m2, d2, h2, min2)}
}

// Google's feed: a weekly meeting at 09:00 Berlin time, so 08:00 UTC before
// the clocks change and 07:00 after; one week excluded (EXDATE), one moved
// to another day, one cancelled (RECURRENCE-ID), an end (UNTIL, inclusive);
// an event in UTC; an event shown as free.
func TestAWeeklyMeetingFollowsItsZoneExceptionsAndMovedWeeks(t *testing.T) {
	wantBusy(t, parseFile(t, "google.ics", spring2030),
		span(3, 4, 8, 0, 3, 4, 10, 0),    // Monday 4 March, CET
		span(3, 6, 17, 0, 3, 6, 17, 30),  // the call, in UTC
		span(3, 19, 13, 0, 3, 19, 14, 0), // 18 March moved to Tuesday 14:00
		span(4, 1, 7, 0, 4, 1, 9, 0),     // CEST from here
		span(4, 8, 7, 0, 4, 8, 9, 0),     //
		span(4, 15, 7, 0, 4, 15, 9, 0),   // UNTIL 07:00 UTC is the last one
	)
}

// Apple's feed: an all-day trip of two days and an all-day offsite over the
// clock change (DURATION P2D: two calendar days, 47 hours), both in the
// mentor's zone as they have none; a public holiday shown as free; a
// floating daily time with a COUNT.
func TestAllDayAndFloatingEventsAreInTheMentorsZone(t *testing.T) {
	wantBusy(t, parseFile(t, "allday.ics", spring2030),
		span(3, 5, 6, 0, 3, 5, 6, 45),
		span(3, 6, 6, 0, 3, 6, 6, 45),
		span(3, 7, 6, 0, 3, 7, 6, 45),
		span(3, 11, 23, 0, 3, 13, 23, 0), // 12 and 13 March, Berlin
		span(3, 29, 23, 0, 3, 31, 22, 0), // 30 March 00:00 CET to 1 April 00:00 CEST
	)
}

// Outlook's feed names Windows zones ("W. Europe Standard Time", "Eastern
// Standard Time") that only the file's VTIMEZONE defines, with rules that
// start in 1601: the offsets come from those rules, on each side of the
// European and the American clock changes; EXDATE lists two dates in one
// property.
func TestZonesTheFileDefinesAreReadFromTheirRules(t *testing.T) {
	wantBusy(t, parseFile(t, "outlook.ics", spring2030),
		span(3, 6, 9, 0, 3, 6, 9, 30),    // Wednesday 10:00 CET
		span(3, 8, 14, 0, 3, 8, 15, 0),   // 09:00 EST
		span(3, 11, 13, 0, 3, 11, 14, 0), // 09:00 EDT, after 10 March
		span(3, 13, 9, 0, 3, 13, 9, 30),
		span(4, 3, 8, 0, 4, 3, 8, 30), // 10:00 CEST
		span(4, 10, 8, 0, 4, 10, 8, 30),
	)
}

// Only what reaches into the window counts: a window of one week keeps the
// occurrences inside it, and an event running into it from before.
func TestOnlyTheWindowIsKept(t *testing.T) {
	week := domain.Interval{Start: utc0(2030, 3, 12, 0, 0), End: utc0(2030, 3, 19, 0, 0)}
	wantBusy(t, parseFile(t, "allday.ics", week), span(3, 11, 23, 0, 3, 13, 23, 0))
}

func TestAFeedThatIsNotACalendarIsRefusedWithWhy(t *testing.T) {
	for _, name := range []string{"not-a-calendar.html", "truncated.ics", "badtime.ics"} {
		f, err := os.Open("testdata/" + name)
		if err != nil {
			t.Fatal(err)
		}
		_, err = Parse(f, spring2030, berlin)
		f.Close()
		if !errors.Is(err, ErrMalformed) {
			t.Errorf("%s: %v, want ErrMalformed", name, err)
		}
	}
}

// A rule that would expand without end inside the window (every minute)
// is refused rather than left to use the service up.
func TestAFeedExpandingToTooMuchIsRefused(t *testing.T) {
	feed := "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nBEGIN:VEVENT\r\nUID:m\r\nDTSTAMP:20300101T000000Z\r\n" +
		"DTSTART:20300301T000000Z\r\nDTEND:20300301T000030Z\r\nRRULE:FREQ=MINUTELY\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
	if _, err := Parse(strings.NewReader(feed), spring2030, berlin); err == nil || !strings.Contains(err.Error(), "more than") {
		t.Fatalf("a minutely rule: %v", err)
	}
}

func TestDurations(t *testing.T) {
	for in, want := range map[string]struct {
		exact time.Duration
		days  int
	}{
		"PT1H30M": {90 * time.Minute, 0}, "P1D": {0, 1}, "P2W": {0, 14}, "P1DT2H": {2 * time.Hour, 1}, "PT15S": {15 * time.Second, 0},
	} {
		d, n, err := parseDuration(in)
		if err != nil || d != want.exact || n != want.days {
			t.Errorf("%s: %v %d %v", in, d, n, err)
		}
	}
	for _, bad := range []string{"", "P", "1H", "PT1X", "PT", "P1H"} {
		if _, _, err := parseDuration(bad); err == nil {
			t.Errorf("%q parsed", bad)
		}
	}
}
