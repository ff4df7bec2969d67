package domain

import (
	"errors"
	"testing"
	"time"
)

func mustLoc(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func clock(t *testing.T, s string) Clock {
	t.Helper()
	c, err := ParseClock(s)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// paid is a one-hour paid one-to-one offering.
func paid(id string) Offering {
	return Offering{ID: id, Name: "Session", Kind: KindPaid, Duration: time.Hour, PriceMinor: 5000, Currency: "EUR", Capacity: 1}
}

// localStarts formats slot starts in zone as "Mon 15:04 MST".
func localStarts(slots []Slot, loc *time.Location) []string {
	var out []string
	for _, s := range slots {
		out = append(out, s.Start.In(loc).Format("2006-01-02 15:04 MST"))
	}
	return out
}

func equal(t *testing.T, got, want []string) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("got %d slots %q, want %d %q", len(got), got, len(want), want)
	}
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("slot %d: got %q, want %q (all: %q)", i, got[i], want[i], got)
		}
	}
}

// A long-ago "now" so notice and horizon do not hide the test weeks.
func farBefore(t time.Time) time.Time { return t.AddDate(0, 0, -30) }

func TestSlotsFollowWallClockAcrossDST(t *testing.T) {
	for _, tc := range []struct {
		zone          string
		before, after string // Sundays either side of a change, local dates
		utcBefore     string // 09:00 local in UTC on the first
		utcAfter      string // and on the second
	}{
		{"Europe/London", "2026-03-22", "2026-03-29", "09:00", "08:00"}, // spring forward
		{"Europe/London", "2026-10-18", "2026-10-25", "08:00", "09:00"}, // fall back
		{"America/New_York", "2026-03-01", "2026-03-08", "14:00", "13:00"},
		{"America/New_York", "2026-10-25", "2026-11-01", "13:00", "14:00"},
	} {
		t.Run(tc.zone+" "+tc.after, func(t *testing.T) {
			loc := mustLoc(t, tc.zone)
			a := &Availability{TimeZone: tc.zone, Weekly: []WeeklyHours{{Day: time.Sunday, Start: clock(t, "09:00"), End: clock(t, "11:00")}}}
			from, _ := time.ParseInLocation(time.DateOnly, tc.before, loc)
			to := from.AddDate(0, 0, 8)
			slots := FreeSlots(DefaultPolicy(), paid("o"), a, nil, from, to, farBefore(from))
			equal(t, localStarts(slots, loc), []string{
				localStr(t, tc.before, "09:00", loc), localStr(t, tc.before, "10:00", loc),
				localStr(t, tc.after, "09:00", loc), localStr(t, tc.after, "10:00", loc),
			})
			if got := slots[0].Start.UTC().Format("15:04"); got != tc.utcBefore {
				t.Errorf("before the change 09:00 local is %s UTC, want %s", got, tc.utcBefore)
			}
			if got := slots[2].Start.UTC().Format("15:04"); got != tc.utcAfter {
				t.Errorf("after the change 09:00 local is %s UTC, want %s", got, tc.utcAfter)
			}
		})
	}
}

func localStr(t *testing.T, date, hm string, loc *time.Location) string {
	t.Helper()
	d, err := time.ParseInLocation("2006-01-02 15:04", date+" "+hm, loc)
	if err != nil {
		t.Fatal(err)
	}
	return d.Format("2006-01-02 15:04 MST")
}

