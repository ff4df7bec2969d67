package domain

import "time"

// MenteeHistory is what a mentor sees about a mentee.
type MenteeHistory struct {
	MenteeID      string
	PriorSessions int64
	// Spend is what the mentee paid net of refunds, per currency. For a
	// booking whose payment was heard of (payment.captured, payment.marked_paid,
	// payment.refunded), it is captured minus refunded from those events,
	// whatever the booking's status: a late-cancelled session the mentor was
	// paid for counts, a refunded one does not. For a booking no payment event
	// concerns, it is the booking snapshot's price minus refunded once the
	// session was held (completed or no-show). Payment events carry running
	// totals, merged by taking the larger, and the payment rule wins as soon as
	// one arrives, so the figure ends the same whichever stream arrives first.
	Spend                  []Money
	RatingSum, Reviews     int64
	NoShows                int64
	MentorNoShowComplaints int64
}

// AverageRatingGiven is the mean rating the mentee gave, 0 without reviews.
func (h MenteeHistory) AverageRatingGiven() float64 { return ratio(h.RatingSum, h.Reviews) }

// Money is an amount in minor units of a currency.
type Money struct {
	Currency    string
	AmountMinor int64
}

// PaymentFact is what reputation keeps of a payment event: the payment's
// running totals after it.
type PaymentFact struct {
	BookingID, MenteeID, Currency string
	PaidMinor, RefundedMinor      int64
	At                            time.Time
}
