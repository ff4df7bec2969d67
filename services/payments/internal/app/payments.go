package app

import (
	"context"
	"errors"
	"time"

	paymentsv1 "github.com/bookwell/bookwell/gen/go/bookwell/payments/v1"
	"github.com/bookwell/bookwell/pkg/apperr"
	"github.com/bookwell/bookwell/services/payments/internal/domain"
	"github.com/bookwell/bookwell/services/payments/internal/protoconv"
)

// Authorize opens a booking's payment: a card hold through the provider
// (AUTHORIZED), or an UNPAID manual payment.
func (s *Service) Authorize(ctx context.Context, o domain.Open, key string) (domain.Payment, error) {
	if err := mayMoveMoney(ctx); err != nil {
		return domain.Payment{}, err
	}
	if err := o.Validate(); err != nil {
		return domain.Payment{}, err
	}
	var v apperr.Violations
	checkKey(&v, key)
	if err := v.Err(); err != nil {
		return domain.Payment{}, err
	}
	return idempotent(ctx, s.Store, key, "authorize", o, func(ctx context.Context, tx Tx) (domain.Payment, error) {
		if err := tx.Lock(ctx, o.BookingID); err != nil {
			return domain.Payment{}, err
		}
		if _, err := tx.Payment(ctx, o.BookingID); err == nil {
			return domain.Payment{}, domain.ErrAlreadyExists
		} else if !errors.Is(err, domain.ErrNotFound) {
			return domain.Payment{}, err
		}
		var auth domain.Authorization
		if o.Method == domain.MethodCard {
			var err error
			auth, err = s.Provider.Authorize(ctx, domain.CardCharge{
				Amount: o.Amount, Currency: o.Currency, Card: o.Card, Key: providerKey("authorize", key),
			})
			if err != nil {
				return domain.Payment{}, err
			}
		}
		now := s.now()
		p := domain.NewPayment(o, auth, now)
		if err := tx.InsertPayment(ctx, p); err != nil {
			return domain.Payment{}, err
		}
		if p.Status == domain.StatusAuthorized {
			if err := emit(ctx, tx, paymentsv1.EventType_EVENT_TYPE_AUTHORIZED, key, now, &paymentsv1.PaymentAuthorized{Payment: protoconv.PaymentToProto(p)}); err != nil {
				return domain.Payment{}, err
			}
		}
		return p, nil
	})
}

// update is the shape of every command on an existing payment: validate the
// booking id and key, then, under the key and the booking's lock, load the
// payment, apply change and store the result.
func (s *Service) update(ctx context.Context, op, bookingID, key string, req any,
	change func(ctx context.Context, tx Tx, p *domain.Payment, now time.Time) error,
) (domain.Payment, error) {
	var v apperr.Violations
	domain.CheckID(&v, "booking_id", bookingID)
	checkKey(&v, key)
	if err := v.Err(); err != nil {
		return domain.Payment{}, err
	}
	return idempotent(ctx, s.Store, key, op, req, func(ctx context.Context, tx Tx) (domain.Payment, error) {
		if err := tx.Lock(ctx, bookingID); err != nil {
			return domain.Payment{}, err
		}
		p, err := tx.Payment(ctx, bookingID)
		if err != nil {
			return domain.Payment{}, err
		}
		if err := change(ctx, tx, &p, s.now()); err != nil {
			return domain.Payment{}, err
		}
		if err := tx.UpdatePayment(ctx, p); err != nil {
			return domain.Payment{}, err
		}
		return p, nil
	})
}

// Capture charges an authorized card payment (the mentor approved).
func (s *Service) Capture(ctx context.Context, bookingID, key string) (domain.Payment, error) {
	if err := mayMoveMoney(ctx); err != nil {
		return domain.Payment{}, err
	}
	req := struct{ BookingID string }{bookingID}
	return s.update(ctx, "capture", bookingID, key, req, func(ctx context.Context, tx Tx, p *domain.Payment, now time.Time) error {
		ts, err := p.Capture(now)
		if err != nil {
			return err
		}
		if err := s.Provider.Capture(ctx, p.ProviderRef, p.Amount, providerKey("capture", key)); err != nil {
			return err
		}
		if err := post(ctx, tx, p.BookingID, "capture", p.Currency, key, ts); err != nil {
			return err
		}
		return emit(ctx, tx, paymentsv1.EventType_EVENT_TYPE_CAPTURED, key, now, &paymentsv1.PaymentCaptured{Payment: protoconv.PaymentToProto(*p)})
	})
}

// Void releases an uncaptured hold or closes an unpaid manual payment.
func (s *Service) Void(ctx context.Context, bookingID, key string) (domain.Payment, error) {
	if err := mayMoveMoney(ctx); err != nil {
		return domain.Payment{}, err
	}
	req := struct{ BookingID string }{bookingID}
	return s.update(ctx, "void", bookingID, key, req, func(ctx context.Context, tx Tx, p *domain.Payment, now time.Time) error {
		return s.void(ctx, tx, p, key, now)
	})
}