// Hours that span the change itself: a night window is an hour shorter on the
// spring-forward night and an hour longer on the fall-back night.
func TestSlotsOnTheNightOfTheChange(t *testing.T) {
	for _, tc := range []struct {
		zone, date string
		want       []string
	}{
		{"Europe/London", "2026-03-29", []string{"00:00 GMT", "02:00 BST", "03:00 BST"}},
		{"Europe/London", "2026-10-25", []string{"00:00 BST", "01:00 BST", "01:00 GMT", "02:00 GMT", "03:00 GMT"}},
		{"America/New_York", "2026-03-08", []string{"00:00 EST", "01:00 EST", "03:00 EDT"}},
		{"America/New_York", "2026-11-01", []string{"00:00 EDT", "01:00 EDT", "01:00 EST", "02:00 EST", "03:00 EST"}},
	} {
		t.Run(tc.zone+" "+tc.date, func(t *testing.T) {
			loc := mustLoc(t, tc.zone)
			a := &Availability{TimeZone: tc.zone, Weekly: []WeeklyHours{{Day: time.Sunday, Start: clock(t, "00:00"), End: clock(t, "04:00")}}}
			day, _ := time.ParseInLocation(time.DateOnly, tc.date, loc)
			slots := FreeSlots(DefaultPolicy(), paid("o"), a, nil, day, day.Add(12*time.Hour), farBefore(day))
			var got []string
			for _, s := range slots {
				got = append(got, s.Start.In(loc).Format("15:04 MST"))
				if s.End.Sub(s.Start) != time.Hour {
					t.Errorf("slot %v lasts %v", s.Start, s.End.Sub(s.Start))
				}
			}
			equal(t, got, tc.want)
		})
	}
}

func TestSlotsExceptionsBusyBufferAndClasses(t *testing.T) {
	loc := mustLoc(t, "Europe/Berlin")
	mon, _ := time.ParseInLocation(time.DateOnly, "2026-06-01", loc) // a Monday
	a := &Availability{
		TimeZone: "Europe/Berlin",
		Weekly: []WeeklyHours{
			{Day: time.Monday, Start: clock(t, "09:00"), End: clock(t, "12:00")},
			{Day: time.Tuesday, Start: clock(t, "09:00"), End: clock(t, "12:00")},
		},
		Exceptions: []DateException{
			{Date: "2026-06-02", Kind: ExceptionBlocked},                                                   // Tuesday off
			{Date: "2026-06-01", Kind: ExceptionBlocked, Start: clock(t, "10:00"), End: clock(t, "11:00")}, // Monday 10-11 off
			{Date: "2026-06-03", Kind: ExceptionExtraHours, Start: clock(t, "18:00"), End: clock(t, "19:00")},
		},
	}
	now := farBefore(mon)
	from, to := mon, mon.AddDate(0, 0, 3)
	o := paid("o")
	equal(t, localStarts(FreeSlots(DefaultPolicy(), o, a, nil, from, to, now), loc),
		[]string{"2026-06-01 09:00 CEST", "2026-06-01 11:00 CEST", "2026-06-03 18:00 CEST"})

	// A busy session at 09:30-10:00 with a 15 minute buffer takes the 09:00 slot.
	a.Buffer = 15 * time.Minute
	at := func(hm string) time.Time {
		x, _ := time.ParseInLocation("2006-01-02 15:04", "2026-06-01 "+hm, loc)
		return x
	}
	busy := []Busy{{OfferingID: "other", Start: at("09:30"), Block: Interval{at("09:30"), at("10:15")}, SeatsTaken: 1, Capacity: 1}}
	a.Exceptions = a.Exceptions[:1]
	a.Weekly = a.Weekly[:1]
	// Window 09:00-12:00, step 75 min: 09:00 (blocked by busy), 10:15.
	equal(t, localStarts(FreeSlots(DefaultPolicy(), o, a, busy, from, to, now), loc), []string{"2026-06-01 10:15 CEST"})

	// A class with 2 of 5 seats taken at 09:00 is offered with 3 seats left.
	class := paid("class")
	class.Capacity = 5
	a.Buffer = 0
	busy = []Busy{{OfferingID: "class", Start: at("09:00"), Block: Interval{at("09:00"), at("10:00")}, SeatsTaken: 2, Capacity: 5}}
	slots := FreeSlots(DefaultPolicy(), class, a, busy, from, to, now)
	if len(slots) != 3 || slots[0].SeatsLeft != 3 || slots[1].SeatsLeft != 5 {
		t.Fatalf("class slots = %+v, want 09:00 with 3 seats, then 10:00 and 11:00 with 5", slots)
	}
	// A full class is not offered; nor is another offering at its time.
	busy[0].SeatsTaken = 5
	if got := FreeSlots(DefaultPolicy(), class, a, busy, from, to, now); len(got) != 2 {
		t.Fatalf("full class still offered: %+v", got)
	}
	if got := FreeSlots(DefaultPolicy(), o, a, busy, from, to, now); len(got) != 2 || !got[0].Start.Equal(at("10:00")) {
		t.Fatalf("one-to-one offered over a class: %+v", got)
	}
}

