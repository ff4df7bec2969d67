// Package app holds scheduling's use cases: offering and availability
// management, free slots, the reservation commands the booking workflow
// calls, calendars, and the mentor standings reputation announces. Each use
// case checks who is asking (authz.go), validates its input, applies the
// domain rules and leaves the guarantees about time and capacity to the
// store.
package app

import (
	"context"
	"log/slog"
	"strings"
	"time"

	"github.com/bookwell/bookwell/pkg/apperr"
	"github.com/bookwell/bookwell/services/scheduling/internal/domain"
	"github.com/bookwell/bookwell/services/scheduling/internal/meeting"
)

// Service is the scheduling application.
type Service struct {
	Store Store
	// Policy is the marketplace's default policy; its intro rules are
	// replaced by those of the newest marketplace policy booking announced
	// (CurrentPolicy).
	Policy   domain.Policy
	Meetings meeting.Provider
	// Feeds reads mentors' external calendars; nil: none are fetched.
	Feeds     Feeds
	Calendars ExternalCalendarPolicy
	Log       *slog.Logger
	// Now is the clock; time.Now if nil.
	Now func() time.Time
}

// Store is the storage the use cases need. It holds the guarantees the
// rules cannot: a time is held by one booking (or up to an offering's
// capacity), and every change of a reservation is recorded with its event.
type Store interface {
	CreateOffering(ctx context.Context, o domain.Offering) error
	// Offering returns a mentor's offering that has not been withdrawn, or
	// domain.ErrOfferingNotFound.
	Offering(ctx context.Context, mentorID, id string) (domain.Offering, error)
	// Offerings lists a mentor's offerings, oldest first.
	Offerings(ctx context.Context, mentorID string) ([]domain.Offering, error)
	// UpdateOffering loads an offering, lets change modify it and stores the
	// result, in one transaction; an error from change changes nothing.
	UpdateOffering(ctx context.Context, mentorID, id string, change func(*domain.Offering) error) (domain.Offering, error)
	// DeleteOffering withdraws an offering; its reservations stay.
	DeleteOffering(ctx context.Context, mentorID, id string, at time.Time) error

	// Availability returns a mentor's availability; one who never set it
	// has none, in UTC.
	Availability(ctx context.Context, mentorID string) (domain.Availability, error)
	PutAvailability(ctx context.Context, a domain.Availability) error
	// IntroRules are the intro rules of the newest marketplace policy
	// booking announced; false when it announced none (the defaults apply).
	IntroRules(ctx context.Context) (domain.IntroRules, bool, error)
	// Standing is a mentor's standing, domain.Unannounced if reputation
	// never announced one.
	Standing(ctx context.Context, mentorID string) (domain.Standing, error)
	// Busy lists a mentor's held or confirmed sessions that overlap
	// [from, to).
	Busy(ctx context.Context, mentorID string, from, to time.Time) ([]domain.Busy, error)

	// Hold holds a slot for h.BookingID. When the booking already has a
	// reservation it is returned as it is, with existed true, and nothing
	// changes. Otherwise check decides on the rules, given what the store
	// read in the transaction; then the time is taken, or the hold fails
	// with domain.ErrSlotTaken or ErrOverCapacity. The reservation and its
	// reservation.held event are stored together.
	Hold(ctx context.Context, h domain.Hold, now time.Time, check Checker) (r domain.Reservation, existed bool, err error)
	// Move moves a booking's reservation to newStart under the same rules,
	// or keeps it where it was; moving to where it is changes nothing.
	Move(ctx context.Context, bookingID string, newStart, now time.Time, check Checker) (domain.Reservation, error)
	// Confirm confirms a held reservation with its meeting link (the first
	// link stored wins); confirming again changes nothing.
	Confirm(ctx context.Context, bookingID, meetingURL string, now time.Time) (domain.Reservation, error)
	// Release frees a reservation's seats; nil when the booking holds none,
	// and releasing again changes nothing.
	Release(ctx context.Context, bookingID string, now time.Time) (*domain.Reservation, error)
	// Reservation returns a booking's reservation, or
	// domain.ErrReservationNotFound.
	Reservation(ctx context.Context, bookingID string) (domain.Reservation, error)
	// Conflicts lists the bookings holding seats that overlap [start, end)
	// in a mentor's calendar, other than excludingBookingID.
	Conflicts(ctx context.Context, mentorID string, start, end time.Time, excludingBookingID string) ([]string, error)
	// ConfirmedSessions lists a mentor's sessions with confirmed
	// reservations that end after since, in time order.
	ConfirmedSessions(ctx context.Context, mentorID string, since time.Time) ([]ConfirmedSession, error)

	ExternalCalendarStore
}

// Tx is what a use case writes inside a transaction it does not own: an
// event consumer's, which also records the event as handled.
type Tx interface {
	// SetStanding records a mentor's standing as of at; a standing older
	// than the one recorded changes nothing.
	SetStanding(ctx context.Context, mentorID string, st domain.Standing, reason string, at time.Time) error
	// SetIntroRules records the intro rules of a marketplace policy version
	// announced at at, unless the version recorded is as new or newer; it
	// reports whether they were recorded.
	SetIntroRules(ctx context.Context, r domain.IntroRules, at time.Time) (bool, error)
}

// Checker applies the booking rules to what the store read inside the
// transaction of a hold or a move; an error aborts it.
type Checker func(domain.HoldState) error

// ConfirmedSession is one session of a mentor's calendar feed.
type ConfirmedSession struct {
	SessionID   int64
	Start, End  time.Time
	Offering    string
	Capacity    int
	Seats       int    // confirmed seats
	BookingID   string // the (first) booking on it
	MeetingURL  string
	LastChanged time.Time
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC()
	}
	return time.Now().UTC()
}

func requireID(v *apperr.Violations, field, id string) {
	switch {
	case strings.TrimSpace(id) == "":
		v.Add(field, "is required")
	case len(id) > 128:
		v.Add(field, "must be at most 128 characters")
	}
}
