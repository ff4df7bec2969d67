package domain

import "time"

// CheckMarkRefunded checks the mentor's statement that a manual payment went
// back off the platform.
func (b *Booking) CheckMarkRefunded(a Actor) error {
	if err := b.mentorSide(a); err != nil {
		return err
	}
	if !b.paymentMethod.Manual() {
		return ErrNotManual
	}
	if b.paymentStatus != PaymentStatusPaid && b.paymentStatus != PaymentStatusPartiallyRefunded {
		return ErrNothingToRefund
	}
	return nil
}

// MarkRefunded records that the money went back.
func (b *Booking) MarkRefunded(a Actor, now time.Time) error {
	if err := b.CheckMarkRefunded(a); err != nil {
		return err
	}
	b.paymentStatus = PaymentStatusRefunded
	b.refunded.Amount = b.price.Amount
	b.touch(now)
	return nil
}
