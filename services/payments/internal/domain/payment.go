// Package domain holds the payments context's rules: a payment per booking and
// its status transitions, the cancellation and commission policy, bundles, and
// the double-entry ledger transfers each operation makes. Pure types and
// functions: no transport and no storage.
package domain

import (
	"fmt"
	"time"

	"github.com/bookwell/bookwell/pkg/apperr"
	"github.com/bookwell/bookwell/pkg/money"
)

// Method is how a mentee pays.
type Method string

// The payment methods. Card goes through the card provider; the others are
// paid to the mentor off the platform and confirmed by the mentor.
const (
	MethodCard         Method = "card"
	MethodBankTransfer Method = "bank_transfer"
	MethodPayPal       Method = "paypal"
	MethodVenmo        Method = "venmo"
	MethodCash         Method = "cash"
)

// Manual reports whether the method is paid off the platform.
func (m Method) Manual() bool {
	switch m {
	case MethodBankTransfer, MethodPayPal, MethodVenmo, MethodCash:
		return true
	}
	return false
}

// Valid reports whether m is one of the methods.
func (m Method) Valid() bool { return m == MethodCard || m.Manual() }

// Status is where a payment stands.
type Status string

// The payment statuses of docs/product.md, plus VOIDED for a hold released
// without charge.
const (
	StatusNone              Status = "NONE"
	StatusUnpaid            Status = "UNPAID"
	StatusAuthorized        Status = "AUTHORIZED"
	StatusPaid              Status = "PAID"
	StatusPartiallyRefunded Status = "PARTIALLY_REFUNDED"
	StatusRefunded          Status = "REFUNDED"
	StatusVoided            Status = "VOIDED"
	// StatusRequiresAction is a card payment waiting for the cardholder's
	// authentication (3-D Secure): nothing is held yet.
	StatusRequiresAction Status = "REQUIRES_ACTION"
)

// Settlement is what a cancellation did with the money.
type Settlement string

// The settlement outcomes.
const (
	SettlementNone            Settlement = ""
	SettlementVoided          Settlement = "VOIDED"
	SettlementFullRefund      Settlement = "FULL_REFUND"
	SettlementMentorPaid      Settlement = "MENTOR_PAID"
	SettlementManualRefundDue Settlement = "MANUAL_REFUND_DUE"
)

// Refund is one refund of a payment.
type Refund struct {
	Amount int64
	Note   string
	At     time.Time
}

// Payment is the payment of one booking. Its fields are exported for storage
// and transport; change it only through its methods, which keep its
// invariants (refunded ≤ captured ≤ amount) and say which money moves.
type Payment struct {
	BookingID   string
	MenteeID    string
	MentorID    string
	Amount      int64
	Currency    string
	Method      Method
	Status      Status
	ProviderRef string // the card provider's id of the authorization
	CardLast4   string
	Captured    int64 // taken from the mentee (card captured, or manual marked paid)
	Refunded    int64 // given back to the mentee
	Released    bool  // the mentor's payout was released
	Commission  int64 // kept by the platform at release
	// CommissionReturned is the part of Commission given back by refunds
	// made after release.
	CommissionReturned int64
	Settlement         Settlement
	Refunds            []Refund
	// AuthExpiresAt is when the card hold lapses at the provider unless
	// captured (zero: unknown, or not a card hold).
	AuthExpiresAt time.Time
	// Disputed: the mentee opened a dispute (chargeback) with their bank.
	Disputed  bool
	CreatedAt time.Time
	UpdatedAt time.Time
	// Action is, for a payment that requires action, what the mentee's
	// browser needs to authenticate. Only the authorization's answer carries
	// it; it is not stored with the payment.
	Action *NextAction `json:",omitempty"`
}

// Policy holds the settlement rules (docs/product.md, cancellation and
// commission). The env tags name the variables that override DefaultPolicy.
type Policy struct {
	// CommissionBps is the platform's commission in basis points (1000 = 10 %).
	CommissionBps int64 `env:"PAYMENTS_COMMISSION_BPS"`
	// FullRefundNotice is how long before the session a mentee must cancel to
	// get a full refund; later, the mentor is paid the fee minus commission.
	FullRefundNotice time.Duration `env:"PAYMENTS_FULL_REFUND_NOTICE"`
}

