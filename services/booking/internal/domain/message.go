package domain

import "time"

// CheckMessage checks a one-way message from the mentor to the mentee.
func (b *Booking) CheckMessage(a Actor, text string) error {
	if err := b.mentorSide(a); err != nil {
		return err
	}
	return required("text", text, MaxMessageLength)
}

// Message records that a message was sent (the message itself travels in the
// event).
func (b *Booking) Message(a Actor, text string, now time.Time) error {
	if err := b.CheckMessage(a, text); err != nil {
		return err
	}
	b.touch(now)
	return nil
}
