// Package domain holds the Booking aggregate and the rules of its lifecycle:
// pure types and functions, no transport and no storage.
package domain

import (
	"fmt"
	"strings"
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

// Final reports whether nothing can move the booking to another status.
func (s Status) Final() bool {
	switch s {
	case StatusCompleted, StatusNoShow, StatusRejected, StatusExpired, StatusCancelled:
		return true
	}
	return false
}

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

// Booking is one mentee's booking of one session with one mentor. Its fields
// are exported so that the workflow can carry it in its history; change it only
// through the methods below.
type Booking struct {
	ID         string
	MentorID   string
	MenteeID   string
	OfferingID string
	Status     Status
	Start      time.Time
	End        time.Time
	Message    string
	CreatedAt  time.Time
	UpdatedAt  time.Time
	// Version increases by one with every change.
	Version int64
}

// Request is what a mentee asks for.
type Request struct {
	MentorID   string
	MenteeID   string
	OfferingID string
	Start      time.Time
	End        time.Time
	Message    string
}

// Limits on a request's fields.
const (
	MaxIDLength      = 128
	MaxMessageLength = 4000
	MaxDuration      = 8 * time.Hour
)

// NewBooking validates r and returns the PENDING booking it asks for.
func NewBooking(id string, r Request, now time.Time) (Booking, error) {
	var v apperr.Violations
	for _, f := range []struct{ name, val string }{
		{"mentor_id", r.MentorID}, {"mentee_id", r.MenteeID}, {"offering_id", r.OfferingID},
	} {
		switch {
		case strings.TrimSpace(f.val) == "":
			v.Add(f.name, "is required")
		case len(f.val) > MaxIDLength:
			v.Add(f.name, fmt.Sprintf("must be at most %d characters", MaxIDLength))
		}
	}
	if r.MentorID != "" && r.MentorID == r.MenteeID {
		v.Add("mentee_id", "a mentor cannot book a session with themselves")
	}
	switch {
	case r.Start.IsZero():
		v.Add("start_time", "is required")
	case !r.Start.After(now):
		v.Add("start_time", "must be in the future")
	}
	switch {
	case r.End.IsZero():
		v.Add("end_time", "is required")
	case !r.Start.IsZero() && !r.End.After(r.Start):
		v.Add("end_time", "must be after start_time")
	case !r.Start.IsZero() && r.End.Sub(r.Start) > MaxDuration:
		v.Add("end_time", fmt.Sprintf("a session lasts at most %s", MaxDuration))
	}
	if len(r.Message) > MaxMessageLength {
		v.Add("message", fmt.Sprintf("must be at most %d characters", MaxMessageLength))
	}
	if err := v.Err(); err != nil {
		return Booking{}, err
	}
	now = now.UTC()
	return Booking{
		ID: id, MentorID: r.MentorID, MenteeID: r.MenteeID, OfferingID: r.OfferingID,
		Status: StatusPending, Start: r.Start.UTC(), End: r.End.UTC(), Message: r.Message,
		CreatedAt: now, UpdatedAt: now, Version: 1,
	}, nil
}

// SameRequest reports whether r asks for what b was booked with; a retried
// create must not change the booking it names.
func (b Booking) SameRequest(r Request) bool {
	return b.MentorID == r.MentorID && b.MenteeID == r.MenteeID && b.OfferingID == r.OfferingID &&
		b.Start.Equal(r.Start) && b.End.Equal(r.End) && b.Message == r.Message
}

// CanApprove reports whether the mentor may approve b now.
func (b Booking) CanApprove() error {
	if b.Status != StatusPending {
		return apperr.Wrap(ErrWrongState, "only a pending booking can be approved; this one is %s", b.Status)
	}
	return nil
}

// Approve moves a pending booking to CONFIRMED.
func (b *Booking) Approve(now time.Time) error {
	if err := b.CanApprove(); err != nil {
		return err
	}
	b.transition(StatusConfirmed, now)
	return nil
}

func (b *Booking) transition(s Status, now time.Time) {
	b.Status = s
	b.UpdatedAt = now.UTC()
	b.Version++
}

// The errors the booking context returns, each with a reason a front end can
// switch on.
var (
	ErrNotFound      = apperr.New(apperr.KindNotFound, "BOOKING_NOT_FOUND", "booking not found")
	ErrWrongState    = apperr.New(apperr.KindConflict, "WRONG_STATE", "the booking is not in a state that allows this")
	ErrRequestReused = apperr.New(apperr.KindConflict, "REQUEST_ID_REUSED", "request_id was already used for a different booking")
)
