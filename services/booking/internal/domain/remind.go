package domain

import "time"

// ReminderDue reports whether the mentor should be reminded of the request.
func (b *Booking) ReminderDue(now time.Time) bool {
	return b.status == StatusPending && b.remindedAt.IsZero() && !now.Before(b.createdAt.Add(b.policy.ReminderAfter))
}

// Remind notes that the mentor was reminded.
func (b *Booking) Remind(now time.Time) error {
	if !b.ReminderDue(now) {
		return wrongState(b, "no reminder is due")
	}
	b.remindedAt = now.UTC()
	b.touch(now)
	return nil
}

// armSessionReminder plans the reminder before the session; a session
// approved (or moved) already inside the window needs none.
func (b *Booking) armSessionReminder(now time.Time) {
	b.sessionRemindedAt = time.Time{}
	if b.policy.SessionReminderBefore > 0 && !now.Before(b.start.Add(-b.policy.SessionReminderBefore)) {
		b.sessionRemindedAt = now.UTC()
	}
}

// SessionReminderDue reports whether both sides should now be reminded of
// the upcoming session.
func (b *Booking) SessionReminderDue(now time.Time) bool {
	return b.status.Upcoming() && b.policy.SessionReminderBefore > 0 && b.sessionRemindedAt.IsZero() &&
		!now.Before(b.start.Add(-b.policy.SessionReminderBefore)) && !b.SessionEnded(now)
}

// RemindOfSession notes that both sides were reminded.
func (b *Booking) RemindOfSession(now time.Time) error {
	if !b.SessionReminderDue(now) {
		return wrongState(b, "no session reminder is due")
	}
	b.sessionRemindedAt = now.UTC()
	b.touch(now)
	return nil
}
