// Package domain holds the Booking aggregate and the rules of its lifecycle:
// pure types and functions, no transport and no storage. A booking changes
// only through its methods, one file per command (approve.go, reject.go, …).
// Each command has a Check method, which the workflow's update validators run
// so that a refused command leaves no trace, and a method that checks again
// and applies the change in one call. The product rules are described in
// docs/product.md.
package domain

import (
	"maps"
	"slices"
	"time"
)

// Booking is one mentee's booking of one session with one mentor.
type Booking struct {
	id, mentorID, menteeID, offeringID string
	status                             Status
	// start and end are zero while the mentor has to pick one of several
	// preferredStarts.
	start, end      time.Time
	preferredStarts []time.Time
	duration        time.Duration

	message       string
	intakeAnswers map[string]string
	partySize     int
	attendees     []string
	menteeName    string
	menteeEmail   string
	menteeTZ      string
	mentorTZ      string

	offeringKind OfferingKind
	offeringName string

	paymentMethod PaymentMethod
	paymentStatus PaymentStatus
	price         Money
	refunded      Money
	bundleID      string
	// paymentAction is what the mentee needs to authenticate the card while
	// the booking awaits it.
	paymentAction *PaymentAction
	// paymentDisputed: the mentee disputed the card payment with the bank.
	paymentDisputed bool

	meetingURL string
	calendar   CalendarLinks
	proposal   *Proposal
	policy     Policy
	expiresAt  time.Time
	outcome    *Outcome

	continuation       Continuation
	continuationReason string
	mentorNotes        string

	createdAt         time.Time
	updatedAt         time.Time
	firstResponseAt   time.Time
	remindedAt        time.Time
	sessionRemindedAt time.Time
	version           int64
}

// Snapshot is everything a booking holds, as plain values: what storage, the
// workflow's state and the API copy out of a booking (Booking.Snapshot) and
// rebuild one from (Restore). Changing a Snapshot changes no booking.
type Snapshot struct {
	ID, MentorID, MenteeID, OfferingID string
	Status                             Status
	Start, End                         time.Time
	PreferredStarts                    []time.Time
	Duration                           time.Duration
	Message                            string
	IntakeAnswers                      map[string]string
	PartySize                          int
	Attendees                          []string
	MenteeName, MenteeEmail            string
	MenteeTZ, MentorTZ                 string
	OfferingKind                       OfferingKind
	OfferingName                       string
	PaymentMethod                      PaymentMethod
	PaymentStatus                      PaymentStatus
	Price, Refunded                    Money
	BundleID                           string
	PaymentAction                      *PaymentAction
	PaymentDisputed                    bool
	MeetingURL                         string
	Calendar                           CalendarLinks
	Proposal                           *Proposal
	Policy                             Policy
	ExpiresAt                          time.Time
	Outcome                            *Outcome
	Continuation                       Continuation
	ContinuationReason                 string
	MentorNotes                        string
	CreatedAt, UpdatedAt               time.Time
	FirstResponseAt, RemindedAt        time.Time
	// SessionRemindedAt is when both sides were reminded of the session (or
	// when it was approved already inside the reminder window, which needs
	// none).
	SessionRemindedAt time.Time
	// Version increases by one with every change.
	Version int64
}

// Snapshot returns a copy of everything b holds.
func (b *Booking) Snapshot() Snapshot {
	return Snapshot{
		ID: b.id, MentorID: b.mentorID, MenteeID: b.menteeID, OfferingID: b.offeringID, Status: b.status,
		Start: b.start, End: b.end, PreferredStarts: slices.Clone(b.preferredStarts), Duration: b.duration,
		Message: b.message, IntakeAnswers: maps.Clone(b.intakeAnswers), PartySize: b.partySize,
		Attendees: slices.Clone(b.attendees), MenteeName: b.menteeName, MenteeEmail: b.menteeEmail,
		MenteeTZ: b.menteeTZ, MentorTZ: b.mentorTZ, OfferingKind: b.offeringKind, OfferingName: b.offeringName,
		PaymentMethod: b.paymentMethod, PaymentStatus: b.paymentStatus, Price: b.price, Refunded: b.refunded,
		BundleID: b.bundleID, PaymentAction: clonePtr(b.paymentAction), PaymentDisputed: b.paymentDisputed,
		MeetingURL: b.meetingURL, Calendar: b.calendar, Proposal: clonePtr(b.proposal),
		Policy: b.policy, ExpiresAt: b.expiresAt, Outcome: clonePtr(b.outcome), Continuation: b.continuation,
		ContinuationReason: b.continuationReason, MentorNotes: b.mentorNotes, CreatedAt: b.createdAt,
		UpdatedAt: b.updatedAt, FirstResponseAt: b.firstResponseAt, RemindedAt: b.remindedAt,
		SessionRemindedAt: b.sessionRemindedAt, Version: b.version,
	}
}

