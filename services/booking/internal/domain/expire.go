package domain

import "time"

// CheckExpire reports whether an unanswered request has expired at now: its
// approval window has passed (docs/product.md: 7 days by default, never past
// the session start; see Requested).
func (b *Booking) CheckExpire(now time.Time) bool {
	return b.status.Open() && !now.Before(b.expiresAt)
}

// Expire ends an unanswered request; after is where the money stands once
// given back.
func (b *Booking) Expire(after Payment, now time.Time) error {
	if !b.CheckExpire(now) {
		return wrongState(b, "only an unanswered request past its window expires")
	}
	b.close(StatusExpired, System, "nobody answered in time", b.givenBack(after), false, now)
	return nil
}
