package domain

import (
	"time"
)

// ReservationStatus is where a reservation stands.
type ReservationStatus string

// The statuses of a reservation.
const (
	StatusHeld      ReservationStatus = "HELD"      // holds the slot while the booking awaits a decision
	StatusConfirmed ReservationStatus = "CONFIRMED" // the session will happen
	StatusReleased  ReservationStatus = "RELEASED"  // the slot is free again
)

// Reservation is the time one booking holds in a mentor's calendar.
type Reservation struct {
	BookingID      string
	MentorID       string
	OfferingID     string
	MenteeID       string
	Kind           Kind
	Status         ReservationStatus
	Start, End     time.Time
	PartySize      int
	MenteeTimeZone string
	MeetingURL     string
	Version        int64
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

// Hold is a request to hold a slot for a booking.
type Hold struct {
	BookingID      string
	MentorID       string
	OfferingID     string
	MenteeID       string
	Start          time.Time
	PartySize      int
	MenteeTimeZone string
	// IntroLength is how long an intro session lasts under the policy the
	// hold is made under; 0: the offering's duration.
	IntroLength time.Duration
}

// Same reports whether r is what h would have made: a retried hold.
func (h Hold) Same(r Reservation) bool {
	return r.MentorID == h.MentorID && r.OfferingID == h.OfferingID && r.MenteeID == h.MenteeID &&
		r.Start.Equal(h.Start) && r.PartySize == h.PartySize
}

// IntroMonth is the calendar month ("2006-01") of start in the mentee's time
// zone: the month whose intro quota a session counts against.
func IntroMonth(start time.Time, menteeZone *time.Location) string {
	return start.In(menteeZone).Format("2006-01")
}

// HoldState is what the store knows when it decides a hold or a move, read
// inside the transaction that makes it.
type HoldState struct {
	Offering        Offering
	Availability    Availability
	Standing        Standing
	IntrosInMonth   int  // the mentee's intro reservations in the session's month, other than this booking's
	IntroWithMentor bool // the mentee already holds an intro with this mentor
	// BusyElsewhere: one of the mentor's external calendars is busy during
	// the session or the buffer after it.
	BusyElsewhere bool
	Start         time.Time
	PartySize     int
	Now           time.Time
}

// CheckHold applies the booking rules to a hold or a move; the store's
// constraints then decide whether the time is still free.
func (p Policy) CheckHold(s HoldState) error {
	if !s.Standing.TakesBookings {
		return ErrMentorUnavailable
	}
	if s.PartySize > s.Offering.Capacity {
		return ErrOverCapacity
	}
	if err := p.CheckTime(s.Offering, s.Availability, s.Start, s.Now); err != nil {
		return err
	}
	if s.BusyElsewhere {
		return ErrMentorBusy
	}
	if s.Offering.Kind == KindIntro && p.IntroOnePerMentor && s.IntroWithMentor {
		return ErrIntroAlreadyUsed
	}
	if s.Offering.Kind == KindIntro && p.IntroMonthlyQuota > 0 && s.IntrosInMonth >= p.IntroMonthlyQuota {
		return ErrIntroQuotaExceeded
	}
	return nil
}