// DefaultPolicy is 10 % commission and a 24-hour notice.
func DefaultPolicy() Policy { return Policy{CommissionBps: 1000, FullRefundNotice: 24 * time.Hour} }

// Validate checks a policy loaded from configuration.
func (p Policy) Validate() error {
	if p.CommissionBps < 0 || p.CommissionBps > 10000 {
		return fmt.Errorf("commission must be 0 to 10000 basis points, got %d", p.CommissionBps)
	}
	if p.FullRefundNotice < 0 {
		return fmt.Errorf("full-refund notice must not be negative, got %s", p.FullRefundNotice)
	}
	return nil
}

// Limits on identifiers and notes.
const (
	MaxIDLength   = 128
	MaxNoteLength = 1000
)

// CheckID records a violation unless id is a non-empty identifier.
func CheckID(v *apperr.Violations, field, id string) {
	switch {
	case id == "":
		v.Add(field, "is required")
	case len(id) > MaxIDLength:
		v.Add(field, fmt.Sprintf("must be at most %d characters", MaxIDLength))
	}
}

// CheckNote records a violation if a note is too long.
func CheckNote(v *apperr.Violations, field, note string) {
	if len(note) > MaxNoteLength {
		v.Add(field, fmt.Sprintf("must be at most %d characters", MaxNoteLength))
	}
}

// Open is a request to open a booking's payment.
type Open struct {
	BookingID string
	MenteeID  string
	MentorID  string
	Amount    int64
	Currency  string
	Method    Method
	Card      string
}

// Validate checks o; card details are checked by the card provider.
func (o Open) Validate() error {
	var v apperr.Violations
	CheckID(&v, "booking_id", o.BookingID)
	CheckID(&v, "mentee_id", o.MenteeID)
	CheckID(&v, "mentor_id", o.MentorID)
	checkAmount(&v, "amount", o.Amount)
	checkCurrency(&v, "currency", o.Currency)
	if !o.Method.Valid() {
		v.Add("method", "must be card, bank_transfer, paypal, venmo or cash")
	}
	if o.Method == MethodCard && o.Card == "" {
		v.Add("card", "is required for card payments")
	}
	return v.Err()
}

// NewPayment opens a payment for a validated request. A card payment starts
// AUTHORIZED with the provider's authorization; a manual one UNPAID.
func NewPayment(o Open, auth Authorization, now time.Time) Payment {
	p := Payment{
		BookingID: o.BookingID, MenteeID: o.MenteeID, MentorID: o.MentorID,
		Amount: o.Amount, Currency: o.Currency, Method: o.Method,
		Status: StatusUnpaid, CreatedAt: now, UpdatedAt: now,
	}
	if o.Method == MethodCard {
		p.Status = StatusAuthorized
		p.ProviderRef = auth.Ref
		p.CardLast4 = auth.Last4
		p.AuthExpiresAt = auth.ExpiresAt
		if auth.Action != nil {
			p.Status, p.Action = StatusRequiresAction, auth.Action
		}
	}
	return p
}

func (p *Payment) mentee() Account  { return Account{AccountMentee, p.MenteeID} }
func (p *Payment) escrow() Account  { return Account{AccountEscrow, p.BookingID} }
func (p *Payment) payable() Account { return Account{AccountMentorPayable, p.MentorID} }
func (p *Payment) direct() Account  { return Account{AccountMentorDirect, p.MentorID} }

// Revenue is the platform's revenue account.
var Revenue = Account{Kind: AccountRevenue}

// Remaining is what was taken from the mentee and not given back.
func (p *Payment) Remaining() int64 { return p.Captured - p.Refunded }

func wrongState(p *Payment, what string) error {
	return apperr.Wrap(ErrWrongState, "cannot %s a payment that is %s", what, p.Status)
}

// Capture charges an authorized card payment: the money moves from the
// mentee into the booking's escrow.
func (p *Payment) Capture(now time.Time) ([]Transfer, error) {
	if p.Method != MethodCard {
		return nil, apperr.Wrap(ErrWrongMethod, "only card payments are captured; mark manual payments paid")
	}
	if p.Status != StatusAuthorized {
		return nil, wrongState(p, "capture")
	}
	p.Status, p.Captured, p.UpdatedAt = StatusPaid, p.Amount, now
	return []Transfer{{p.mentee(), p.escrow(), p.Amount}}, nil
}

