package domain

import (
	"fmt"
	"strings"

	"github.com/bookwell/bookwell/pkg/apperr"
)

// The errors the booking context returns, each with a reason a front end can
// switch on.
var (
	ErrNotFound              = apperr.New(apperr.KindNotFound, "BOOKING_NOT_FOUND", "booking not found")
	ErrWrongState            = apperr.New(apperr.KindConflict, "WRONG_STATE", "the booking is not in a state that allows this")
	ErrRequestReused         = apperr.New(apperr.KindConflict, "REQUEST_ID_REUSED", "request_id was already used for a different booking")
	ErrNotYourBooking        = apperr.New(apperr.KindPermissionDenied, "NOT_YOUR_BOOKING", "only the booking's mentor or mentee may do this")
	ErrNotAllowedForRole     = apperr.New(apperr.KindPermissionDenied, "NOT_ALLOWED_FOR_ROLE", "your role may not do this")
	ErrCancellationRefused   = apperr.New(apperr.KindConflict, "CANCELLATION_REFUSED", "this booking can no longer be cancelled")
	ErrMentorCancelForbidden = apperr.New(apperr.KindConflict, "MENTOR_CANCEL_FORBIDDEN", "mentors cannot cancel a confirmed booking; ask the mentee to cancel it")
	ErrNotYourTurn           = apperr.New(apperr.KindConflict, "NOT_YOUR_TURN", "the other side has to answer this proposal")
	ErrSessionNotOver        = apperr.New(apperr.KindConflict, "SESSION_NOT_STARTED", "the session has not started yet")
	ErrNotIntro              = apperr.New(apperr.KindConflict, "NOT_AN_INTRO_SESSION", "only intro sessions end with a continuation decision")
	ErrNotManual             = apperr.New(apperr.KindConflict, "NOT_A_MANUAL_PAYMENT", "only bookings paid by bank transfer, PayPal, Venmo or cash are marked paid or refunded by hand")
	ErrNothingToRefund       = apperr.New(apperr.KindConflict, "NOTHING_TO_REFUND", "there is no payment left to refund")
)

func wrongState(b *Booking, what string) error {
	return apperr.Wrap(ErrWrongState, "%s; this booking is %s", what, b.status)
}

func required(field, val string, maxLen int) error {
	var v apperr.Violations
	switch {
	case strings.TrimSpace(val) == "":
		v.Add(field, "is required")
	case len(val) > maxLen:
		v.Add(field, fmt.Sprintf("must be at most %d characters", maxLen))
	}
	return v.Err()
}

func tooLong(field string, val string, maxLen int) error {
	if len(val) <= maxLen {
		return nil
	}
	var v apperr.Violations
	v.Add(field, fmt.Sprintf("must be at most %d characters", maxLen))
	return v.Err()
}
