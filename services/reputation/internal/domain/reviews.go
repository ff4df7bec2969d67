package domain

import (
	"fmt"
	"strings"
	"time"

	"github.com/bookwell/bookwell/pkg/apperr"
)

// Review is a mentee's rating of a completed booking.
type Review struct {
	BookingID string
	MentorID  string
	MenteeID  string
	Rating    int
	Text      string
	CreatedAt time.Time
}

// MaxReviewText is the longest review text accepted, in characters.
const MaxReviewText = 2000

// The review errors.
var (
	ErrBookingNotFound     = apperr.New(apperr.KindNotFound, "BOOKING_NOT_FOUND", "no such booking")
	ErrNotBookingsMentee   = apperr.New(apperr.KindPermissionDenied, "NOT_BOOKINGS_MENTEE", "only the booking's mentee may review it")
	ErrBookingNotCompleted = apperr.New(apperr.KindConflict, "BOOKING_NOT_COMPLETED", "only a completed session can be reviewed")
	ErrAlreadyReviewed     = apperr.New(apperr.KindAlreadyExists, "ALREADY_REVIEWED", "this booking already has a review")
)

// ValidateReview checks a review request's own fields.
func ValidateReview(r Review) error {
	var v apperr.Violations
	if strings.TrimSpace(r.BookingID) == "" {
		v.Add("booking_id", "is required")
	}
	if strings.TrimSpace(r.MenteeID) == "" {
		v.Add("review.mentee_id", "is required")
	}
	if r.Rating < 1 || r.Rating > 5 {
		v.Add("review.rating", "must be from 1 to 5")
	}
	if n := len([]rune(r.Text)); n > MaxReviewText {
		v.Add("review.text", fmt.Sprintf("is %d characters; at most %d", n, MaxReviewText))
	}
	return v.Err()
}

// CanReview checks that mentee may review a booking in this state.
func CanReview(menteeID string, bookingMentee string, status Status) error {
	if menteeID != bookingMentee {
		return ErrNotBookingsMentee
	}
	if status != StatusCompleted {
		return apperr.Wrap(ErrBookingNotCompleted, "only a completed session can be reviewed; this booking is %s", status)
	}
	return nil
}
