package domain

import (
	"time"

	"github.com/bookwell/bookwell/pkg/apperr"
)

// SessionEnded reports whether an upcoming session's time has passed.
func (b *Booking) SessionEnded(now time.Time) bool {
	return b.status.Upcoming() && !now.Before(b.end)
}

// EndSession moves the booking to PENDING_CONFIRMATION once its time passed.
func (b *Booking) EndSession(now time.Time) error {
	if !b.SessionEnded(now) {
		return wrongState(b, "only an upcoming session whose time has passed ends")
	}
	b.proposal = nil
	b.transition(StatusPendingConfirmation, now)
	return nil
}

// AutoCompleteDue reports whether an unmarked session counts as completed.
func (b *Booking) AutoCompleteDue(now time.Time) bool {
	return b.status == StatusPendingConfirmation && !now.Before(b.start.Add(b.policy.AutoCompleteAfter))
}

// CheckAttendance checks marking the session completed or no-show: the mentor
// does it once the session has started, one action for the whole group; the
// system does it when auto-completion is due.
func (b *Booking) CheckAttendance(a Actor, now time.Time) error {
	if err := b.mentorSide(a); err != nil {
		return err
	}
	switch {
	case b.status == StatusPendingConfirmation:
		return nil
	case b.status.Upcoming() && !now.Before(b.start):
		return nil
	case b.status.Upcoming():
		return apperr.Wrap(ErrSessionNotOver, "the session starts at %s", b.start.Format(time.RFC3339))
	}
	return wrongState(b, "only a session that has taken place can be marked completed or no-show")
}

// Complete marks the session as attended; asked at checked (the time the
// command was checked), applied at now.
func (b *Booking) Complete(a Actor, checked, now time.Time) error {
	if err := b.CheckAttendance(a, checked); err != nil {
		return err
	}
	b.proposal = nil
	b.outcome = &Outcome{EndedBy: a.Role, At: now.UTC(), Money: "The payment goes to the mentor."}
	b.transition(StatusCompleted, now)
	return nil
}

// NoShow marks that the mentee did not attend: the payment stands.
func (b *Booking) NoShow(a Actor, checked, now time.Time) error {
	if err := b.CheckAttendance(a, checked); err != nil {
		return err
	}
	b.proposal = nil
	b.outcome = &Outcome{EndedBy: a.Role, At: now.UTC(),
		Money: "The payment stands; no automatic refund. The mentor may refund as a goodwill gesture."}
	b.transition(StatusNoShow, now)
	return nil
}
