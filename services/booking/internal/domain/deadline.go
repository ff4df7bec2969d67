package domain

import "time"

// NextDeadline is when a timer of the workflow must next look at the booking:
// the reminder, the expiry, the session reminder, the session end, the
// auto-completion, or for an ended booking the end of its after-care.
func (b *Booking) NextDeadline() time.Time {
	switch {
	case b.status == StatusAwaitingAuthentication:
		return b.expiresAt
	case b.status == StatusPending && b.remindedAt.IsZero():
		return earliest(b.createdAt.Add(b.policy.ReminderAfter), b.expiresAt)
	case b.status.Open():
		return b.expiresAt
	case b.status.Upcoming() && b.policy.SessionReminderBefore > 0 && b.sessionRemindedAt.IsZero():
		return earliest(b.start.Add(-b.policy.SessionReminderBefore), b.end)
	case b.status.Upcoming():
		return b.end
	case b.status == StatusPendingConfirmation:
		return b.start.Add(b.policy.AutoCompleteAfter)
	case b.status.Final():
		return b.updatedAt.Add(b.policy.AfterCare)
	}
	return time.Time{}
}

func earliest(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// NextDeadlineReason says in words what happens at NextDeadline, for an
// operator looking at the workflow.
func (b *Booking) NextDeadlineReason() string {
	switch {
	case b.status == StatusPending && b.remindedAt.IsZero():
		if b.createdAt.Add(b.policy.ReminderAfter).Before(b.expiresAt) {
			return "the mentor is reminded"
		}
		return "the request expires"
	case b.status.Open():
		return "the request expires"
	case b.status.Upcoming() && b.policy.SessionReminderBefore > 0 && b.sessionRemindedAt.IsZero():
		if b.start.Add(-b.policy.SessionReminderBefore).Before(b.end) {
			return "both sides are reminded of the session"
		}
		return "the session ends"
	case b.status.Upcoming():
		return "the session ends"
	case b.status == StatusPendingConfirmation:
		return "the session is completed automatically"
	case b.status.Final():
		return "the after-care window closes and the workflow completes"
	}
	return ""
}
