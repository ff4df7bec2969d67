package domain

import (
	"time"

	"github.com/bookwell/bookwell/pkg/apperr"
)

// BundleStatus is where a bundle stands.
type BundleStatus string

// The bundle statuses.
const (
	BundleActive    BundleStatus = "ACTIVE"
	BundleUsedUp    BundleStatus = "USED_UP"
	BundleCancelled BundleStatus = "CANCELLED"
)

// MaxBundleSessions bounds the size of a bundle.
const MaxBundleSessions = 100

// BundleOrder is a mentee's purchase of a bundle of paid sessions, possible
// once the mentor approved continuation after the intro session
// (docs/product.md, money).
type BundleOrder struct {
	MenteeID string
	MentorID string
	Sessions int
	Price    int64 // of one session, minor units
	Currency string
	Card     string
}

// Validate checks o.
func (o BundleOrder) Validate() error {
	var v apperr.Violations
	CheckID(&v, "mentee_id", o.MenteeID)
	CheckID(&v, "mentor_id", o.MentorID)
	if o.Sessions < 1 || o.Sessions > MaxBundleSessions {
		v.Add("sessions", "must be 1 to 100")
	}
	checkAmount(&v, "session_price", o.Price)
	checkCurrency(&v, "currency", o.Currency)
	if o.Card == "" {
		v.Add("card", "is required: bundles are paid by card")
	}
	return v.Err()
}

// Total is the bundle's price.
func (o BundleOrder) Total() int64 { return int64(o.Sessions) * o.Price }

// Bundle is a number of paid sessions a mentee bought with one mentor, paid
// at purchase and held in escrow until each session is held.
type Bundle struct {
	ID          string
	MenteeID    string
	MentorID    string
	Total       int
	Used        int
	Price       int64
	Currency    string
	Status      BundleStatus
	ProviderRef string
	Refunded    int64
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

func (b *Bundle) escrow() Account { return Account{AccountEscrow, b.ID} }

// NewBundle records a bundle whose price was charged by the card provider
// (ref): the money moves from the mentee into the bundle's escrow.
func NewBundle(id string, o BundleOrder, ref string, now time.Time) (Bundle, []Transfer) {
	b := Bundle{
		ID: id, MenteeID: o.MenteeID, MentorID: o.MentorID, Total: o.Sessions, Price: o.Price,
		Currency: o.Currency, Status: BundleActive, ProviderRef: ref, CreatedAt: now, UpdatedAt: now,
	}
	return b, []Transfer{{Account{AccountMentee, o.MenteeID}, b.escrow(), o.Total()}}
}

// UseCredit spends one session of the bundle on a held session: its price
// leaves escrow, commission to the platform and the rest payable to the
// mentor. It returns the commission kept.
func (b *Bundle) UseCredit(pol Policy, now time.Time) (int64, []Transfer, error) {
	if b.Status == BundleUsedUp {
		return 0, nil, ErrBundleUsedUp
	}
	if b.Status != BundleActive {
		return 0, nil, ErrBundleNotActive
	}
	b.Used++
	if b.Used == b.Total {
		b.Status = BundleUsedUp
	}
	b.UpdatedAt = now
	c := bpsOf(b.Price, pol.CommissionBps)
	return c, []Transfer{{b.escrow(), Revenue, c}, {b.escrow(), Account{AccountMentorPayable, b.MentorID}, b.Price - c}}, nil
}

// Cancel ends an active bundle and refunds its unused sessions pro rata.
// It returns the amount refunded.
func (b *Bundle) Cancel(now time.Time) (int64, []Transfer, error) {
	if b.Status != BundleActive {
		return 0, nil, ErrBundleNotActive
	}
	r := int64(b.Total-b.Used) * b.Price
	b.Status, b.Refunded, b.UpdatedAt = BundleCancelled, r, now
	return r, []Transfer{{b.escrow(), Account{AccountMentee, b.MenteeID}, r}}, nil
}

// MentorBalance is a mentor's money in one currency, from the ledger.
type MentorBalance struct {
	Currency         string
	Pending          int64 // captured, in escrow, for sessions not yet held
	Payable          int64 // released to the mentor
	ReceivedDirectly int64 // manual payments received off the platform
}
