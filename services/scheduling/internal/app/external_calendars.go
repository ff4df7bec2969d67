package app

import (
	"context"
	"slices"
	"time"

	"github.com/google/uuid"

	"github.com/bookwell/bookwell/pkg/apperr"
	"github.com/bookwell/bookwell/services/scheduling/internal/domain"
)

// ExternalCalendarStore keeps mentors' external calendars and the busy
// periods of each one's last good copy.
type ExternalCalendarStore interface {
	// AddExternalCalendar stores a new calendar with its first good copy,
	// due again at next; ErrTooManyCalendars beyond the limit.
	AddExternalCalendar(ctx context.Context, c domain.ExternalCalendar, f domain.Fetched, next time.Time) error
	// ExternalCalendars lists a mentor's calendars, oldest first.
	ExternalCalendars(ctx context.Context, mentorID string) ([]domain.ExternalCalendar, error)
	// ExternalCalendar returns one, or ErrExternalCalendarNotFound.
	ExternalCalendar(ctx context.Context, mentorID, id string) (domain.ExternalCalendar, error)
	// DeleteExternalCalendar removes one with its busy periods.
	DeleteExternalCalendar(ctx context.Context, mentorID, id string) error
	// RecordFetch records a fetch, due again at next: a good copy replaces
	// the busy periods, a failure keeps them.
	RecordFetch(ctx context.Context, id string, f domain.Fetched, next time.Time) (domain.ExternalCalendar, error)
	// ClaimDueCalendars takes up to limit calendars due at now, for lease.
	ClaimDueCalendars(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]domain.ExternalCalendar, error)
	// ExternalBusy lists a mentor's busy periods overlapping [from, to).
	ExternalBusy(ctx context.Context, mentorID string, from, to time.Time) ([]domain.ExternalBusy, error)
}

// Feeds reads the busy periods of a feed in a window; floating is the zone
// of its times that name none. Its error says why, in words for the mentor.
type Feeds interface {
	Busy(ctx context.Context, url string, window domain.Interval, floating *time.Location) ([]domain.Interval, error)
}

// ExternalCalendarPolicy is how external calendars are kept fresh.
type ExternalCalendarPolicy struct {
	// Refresh is how often each feed is fetched.
	Refresh time.Duration `env:"EXTERNAL_CALENDAR_REFRESH" envDefault:"15m"`
	// Horizon is how far ahead a feed's busy times are read (the longest
	// booking horizon a mentor may set is two years; few book that far).
	Horizon time.Duration `env:"EXTERNAL_CALENDAR_HORIZON" envDefault:"4320h"`
}

// ExternalCalendars lists a mentor's calendars with each feed's state.
func (s *Service) ExternalCalendars(ctx context.Context, mentorID string) ([]domain.ExternalCalendar, error) {
	if err := mayManage(ctx, mentorID); err != nil {
		return nil, err
	}
	return s.Store.ExternalCalendars(ctx, mentorID)
}

// ErrFeedsUnavailable is a service that fetches no feeds.
var ErrFeedsUnavailable = apperr.New(apperr.KindUnavailable, "EXTERNAL_CALENDARS_UNAVAILABLE", "external calendars are not available")

// AddExternalCalendar connects a calendar after a first good fetch; a feed
// that cannot be read is refused as bad input, saying why, and nothing is
// stored.
func (s *Service) AddExternalCalendar(ctx context.Context, mentorID, name, url string) (domain.ExternalCalendar, error) {
	if err := mayManage(ctx, mentorID); err != nil {
		return domain.ExternalCalendar{}, err
	}
	var v apperr.Violations
	requireID(&v, "mentor_id", mentorID)
	if err := v.Err(); err != nil {
		return domain.ExternalCalendar{}, err
	}
	c, err := domain.NewExternalCalendar(uuid.NewString(), mentorID, name, url, s.now())
	if err != nil {
		return c, err
	}
	if s.Feeds == nil {
		return c, ErrFeedsUnavailable
	}
	f, err := s.fetch(ctx, c)
	if err != nil {
		return c, err
	}
	if f.Err != "" {
		v.Add("external_calendar.url", "could not be read: "+f.Err)
		return c, v.Err()
	}
	if err := s.Store.AddExternalCalendar(ctx, c, f, f.At.Add(s.Calendars.Refresh)); err != nil {
		return c, err
	}
	c.Succeeded(f.At, len(f.Busy))
	return c, nil
}

