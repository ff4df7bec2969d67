package domain

import (
	"fmt"
	"strings"
	"time"

	"github.com/bookwell/bookwell/pkg/apperr"
)

// CheckRefund checks a refund through the card provider: amount 0 means all
// that is left.
func (b *Booking) CheckRefund(a Actor, amount int64) error {
	if err := b.mentorSide(a); err != nil {
		return err
	}
	if b.paymentMethod.Manual() {
		return apperr.Wrap(ErrNotManual, "refund a %s payment off the platform, then mark it refunded", strings.ToLower(string(b.paymentMethod)))
	}
	if b.paymentMethod != PaymentCard || (b.paymentStatus != PaymentStatusPaid && b.paymentStatus != PaymentStatusPartiallyRefunded) {
		return ErrNothingToRefund
	}
	left := b.price.Amount - b.refunded.Amount
	var v apperr.Violations
	switch {
	case amount < 0:
		v.Add("amount", "must not be negative")
	case amount > left:
		v.Add("amount", fmt.Sprintf("at most %d (%s, in minor units) can still be refunded", left, formatMoney(Money{Currency: b.price.Currency, Amount: left})))
	}
	return v.Err()
}

// Refund records money that went back to the mentee: after is where the money
// stands once payments refunded amount.
func (b *Booking) Refund(a Actor, amount int64, after Payment, now time.Time) error {
	if err := b.CheckRefund(a, amount); err != nil {
		return err
	}
	b.refunded.Amount = after.Refunded
	b.paymentStatus = after.Status
	b.touch(now)
	return nil
}
