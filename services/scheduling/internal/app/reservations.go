package app

import (
	"context"
	"time"

	"github.com/bookwell/bookwell/pkg/apperr"
	"github.com/bookwell/bookwell/services/scheduling/internal/domain"
	"github.com/bookwell/bookwell/services/scheduling/internal/meeting"
)

// MaxPartySize is the largest party one booking can bring.
const MaxPartySize = 500

// Hold holds a slot for a booking. A retry with the same booking and details
// returns the first reservation; the same booking with other details is
// ErrBookingAlreadyHeld.
func (s *Service) Hold(ctx context.Context, h domain.Hold) (domain.Reservation, error) {
	if err := mayReserve(ctx); err != nil {
		return domain.Reservation{}, err
	}
	var v apperr.Violations
	requireID(&v, "booking_id", h.BookingID)
	requireID(&v, "mentor_id", h.MentorID)
	requireID(&v, "offering_id", h.OfferingID)
	requireID(&v, "mentee_id", h.MenteeID)
	if h.Start.IsZero() {
		v.Add("start_time", "is required")
	}
	if h.PartySize == 0 {
		h.PartySize = 1
	}
	if h.PartySize < 1 || h.PartySize > MaxPartySize {
		v.Add("party_size", "must be 1 to 500")
	}
	if h.MenteeTimeZone == "" {
		h.MenteeTimeZone = "UTC"
	}
	if _, err := time.LoadLocation(h.MenteeTimeZone); err != nil || h.MenteeTimeZone == "Local" {
		v.Add("mentee_time_zone", "must be an IANA time zone such as Europe/London")
	}
	if err := v.Err(); err != nil {
		return domain.Reservation{}, err
	}
	h.Start = h.Start.UTC()
	// The newest policy scheduling knows: booking holds the slot when the
	// booking is requested, so that is the one it is requested under.
	p, err := s.CurrentPolicy(ctx)
	if err != nil {
		return domain.Reservation{}, err
	}
	h.IntroLength = p.IntroDuration
	r, existed, err := s.Store.Hold(ctx, h, s.now(), p.CheckHold)
	if err != nil {
		return r, err
	}
	if existed && !h.Same(r) {
		return domain.Reservation{}, domain.ErrBookingAlreadyHeld
	}
	return r, nil
}

// Confirm confirms a booking's reservation, creating its meeting link first
// when it has none. A retry returns the confirmed reservation unchanged.
func (s *Service) Confirm(ctx context.Context, bookingID string) (domain.Reservation, error) {
	if err := mayReserve(ctx); err != nil {
		return domain.Reservation{}, err
	}
	var v apperr.Violations
	requireID(&v, "booking_id", bookingID)
	if err := v.Err(); err != nil {
		return domain.Reservation{}, err
	}
	r, err := s.Store.Reservation(ctx, bookingID)
	if err != nil {
		return r, err
	}
	switch r.Status {
	case domain.StatusReleased:
		return r, domain.ErrReservationReleased
	case domain.StatusConfirmed:
		return r, nil
	}
	url := r.MeetingURL
	if url == "" && s.Meetings != nil {
		// Outside the transaction: a conferencing API is slow and may fail. A
		// retry after a crash here makes another room; the first link stored
		// wins.
		url, err = s.Meetings.CreateMeeting(ctx, meeting.Request{BookingID: r.BookingID, Topic: "bookwell session", Start: r.Start, End: r.End})
		if err != nil {
			return r, apperr.Wrap(ErrMeetingUnavailable, "could not create the meeting link: %v", err)
		}
	}
	return s.Store.Confirm(ctx, bookingID, url, s.now())
}

// ErrMeetingUnavailable is a failure of the conferencing provider; retrying
// later may succeed.
var ErrMeetingUnavailable = apperr.New(apperr.KindUnavailable, "MEETING_PROVIDER_UNAVAILABLE", "the video meeting provider is unavailable")

// Move moves a booking's reservation to newStart, keeping the old time when
// the new one cannot be held.
func (s *Service) Move(ctx context.Context, bookingID string, newStart time.Time) (domain.Reservation, error) {
	if err := mayReserve(ctx); err != nil {
		return domain.Reservation{}, err
	}
	var v apperr.Violations
	requireID(&v, "booking_id", bookingID)
	if newStart.IsZero() {
		v.Add("new_start_time", "is required")
	}
	if err := v.Err(); err != nil {
		return domain.Reservation{}, err
	}
	p, err := s.CurrentPolicy(ctx)
	if err != nil {
		return domain.Reservation{}, err
	}
	return s.Store.Move(ctx, bookingID, newStart.UTC(), s.now(), p.CheckHold)
}

// Release frees a booking's slot; nil when the booking never held one.
func (s *Service) Release(ctx context.Context, bookingID string) (*domain.Reservation, error) {
	if err := mayReserve(ctx); err != nil {
		return nil, err
	}
	var v apperr.Violations
	requireID(&v, "booking_id", bookingID)
	if err := v.Err(); err != nil {
		return nil, err
	}
	return s.Store.Release(ctx, bookingID, s.now())
}

// Reservation returns a booking's reservation.
func (s *Service) Reservation(ctx context.Context, bookingID string) (domain.Reservation, error) {
	if err := mayReserve(ctx); err != nil {
		return domain.Reservation{}, err
	}
	var v apperr.Violations
	requireID(&v, "booking_id", bookingID)
	if err := v.Err(); err != nil {
		return domain.Reservation{}, err
	}
	return s.Store.Reservation(ctx, bookingID)
}

// Conflicts lists the bookings that overlap [start, end) in a mentor's
// calendar, other than excludingBookingID.
func (s *Service) Conflicts(ctx context.Context, mentorID string, start, end time.Time, excludingBookingID string) ([]string, error) {
	if err := mayReserve(ctx); err != nil {
		return nil, err
	}
	var v apperr.Violations
	requireID(&v, "mentor_id", mentorID)
	if start.IsZero() {
		v.Add("start_time", "is required")
	}
	if !end.After(start) {
		v.Add("end_time", "must be after start_time")
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	return s.Store.Conflicts(ctx, mentorID, start, end, excludingBookingID)
}
