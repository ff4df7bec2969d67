// Package domain holds the Booking aggregate and the rules of its lifecycle:
// pure types and functions, no transport and no storage. Every command has a
// Check method (used by the workflow's update validators, so a refused command
// leaves no trace) and a method that applies it.
package domain

import (
	"time"

	"github.com/bookwell/bookwell/pkg/apperr"
)

// Status is where a booking stands in its lifecycle.
type Status string

// The statuses of DESIGN.md's lifecycle table.
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

// Role is who acts on a booking.
type Role string

// The roles.
const (
	RoleMentee Role = "MENTEE"
	RoleMentor Role = "MENTOR"
	RoleAdmin  Role = "ADMIN"
	RoleSystem Role = "SYSTEM"
)

// Actor is who asked for a change.
type Actor struct {
	ID   string
	Role Role
}

// System is bookwell itself acting: a timer or a policy.
var System = Actor{Role: RoleSystem}

// PaymentMethod is how a booking is paid.
type PaymentMethod string

// The payment methods.
const (
	PaymentNone         PaymentMethod = "NONE"
	PaymentCard         PaymentMethod = "CARD"
	PaymentBankTransfer PaymentMethod = "BANK_TRANSFER"
	PaymentPayPal       PaymentMethod = "PAYPAL"
	PaymentVenmo        PaymentMethod = "VENMO"
	PaymentCash         PaymentMethod = "CASH"
	PaymentBundle       PaymentMethod = "BUNDLE"
)

// Manual reports whether the mentor confirms receipt of the money by hand.
func (m PaymentMethod) Manual() bool {
	switch m {
	case PaymentBankTransfer, PaymentPayPal, PaymentVenmo, PaymentCash:
		return true
	}
	return false
}

// PaymentStatus is where a booking's money stands.
type PaymentStatus string

// The payment statuses.
const (
	PaymentStatusNone              PaymentStatus = "NONE"
	PaymentStatusUnpaid            PaymentStatus = "UNPAID"
	PaymentStatusAuthorized        PaymentStatus = "AUTHORIZED"
	PaymentStatusPaid              PaymentStatus = "PAID"
	PaymentStatusPartiallyRefunded PaymentStatus = "PARTIALLY_REFUNDED"
	PaymentStatusRefunded          PaymentStatus = "REFUNDED"
)

// OfferingKind is the type of session.
type OfferingKind string

// The offering kinds.
const (
	OfferingIntro OfferingKind = "INTRO"
	OfferingPaid  OfferingKind = "PAID"
)

// Money is an amount in a currency's minor unit.
type Money struct {
	Currency string
	Amount   int64
}

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

// Booking is one mentee's booking of one session with one mentor. Its fields
// are exported so that the workflow can carry it in its history; change it only
// through the methods of this package.
type Booking struct {
	ID         string
	MentorID   string
	MenteeID   string
	OfferingID string
	Status     Status
	// Start and End are the session's time; zero while the mentor has to pick
	// one of several PreferredStarts.
	Start, End      time.Time
	PreferredStarts []time.Time
	Duration        time.Duration

	Message       string
	IntakeAnswers map[string]string
	PartySize     int
	Attendees     []string
	MenteeName    string
	MenteeEmail   string
	MenteeTZ      string
	MentorTZ      string

	OfferingKind OfferingKind
	OfferingName string

	PaymentMethod PaymentMethod
	PaymentStatus PaymentStatus
	Price         Money
	Refunded      Money
	BundleID      string

	MeetingURL string
	Calendar   CalendarLinks
	Proposal   *Proposal
	Policy     Policy
	ExpiresAt  time.Time
	Outcome    *Outcome

	Continuation       Continuation
	ContinuationReason string
	MentorNotes        string

	CreatedAt       time.Time
	UpdatedAt       time.Time
	FirstResponseAt time.Time
	RemindedAt      time.Time
	// SessionRemindedAt is when both sides were reminded of the session (or
	// when it was approved already inside the reminder window, which needs
	// none).
	SessionRemindedAt time.Time
	// Version increases by one with every change.
	Version int64
}

// SessionID names the session a booking is for: bookings of the same class at
// the same time share it.
func (b Booking) SessionID() string {
	return SessionID(b.MentorID, b.OfferingID, b.Start)
}

// touch records a change.
func (b *Booking) touch(now time.Time) {
	b.UpdatedAt = now.UTC()
	b.Version++
}

// transition moves the booking to s.
func (b *Booking) transition(s Status, now time.Time) {
	b.Status = s
	b.touch(now)
}

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
