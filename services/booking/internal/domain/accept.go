package domain

import (
	"time"

	"github.com/bookwell/bookwell/pkg/apperr"
)

// CheckAnswer checks an answer (accept or decline) to the open proposal: only
// the side that did not propose may give it.
func (b *Booking) CheckAnswer(a Actor) error {
	side, err := b.side(a)
	if err != nil {
		return err
	}
	if b.proposal == nil {
		return wrongState(b, "there is no proposal to answer")
	}
	if side == RoleSystem || (side != RoleAdmin && side == b.proposal.By) {
		return apperr.Wrap(ErrNotYourTurn, "you proposed this time; the other side has to answer it")
	}
	return nil
}

// AcceptReschedules reports whether accepting the proposal moves an upcoming
// session (rather than approving a request at the proposed time).
func (b *Booking) AcceptReschedules() bool { return b.status.Upcoming() }

// AcceptProposal moves the session to the proposed time, once scheduling
// moved the booking's hold there. A request becomes approved at that time
// (see Approve); an upcoming session is rescheduled.
func (b *Booking) AcceptProposal(a Actor, done Approved, now time.Time) error {
	if err := b.CheckAnswer(a); err != nil {
		return err
	}
	p := b.proposal
	b.start = p.Start
	b.end = p.Start.Add(b.duration)
	b.preferredStarts = nil
	if b.status.Open() {
		b.approve(done, now)
		return nil
	}
	b.meetingURL, b.calendar = done.MeetingURL, done.Calendar
	b.proposal = nil
	b.armSessionReminder(now)
	b.touch(now)
	return nil
}
