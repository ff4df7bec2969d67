package app

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/bookwell/bookwell/pkg/apperr"
	"github.com/bookwell/bookwell/services/scheduling/internal/calendar"
	"github.com/bookwell/bookwell/services/scheduling/internal/domain"
)

// CalendarEntry is a reservation's add-to-calendar links and .ics file.
type CalendarEntry struct {
	Links calendar.Links
	ICS   string
}

// CalendarLinks returns the calendar entry of a booking's reservation; its
// description is description followed by the meeting link.
func (s *Service) CalendarLinks(ctx context.Context, bookingID, title, description string) (CalendarEntry, error) {
	r, err := s.Reservation(ctx, bookingID)
	if err != nil {
		return CalendarEntry{}, err
	}
	if r.Status == domain.StatusReleased {
		return CalendarEntry{}, ErrNoCalendarForReleased
	}
	if strings.TrimSpace(title) == "" {
		title = "Session"
	}
	// The meeting link is added once: a description that already carries it
	// keeps it where it is.
	if r.MeetingURL != "" && !strings.Contains(description, r.MeetingURL) {
		description = strings.TrimSpace(description + "\n\nJoin: " + r.MeetingURL)
	}
	e := calendar.Event{
		UID:         "booking-" + r.BookingID + "@bookwell",
		Title:       title,
		Description: description,
		Location:    r.MeetingURL,
		Start:       r.Start,
		End:         r.End,
		Updated:     r.UpdatedAt,
		Sequence:    int(r.Version),
	}
	return CalendarEntry{Links: calendar.LinksFor(e), ICS: calendar.ICS("", e)}, nil
}

// ErrNoCalendarForReleased is asking for calendar links of a freed slot.
var ErrNoCalendarForReleased = apperr.New(apperr.KindConflict, "RESERVATION_RELEASED", "the reservation was released; there is nothing to add to a calendar")

// FeedHistory is how far back the mentor's feed reaches.
const FeedHistory = 30 * 24 * time.Hour

// MentorCalendar returns a mentor's confirmed sessions (from 30 days back)
// as an iCalendar feed, one event per session (a class is one event).
func (s *Service) MentorCalendar(ctx context.Context, mentorID string) (string, error) {
	if err := mayManage(ctx, mentorID); err != nil {
		return "", err
	}
	var v apperr.Violations
	requireID(&v, "mentor_id", mentorID)
	if err := v.Err(); err != nil {
		return "", err
	}
	sessions, err := s.Store.ConfirmedSessions(ctx, mentorID, s.now().Add(-FeedHistory))
	if err != nil {
		return "", err
	}
	events := make([]calendar.Event, 0, len(sessions))
	for _, c := range sessions {
		title := c.Offering
		uid := "booking-" + c.BookingID + "@bookwell"
		if c.Capacity > 1 {
			title = fmt.Sprintf("%s (%d of %d seats)", c.Offering, c.Seats, c.Capacity)
			uid = fmt.Sprintf("session-%d@bookwell", c.SessionID)
		}
		events = append(events, calendar.Event{
			UID: uid, Title: title, Location: c.MeetingURL, Start: c.Start, End: c.End, Updated: c.LastChanged,
		})
	}
	return calendar.ICS("bookwell sessions", events...), nil
}
