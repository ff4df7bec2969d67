// Package domain holds reputation's rules: what a booking fact means for a
// mentor's figures, the standing rules, badges, the ranking formula, a
// mentee's history and reviews. Pure types and functions; no transport and
// no storage. The rules and their defaults are described in
// docs/product.md (reputation).
package domain

import "time"

// Status is a booking's status, as booking names it.
type Status string

// The booking statuses reputation reads.
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

// Approved reports whether a booking in status s has been approved by its
// mentor at some point (a later cancellation does not say, so it is false).
func (s Status) Approved() bool {
	switch s {
	case StatusAwaitingPayment, StatusConfirmed, StatusPendingConfirmation, StatusCompleted, StatusNoShow:
		return true
	}
	return false
}

// Role is who acted on a booking.
type Role string

// The roles.
const (
	RoleNone   Role = ""
	RoleMentee Role = "MENTEE"
	RoleMentor Role = "MENTOR"
	RoleAdmin  Role = "ADMIN"
	RoleSystem Role = "SYSTEM"
)

// BookingFact is what reputation keeps of one booking event: the booking
// snapshot after the change, reduced to the fields the figures need.
type BookingFact struct {
	EventID     string
	Rescheduled bool // the event says both sides agreed on a new time
	OccurredAt  time.Time
	ActorRole   Role

	BookingID         string
	MentorID          string
	MenteeID          string
	Version           int64
	Status            Status
	StartTime         time.Time // zero while unset
	CreateTime        time.Time
	FirstResponseTime time.Time // zero until the mentor answered
	EndedBy           Role
	EndedAt           time.Time // outcome end time, else the event time for final statuses
	Currency          string
	PriceMinor        int64
	RefundedMinor     int64
	ProposedBy        Role // who proposed the time the booking moved to, if known
}

// RescheduleInitiator says who initiated an agreed reschedule: whoever made
// the proposal if the snapshot still names them, else the side that did not
// accept it.
func (f BookingFact) RescheduleInitiator() Role {
	if f.ProposedBy != RoleNone {
		return f.ProposedBy
	}
	switch f.ActorRole {
	case RoleMentee:
		return RoleMentor
	case RoleMentor:
		return RoleMentee
	}
	return f.ActorRole
}