// RemoveExternalCalendar disconnects a calendar.
func (s *Service) RemoveExternalCalendar(ctx context.Context, mentorID, id string) error {
	if err := mayManage(ctx, mentorID); err != nil {
		return err
	}
	return s.Store.DeleteExternalCalendar(ctx, mentorID, id)
}

// RefreshExternalCalendar fetches a calendar now; a failure is recorded, not
// returned, and the last good copy stays.
func (s *Service) RefreshExternalCalendar(ctx context.Context, mentorID, id string) (domain.ExternalCalendar, error) {
	if err := mayManage(ctx, mentorID); err != nil {
		return domain.ExternalCalendar{}, err
	}
	c, err := s.Store.ExternalCalendar(ctx, mentorID, id)
	if err != nil {
		return c, err
	}
	if s.Feeds == nil {
		return c, ErrFeedsUnavailable
	}
	return s.refresh(ctx, c)
}

func (s *Service) refresh(ctx context.Context, c domain.ExternalCalendar) (domain.ExternalCalendar, error) {
	f, err := s.fetch(ctx, c)
	if err != nil {
		return c, err
	}
	if f.Err != "" && s.Log != nil {
		s.Log.InfoContext(ctx, "external calendar fetch failed; its last good copy stays",
			"calendar_id", c.ID, "mentor_id", c.MentorID, "why", f.Err)
	}
	return s.Store.RecordFetch(ctx, c.ID, f, f.At.Add(s.Calendars.Refresh))
}

// fetch reads c's feed over the window that counts, from a day back to the
// horizon; all-day and floating times are in the mentor's zone. An error
// is the service's own (the store); the feed's failure is in Fetched.Err.
func (s *Service) fetch(ctx context.Context, c domain.ExternalCalendar) (domain.Fetched, error) {
	a, err := s.Store.Availability(ctx, c.MentorID)
	if err != nil {
		return domain.Fetched{}, err
	}
	now := s.now()
	window := domain.Interval{Start: now.Add(-24 * time.Hour), End: now.Add(s.Calendars.Horizon)}
	busy, err := s.Feeds.Busy(ctx, c.URL, window, a.Location())
	f := domain.Fetched{At: s.now(), Busy: busy}
	if err != nil {
		if ctx.Err() != nil {
			return f, ctx.Err()
		}
		f.Err, f.Busy = err.Error(), nil
	}
	return f, nil
}

// RefreshDue fetches every calendar whose refresh is due, a few at a time,
// until ctx ends; several replicas share the work (a calendar taken by one
// is leased to it).
func (s *Service) RefreshDue(ctx context.Context) error {
	if s.Feeds == nil {
		<-ctx.Done()
		return ctx.Err()
	}
	poll := min(max(s.Calendars.Refresh/10, 200*time.Millisecond), 30*time.Second)
	const batch, lease = 8, 5 * time.Minute
	for {
		due, err := s.Store.ClaimDueCalendars(ctx, s.now(), lease, batch)
		if err != nil && ctx.Err() == nil && s.Log != nil {
			s.Log.WarnContext(ctx, "external calendars: cannot take the due ones", "err", err)
		}
		done := make(chan struct{}, len(due))
		for _, c := range due {
			go func() {
				defer func() { done <- struct{}{} }()
				if _, err := s.refresh(ctx, c); err != nil && ctx.Err() == nil && s.Log != nil {
					s.Log.WarnContext(ctx, "external calendar: cannot record a fetch", "calendar_id", c.ID, "err", err)
				}
			}()
		}
		for range due {
			<-done
		}
		if len(due) == batch {
			continue // more may be due
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(poll):
		}
	}
}

// BusyCalendars names the mentor's external calendars busy during
// [start, end) or the buffer after it.
func (s *Service) BusyCalendars(ctx context.Context, mentorID string, start, end time.Time) ([]string, error) {
	if err := mayReserve(ctx); err != nil {
		return nil, err
	}
	a, err := s.Store.Availability(ctx, mentorID)
	if err != nil {
		return nil, err
	}
	busy, err := s.Store.ExternalBusy(ctx, mentorID, start, end.Add(a.Buffer))
	if err != nil {
		return nil, err
	}
	var names []string
	for _, b := range busy {
		if !slices.Contains(names, b.CalendarName) {
			names = append(names, b.CalendarName)
		}
	}
	return names, nil
}

// externalBusy is the mentor's external busy periods as sessions that block
// the slots they overlap.
func externalBusy(ext []domain.ExternalBusy) []domain.Busy {
	out := make([]domain.Busy, len(ext))
	for i, e := range ext {
		out[i] = domain.Busy{Start: e.Period.Start, Block: e.Period}
	}
	return out
}
