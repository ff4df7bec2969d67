// Package domain holds the notifications context's pure types and rules: the
// booking facts it hears about, who is told what (Plan), and how a time reads
// in a reader's time zone. It knows no proto, no SQL and no SMTP.
package domain

import (
	"time"
)

// Role is a side of a booking.
type Role string

// The roles an event's actor can have.
const (
	RoleMentor Role = "mentor"
	RoleMentee Role = "mentee"
	RoleAdmin  Role = "admin"
	RoleSystem Role = "system"
)

// Booking is the snapshot of a booking an event carries: only what
// notifications need.
type Booking struct {
	ID                 string
	MentorID           string
	MenteeID           string
	MenteeName         string
	MenteeEmail        string
	MentorTimeZone     string
	MenteeTimeZone     string
	OfferingName       string
	Intro              bool
	Status             string // e.g. "CONFIRMED", "AWAITING_PAYMENT"
	Start, End         time.Time
	PreferredTimes     []time.Time
	Message            string
	IntakeAnswers      map[string]string
	PartySize          int
	Price              Money
	Refunded           Money
	PaymentMethod      string // e.g. "CARD", "BANK_TRANSFER"
	MeetingURL         string
	Calendar           CalendarLinks
	Proposal           *Proposal
	Outcome            Outcome
	ExpireTime         time.Time
	Continuation       string // "APPROVED", "REJECTED" or ""
	ContinuationReason string
	Version            int64
}

// Money is an amount in a currency's minor unit.
type Money struct {
	Currency    string
	AmountMinor int64
}

// IsZero reports no amount.
func (m Money) IsZero() bool { return m.AmountMinor == 0 }

// CalendarLinks add a session to a calendar.
type CalendarLinks struct {
	Google, Yahoo, Outlook, ICS string
}

// Proposal is another time one side suggested.
type Proposal struct {
	Start      time.Time
	ProposedBy Role
	Note       string
}

// Outcome is how a booking ended.
type Outcome struct {
	EndedBy Role
	Reason  string
	Money   string
	Late    bool
}

// Change is what happened to a booking: the type of a booking event, in
// notifications' words. Its value names the templates of the notices about
// it.
type Change string

// The changes the booking context announces (docs/product.md, events).
const (
	ChangeRequested           Change = "requested"
	ChangeApproved            Change = "approved"
	ChangeRejected            Change = "rejected"
	ChangeProposed            Change = "proposed"
	ChangeRescheduled         Change = "rescheduled"
	ChangeProposalDeclined    Change = "proposal_declined"
	ChangeReminder            Change = "reminder"
	ChangeSessionReminder     Change = "session_reminder"
	ChangeExpired             Change = "expired"
	ChangeCancelled           Change = "cancelled"
	ChangeMarkedPaid          Change = "marked_paid"
	ChangeSessionEnded        Change = "session_ended"
	ChangeCompleted           Change = "completed"
	ChangeNoShow              Change = "no_show"
	ChangeRefunded            Change = "refunded"
	ChangeContinuationDecided Change = "continuation_decided"
	ChangeMessageSent         Change = "message_sent"
)

// KindThreadReply is the kind of the notice telling a mentor that the
// mentee replied on a booking's thread: notifications' own, not an event.
const KindThreadReply = "booking.thread_reply"

// BookingEvent is one fact about a booking, as the booking context published it.
type BookingEvent struct {
	ID         string // the event id
	Subject    string // its subject (e.g. "booking.approved"): the notification's kind
	Change     Change // "" for one notifications does not know
	OccurredAt time.Time
	Booking    Booking
	ActorRole  Role
	ActorID    string
	Text       string
	// AutoApproved: an approval the mentor's auto-approval made within the
	// request; the mentor is told of a new booking, not of their decision.
	AutoApproved bool
}

// Recipient is how a user is reached.
type Recipient struct {
	UserID   string
	Email    string
	Name     string
	TimeZone string
}

// FallbackEmail is the address of a user nobody gave one for: it lands in the
// development mailbox, and nowhere real.
func FallbackEmail(userID string) string { return userID + "@users.bookwell.local" }