func (s *Service) void(ctx context.Context, tx Tx, p *domain.Payment, key string, now time.Time) error {
	wasCardHold := p.Status == domain.StatusAuthorized || p.Status == domain.StatusRequiresAction
	if err := p.Void(now); err != nil {
		return err
	}
	if wasCardHold {
		if err := s.Provider.Void(ctx, p.ProviderRef, providerKey("void", key)); err != nil {
			return err
		}
	}
	return emit(ctx, tx, paymentsv1.EventType_EVENT_TYPE_VOIDED, key, now, &paymentsv1.PaymentVoided{Payment: protoconv.PaymentToProto(*p)})
}

// Refund gives amount (0: all that remains) of a captured card payment back
// through the provider.
func (s *Service) Refund(ctx context.Context, bookingID string, amount int64, note, key string) (domain.Payment, error) {
	if err := mayMoveMoney(ctx); err != nil {
		return domain.Payment{}, err
	}
	var v apperr.Violations
	if amount < 0 {
		v.Add("amount", "must not be negative (0 refunds everything)")
	}
	domain.CheckNote(&v, "note", note)
	if err := v.Err(); err != nil {
		return domain.Payment{}, err
	}
	req := struct {
		BookingID string
		Amount    int64
		Note      string
	}{bookingID, amount, note}
	return s.update(ctx, "refund", bookingID, key, req, func(ctx context.Context, tx Tx, p *domain.Payment, now time.Time) error {
		n, ts, err := p.Refund(amount, note, now)
		if err != nil {
			return err
		}
		return s.refunded(ctx, tx, p, n, note, key, now, ts)
	})
}

// refunded sends a card refund of n to the provider and records it.
func (s *Service) refunded(ctx context.Context, tx Tx, p *domain.Payment, n int64, note, key string, now time.Time, ts []domain.Transfer) error {
	if err := s.Provider.Refund(ctx, p.ProviderRef, n, providerKey("refund", key)); err != nil {
		return err
	}
	if err := tx.AddRefund(ctx, p.BookingID, domain.Refund{Amount: n, Note: note, At: now}); err != nil {
		return err
	}
	if err := post(ctx, tx, p.BookingID, "refund", p.Currency, key, ts); err != nil {
		return err
	}
	return emit(ctx, tx, paymentsv1.EventType_EVENT_TYPE_REFUNDED, key, now, &paymentsv1.PaymentRefunded{Payment: protoconv.PaymentToProto(*p), Amount: n, Note: note})
}

// MarkPaid is the mentor's confirmation that a manual payment arrived.
func (s *Service) MarkPaid(ctx context.Context, bookingID, actor, key string) (domain.Payment, error) {
	if err := mayMoveMoney(ctx); err != nil {
		return domain.Payment{}, err
	}
	var v apperr.Violations
	domain.CheckID(&v, "actor_id", actor)
	if err := v.Err(); err != nil {
		return domain.Payment{}, err
	}
	req := struct{ BookingID, Actor string }{bookingID, actor}
	return s.update(ctx, "mark_paid", bookingID, key, req, func(ctx context.Context, tx Tx, p *domain.Payment, now time.Time) error {
		ts, err := p.MarkPaid(actor, now)
		if err != nil {
			return err
		}
		if err := post(ctx, tx, p.BookingID, "mark_paid", p.Currency, key, ts); err != nil {
			return err
		}
		return emit(ctx, tx, paymentsv1.EventType_EVENT_TYPE_MARKED_PAID, key, now, &paymentsv1.PaymentMarkedPaid{Payment: protoconv.PaymentToProto(*p)})
	})
}

// MarkRefunded is the mentor's statement that a manual payment went back.
func (s *Service) MarkRefunded(ctx context.Context, bookingID, actor, note, key string) (domain.Payment, error) {
	if err := mayMoveMoney(ctx); err != nil {
		return domain.Payment{}, err
	}
	var v apperr.Violations
	domain.CheckID(&v, "actor_id", actor)
	domain.CheckNote(&v, "note", note)
	if err := v.Err(); err != nil {
		return domain.Payment{}, err
	}
	req := struct{ BookingID, Actor, Note string }{bookingID, actor, note}
	return s.update(ctx, "mark_refunded", bookingID, key, req, func(ctx context.Context, tx Tx, p *domain.Payment, now time.Time) error {
		n, ts, err := p.MarkRefunded(actor, note, now)
		if err != nil {
			return err
		}
		if err := tx.AddRefund(ctx, p.BookingID, domain.Refund{Amount: n, Note: note, At: now}); err != nil {
			return err
		}
		if err := post(ctx, tx, p.BookingID, "mark_refunded", p.Currency, key, ts); err != nil {
			return err
		}
		return emit(ctx, tx, paymentsv1.EventType_EVENT_TYPE_REFUNDED, key, now, &paymentsv1.PaymentRefunded{Payment: protoconv.PaymentToProto(*p), Amount: n, Note: note})
	})
}

