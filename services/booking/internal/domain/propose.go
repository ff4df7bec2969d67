package domain

import (
	"time"

	"github.com/bookwell/bookwell/pkg/apperr"
)

// CheckPropose checks a proposal of another start time: on a request (either
// side; a counter-proposal by the side that has to answer) or to reschedule an
// upcoming session.
func (b *Booking) CheckPropose(a Actor, start time.Time, now time.Time) error {
	side, err := b.side(a)
	if err != nil {
		return err
	}
	if side == RoleSystem {
		return ErrNotAllowedForRole
	}
	if !b.status.Open() && !b.status.Upcoming() {
		return wrongState(b, "another time can be proposed only for a request or an upcoming session")
	}
	if b.status.Upcoming() && !b.start.After(now) {
		return wrongState(b, "the session has started")
	}
	if b.proposal != nil && side != RoleAdmin && b.proposal.By == side {
		return apperr.Wrap(ErrNotYourTurn, "you proposed %s; the other side has to answer it", b.proposal.Start.Format(time.RFC3339))
	}
	var v apperr.Violations
	switch {
	case start.IsZero():
		v.Add("start_time", "is required")
	case !start.After(now):
		v.Add("start_time", "must be in the future")
	case start.Equal(b.start) && len(b.preferredStarts) == 0:
		v.Add("start_time", "is the time already booked")
	}
	return v.Err()
}

// Propose records a proposal; a request moves to NEGOTIATING.
func (b *Booking) Propose(a Actor, start time.Time, note string, now time.Time) error {
	if err := b.CheckPropose(a, start, now); err != nil {
		return err
	}
	by := a.Role
	if by == RoleAdmin {
		by = RoleMentor // an operator proposes on the mentor's behalf
	}
	b.proposal = &Proposal{Start: start.UTC(), By: by, Note: note, At: now.UTC()}
	if by == RoleMentor {
		b.responded(now)
	}
	if b.status.Open() {
		b.transition(StatusNegotiating, now)
		return nil
	}
	b.touch(now)
	return nil
}

// Proposed is the open proposal's time; zero when there is none.
func (b *Booking) Proposed() time.Time {
	if b.proposal == nil {
		return time.Time{}
	}
	return b.proposal.Start
}
