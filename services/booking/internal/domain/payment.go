package domain

import (
	"fmt"

	"github.com/bookwell/bookwell/pkg/money"
)

// PaymentMethod is how a booking is paid.
type PaymentMethod string

// The payment methods.
const (
	PaymentNone         PaymentMethod = "NONE"
	PaymentCard         PaymentMethod = "CARD"
	PaymentBankTransfer PaymentMethod = "BANK_TRANSFER"
	PaymentPayPal       PaymentMethod = "PAYPAL"
	PaymentVenmo        PaymentMethod = "VENMO"
	PaymentCash         PaymentMethod = "CASH"
	PaymentBundle       PaymentMethod = "BUNDLE"
)

// Manual reports whether the mentor confirms receipt of the money by hand.
func (m PaymentMethod) Manual() bool {
	switch m {
	case PaymentBankTransfer, PaymentPayPal, PaymentVenmo, PaymentCash:
		return true
	}
	return false
}

// PaymentStatus is where a booking's money stands.
type PaymentStatus string

// The payment statuses.
const (
	PaymentStatusNone              PaymentStatus = "NONE"
	PaymentStatusUnpaid            PaymentStatus = "UNPAID"
	PaymentStatusAuthorized        PaymentStatus = "AUTHORIZED"
	PaymentStatusPaid              PaymentStatus = "PAID"
	PaymentStatusPartiallyRefunded PaymentStatus = "PARTIALLY_REFUNDED"
	PaymentStatusRefunded          PaymentStatus = "REFUNDED"
	// PaymentStatusAwaitingAuthentication is a card payment that waits for
	// the mentee's authentication: nothing is held yet.
	PaymentStatusAwaitingAuthentication PaymentStatus = "AWAITING_AUTHENTICATION"
)

// Money is an amount in a currency's minor unit.
type Money struct {
	Currency string
	Amount   int64
}

// Payment is where a booking's money stands after the payments context acted
// on it: its status and how much went back to the mentee in all.
type Payment struct {
	Status   PaymentStatus
	Refunded int64
}

// PaymentNow is where the booking's money stands now.
func (b *Booking) PaymentNow() Payment {
	return Payment{Status: b.paymentStatus, Refunded: b.refunded.Amount}
}

// HoldsTime reports whether the booking holds a time in the mentor's calendar
// (a request with preferred times holds none until the mentor picks one).
func (b *Booking) HoldsTime() bool { return !b.start.IsZero() }

// Paid reports whether the booking involves a payment at all.
func (b *Booking) Paid() bool { return b.paymentMethod != PaymentNone }

// ToCapture reports whether approving takes a held card payment.
func (b *Booking) ToCapture() bool { return b.paymentStatus == PaymentStatusAuthorized }

// ToGiveBack reports whether ending the booking without a session moves money
// back to the mentee: a card hold released, a capture refunded, a bundle
// credit returned.
func (b *Booking) ToGiveBack() bool {
	return b.paymentStatus == PaymentStatusAuthorized || b.paymentStatus == PaymentStatusPaid ||
		b.paymentStatus == PaymentStatusAwaitingAuthentication || b.paymentMethod == PaymentBundle
}

// moneyBack says in words what happened to the mentee's money when the
// booking ended without a session and payments answered after.
func (b *Booking) moneyBack(after Payment) string {
	switch {
	case b.paymentMethod == PaymentNone:
		return "Nothing to pay: the session was free."
	case b.paymentMethod == PaymentBundle:
		return "The bundle credit was returned."
	case b.paymentStatus == PaymentStatusAwaitingAuthentication:
		return "Nothing was charged: the card payment was never authenticated."
	case b.paymentStatus == PaymentStatusAuthorized:
		return "The card hold was released; the mentee was not charged."
	case b.paymentMethod.Manual() && b.paymentStatus == PaymentStatusUnpaid:
		return "Nothing was paid."
	case b.paymentMethod.Manual():
		return "The mentor refunds the payment off the platform, then marks it refunded."
	default:
		return fmt.Sprintf("Refunded in full: %s", formatMoney(Money{Currency: b.price.Currency, Amount: after.Refunded}))
	}
}

// formatMoney writes m with its currency's decimals: "EUR 50.00", "JPY 5,000".
func formatMoney(m Money) string {
	return money.Format(m.Currency, m.Amount)
}

// endedWith is what an ending does with the money, for end.
type endedWith struct {
	payment Payment
	words   string
}

// givenBack is the money outcome of a booking that ends without a session.
func (b *Booking) givenBack(after Payment) endedWith {
	return endedWith{payment: after, words: b.moneyBack(after)}
}
