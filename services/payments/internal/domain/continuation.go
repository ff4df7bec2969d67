package domain

import (
	"time"

	"github.com/bookwell/bookwell/pkg/apperr"
)

// ContinuationDecision is a mentor's decision after an intro session with a
// mentee: an approval lets the mentee buy a bundle of sessions with the
// mentor; a rejection withdraws an earlier approval (docs/product.md, money).
type ContinuationDecision struct {
	MentorID  string
	MenteeID  string
	BookingID string // the intro session
	Approved  bool
	At        time.Time
}

// Validate reports a decision that names no one.
func (d ContinuationDecision) Validate() error {
	var v apperr.Violations
	CheckID(&v, "mentor_id", d.MentorID)
	CheckID(&v, "mentee_id", d.MenteeID)
	CheckID(&v, "booking_id", d.BookingID)
	if d.At.IsZero() {
		v.Add("decided_at", "is required")
	}
	return v.Err()
}

// ErrContinuationRequired is a bundle bought without the mentor's approved
// continuation.
var ErrContinuationRequired = apperr.New(apperr.KindConflict, "CONTINUATION_REQUIRED",
	"a bundle can be bought only after the mentor approved continuation at the end of an intro session")
