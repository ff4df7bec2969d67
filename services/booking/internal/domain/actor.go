package domain

import "github.com/bookwell/bookwell/pkg/apperr"

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

// side is which party of the booking an actor is; admin and system act for
// either.
func (b *Booking) side(a Actor) (Role, error) {
	switch {
	case a.Role == RoleAdmin || a.Role == RoleSystem:
		return a.Role, nil
	case a.Role == RoleMentor && a.ID == b.mentorID:
		return RoleMentor, nil
	case a.Role == RoleMentee && a.ID == b.menteeID:
		return RoleMentee, nil
	}
	return "", ErrNotYourBooking
}

// mentorSide allows the booking's mentor and admin.
func (b *Booking) mentorSide(a Actor) error {
	r, err := b.side(a)
	if err != nil {
		return err
	}
	if r == RoleMentee {
		return apperr.Wrap(ErrNotAllowedForRole, "only the mentor may do this")
	}
	return nil
}
