package domain

import "time"

// CheckMarkPaid checks the mentor's confirmation that a manual payment arrived.
func (b *Booking) CheckMarkPaid(a Actor) error {
	if err := b.mentorSide(a); err != nil {
		return err
	}
	if !b.paymentMethod.Manual() {
		return ErrNotManual
	}
	if b.paymentStatus != PaymentStatusUnpaid {
		return wrongState(b, "the payment is already "+string(b.paymentStatus))
	}
	switch b.status {
	case StatusAwaitingPayment, StatusConfirmed, StatusPendingConfirmation, StatusCompleted, StatusNoShow:
		return nil
	}
	return wrongState(b, "only an approved booking can be marked paid")
}

// MarkPaid records the payment; an approved booking awaiting it is confirmed.
func (b *Booking) MarkPaid(a Actor, now time.Time) error {
	if err := b.CheckMarkPaid(a); err != nil {
		return err
	}
	b.paymentStatus = PaymentStatusPaid
	if b.status == StatusAwaitingPayment {
		b.transition(StatusConfirmed, now)
		return nil
	}
	b.touch(now)
	return nil
}