// ReleasePayout makes the mentor's payout due after a completed or no-show
// session.
func (s *Service) ReleasePayout(ctx context.Context, bookingID, key string) (domain.Payment, error) {
	return s.ReleasePayoutAt(ctx, bookingID, key, nil)
}

// ReleasePayoutAt is ReleasePayout with the booking's commission
// (commissionBps; nil: payments' own).
func (s *Service) ReleasePayoutAt(ctx context.Context, bookingID, key string, commissionBps *int64) (domain.Payment, error) {
	if err := mayMoveMoney(ctx); err != nil {
		return domain.Payment{}, err
	}
	pol := s.Policy
	var req any = struct{ BookingID string }{bookingID}
	if commissionBps != nil {
		pol.CommissionBps = *commissionBps
		if err := pol.Validate(); err != nil {
			return domain.Payment{}, apperr.Violations{{Field: "commission_bps", Description: err.Error()}}.Err()
		}
		req = struct {
			BookingID     string
			CommissionBps int64
		}{bookingID, *commissionBps}
	}
	return s.update(ctx, "release", bookingID, key, req, func(ctx context.Context, tx Tx, p *domain.Payment, now time.Time) error {
		ts, err := p.ReleasePayout(pol, now)
		if err != nil {
			return err
		}
		return s.released(ctx, tx, p, key, now, ts)
	})
}

func (s *Service) released(ctx context.Context, tx Tx, p *domain.Payment, key string, now time.Time, ts []domain.Transfer) error {
	if p.Method != domain.MethodCard {
		return nil // paid to the mentor directly: nothing becomes payable
	}
	if err := post(ctx, tx, p.BookingID, "release", p.Currency, key, ts); err != nil {
		return err
	}
	return emit(ctx, tx, paymentsv1.EventType_EVENT_TYPE_PAYOUT_DUE, key, now, &paymentsv1.PayoutDue{
		BookingId: p.BookingID, MentorId: p.MentorID, Currency: p.Currency,
		Amount: p.Remaining() - p.Commission, CommissionAmount: p.Commission,
	})
}

// SettleCancellation applies the cancellation policy to a cancelled booking.
func (s *Service) SettleCancellation(ctx context.Context, bookingID string, c domain.Cancellation, key string) (domain.Payment, error) {
	if err := mayMoveMoney(ctx); err != nil {
		return domain.Payment{}, err
	}
	if err := c.Validate(); err != nil {
		return domain.Payment{}, err
	}
	// The request a key stands for leaves out when the caller sent it: a
	// retry of one cancellation (an activity's next attempt, or the command
	// run again after its workflow task was lost) carries a later time, and
	// must get the first attempt's answer, not IDEMPOTENCY_KEY_REUSED after
	// the money has moved.
	same := c
	same.CancelledAt = time.Time{}
	return s.update(ctx, "settle", bookingID, key, struct {
		BookingID string
		C         domain.Cancellation
	}{bookingID, same}, func(ctx context.Context, tx Tx, p *domain.Payment, now time.Time) error {
		wasCardHold := p.Status == domain.StatusAuthorized || p.Status == domain.StatusRequiresAction
		r, err := p.Settle(c.PolicyOr(s.Policy), c, now)
		if err != nil {
			return err
		}
		switch r.Outcome {
		case domain.SettlementVoided:
			if wasCardHold {
				if err := s.Provider.Void(ctx, p.ProviderRef, providerKey("void", key)); err != nil {
					return err
				}
			}
			return emit(ctx, tx, paymentsv1.EventType_EVENT_TYPE_VOIDED, key, now, &paymentsv1.PaymentVoided{Payment: protoconv.PaymentToProto(*p)})
		case domain.SettlementFullRefund:
			return s.refunded(ctx, tx, p, r.Refunded, "cancellation refund", key, now, r.Transfers)
		case domain.SettlementMentorPaid:
			return s.released(ctx, tx, p, key, now, r.Transfers)
		}
		return nil
	})
}

// Payment returns a booking's payment, to those who may see it (mayRead).
func (s *Service) Payment(ctx context.Context, bookingID string) (domain.Payment, error) {
	if err := signedIn(ctx); err != nil {
		return domain.Payment{}, err
	}
	var v apperr.Violations
	domain.CheckID(&v, "booking_id", bookingID)
	if err := v.Err(); err != nil {
		return domain.Payment{}, err
	}
	p, err := s.Store.Payment(ctx, bookingID)
	if err != nil {
		return domain.Payment{}, err
	}
	if err := mayRead(ctx, p); err != nil {
		return domain.Payment{}, err
	}
	return p, nil
}

// MentorBalances returns a mentor's balances, one per currency.
func (s *Service) MentorBalances(ctx context.Context, mentorID string) ([]domain.MentorBalance, error) {
	if err := mayReadEarnings(ctx, mentorID); err != nil {
		return nil, err
	}
	var v apperr.Violations
	domain.CheckID(&v, "mentor_id", mentorID)
	if err := v.Err(); err != nil {
		return nil, err
	}
	return s.Store.MentorBalances(ctx, mentorID)
}
