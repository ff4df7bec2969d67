// Package domain holds scheduling's pure types and rules: offerings, weekly
// availability in a mentor's time zone, free-slot computation and the booking
// rules a reservation must pass. No transport and no storage.
package domain

import "github.com/bookwell/bookwell/pkg/apperr"

// The errors a front end can tell apart by their reason.
var (
	ErrSlotTaken           = apperr.New(apperr.KindConflict, "SLOT_TAKEN", "that time is already booked")
	ErrOverCapacity        = apperr.New(apperr.KindConflict, "OVER_CAPACITY", "not enough seats left in that session")
	ErrOutsideAvailability = apperr.New(apperr.KindConflict, "OUTSIDE_AVAILABILITY", "the mentor is not available at that time")
	ErrNoticeTooShort      = apperr.New(apperr.KindConflict, "NOTICE_TOO_SHORT", "that time is too soon to book")
	ErrBeyondHorizon       = apperr.New(apperr.KindConflict, "BEYOND_HORIZON", "that time is too far ahead to book")
	ErrIntroQuotaExceeded  = apperr.New(apperr.KindConflict, "INTRO_QUOTA_EXCEEDED", "you have used all your introductory sessions for that month")
	ErrIntroAlreadyUsed    = apperr.New(apperr.KindConflict, "INTRO_ALREADY_USED", "you already had an introductory session with this mentor")
	ErrMentorUnavailable   = apperr.New(apperr.KindConflict, "MENTOR_UNAVAILABLE", "this mentor is not taking bookings")
	ErrMentorAway          = apperr.New(apperr.KindConflict, "MENTOR_AWAY", "the mentor is away and not taking bookings for that time")
	ErrOfferingNotFound    = apperr.New(apperr.KindNotFound, "OFFERING_NOT_FOUND", "no such offering")
	ErrReservationNotFound = apperr.New(apperr.KindNotFound, "RESERVATION_NOT_FOUND", "no reservation for that booking")
	ErrReservationReleased = apperr.New(apperr.KindConflict, "RESERVATION_RELEASED", "the reservation was released")
	ErrBookingAlreadyHeld  = apperr.New(apperr.KindConflict, "BOOKING_ALREADY_HELD", "this booking already holds a different reservation")
)
