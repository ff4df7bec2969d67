package domain

import "time"

// Status is where a booking stands in its lifecycle (docs/product.md).
type Status string

// The statuses.
const (
	StatusPending             Status = "PENDING"
	StatusNegotiating         Status = "NEGOTIATING"
	StatusAwaitingPayment     Status = "AWAITING_PAYMENT"
	StatusConfirmed           Status = "CONFIRMED"
	StatusPendingConfirmation Status = "PENDING_CONFIRMATION"
	StatusCompleted           Status = "COMPLETED"
	StatusNoShow              Status = "NO_SHOW"
	StatusRejected            Status = "REJECTED"
	StatusExpired             Status = "EXPIRED"
	StatusCancelled           Status = "CANCELLED"
	// StatusAwaitingAuthentication is a request whose card payment waits for
	// the mentee's authentication (3-D Secure); the mentor does not see it
	// as a request yet.
	StatusAwaitingAuthentication Status = "AWAITING_AUTHENTICATION"
)

// Final reports whether the booking's status can no longer change. Money can
// still move on a final booking (a goodwill refund, marking a manual refund).
func (s Status) Final() bool {
	switch s {
	case StatusCompleted, StatusNoShow, StatusRejected, StatusExpired, StatusCancelled:
		return true
	}
	return false
}

// Open reports whether the booking is a request still awaiting an answer.
func (s Status) Open() bool { return s == StatusPending || s == StatusNegotiating }

// Upcoming reports whether the booking is an approved session yet to happen.
func (s Status) Upcoming() bool { return s == StatusConfirmed || s == StatusAwaitingPayment }

// OfferingKind is the type of session.
type OfferingKind string

// The offering kinds.
const (
	OfferingIntro OfferingKind = "INTRO"
	OfferingPaid  OfferingKind = "PAID"
)

// Proposal is another time one side suggested.
type Proposal struct {
	Start time.Time
	By    Role
	Note  string
	At    time.Time
}

// CalendarLinks add a session to a calendar.
type CalendarLinks struct {
	Google, Yahoo, Outlook, ICS string
}

// Outcome is how a booking ended.
type Outcome struct {
	EndedBy Role
	Reason  string
	At      time.Time
	Money   string // the money outcome in words
	Late    bool   // a cancellation inside the late window
}

// Continuation is the mentor's decision after an intro session.
type Continuation string

// The continuation decisions.
const (
	ContinuationApproved Continuation = "APPROVED"
	ContinuationRejected Continuation = "REJECTED"
)
