package domain

import (
	"time"

	"github.com/bookwell/bookwell/pkg/apperr"
)

// Reconciliation is the kind of change a card processor reports on its own
// (by webhook, or the simulated processor's challenge page).
type Reconciliation string

// The reconciliations.
const (
	ReconcileAuthenticated         Reconciliation = "AUTHENTICATED"
	ReconcileAuthenticationFailed  Reconciliation = "AUTHENTICATION_FAILED"
	ReconcileAuthorizationCanceled Reconciliation = "AUTHORIZATION_CANCELED"
	ReconcileRefunded              Reconciliation = "REFUNDED"
	ReconcileDisputed              Reconciliation = "DISPUTED"
)

// ProcessorEvent is a change the card processor reports about one of its
// payments (the provider's reference), under the processor's own event id.
type ProcessorEvent struct {
	// ID is the processor's id of the event; an event is applied once.
	ID   string
	Kind Reconciliation
	// Ref is the provider's id of the payment (ProviderRef).
	Ref string
	// RefundedTotal is, for REFUNDED, all that the processor has refunded
	// of the charge so far, bookwell's refunds included.
	RefundedTotal int64
	// AuthExpiresAt is, for AUTHENTICATED, when the hold now placed lapses.
	AuthExpiresAt time.Time
}

// Validate checks an event before anything is looked up.
func (e ProcessorEvent) Validate() error {
	var v apperr.Violations
	CheckID(&v, "event_id", e.ID)
	CheckID(&v, "ref", e.Ref)
	switch e.Kind {
	case ReconcileAuthenticated, ReconcileAuthenticationFailed, ReconcileAuthorizationCanceled, ReconcileDisputed:
	case ReconcileRefunded:
		if e.RefundedTotal <= 0 {
			v.Add("refunded_total", "must be positive")
		}
	default:
		v.Add("kind", "is not a reconciliation")
	}
	return v.Err()
}

// Reconcile applies what the processor reported. It returns the amount a
// refund made outside bookwell gave back, with its ledger transfers, and
// changed=false when the payment already showed the change (an event that
// repeats what bookwell did itself, or arrives after it no longer applies).
func (p *Payment) Reconcile(e ProcessorEvent, now time.Time) (changed bool, refunded int64, ts []Transfer, err error) {
	if p.Method != MethodCard {
		return false, 0, nil, apperr.Wrap(ErrWrongMethod, "only card payments have a processor")
	}
	switch e.Kind {
	case ReconcileAuthenticated:
		if p.Status != StatusRequiresAction {
			return false, 0, nil, nil
		}
		p.Status, p.AuthExpiresAt, p.UpdatedAt = StatusAuthorized, e.AuthExpiresAt, now
		return true, 0, nil, nil
	case ReconcileAuthenticationFailed, ReconcileAuthorizationCanceled:
		if p.Status != StatusRequiresAction && p.Status != StatusAuthorized {
			return false, 0, nil, nil // already voided by bookwell, or captured
		}
		p.Status, p.UpdatedAt = StatusVoided, now
		return true, 0, nil, nil
	case ReconcileRefunded:
		if e.RefundedTotal <= p.Refunded {
			return false, 0, nil, nil // bookwell's own refunds, reported back
		}
		n, ts, err := p.Refund(min(e.RefundedTotal, p.Captured)-p.Refunded, "refunded at the card processor", now)
		if err != nil {
			return false, 0, nil, err
		}
		return true, n, ts, nil
	case ReconcileDisputed:
		if p.Disputed {
			return false, 0, nil, nil
		}
		p.Disputed, p.UpdatedAt = true, now
		return true, 0, nil, nil
	}
	return false, 0, nil, apperr.Wrap(ErrWrongState, "unknown reconciliation %q", e.Kind)
}
