// Package paymentsclient is the booking workflow's port to the payments
// context, over its gRPC API. Idempotency keys are derived from the booking,
// the operation and the booking's version, so a retried activity moves money
// once and a later refund is a new operation.
package paymentsclient

import (
	"context"
	"fmt"
	"time"

	"google.golang.org/protobuf/types/known/timestamppb"

	paymentsv1 "github.com/bookwell/bookwell/gen/go/bookwell/payments/v1"
	"github.com/bookwell/bookwell/pkg/apperr"
	"github.com/bookwell/bookwell/services/booking/internal/domain"
	"github.com/bookwell/bookwell/services/booking/internal/workflow"
)

// Client implements workflow.Payments.
type Client struct {
	api paymentsv1.PaymentsServiceClient
	now func() time.Time
}

var _ workflow.Payments = (*Client)(nil)

// New returns a client on api.
func New(api paymentsv1.PaymentsServiceClient, now func() time.Time) *Client {
	return &Client{api: api, now: now}
}

func key(b domain.Booking, op string) string {
	return fmt.Sprintf("booking/%s/%s/%d", b.ID, op, b.Version)
}

var methods = map[domain.PaymentMethod]paymentsv1.PaymentMethod{
	domain.PaymentCard:         paymentsv1.PaymentMethod_PAYMENT_METHOD_CARD,
	domain.PaymentBankTransfer: paymentsv1.PaymentMethod_PAYMENT_METHOD_BANK_TRANSFER,
	domain.PaymentPayPal:       paymentsv1.PaymentMethod_PAYMENT_METHOD_PAYPAL,
	domain.PaymentVenmo:        paymentsv1.PaymentMethod_PAYMENT_METHOD_VENMO,
	domain.PaymentCash:         paymentsv1.PaymentMethod_PAYMENT_METHOD_CASH,
}

func result(b domain.Booking, p *paymentsv1.Payment) workflow.PaymentResult {
	r := workflow.PaymentResult{Refunded: p.GetRefundedAmount()}
	switch p.GetStatus() {
	case paymentsv1.PaymentStatus_PAYMENT_STATUS_UNPAID:
		r.Status = domain.PaymentStatusUnpaid
	case paymentsv1.PaymentStatus_PAYMENT_STATUS_AUTHORIZED:
		r.Status = domain.PaymentStatusAuthorized
	case paymentsv1.PaymentStatus_PAYMENT_STATUS_PAID:
		r.Status = domain.PaymentStatusPaid
	case paymentsv1.PaymentStatus_PAYMENT_STATUS_PARTIALLY_REFUNDED:
		r.Status = domain.PaymentStatusPartiallyRefunded
	case paymentsv1.PaymentStatus_PAYMENT_STATUS_REFUNDED:
		r.Status = domain.PaymentStatusRefunded
	case paymentsv1.PaymentStatus_PAYMENT_STATUS_VOIDED:
		// A released card hold gave the money back; a manual payment
		// never made leaves nothing to pay.
		r.Status = domain.PaymentStatusNone
		if b.PaymentMethod == domain.PaymentCard {
			r.Status = domain.PaymentStatusRefunded
		}
	default:
		r.Status = domain.PaymentStatusNone
	}
	return r
}

func unchanged(b domain.Booking) workflow.PaymentResult {
	return workflow.PaymentResult{Status: b.PaymentStatus, Refunded: b.Refunded.Amount}
}

// Authorize holds a card payment or records a manual one; free sessions and
// bundle credits need none now (a credit is used when the session happens).
func (c *Client) Authorize(ctx context.Context, b domain.Booking, cardToken string) (workflow.PaymentResult, error) {
	if b.Price.Amount == 0 || b.PaymentMethod == domain.PaymentNone {
		return workflow.PaymentResult{Status: domain.PaymentStatusNone}, nil
	}
	if b.PaymentMethod == domain.PaymentBundle {
		return workflow.PaymentResult{Status: domain.PaymentStatusNone}, c.checkBundle(ctx, b)
	}
	r, err := c.api.AuthorizePayment(ctx, &paymentsv1.AuthorizePaymentRequest{
		BookingId: b.ID, MenteeId: b.MenteeID, MentorId: b.MentorID, Amount: b.Price.Amount,
		Currency: b.Price.Currency, Method: methods[b.PaymentMethod], Card: cardToken, IdempotencyKey: key(b, "authorize"),
	})
	if err != nil {
		return workflow.PaymentResult{}, apperr.FromStatus(err)
	}
	return result(b, r.GetPayment()), nil
}

// ErrBundle is a bundle that cannot pay for this booking.
var ErrBundle = apperr.New(apperr.KindConflict, "BUNDLE_NOT_USABLE", "that bundle cannot pay for this session")

func (c *Client) checkBundle(ctx context.Context, b domain.Booking) error {
	r, err := c.api.ListMenteeBundles(ctx, &paymentsv1.ListMenteeBundlesRequest{MenteeId: b.MenteeID})
	if err != nil {
		return apperr.FromStatus(err)
	}
	for _, bu := range r.GetBundles() {
		if bu.GetId() != b.BundleID {
			continue
		}
		if bu.GetMentorId() != b.MentorID || bu.GetStatus() != paymentsv1.BundleStatus_BUNDLE_STATUS_ACTIVE {
			return apperr.Wrap(ErrBundle, "the bundle is for another mentor, used up or cancelled")
		}
		return nil
	}
	return apperr.Wrap(ErrBundle, "no such bundle of yours")
}