func TestCheckTime(t *testing.T) {
	loc := mustLoc(t, "America/New_York")
	a := Availability{TimeZone: "America/New_York", Weekly: []WeeklyHours{}}
	for d := time.Sunday; d <= time.Saturday; d++ {
		a.Weekly = append(a.Weekly, WeeklyHours{Day: d, Start: clock(t, "09:00"), End: clock(t, "17:00")})
	}
	now := time.Date(2026, 6, 1, 12, 0, 0, 0, loc)
	intro := Offering{ID: "i", Kind: KindIntro, Duration: 20 * time.Minute, Capacity: 1}
	day := func(days int, hm string) time.Time {
		x, _ := time.ParseInLocation("15:04", hm, loc)
		return time.Date(2026, 6, 1+days, x.Hour(), x.Minute(), 0, 0, loc)
	}
	p := DefaultPolicy()
	for _, tc := range []struct {
		name  string
		o     Offering
		start time.Time
		want  error
	}{
		{"intro 47h ahead", intro, now.Add(47 * time.Hour), ErrNoticeTooShort},
		{"intro 48h ahead", intro, now.Add(48 * time.Hour), nil},
		{"intro 14 days ahead", intro, day(14, "10:00"), nil},
		{"intro 15 days ahead", intro, day(15, "10:00"), ErrBeyondHorizon},
		{"intro at night", intro, day(3, "20:00"), ErrOutsideAvailability},
		{"intro running past the end of the day", intro, day(3, "16:50"), ErrOutsideAvailability},
		{"paid tomorrow", paid("p"), day(1, "13:00"), nil},
		{"paid in 2 hours", paid("p"), now.Add(2 * time.Hour), ErrNoticeTooShort},
		{"paid in 91 days", paid("p"), day(91, "10:00"), ErrBeyondHorizon},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := p.CheckTime(tc.o, a, tc.start, now); !errors.Is(err, tc.want) && !(err == nil && tc.want == nil) {
				t.Fatalf("CheckTime = %v, want %v", err, tc.want)
			}
		})
	}
	a.AwayStart, a.AwayEnd = day(10, "00:00"), day(20, "00:00")
	if err := p.CheckTime(paid("p"), a, day(12, "10:00"), now); !errors.Is(err, ErrMentorAway) {
		t.Fatalf("booking into away period: %v", err)
	}
	if err := p.CheckTime(paid("p"), a, day(5, "10:00"), now); err != nil {
		t.Fatalf("booking before away period: %v", err)
	}
	if err := p.CheckTime(paid("p"), a, day(25, "10:00"), day(11, "10:00")); !errors.Is(err, ErrMentorAway) {
		t.Fatalf("booking while away: %v", err)
	}
}

func TestValidate(t *testing.T) {
	p := DefaultPolicy()
	bad := Offering{Name: "", Kind: KindIntro, Duration: 30 * time.Minute, PriceMinor: 100, Capacity: 0}
	if err := bad.Validate(p); err == nil {
		t.Fatal("bad intro accepted")
	}
	if err := paid("x").Validate(p); err != nil {
		t.Fatal(err)
	}
	ok := Offering{Name: "Intro", Kind: KindIntro, Duration: 20 * time.Minute, Capacity: 1}
	if err := ok.Validate(p); err != nil {
		t.Fatal(err)
	}
	for _, a := range []Availability{
		{TimeZone: "Mars/Olympus"},
		{TimeZone: "UTC", Weekly: []WeeklyHours{{Day: time.Monday, Start: 600, End: 540}}},
		{TimeZone: "UTC", Exceptions: []DateException{{Date: "2026-02-30", Kind: ExceptionBlocked}}},
		{TimeZone: "UTC", AwayStart: time.Now()},
	} {
		if err := a.Validate(); err == nil {
			t.Errorf("%+v accepted", a)
		}
	}
}
