package domain

import (
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/bookwell/bookwell/pkg/apperr"
)

// Clock is a wall-clock time of day in minutes since midnight, 0 to 1440
// (1440 is the midnight that ends the day).
type Clock int

// ParseClock reads "HH:MM" (24-hour clock; "24:00" is the end of the day).
func ParseClock(s string) (Clock, error) {
	if len(s) != 5 || s[2] != ':' {
		return 0, fmt.Errorf("must be HH:MM")
	}
	h, err1 := strconv.Atoi(s[:2])
	m, err2 := strconv.Atoi(s[3:])
	if err1 != nil || err2 != nil || h < 0 || m < 0 || m > 59 || h > 24 || (h == 24 && m != 0) {
		return 0, fmt.Errorf("must be HH:MM")
	}
	return Clock(h*60 + m), nil
}

// String formats c as "HH:MM".
func (c Clock) String() string { return fmt.Sprintf("%02d:%02d", int(c)/60, int(c)%60) }

// On returns the instant of c on the local date y-m-d in loc. A wall-clock
// time that a daylight-saving change skips is moved forward by the gap, as
// time.Date does.
func (c Clock) On(y int, m time.Month, d int, loc *time.Location) time.Time {
	return time.Date(y, m, d, int(c)/60, int(c)%60, 0, 0, loc)
}

// WeeklyHours is one period of every week, in the mentor's wall-clock time.
type WeeklyHours struct {
	Day        time.Weekday
	Start, End Clock
}

// ExceptionKind is what a date exception does.
type ExceptionKind string

// The kinds of date exception.
const (
	ExceptionBlocked    ExceptionKind = "BLOCKED"     // not available: the whole day or some hours
	ExceptionExtraHours ExceptionKind = "EXTRA_HOURS" // available for extra hours
)

// DateException changes one local date of the weekly hours.
type DateException struct {
	Date       string // "YYYY-MM-DD" in the mentor's time zone
	Kind       ExceptionKind
	Start, End Clock // both 0 for a whole blocked day
}

// WholeDay reports whether e blocks its whole date.
func (e DateException) WholeDay() bool { return e.Start == 0 && e.End == 0 }

// Availability is when a mentor can be booked: rules in wall-clock time of
// the mentor's IANA zone, so they follow daylight-saving changes; away mode is
// a period of instants.
type Availability struct {
	MentorID    string
	TimeZone    string
	Weekly      []WeeklyHours
	Exceptions  []DateException
	Buffer      time.Duration // kept free after each session
	MinNotice   time.Duration // paid sessions; 0 for the policy default
	HorizonDays int           // paid sessions; 0 for the policy default
	AwayStart   time.Time     // zero when not away
	AwayEnd     time.Time
	UpdatedAt   time.Time
	loc         *time.Location
}

// Location is the mentor's time zone (UTC when unset or unknown; Validate
// rejects unknown zones before they are stored).
func (a *Availability) Location() *time.Location {
	if a.loc == nil {
		loc, err := time.LoadLocation(a.TimeZone)
		if err != nil || a.TimeZone == "" {
			loc = time.UTC
		}
		a.loc = loc
	}
	return a.loc
}

// AwayAt reports whether t falls in the away period.
func (a Availability) AwayAt(t time.Time) bool {
	return !a.AwayStart.IsZero() && !t.Before(a.AwayStart) && t.Before(a.AwayEnd)
}