// Capture takes a held card payment.
func (c *Client) Capture(ctx context.Context, b domain.Booking) (workflow.PaymentResult, error) {
	r, err := c.api.CapturePayment(ctx, &paymentsv1.CapturePaymentRequest{BookingId: b.ID, IdempotencyKey: key(b, "capture")})
	if err != nil {
		return workflow.PaymentResult{}, apperr.FromStatus(err)
	}
	return result(b, r.GetPayment()), nil
}

// Void gives everything back: releases a hold or an unpaid manual payment,
// refunds a captured card payment in full. A manual payment already received
// is refunded by the mentor off the platform.
func (c *Client) Void(ctx context.Context, b domain.Booking) (workflow.PaymentResult, error) {
	switch {
	case b.PaymentStatus == domain.PaymentStatusAuthorized || b.PaymentStatus == domain.PaymentStatusUnpaid:
		r, err := c.api.VoidPayment(ctx, &paymentsv1.VoidPaymentRequest{BookingId: b.ID, IdempotencyKey: key(b, "void")})
		if err != nil {
			return workflow.PaymentResult{}, apperr.FromStatus(err)
		}
		return result(b, r.GetPayment()), nil
	case b.PaymentMethod == domain.PaymentCard &&
		(b.PaymentStatus == domain.PaymentStatusPaid || b.PaymentStatus == domain.PaymentStatusPartiallyRefunded):
		return c.Refund(ctx, b, 0, "full refund")
	}
	return unchanged(b), nil
}

// Settle pays the mentor for a late mentee cancellation.
func (c *Client) Settle(ctx context.Context, b domain.Booking, s domain.Settlement, by domain.Role) (workflow.PaymentResult, error) {
	if s == domain.SettleFullRefund {
		return c.Void(ctx, b)
	}
	who := paymentsv1.CancelledBy_CANCELLED_BY_MENTEE
	if by == domain.RoleMentor {
		who = paymentsv1.CancelledBy_CANCELLED_BY_MENTOR
	}
	r, err := c.api.SettleCancellation(ctx, &paymentsv1.SettleCancellationRequest{
		BookingId: b.ID, CancelledBy: who, SessionStartTime: timestamppb.New(b.Start),
		CancelTime: timestamppb.New(c.now()), IdempotencyKey: key(b, "settle"),
	})
	if err != nil {
		return workflow.PaymentResult{}, apperr.FromStatus(err)
	}
	return result(b, r.GetPayment()), nil
}

// Refund returns amount (0: all that is left) to the mentee's card.
func (c *Client) Refund(ctx context.Context, b domain.Booking, amount int64, note string) (workflow.PaymentResult, error) {
	r, err := c.api.RefundPayment(ctx, &paymentsv1.RefundPaymentRequest{BookingId: b.ID, Amount: amount, Note: note, IdempotencyKey: key(b, "refund")})
	if err != nil {
		return workflow.PaymentResult{}, apperr.FromStatus(err)
	}
	return result(b, r.GetPayment()), nil
}

// MarkPaid records a manual payment received.
func (c *Client) MarkPaid(ctx context.Context, b domain.Booking, mentorID string) (workflow.PaymentResult, error) {
	r, err := c.api.MarkPaid(ctx, &paymentsv1.MarkPaidRequest{BookingId: b.ID, ActorId: b.MentorID, IdempotencyKey: key(b, "mark-paid")})
	if err != nil {
		return workflow.PaymentResult{}, apperr.FromStatus(err)
	}
	return result(b, r.GetPayment()), nil
}

// MarkRefunded records a manual payment returned.
func (c *Client) MarkRefunded(ctx context.Context, b domain.Booking, mentorID string) (workflow.PaymentResult, error) {
	r, err := c.api.MarkRefunded(ctx, &paymentsv1.MarkRefundedRequest{BookingId: b.ID, ActorId: b.MentorID, IdempotencyKey: key(b, "mark-refunded")})
	if err != nil {
		return workflow.PaymentResult{}, apperr.FromStatus(err)
	}
	return result(b, r.GetPayment()), nil
}

// ReleasePayout makes the mentor's payout due; for a bundle booking it uses
// one credit.
func (c *Client) ReleasePayout(ctx context.Context, b domain.Booking) error {
	if b.PaymentMethod == domain.PaymentBundle {
		_, err := c.api.UseBundleCredit(ctx, &paymentsv1.UseBundleCreditRequest{BundleId: b.BundleID, BookingId: b.ID, IdempotencyKey: key(b, "credit")})
		return apperr.FromStatus(err)
	}
	if b.PaymentStatus == domain.PaymentStatusNone {
		return nil
	}
	_, err := c.api.ReleasePayout(ctx, &paymentsv1.ReleasePayoutRequest{BookingId: b.ID, IdempotencyKey: key(b, "payout")})
	return apperr.FromStatus(err)
}
