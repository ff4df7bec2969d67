package domain

import "time"

// PayoutKind says why money became payable to a mentor.
type PayoutKind string

// The kinds of payout.
const (
	PayoutSession          PayoutKind = "SESSION"
	PayoutLateCancellation PayoutKind = "LATE_CANCELLATION"
	PayoutBundleSession    PayoutKind = "BUNDLE_SESSION"
)

// Payout is money that became payable to a mentor for one booking: a ledger
// transaction that credited the mentor's payable account, as it was posted.
type Payout struct {
	// TxID is the ledger transaction's id; with DueAt it orders payouts.
	TxID       string
	BookingID  string
	BundleID   string // for a bundle session
	Kind       PayoutKind
	Amount     int64 // payable to the mentor
	Commission int64 // kept by the platform
	Currency   string
	DueAt      time.Time
}

// PayoutCursor is where a page of payouts starts: after the payout due at
// DueAt with ledger transaction TxID, in newest-first order.
type PayoutCursor struct {
	DueAt time.Time
	TxID  string
}
