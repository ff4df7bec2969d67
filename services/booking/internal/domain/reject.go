package domain

import "time"

// CheckReject checks a rejection: the mentor must give a reason.
func (b *Booking) CheckReject(a Actor, reason string) error {
	if err := b.mentorSide(a); err != nil {
		return err
	}
	if !b.status.Open() {
		return wrongState(b, "only a pending request can be rejected")
	}
	return required("reason", reason, MaxReasonLength)
}

// Reject ends the request; after is where the money stands once the slot and
// the payment were given back.
func (b *Booking) Reject(a Actor, reason string, after Payment, now time.Time) error {
	if err := b.CheckReject(a, reason); err != nil {
		return err
	}
	b.responded(now)
	b.close(StatusRejected, a, reason, b.givenBack(after), false, now)
	return nil
}
