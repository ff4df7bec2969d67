package domain

import (
	"slices"
	"time"

	"github.com/bookwell/bookwell/pkg/apperr"
)

// CheckApprove checks the mentor's approval, at start when the request gave
// preferred times.
func (b *Booking) CheckApprove(a Actor, start time.Time) error {
	if err := b.mentorSide(a); err != nil {
		return err
	}
	if b.status != StatusPending {
		return wrongState(b, "only a pending booking can be approved")
	}
	var v apperr.Violations
	switch {
	case len(b.preferredStarts) > 0 && start.IsZero():
		v.Add("start_time", "pick one of the mentee's preferred times")
	case len(b.preferredStarts) > 0 && !slices.ContainsFunc(b.preferredStarts, start.Equal):
		v.Add("start_time", "is not one of the mentee's preferred times")
	case len(b.preferredStarts) == 0 && !start.IsZero() && !start.Equal(b.start):
		v.Add("start_time", "this request has one time; propose another time instead")
	}
	return v.Err()
}

// Session is a session's time.
type Session struct {
	Start, End time.Time
}

// SessionAt is the session an approval at start would fix: start itself for
// a request with preferred times, else the time asked for.
func (b *Booking) SessionAt(start time.Time) Session {
	if len(b.preferredStarts) > 0 {
		return Session{Start: start.UTC(), End: start.UTC().Add(b.duration)}
	}
	return Session{Start: b.start, End: b.end}
}

// PickStart fixes the session's time to one of the preferred times, once
// scheduling holds it for the booking.
func (b *Booking) PickStart(a Actor, start time.Time) error {
	if err := b.CheckApprove(a, start); err != nil {
		return err
	}
	if len(b.preferredStarts) > 0 {
		s := b.SessionAt(start)
		b.start, b.end = s.Start, s.End
	}
	return nil
}

// Approved is what scheduling and payments did for an approval: the session's
// links and where the money stands.
type Approved struct {
	Payment    PaymentStatus
	MeetingURL string
	Calendar   CalendarLinks
}

// Approve records the approval. A manual payment not yet received leaves the
// booking AWAITING_PAYMENT; anything else confirms it.
func (b *Booking) Approve(a Actor, start time.Time, done Approved, now time.Time) error {
	if err := b.PickStart(a, start); err != nil {
		return err
	}
	b.approve(done, now)
	return nil
}

func (b *Booking) approve(done Approved, now time.Time) {
	b.paymentStatus = done.Payment
	b.meetingURL, b.calendar = done.MeetingURL, done.Calendar
	b.responded(now)
	b.proposal = nil
	b.armSessionReminder(now)
	if b.paymentMethod.Manual() && done.Payment == PaymentStatusUnpaid {
		b.transition(StatusAwaitingPayment, now)
		return
	}
	b.transition(StatusConfirmed, now)
}

// responded notes the mentor's first answer, for response-time figures.
func (b *Booking) responded(now time.Time) {
	if b.firstResponseAt.IsZero() {
		b.firstResponseAt = now.UTC()
	}
}

// AwaitsPick reports whether the mentor has yet to pick one of the request's
// preferred times (which approving holds first).
func (b *Booking) AwaitsPick() bool { return len(b.preferredStarts) > 0 }
