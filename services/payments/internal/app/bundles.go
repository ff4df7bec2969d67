package app

import (
	"context"
	"errors"

	"github.com/google/uuid"

	paymentsv1 "github.com/bookwell/bookwell/gen/go/bookwell/payments/v1"
	"github.com/bookwell/bookwell/pkg/apperr"
	"github.com/bookwell/bookwell/services/payments/internal/domain"
	"github.com/bookwell/bookwell/services/payments/internal/protoconv"
)

// BuyBundle charges a bundle of sessions by card (authorize and capture at
// once) and holds the money in the bundle's escrow. The mentor must have
// approved continuation with the mentee (DecideContinuation); nothing is
// charged otherwise. A mentee buys for themselves: an order that names no
// mentee is theirs.
func (s *Service) BuyBundle(ctx context.Context, o domain.BundleOrder, key string) (domain.Bundle, error) {
	var err error
	if o.MenteeID, err = buyer(ctx, o.MenteeID); err != nil {
		return domain.Bundle{}, err
	}
	if err := o.Validate(); err != nil {
		return domain.Bundle{}, err
	}
	var v apperr.Violations
	checkKey(&v, key)
	if err := v.Err(); err != nil {
		return domain.Bundle{}, err
	}
	return idempotent(ctx, s.Store, key, "buy_bundle", o, func(ctx context.Context, tx Tx) (domain.Bundle, error) {
		ok, err := tx.ContinuationApproved(ctx, o.MentorID, o.MenteeID)
		if err != nil {
			return domain.Bundle{}, err
		}
		if !ok {
			return domain.Bundle{}, domain.ErrContinuationRequired
		}
		id := uuid.NewSHA1(namespace, []byte("bundle|"+key)).String()
		auth, err := s.Provider.Authorize(ctx, domain.CardCharge{Amount: o.Total(), Currency: o.Currency, Card: o.Card, Key: providerKey("authorize", key)})
		if err != nil {
			return domain.Bundle{}, err
		}
		if err := s.Provider.Capture(ctx, auth.Ref, o.Total(), providerKey("capture", key)); err != nil {
			return domain.Bundle{}, err
		}
		b, ts := domain.NewBundle(id, o, auth.Ref, s.now())
		if err := tx.InsertBundle(ctx, b); err != nil {
			return domain.Bundle{}, err
		}
		if err := post(ctx, tx, b.ID, "bundle_purchase", b.Currency, key, ts); err != nil {
			return domain.Bundle{}, err
		}
		return b, emit(ctx, tx, paymentsv1.EventType_EVENT_TYPE_BUNDLE_PURCHASED, key, b.CreatedAt, &paymentsv1.BundlePurchased{Bundle: protoconv.BundleToProto(b)})
	})
}

// UseBundleCredit spends one credit on a completed or no-show booking; the
// session's price less commission becomes payable to the mentor. A booking
// uses at most one credit.
func (s *Service) UseBundleCredit(ctx context.Context, bundleID, bookingID, key string) (domain.Bundle, error) {
	if err := mayMoveMoney(ctx); err != nil {
		return domain.Bundle{}, err
	}
	var v apperr.Violations
	domain.CheckID(&v, "bundle_id", bundleID)
	domain.CheckID(&v, "booking_id", bookingID)
	checkKey(&v, key)
	if err := v.Err(); err != nil {
		return domain.Bundle{}, err
	}
	req := struct{ BundleID, BookingID string }{bundleID, bookingID}
	return idempotent(ctx, s.Store, key, "use_bundle_credit", req, func(ctx context.Context, tx Tx) (domain.Bundle, error) {
		if err := tx.Lock(ctx, bundleID); err != nil {
			return domain.Bundle{}, err
		}
		b, err := tx.Bundle(ctx, bundleID)
		if err != nil {
			return domain.Bundle{}, err
		}
		now := s.now()
		commission, ts, err := b.UseCredit(s.Policy, now)
		if err != nil {
			return domain.Bundle{}, err
		}
		fresh, err := tx.AddBundleCredit(ctx, bundleID, bookingID, ledgerID("bundle_credit", key), now)
		if err != nil {
			return domain.Bundle{}, err
		}
		if !fresh {
			return domain.Bundle{}, apperr.Wrap(ErrCreditUsed, "booking %s already used a bundle credit", bookingID)
		}
		if err := tx.UpdateBundle(ctx, b); err != nil {
			return domain.Bundle{}, err
		}
		if err := post(ctx, tx, b.ID, "bundle_credit", b.Currency, key, ts); err != nil {
			return domain.Bundle{}, err
		}
		return b, emit(ctx, tx, paymentsv1.EventType_EVENT_TYPE_PAYOUT_DUE, key, now, &paymentsv1.PayoutDue{
			BookingId: bookingID, MentorId: b.MentorID, Amount: b.Price - commission,
			CommissionAmount: commission, Currency: b.Currency,
		})
	})
}

