package domain

import (
	"fmt"
	"time"

	"github.com/bookwell/bookwell/pkg/apperr"
)

// Settlement is what a cancellation does with the money.
type Settlement string

// The settlements.
const (
	// SettleFullRefund gives the mentee everything back (or releases the hold).
	SettleFullRefund Settlement = "FULL_REFUND"
	// SettleMentorPaid pays the mentor the fee minus commission.
	SettleMentorPaid Settlement = "MENTOR_PAID"
)

// Cancellation is a cancellation the rules allowed: who asked, when, how it
// settles and whether it is late (inside the mentee's window for a mentee,
// inside the late-reschedule window for a mentor).
type Cancellation struct {
	Actor      Actor
	Reason     string
	At         time.Time
	Settlement Settlement
	Late       bool
}

// CheckCancel checks a cancellation asked for at now and says how it settles.
func (b *Booking) CheckCancel(a Actor, reason string, now time.Time) (Cancellation, error) {
	c := Cancellation{Actor: a, Reason: reason, At: now, Settlement: SettleFullRefund}
	side, err := b.side(a)
	if err != nil {
		return c, err
	}
	if err := tooLong("reason", reason, MaxReasonLength); err != nil {
		return c, err
	}
	if !b.status.Open() && !b.status.Upcoming() {
		return c, wrongState(b, "only a request or an upcoming session can be cancelled")
	}
	if b.status.Upcoming() && !b.start.After(now) {
		return c, wrongState(b, "the session has started; mark it completed or no-show instead")
	}
	switch side {
	case RoleMentee:
		if b.status.Open() || now.Before(b.FreeUntil()) {
			return c, nil
		}
		c.Late = true
		if b.policy.LateMenteeCancel == LateRefused {
			return c, apperr.Wrap(ErrCancellationRefused,
				"cancellations must be made at least %s before the session", human(b.policy.FreeCancelBefore))
		}
		c.Settlement = SettleMentorPaid
	case RoleMentor:
		if b.status.Open() {
			return c, wrongState(b, "reject the request instead, with a reason")
		}
		if !b.policy.MentorMayCancel {
			return c, ErrMentorCancelForbidden
		}
		c.Late = b.start.Sub(now) < b.policy.LateMentorWindow
	}
	return c, nil // admin: a full refund
}

// Cancel ends the booking as c, decided by CheckCancel; after is where the
// money stands once payments settled it.
func (b *Booking) Cancel(c Cancellation, after Payment, now time.Time) error {
	if _, err := b.CheckCancel(c.Actor, c.Reason, c.At); err != nil {
		return err
	}
	money := b.givenBack(after)
	if c.Settlement == SettleMentorPaid {
		money.words = b.LateCancellationMoney()
	}
	b.close(StatusCancelled, c.Actor, c.Reason, money, c.Late, now)
	return nil
}

// LateCancellationMoney says what a late mentee cancellation does with the
// money, in words.
func (b *Booking) LateCancellationMoney() string {
	return fmt.Sprintf("Cancelled less than %s before the session: the mentor is paid the fee minus the %d%% commission; no refund.",
		human(b.policy.FreeCancelBefore), b.policy.CommissionBps/100)
}
