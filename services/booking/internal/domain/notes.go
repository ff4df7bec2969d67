package domain

import "time"

// CheckNotes checks the mentor's private notes.
func (b *Booking) CheckNotes(a Actor, notes string) error {
	if err := b.mentorSide(a); err != nil {
		return err
	}
	return tooLong("notes", notes, MaxNoteLength)
}

// SetNotes replaces the mentor's private notes.
func (b *Booking) SetNotes(a Actor, notes string, now time.Time) error {
	if err := b.CheckNotes(a, notes); err != nil {
		return err
	}
	b.mentorNotes = notes
	b.touch(now)
	return nil
}
