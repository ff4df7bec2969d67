package domain

import (
	"fmt"

	"github.com/google/uuid"
)

// AccountKind is the kind of a ledger account.
type AccountKind string

// The ledger's accounts. Every amount moves from one account to another; an
// account's balance is what flowed in minus what flowed out, so across all
// accounts the balances always sum to zero.
const (
	// AccountMentee is the mentee's own money outside the platform; its
	// balance is minus what the mentee has paid, net of refunds.
	AccountMentee AccountKind = "mentee"
	// AccountEscrow holds captured money for one booking or bundle (its owner)
	// until it is refunded or released.
	AccountEscrow AccountKind = "escrow"
	// AccountMentorPayable is money owed to a mentor, due for payout.
	AccountMentorPayable AccountKind = "mentor_payable"
	// AccountRevenue is the platform's commission.
	AccountRevenue AccountKind = "revenue"
	// AccountMentorDirect is money a mentee paid a mentor off the platform
	// (manual methods), recorded so the mentor's figures are complete.
	AccountMentorDirect AccountKind = "mentor_direct"
)

// Account is one ledger account: a kind and, except for revenue, an owner.
type Account struct {
	Kind  AccountKind
	Owner string
}

func (a Account) String() string { return string(a.Kind) + ":" + a.Owner }

// Transfer moves Amount (positive) from one account to another.
type Transfer struct {
	From, To Account
	Amount   int64
}

// Entry is one line of a ledger transaction: a signed amount on an account
// (positive flows in, negative flows out).
type Entry struct {
	Account Account
	Amount  int64
}

// LedgerTx is one balanced money movement: its entries sum to zero.
type LedgerTx struct {
	ID       uuid.UUID
	Ref      string // the booking or bundle it belongs to
	Kind     string // capture, refund, release, mark_paid, ...
	Currency string
	Entries  []Entry
}

// NewLedgerTx turns transfers into a balanced transaction; it returns false
// when there is nothing to post (no transfers, or only zero amounts).
func NewLedgerTx(id uuid.UUID, ref, kind, currency string, transfers ...Transfer) (LedgerTx, bool) {
	tx := LedgerTx{ID: id, Ref: ref, Kind: kind, Currency: currency}
	for _, t := range transfers {
		if t.Amount == 0 {
			continue
		}
		if t.Amount < 0 {
			panic(fmt.Sprintf("ledger: negative transfer %d", t.Amount)) // a bug in this package, never input
		}
		tx.Entries = append(tx.Entries, Entry{t.From, -t.Amount}, Entry{t.To, t.Amount})
	}
	return tx, len(tx.Entries) > 0
}

// Balanced reports whether the entries sum to zero.
func (tx LedgerTx) Balanced() bool {
	var s int64
	for _, e := range tx.Entries {
		s += e.Amount
	}
	return s == 0
}
