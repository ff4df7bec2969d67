package app

import (
	"context"
	"errors"
	"time"

	paymentsv1 "github.com/bookwell/bookwell/gen/go/bookwell/payments/v1"
	"github.com/bookwell/bookwell/services/payments/internal/domain"
	"github.com/bookwell/bookwell/services/payments/internal/protoconv"
)

// Reconciled is what applying a processor event did.
type Reconciled struct {
	// BookingID is the booking whose payment the event concerns; empty if
	// the processor's payment is not one of bookwell's bookings.
	BookingID string `json:"booking_id"`
	// Changed reports whether this delivery changed the payment; false when
	// it already showed the change, or the event was applied before.
	Changed bool `json:"changed"`
	// Duplicate: the event's id was applied before; nothing was done now.
	Duplicate bool `json:"-"`
}

// Reconcile applies a change the card processor reports (a verified
// webhook, or the simulated processor's challenge): at most once per event
// id, in one transaction with the payment's change, its ledger transfers and
// a payment.reconciled event that tells the booking. The caller has proved
// that the processor sent it (the webhook's signature); no user identity is
// involved.
func (s *Service) Reconcile(ctx context.Context, e domain.ProcessorEvent) (Reconciled, error) {
	if err := e.Validate(); err != nil {
		return Reconciled{}, err
	}
	key := "processor-event:" + e.ID
	first := false
	r, err := idempotent(ctx, s.Store, key, "reconcile", e, func(ctx context.Context, tx Tx) (Reconciled, error) {
		first = true
		bookingID, err := tx.PaymentByRef(ctx, e.Ref)
		if errors.Is(err, domain.ErrNotFound) {
			// A processor payment that is not a booking's (a bundle, or
			// another application on the same account): noted, ignored.
			_, err := tx.AddProcessorEvent(ctx, e, "", false)
			return Reconciled{}, err
		} else if err != nil {
			return Reconciled{}, err
		}
		if err := tx.Lock(ctx, bookingID); err != nil {
			return Reconciled{}, err
		}
		p, err := tx.Payment(ctx, bookingID)
		if err != nil {
			return Reconciled{}, err
		}
		now := s.now()
		changed, refunded, ts, err := p.Reconcile(e, now)
		if errors.Is(err, domain.ErrWrongState) || errors.Is(err, domain.ErrWrongMethod) || errors.Is(err, domain.ErrRefundExceedsCaptured) {
			// The processor reports something bookwell's payment cannot
			// take (a refund of a hold never captured): kept for an
			// operator, not retried forever.
			s.Log.Warn("a processor event does not apply to the payment", "event", e.ID, "kind", e.Kind, "booking", bookingID, "err", err)
			_, err := tx.AddProcessorEvent(ctx, e, bookingID, false)
			return Reconciled{BookingID: bookingID}, err
		} else if err != nil {
			return Reconciled{}, err
		}
		if _, err := tx.AddProcessorEvent(ctx, e, bookingID, changed); err != nil {
			return Reconciled{}, err
		}
		if !changed {
			return Reconciled{BookingID: bookingID}, nil
		}
		if err := s.reconciled(ctx, tx, &p, e, refunded, ts, key, now); err != nil {
			return Reconciled{}, err
		}
		return Reconciled{BookingID: bookingID, Changed: true}, tx.UpdatePayment(ctx, p)
	})
	if errors.Is(err, domain.ErrIdempotencyKeyReused) {
		return Reconciled{Duplicate: true}, nil // the same id with another body: the first one counts
	}
	if err == nil && !first {
		r.Duplicate, r.Changed = true, false // this delivery changed nothing
	}
	return r, err
}

var reconciliations = map[domain.Reconciliation]paymentsv1.Reconciliation{
	domain.ReconcileAuthenticated:         paymentsv1.Reconciliation_RECONCILIATION_AUTHENTICATED,
	domain.ReconcileAuthenticationFailed:  paymentsv1.Reconciliation_RECONCILIATION_AUTHENTICATION_FAILED,
	domain.ReconcileAuthorizationCanceled: paymentsv1.Reconciliation_RECONCILIATION_AUTHORIZATION_CANCELED,
	domain.ReconcileRefunded:              paymentsv1.Reconciliation_RECONCILIATION_REFUNDED,
	domain.ReconcileDisputed:              paymentsv1.Reconciliation_RECONCILIATION_DISPUTED,
}

func (s *Service) reconciled(ctx context.Context, tx Tx, p *domain.Payment, e domain.ProcessorEvent, refunded int64,
	ts []domain.Transfer, key string, now time.Time,
) error {
	switch e.Kind {
	case domain.ReconcileRefunded:
		if err := tx.AddRefund(ctx, p.BookingID, domain.Refund{Amount: refunded, Note: "refunded at the card processor", At: now}); err != nil {
			return err
		}
		if err := post(ctx, tx, p.BookingID, "refund", p.Currency, key, ts); err != nil {
			return err
		}
		// As any refund: the mentee is told, reputation's totals follow.
		if err := emit(ctx, tx, paymentsv1.EventType_EVENT_TYPE_REFUNDED, key, now, &paymentsv1.PaymentRefunded{
			Payment: protoconv.PaymentToProto(*p), Amount: refunded, Note: "refunded at the card processor"}); err != nil {
			return err
		}
	case domain.ReconcileAuthenticationFailed, domain.ReconcileAuthorizationCanceled:
		if err := emit(ctx, tx, paymentsv1.EventType_EVENT_TYPE_VOIDED, key, now, &paymentsv1.PaymentVoided{Payment: protoconv.PaymentToProto(*p)}); err != nil {
			return err
		}
	case domain.ReconcileAuthenticated:
		if err := emit(ctx, tx, paymentsv1.EventType_EVENT_TYPE_AUTHORIZED, key, now, &paymentsv1.PaymentAuthorized{Payment: protoconv.PaymentToProto(*p)}); err != nil {
			return err
		}
	}
	return emit(ctx, tx, paymentsv1.EventType_EVENT_TYPE_RECONCILED, key, now, &paymentsv1.PaymentReconciled{
		Payment: protoconv.PaymentToProto(*p), Kind: reconciliations[e.Kind], Amount: refunded,
	})
}