// ErrCreditUsed is a booking using a second bundle credit.
var ErrCreditUsed = apperr.New(apperr.KindConflict, "BUNDLE_CREDIT_ALREADY_USED", "this booking already used a bundle credit")

// CancelBundle ends a bundle and refunds its unused sessions pro rata
// through the card provider.
func (s *Service) CancelBundle(ctx context.Context, bundleID, key string) (domain.Bundle, error) {
	if err := mayMoveMoney(ctx); err != nil {
		return domain.Bundle{}, err
	}
	var v apperr.Violations
	domain.CheckID(&v, "bundle_id", bundleID)
	checkKey(&v, key)
	if err := v.Err(); err != nil {
		return domain.Bundle{}, err
	}
	req := struct{ BundleID string }{bundleID}
	return idempotent(ctx, s.Store, key, "cancel_bundle", req, func(ctx context.Context, tx Tx) (domain.Bundle, error) {
		if err := tx.Lock(ctx, bundleID); err != nil {
			return domain.Bundle{}, err
		}
		b, err := tx.Bundle(ctx, bundleID)
		if err != nil {
			return domain.Bundle{}, err
		}
		refund, ts, err := b.Cancel(s.now())
		if err != nil {
			return domain.Bundle{}, err
		}
		if refund > 0 {
			if err := s.Provider.Refund(ctx, b.ProviderRef, refund, providerKey("refund", key)); err != nil {
				return domain.Bundle{}, err
			}
		}
		if err := tx.UpdateBundle(ctx, b); err != nil {
			return domain.Bundle{}, err
		}
		if err := post(ctx, tx, b.ID, "bundle_refund", b.Currency, key, ts); err != nil {
			return domain.Bundle{}, err
		}
		return b, emit(ctx, tx, paymentsv1.EventType_EVENT_TYPE_BUNDLE_CANCELLED, key, b.UpdatedAt, &paymentsv1.BundleCancelled{Bundle: protoconv.BundleToProto(b)})
	})
}

// MenteeBundles lists a mentee's bundles, newest first: to a mentor, only
// those bought with them.
func (s *Service) MenteeBundles(ctx context.Context, menteeID string) ([]domain.Bundle, error) {
	caller, err := mayListBundles(ctx, menteeID)
	if err != nil {
		return nil, err
	}
	var v apperr.Violations
	domain.CheckID(&v, "mentee_id", menteeID)
	if err := v.Err(); err != nil {
		return nil, err
	}
	bs, err := s.Store.MenteeBundles(ctx, menteeID)
	if errors.Is(err, domain.ErrBundleNotFound) {
		return nil, nil
	}
	return visibleBundles(caller, bs), err
}

// DecideContinuation records a mentor's continuation decision after an intro
// session, inside tx (the event consumer's transaction): an approval lets the
// mentee buy bundles with the mentor, a rejection withdraws it.
func (s *Service) DecideContinuation(ctx context.Context, tx Tx, d domain.ContinuationDecision) error {
	if err := d.Validate(); err != nil {
		return err
	}
	return tx.SetContinuation(ctx, d)
}
