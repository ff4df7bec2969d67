package domain

import "time"

// DeclineEnds reports whether declining the proposal ends the booking (a
// request) rather than keeping the session at its time (a reschedule).
func (b *Booking) DeclineEnds() bool { return b.status.Open() }

// DeclineProposal declines the open proposal. On a request it ends the
// booking, with after where the money stands once given back: a mentor
// declining is a rejection, a mentee declining a cancellation. On an upcoming
// session the booking keeps its time.
func (b *Booking) DeclineProposal(a Actor, after Payment, now time.Time) error {
	if err := b.CheckAnswer(a); err != nil {
		return err
	}
	if !b.DeclineEnds() {
		b.proposal = nil
		b.touch(now)
		return nil
	}
	reason := "declined the proposed time"
	if a.Role == RoleMentee {
		b.close(StatusCancelled, a, reason, b.givenBack(after), false, now)
		return nil
	}
	b.responded(now)
	b.close(StatusRejected, a, reason, b.givenBack(after), false, now)
	return nil
}
