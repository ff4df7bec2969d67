package domain

import (
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/bookwell/bookwell/pkg/apperr"
)

// ExternalCalendar is one of a mentor's other calendars: an iCalendar feed
// whose busy times count against the mentor's free time, from the last copy
// that could be read.
type ExternalCalendar struct {
	ID            string
	MentorID      string
	Name          string
	URL           string
	CreatedAt     time.Time
	FetchedAt     time.Time // the last good copy
	LastAttemptAt time.Time
	LastError     string // why the last fetch failed; "" when it succeeded
	BusyPeriods   int    // in the last good copy
}

// ExternalBusy is a period in which one of a mentor's external calendars is
// busy.
type ExternalBusy struct {
	CalendarID   string
	CalendarName string
	Period       Interval
}

// Fetched is the outcome of one fetch of a feed: its busy periods, or why it
// could not be read.
type Fetched struct {
	At   time.Time
	Busy []Interval
	Err  string
}

// MaxExternalCalendars is how many calendars a mentor may connect.
const MaxExternalCalendars = 10

// The errors of external calendars.
var (
	ErrExternalCalendarNotFound = apperr.New(apperr.KindNotFound, "EXTERNAL_CALENDAR_NOT_FOUND", "no such calendar")
	ErrTooManyCalendars         = apperr.New(apperr.KindConflict, "TOO_MANY_CALENDARS", "a mentor connects at most 10 calendars")
	// ErrMentorBusy is a time one of the mentor's external calendars is
	// busy at.
	ErrMentorBusy = apperr.New(apperr.KindConflict, "MENTOR_BUSY", "the mentor is busy at that time in another calendar")
)

// NewExternalCalendar checks a calendar to connect and returns it with its
// address normalised: webcal:// is read as https://.
func NewExternalCalendar(id, mentorID, name, rawURL string, now time.Time) (ExternalCalendar, error) {
	var v apperr.Violations
	name = strings.TrimSpace(name)
	if name == "" {
		v.Add("external_calendar.name", "is required")
	} else if utf8.RuneCountInString(name) > 100 {
		v.Add("external_calendar.name", "must be at most 100 characters")
	}
	u, msg := feedURL(rawURL)
	if msg != "" {
		v.Add("external_calendar.url", msg)
	}
	if err := v.Err(); err != nil {
		return ExternalCalendar{}, err
	}
	return ExternalCalendar{ID: id, MentorID: mentorID, Name: name, URL: u, CreatedAt: now.UTC()}, nil
}

// feedURL is raw as a feed address, or why it cannot be one.
func feedURL(raw string) (string, string) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return "", "is required"
	}
	if len(raw) > 2048 {
		return "", "must be at most 2048 characters"
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "", "is not an address"
	}
	switch strings.ToLower(u.Scheme) {
	case "webcal", "webcals":
		u.Scheme = "https"
	case "http", "https":
		u.Scheme = strings.ToLower(u.Scheme)
	default:
		return "", "must be an http, https or webcal address"
	}
	if u.Hostname() == "" {
		return "", "must name a host"
	}
	if u.User != nil {
		return "", "must not carry a user name or password"
	}
	u.Fragment = ""
	return u.String(), ""
}

// Failed records a fetch that failed: the last good copy stays.
func (c *ExternalCalendar) Failed(at time.Time, why string) {
	c.LastAttemptAt, c.LastError = at.UTC(), why
}

// Succeeded records a good copy with n busy periods.
func (c *ExternalCalendar) Succeeded(at time.Time, n int) {
	c.LastAttemptAt, c.FetchedAt, c.LastError, c.BusyPeriods = at.UTC(), at.UTC(), "", n
}

// MergeIntervals sorts intervals and joins those that overlap or touch.
func MergeIntervals(in []Interval) []Interval { return merge(slices.Clone(in)) }
