// Package calendar turns sessions into calendar entries: add-to-calendar
// links for Google, Yahoo and Outlook.com, and iCalendar (RFC 5545) documents,
// written with github.com/arran4/golang-ical.
package calendar

import (
	"net/url"
	"strings"
	"time"

	ics "github.com/arran4/golang-ical"
)

// Event is one session as a calendar entry. Times are instants; links and
// ICS carry them in UTC, and calendar applications show them in the reader's
// zone.
type Event struct {
	UID         string // stable across updates, so re-imports replace the entry
	Title       string
	Description string
	Location    string // the meeting URL, if any
	Start, End  time.Time
	Updated     time.Time // DTSTAMP / LAST-MODIFIED
	Sequence    int       // increases when the event changes
}

// Links holds add-to-calendar URLs.
type Links struct {
	Google, Yahoo, Outlook string
}

const basic = "20060102T150405Z"

// LinksFor returns the add-to-calendar links of e.
func LinksFor(e Event) Links {
	start, end := e.Start.UTC(), e.End.UTC()
	g := url.Values{
		"action":   {"TEMPLATE"},
		"text":     {e.Title},
		"dates":    {start.Format(basic) + "/" + end.Format(basic)},
		"details":  {e.Description},
		"location": {e.Location},
	}
	y := url.Values{
		"v":      {"60"},
		"title":  {e.Title},
		"st":     {start.Format(basic)},
		"et":     {end.Format(basic)},
		"desc":   {e.Description},
		"in_loc": {e.Location},
	}
	o := url.Values{
		"path":     {"/calendar/action/compose"},
		"rru":      {"addevent"},
		"subject":  {e.Title},
		"startdt":  {start.Format(time.RFC3339)},
		"enddt":    {end.Format(time.RFC3339)},
		"body":     {e.Description},
		"location": {e.Location},
	}
	return Links{
		Google:  "https://calendar.google.com/calendar/render?" + g.Encode(),
		Yahoo:   "https://calendar.yahoo.com/?" + y.Encode(),
		Outlook: "https://outlook.live.com/calendar/0/deeplink/compose?" + o.Encode(),
	}
}

// ICS returns an iCalendar document with events; name (when not empty)
// names the calendar for feed subscribers.
func ICS(name string, events ...Event) string {
	cal := ics.NewCalendarFor("bookwell//scheduling//EN")
	cal.SetMethod(ics.MethodPublish)
	if name != "" {
		cal.SetName(name)
		cal.SetXWRCalName(name)
		cal.SetRefreshInterval("PT1H")
	}
	for _, e := range events {
		ve := cal.AddEvent(e.UID)
		ve.SetDtStampTime(e.Updated.UTC())
		ve.SetLastModifiedAt(e.Updated.UTC())
		ve.SetSequence(e.Sequence)
		ve.SetStartAt(e.Start.UTC())
		ve.SetEndAt(e.End.UTC())
		ve.SetSummary(e.Title)
		ve.SetStatus(ics.ObjectStatusConfirmed)
		if e.Description != "" {
			ve.SetDescription(e.Description)
		}
		if e.Location != "" {
			ve.SetLocation(e.Location)
			if strings.HasPrefix(e.Location, "https://") {
				ve.SetURL(e.Location)
			}
		}
	}
	// RFC 5545 lines end in CRLF.
	return cal.Serialize(ics.WithNewLineWindows)
}
