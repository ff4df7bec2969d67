package domain

import (
	"errors"
	"fmt"
	"time"
)

// ErrBookingUnknown marks a payment event about a booking no booking event
// has told us of yet: the events travel on different streams, so it can
// arrive first. Retrying later fixes it.
var ErrBookingUnknown = errors.New("booking not heard of yet")

// PaymentChange is what happened to a payment that someone is told about.
type PaymentChange string

// The payment changes notifications tells people about.
const (
	PaymentPayoutDue PaymentChange = "payout_due"       // money became payable to the mentor
	PaymentRefunded  PaymentChange = "payment_refunded" // money went back to the mentee
)

// PaymentEvent is one money fact from the payments context that someone is
// told about: a payout became due, or a refund was made.
type PaymentEvent struct {
	ID         string // the event id
	Subject    string // its subject: the notification's kind
	Change     PaymentChange
	OccurredAt time.Time
	BookingID  string
	MentorID   string
	MenteeID   string
	Amount     Money  // the payout, or this refund
	Note       string // the refund's note
}

// PlanPayment says who hears about a payment event: the mentor of a payout
// that became due, the mentee of a refund. Other payment facts (authorized,
// captured, voided, marked paid) reach their readers through the booking's
// own events and return no notices. An event that lacks its reader or an
// amount is ErrInvalidEvent.
func PlanPayment(ev PaymentEvent) ([]Notice, error) {
	var n Notice
	switch ev.Change {
	case PaymentPayoutDue:
		n = Notice{Kind: string(ev.Change), Reader: RoleMentor, UserID: ev.MentorID}
	case PaymentRefunded:
		n = Notice{Kind: string(ev.Change), Reader: RoleMentee, UserID: ev.MenteeID}
	default:
		return nil, nil
	}
	if ev.BookingID == "" || n.UserID == "" {
		return nil, fmt.Errorf("%w: %s: booking id and the %s's id are required", ErrInvalidEvent, ev.Subject, n.Reader)
	}
	if ev.Amount.AmountMinor <= 0 || ev.Amount.Currency == "" {
		return nil, fmt.Errorf("%w: %s: a positive amount and a currency are required", ErrInvalidEvent, ev.Subject)
	}
	return []Notice{n}, nil
}