// Restore rebuilds a booking that was saved as s.
func Restore(s Snapshot) *Booking {
	return &Booking{
		id: s.ID, mentorID: s.MentorID, menteeID: s.MenteeID, offeringID: s.OfferingID, status: s.Status,
		start: s.Start, end: s.End, preferredStarts: slices.Clone(s.PreferredStarts), duration: s.Duration,
		message: s.Message, intakeAnswers: maps.Clone(s.IntakeAnswers), partySize: s.PartySize,
		attendees: slices.Clone(s.Attendees), menteeName: s.MenteeName, menteeEmail: s.MenteeEmail,
		menteeTZ: s.MenteeTZ, mentorTZ: s.MentorTZ, offeringKind: s.OfferingKind, offeringName: s.OfferingName,
		paymentMethod: s.PaymentMethod, paymentStatus: s.PaymentStatus, price: s.Price, refunded: s.Refunded,
		bundleID: s.BundleID, paymentAction: clonePtr(s.PaymentAction), paymentDisputed: s.PaymentDisputed,
		meetingURL: s.MeetingURL, calendar: s.Calendar, proposal: clonePtr(s.Proposal),
		policy: s.Policy, expiresAt: s.ExpiresAt, outcome: clonePtr(s.Outcome), continuation: s.Continuation,
		continuationReason: s.ContinuationReason, mentorNotes: s.MentorNotes, createdAt: s.CreatedAt,
		updatedAt: s.UpdatedAt, firstResponseAt: s.FirstResponseAt, remindedAt: s.RemindedAt,
		sessionRemindedAt: s.SessionRemindedAt, version: s.Version,
	}
}

func clonePtr[T any](p *T) *T {
	if p == nil {
		return nil
	}
	c := *p
	return &c
}

// ID is the booking's id.
func (b *Booking) ID() string { return b.id }

// MentorID is the mentor's id.
func (b *Booking) MentorID() string { return b.mentorID }

// MenteeID is the mentee's id.
func (b *Booking) MenteeID() string { return b.menteeID }

// Status is where the booking stands.
func (b *Booking) Status() Status { return b.status }

// Start is the session's start; zero while the mentor has to pick one of the
// preferred times.
func (b *Booking) Start() time.Time { return b.start }

// Version increases by one with every change.
func (b *Booking) Version() int64 { return b.version }

// PaymentStatus is where the booking's money stands.
func (b *Booking) PaymentStatus() PaymentStatus { return b.paymentStatus }

// SortTime is where the booking sorts by session time: its start, or its
// earliest preferred time while the mentor has yet to pick one.
func (b *Booking) SortTime() time.Time {
	if b.start.IsZero() && len(b.preferredStarts) > 0 {
		return b.preferredStarts[0]
	}
	return b.start
}

// SessionID names the session a booking is for: bookings of the same class at
// the same time share it.
func (b *Booking) SessionID() string {
	return SessionID(b.mentorID, b.offeringID, b.start)
}

// touch records a change.
func (b *Booking) touch(now time.Time) {
	b.updatedAt = now.UTC()
	b.version++
}

// transition moves the booking to s.
func (b *Booking) transition(s Status, now time.Time) {
	b.status = s
	b.touch(now)
}

// close ends the booking with its outcome.
func (b *Booking) close(s Status, a Actor, reason string, money endedWith, late bool, now time.Time) {
	b.paymentStatus = money.payment.Status
	b.refunded.Amount = money.payment.Refunded
	b.proposal = nil
	b.outcome = &Outcome{EndedBy: a.Role, Reason: reason, At: now.UTC(), Money: money.words, Late: late}
	b.transition(s, now)
}

// VisibleTo returns b as actor may see it: the mentor's private notes are
// removed for everyone but the mentor and admin.
func (b *Booking) VisibleTo(a Actor) *Booking {
	c := Restore(b.Snapshot())
	if a.Role != RoleAdmin && !(a.Role == RoleMentor && a.ID == b.mentorID) {
		c.mentorNotes = ""
	}
	if a.Role != RoleMentee && a.Role != RoleSystem {
		c.paymentAction = nil // the client secret is the mentee's browser's only
	}
	return c
}

// CheckRead reports whether actor may see b.
func (b *Booking) CheckRead(a Actor) error {
	_, err := b.side(a)
	return err
}