// Validate reports every field that is wrong.
func (a Availability) Validate() error {
	var v apperr.Violations
	if a.TimeZone == "" {
		v.Add("availability.time_zone", "is required")
	} else if _, err := time.LoadLocation(a.TimeZone); err != nil || a.TimeZone == "Local" {
		v.Add("availability.time_zone", "must be an IANA time zone such as Europe/London")
	}
	if len(a.Weekly) > 100 {
		v.Add("availability.weekly_hours", "must have at most 100 entries")
	}
	for i, w := range a.Weekly {
		f := fmt.Sprintf("availability.weekly_hours[%d]", i)
		if w.Day < time.Sunday || w.Day > time.Saturday {
			v.Add(f+".day", "is required")
		}
		if w.End <= w.Start {
			v.Add(f+".end_time", "must be after start_time")
		}
	}
	if len(a.Exceptions) > 1000 {
		v.Add("availability.exceptions", "must have at most 1000 entries")
	}
	for i, e := range a.Exceptions {
		f := fmt.Sprintf("availability.exceptions[%d]", i)
		if _, err := time.Parse(time.DateOnly, e.Date); err != nil {
			v.Add(f+".date", "must be YYYY-MM-DD")
		}
		switch {
		case e.Kind != ExceptionBlocked && e.Kind != ExceptionExtraHours:
			v.Add(f+".kind", "must be blocked or extra hours")
		case e.Kind == ExceptionBlocked && e.WholeDay():
		case e.End <= e.Start:
			v.Add(f+".end_time", "must be after start_time")
		}
	}
	if a.Buffer < 0 || a.Buffer > 4*time.Hour {
		v.Add("availability.buffer_minutes", "must be 0 to 240")
	}
	if a.MinNotice < 0 || a.MinNotice > 60*24*time.Hour {
		v.Add("availability.min_notice_minutes", "must be 0 to 86400")
	}
	if a.HorizonDays < 0 || a.HorizonDays > 730 {
		v.Add("availability.horizon_days", "must be 0 to 730")
	}
	if a.AwayStart.IsZero() != a.AwayEnd.IsZero() {
		v.Add("availability.away_end_time", "away_start_time and away_end_time go together")
	} else if !a.AwayStart.IsZero() && !a.AwayEnd.After(a.AwayStart) {
		v.Add("availability.away_end_time", "must be after away_start_time")
	}
	return v.Err()
}

// Interval is a half-open span of time [Start, End).
type Interval struct{ Start, End time.Time }

// Overlaps reports whether i and j share an instant.
func (i Interval) Overlaps(j Interval) bool { return i.Start.Before(j.End) && j.Start.Before(i.End) }

// Windows returns the open periods (weekly hours with the exceptions applied)
// of every local date that touches [from, to), merged and in time order.
func (a *Availability) Windows(from, to time.Time) []Interval {
	loc := a.Location()
	first := from.In(loc)
	last := to.In(loc)
	byDate := map[string][]DateException{}
	for _, e := range a.Exceptions {
		byDate[e.Date] = append(byDate[e.Date], e)
	}
	var out []Interval
	for d := time.Date(first.Year(), first.Month(), first.Day()-1, 12, 0, 0, 0, loc); !d.After(last.AddDate(0, 0, 1)); d = d.AddDate(0, 0, 1) {
		y, m, day := d.Date()
		var open []Interval
		for _, w := range a.Weekly {
			if w.Day == d.Weekday() {
				open = append(open, Interval{w.Start.On(y, m, day, loc), w.End.On(y, m, day, loc)})
			}
		}
		exc := byDate[d.Format(time.DateOnly)]
		for _, e := range exc {
			if e.Kind == ExceptionExtraHours {
				open = append(open, Interval{e.Start.On(y, m, day, loc), e.End.On(y, m, day, loc)})
			}
		}
		open = merge(open)
		for _, e := range exc {
			if e.Kind != ExceptionBlocked {
				continue
			}
			if e.WholeDay() {
				open = nil
				break
			}
			open = subtract(open, Interval{e.Start.On(y, m, day, loc), e.End.On(y, m, day, loc)})
		}
		out = append(out, open...)
	}
	return merge(out)
}

// merge sorts intervals and joins those that overlap or touch.
func merge(in []Interval) []Interval {
	in = slices.DeleteFunc(in, func(i Interval) bool { return !i.End.After(i.Start) })
	slices.SortFunc(in, func(a, b Interval) int { return a.Start.Compare(b.Start) })
	var out []Interval
	for _, i := range in {
		if n := len(out); n > 0 && !i.Start.After(out[n-1].End) {
			if i.End.After(out[n-1].End) {
				out[n-1].End = i.End
			}
			continue
		}
		out = append(out, i)
	}
	return out
}

// subtract removes cut from every interval of in.
func subtract(in []Interval, cut Interval) []Interval {
	var out []Interval
	for _, i := range in {
		if !i.Overlaps(cut) {
			out = append(out, i)
			continue
		}
		if i.Start.Before(cut.Start) {
			out = append(out, Interval{i.Start, cut.Start})
		}
		if cut.End.Before(i.End) {
			out = append(out, Interval{cut.End, i.End})
		}
	}
	return out
}