// Void releases a card hold (or abandons an authentication) or closes an
// unpaid manual payment; no money has moved, so none moves back.
func (p *Payment) Void(now time.Time) error {
	if p.Status != StatusAuthorized && p.Status != StatusUnpaid && p.Status != StatusRequiresAction {
		return wrongState(p, "void")
	}
	p.Status, p.UpdatedAt = StatusVoided, now
	return nil
}

// Refund gives amount (0: all that remains) of a captured card payment back
// to the mentee. Before the payout is released the money comes out of escrow;
// after, out of the mentor's payable balance and the platform's commission in
// proportion.
func (p *Payment) Refund(amount int64, note string, now time.Time) (int64, []Transfer, error) {
	if p.Method != MethodCard {
		return 0, nil, apperr.Wrap(ErrWrongMethod, "manual payments are refunded off the platform; mark them refunded")
	}
	if p.Status != StatusPaid && p.Status != StatusPartiallyRefunded {
		return 0, nil, wrongState(p, "refund")
	}
	remaining := p.Remaining()
	if amount == 0 {
		amount = remaining
	}
	if amount < 0 {
		return 0, nil, apperr.Violations{{Field: "amount", Description: "must not be negative"}}.Err()
	}
	if amount > remaining {
		return 0, nil, apperr.Wrap(ErrRefundExceedsCaptured, "cannot refund %d minor units (%s): only %s remains captured",
			amount, money.Format(p.Currency, amount), money.Format(p.Currency, remaining))
	}
	var ts []Transfer
	if !p.Released {
		ts = []Transfer{{p.escrow(), p.mentee(), amount}}
	} else {
		left := p.Commission - p.CommissionReturned
		back := left * amount / remaining
		if amount == remaining {
			back = left
		}
		p.CommissionReturned += back
		ts = []Transfer{{Revenue, p.mentee(), back}, {p.payable(), p.mentee(), amount - back}}
	}
	p.Refunded += amount
	p.Refunds = append(p.Refunds, Refund{Amount: amount, Note: note, At: now})
	p.Status, p.UpdatedAt = StatusPartiallyRefunded, now
	if p.Refunded == p.Captured {
		p.Status = StatusRefunded
	}
	return amount, ts, nil
}

// MarkPaid is the mentor's confirmation that a manual payment arrived.
func (p *Payment) MarkPaid(actor string, now time.Time) ([]Transfer, error) {
	if actor != p.MentorID {
		return nil, ErrNotBookingMentor
	}
	if !p.Method.Manual() {
		return nil, apperr.Wrap(ErrWrongMethod, "card payments are captured, not marked paid")
	}
	if p.Status != StatusUnpaid {
		return nil, wrongState(p, "mark paid")
	}
	p.Status, p.Captured, p.UpdatedAt = StatusPaid, p.Amount, now
	return []Transfer{{p.mentee(), p.direct(), p.Amount}}, nil
}

// MarkRefunded is the mentor's statement that the manual payment went back to
// the mentee off the platform.
func (p *Payment) MarkRefunded(actor, note string, now time.Time) (int64, []Transfer, error) {
	if actor != p.MentorID {
		return 0, nil, ErrNotBookingMentor
	}
	if !p.Method.Manual() {
		return 0, nil, apperr.Wrap(ErrWrongMethod, "card payments are refunded through the provider")
	}
	if p.Status != StatusPaid && p.Status != StatusPartiallyRefunded {
		return 0, nil, wrongState(p, "mark refunded")
	}
	amount := p.Remaining()
	p.Refunded = p.Captured
	p.Refunds = append(p.Refunds, Refund{Amount: amount, Note: note, At: now})
	p.Status, p.UpdatedAt = StatusRefunded, now
	return amount, []Transfer{{p.direct(), p.mentee(), amount}}, nil
}

// ReleasePayout makes the mentor's share due once the session was held (or
// the mentee cancelled late): the platform keeps its commission on what
// remains captured and the rest becomes payable to the mentor. Manual
// payments were paid to the mentor directly, so only the flag changes.
func (p *Payment) ReleasePayout(pol Policy, now time.Time) ([]Transfer, error) {
	if p.Status != StatusPaid && p.Status != StatusPartiallyRefunded {
		return nil, wrongState(p, "release the payout of")
	}
	if p.Released {
		return nil, apperr.Wrap(ErrWrongState, "the payout was already released")
	}
	p.Released, p.UpdatedAt = true, now
	if p.Method != MethodCard {
		return nil, nil
	}
	remaining := p.Remaining()
	p.Commission = bpsOf(remaining, pol.CommissionBps)
	return []Transfer{{p.escrow(), Revenue, p.Commission}, {p.escrow(), p.payable(), remaining - p.Commission}}, nil
}

// CancelledBy is the side that cancelled a booking.
type CancelledBy string

// The sides.
const (
	ByMentee CancelledBy = "mentee"
	ByMentor CancelledBy = "mentor"
)

// Cancellation describes a cancelled booking.
type Cancellation struct {
	By           CancelledBy
	SessionStart time.Time
	CancelledAt  time.Time
	// Decided is the settlement the booking's policy decided
	// (SettlementFullRefund or SettlementMentorPaid); SettlementNone leaves
	// the decision to the notice.
	Decided Settlement `json:",omitempty"`
	// Policy is the booking's policy (the marketplace policy version it was
	// requested under), which replaces payments' own when set.
	Policy *Policy `json:",omitempty"`
}

// PolicyOr is the booking's policy when the cancellation carries it, else
// own.
func (c Cancellation) PolicyOr(own Policy) Policy {
	if c.Policy != nil {
		return *c.Policy
	}
	return own
}

// Validate checks c.
func (c Cancellation) Validate() error {
	var v apperr.Violations
	if c.By != ByMentee && c.By != ByMentor && c.Decided == SettlementNone {
		v.Add("cancelled_by", "must be mentee or mentor")
	}
	if c.Decided != SettlementNone && c.Decided != SettlementFullRefund && c.Decided != SettlementMentorPaid {
		v.Add("outcome", "must be FULL_REFUND or MENTOR_PAID")
	}
	if c.Policy != nil {
		if err := c.Policy.Validate(); err != nil {
			v.Add("commission_bps", err.Error())
		}
	}
	if c.SessionStart.IsZero() {
		v.Add("session_start_time", "is required")
	}
	if c.CancelledAt.IsZero() {
		v.Add("cancel_time", "is required")
	}
	return v.Err()
}

// FullRefund reports whether the policy gives the mentee everything back.
func (c Cancellation) FullRefund(pol Policy) bool {
	if c.Decided != SettlementNone {
		return c.Decided == SettlementFullRefund
	}
	return c.By == ByMentor || c.SessionStart.Sub(c.CancelledAt) >= pol.FullRefundNotice
}

// SettleResult is what Settle decided and the money it moves.
type SettleResult struct {
	Outcome   Settlement
	Refunded  int64      // refunded by card now
	Transfers []Transfer // ledger movements
}

// Settle applies the cancellation policy. An uncaptured hold or unpaid
// manual payment is voided (the request was never accepted or paid). A
// captured payment is refunded in full when the mentor cancelled or the
// mentee cancelled in time, else the mentor is paid the fee minus commission.
// A manual payment that must be refunded is left for the mentor to return and
// mark refunded.
func (p *Payment) Settle(pol Policy, c Cancellation, now time.Time) (SettleResult, error) {
	if p.Settlement != SettlementNone {
		return SettleResult{}, apperr.Wrap(ErrWrongState, "the cancellation was already settled")
	}
	var r SettleResult
	switch {
	case p.Status == StatusAuthorized || p.Status == StatusUnpaid || p.Status == StatusRequiresAction:
		if err := p.Void(now); err != nil {
			return r, err
		}
		r.Outcome = SettlementVoided
	case p.Released || (p.Status != StatusPaid && p.Status != StatusPartiallyRefunded):
		return r, wrongState(p, "settle a cancellation of")
	case !c.FullRefund(pol):
		ts, err := p.ReleasePayout(pol, now)
		if err != nil {
			return r, err
		}
		r.Outcome, r.Transfers = SettlementMentorPaid, ts
	case p.Method == MethodCard:
		amount, ts, err := p.Refund(0, "cancellation refund", now)
		if err != nil {
			return r, err
		}
		r.Outcome, r.Refunded, r.Transfers = SettlementFullRefund, amount, ts
	default:
		r.Outcome = SettlementManualRefundDue
	}
	p.Settlement, p.UpdatedAt = r.Outcome, now
	return r, nil
}
