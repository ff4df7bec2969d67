// Package paymentsclient is the booking workflow's port to the payments
// context, over its gRPC API. Idempotency keys are derived from the booking,
// the operation and the booking's version, so a retried activity moves money
// once and a later refund is a new operation.
package paymentsclient

import (
	"context"
	"errors"
	"fmt"
	"time"

	"google.golang.org/protobuf/types/known/durationpb"
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

func key(in workflow.PaymentInput, op string) string {
	return fmt.Sprintf("booking/%s/%s/%d", in.ID, op, in.Version)
}

var methods = map[string]paymentsv1.PaymentMethod{
	string(domain.PaymentCard):         paymentsv1.PaymentMethod_PAYMENT_METHOD_CARD,
	string(domain.PaymentBankTransfer): paymentsv1.PaymentMethod_PAYMENT_METHOD_BANK_TRANSFER,
	string(domain.PaymentPayPal):       paymentsv1.PaymentMethod_PAYMENT_METHOD_PAYPAL,
	string(domain.PaymentVenmo):        paymentsv1.PaymentMethod_PAYMENT_METHOD_VENMO,
	string(domain.PaymentCash):         paymentsv1.PaymentMethod_PAYMENT_METHOD_CASH,
}

func result(in workflow.PaymentInput, p *paymentsv1.Payment) workflow.PaymentResult {
	r := workflow.PaymentResult{Refunded: p.GetRefundedAmount()}
	switch p.GetStatus() {
	case paymentsv1.PaymentStatus_PAYMENT_STATUS_UNPAID:
		r.Status = string(domain.PaymentStatusUnpaid)
	case paymentsv1.PaymentStatus_PAYMENT_STATUS_AUTHORIZED:
		r.Status = string(domain.PaymentStatusAuthorized)
		if t := p.GetAuthorizationExpireTime(); t != nil {
			r.HoldLapses = t.AsTime().UTC()
		}
	case paymentsv1.PaymentStatus_PAYMENT_STATUS_REQUIRES_ACTION:
		r.Status = string(domain.PaymentStatusAwaitingAuthentication)
	case paymentsv1.PaymentStatus_PAYMENT_STATUS_PAID:
		r.Status = string(domain.PaymentStatusPaid)
	case paymentsv1.PaymentStatus_PAYMENT_STATUS_PARTIALLY_REFUNDED:
		r.Status = string(domain.PaymentStatusPartiallyRefunded)
	case paymentsv1.PaymentStatus_PAYMENT_STATUS_REFUNDED:
		r.Status = string(domain.PaymentStatusRefunded)
	case paymentsv1.PaymentStatus_PAYMENT_STATUS_VOIDED:
		// A released card hold gave the money back; a manual payment
		// never made leaves nothing to pay.
		r.Status = string(domain.PaymentStatusNone)
		if in.PaymentMethod == string(domain.PaymentCard) {
			r.Status = string(domain.PaymentStatusRefunded)
		}
	default:
		r.Status = string(domain.PaymentStatusNone)
	}
	return r
}

// reasonOf is the reason of an application error from payments; "" for
// any other error.
func reasonOf(err error) string {
	var ae *apperr.Error
	if errors.As(err, &ae) {
		return ae.Reason
	}
	return ""
}

func unchanged(in workflow.PaymentInput) workflow.PaymentResult {
	return workflow.PaymentResult{Status: in.PaymentStatus, Refunded: in.Refunded.Amount}
}

// Authorize holds a card payment or records a manual one; free sessions and
// bundle credits need none now (a credit is used when the session happens).
func (c *Client) Authorize(ctx context.Context, in workflow.PaymentInput, cardToken string) (workflow.PaymentResult, error) {
	if in.Price.Amount == 0 || in.PaymentMethod == string(domain.PaymentNone) {
		return workflow.PaymentResult{Status: string(domain.PaymentStatusNone)}, nil
	}
	if in.PaymentMethod == string(domain.PaymentBundle) {
		return workflow.PaymentResult{Status: string(domain.PaymentStatusNone)}, c.checkBundle(ctx, in)
	}
	r, err := c.api.AuthorizePayment(ctx, &paymentsv1.AuthorizePaymentRequest{
		BookingId: in.ID, MenteeId: in.MenteeID, MentorId: in.MentorID, Amount: in.Price.Amount,
		Currency: in.Price.Currency, Method: methods[in.PaymentMethod], Card: cardToken, IdempotencyKey: key(in, "authorize"),
	})
	if err != nil {
		return workflow.PaymentResult{}, err
	}
	res := result(in, r.GetPayment())
	if a := r.GetNextAction(); a != nil && res.Status == string(domain.PaymentStatusAwaitingAuthentication) {
		res.Action = &workflow.PaymentAction{ClientSecret: a.GetClientSecret(), RedirectURL: a.GetRedirectUrl()}
	}
	return res, nil
}

// ErrBundle is a bundle that cannot pay for this booking.
var ErrBundle = apperr.New(apperr.KindConflict, "BUNDLE_NOT_USABLE", "that bundle cannot pay for this session")

func (c *Client) checkBundle(ctx context.Context, in workflow.PaymentInput) error {
	r, err := c.api.ListMenteeBundles(ctx, &paymentsv1.ListMenteeBundlesRequest{MenteeId: in.MenteeID})
	if err != nil {
		return err
	}
	for _, bu := range r.GetBundles() {
		if bu.GetId() != in.BundleID {
			continue
		}
		if bu.GetMentorId() != in.MentorID || bu.GetStatus() != paymentsv1.BundleStatus_BUNDLE_STATUS_ACTIVE {
			return apperr.Wrap(ErrBundle, "the bundle is for another mentor, used up or cancelled")
		}
		return nil
	}
	return apperr.Wrap(ErrBundle, "no such bundle of yours")
}

// Capture takes a held card payment.
func (c *Client) Capture(ctx context.Context, in workflow.PaymentInput) (workflow.PaymentResult, error) {
	r, err := c.api.CapturePayment(ctx, &paymentsv1.CapturePaymentRequest{BookingId: in.ID, IdempotencyKey: key(in, "capture")})
	if err != nil {
		return workflow.PaymentResult{}, err
	}
	return result(in, r.GetPayment()), nil
}

// Void gives everything back: releases a hold or an unpaid manual payment,
// refunds a captured card payment in full. A manual payment already received
// is refunded by the mentor off the platform.
func (c *Client) Void(ctx context.Context, in workflow.PaymentInput) (workflow.PaymentResult, error) {
	switch {
	case in.PaymentStatus == string(domain.PaymentStatusAuthorized) || in.PaymentStatus == string(domain.PaymentStatusUnpaid) ||
		in.PaymentStatus == string(domain.PaymentStatusAwaitingAuthentication):
		r, err := c.api.VoidPayment(ctx, &paymentsv1.VoidPaymentRequest{BookingId: in.ID, IdempotencyKey: key(in, "void")})
		if reasonOf(err) == "PAYMENT_WRONG_STATE" && in.PaymentStatus == string(domain.PaymentStatusAwaitingAuthentication) {
			// The processor ended the authentication first (failed, or
			// completed and then voided): the payment says where it stands.
			g, gerr := c.api.GetPayment(ctx, &paymentsv1.GetPaymentRequest{BookingId: in.ID})
			if gerr != nil {
				return workflow.PaymentResult{}, gerr
			}
			return result(in, g.GetPayment()), nil
		}
		if err != nil {
			return workflow.PaymentResult{}, err
		}
		return result(in, r.GetPayment()), nil
	case in.PaymentMethod == string(domain.PaymentCard) &&
		(in.PaymentStatus == string(domain.PaymentStatusPaid) || in.PaymentStatus == string(domain.PaymentStatusPartiallyRefunded)):
		if in.CommissionBps != nil {
			// A captured booking is given everything back only when it is
			// cancelled with a full refund: settle it as such, so that the
			// payment says so (settlement FULL_REFUND) like a late one does.
			return c.settle(ctx, in, paymentsv1.CancelledBy_CANCELLED_BY_UNSPECIFIED, paymentsv1.SettlementOutcome_SETTLEMENT_OUTCOME_FULL_REFUND)
		}
		return c.Refund(ctx, in, 0, "full refund")
	}
	return unchanged(in), nil
}

// Settle applies a cancellation's settlement, as the booking's policy
// decided it, with the booking's commission and notice.
func (c *Client) Settle(ctx context.Context, in workflow.PaymentInput, s domain.Settlement, by domain.Role) (workflow.PaymentResult, error) {
	if s == domain.SettleFullRefund {
		return c.Void(ctx, in)
	}
	who := paymentsv1.CancelledBy_CANCELLED_BY_MENTEE
	if by == domain.RoleMentor {
		who = paymentsv1.CancelledBy_CANCELLED_BY_MENTOR
	}
	outcome := paymentsv1.SettlementOutcome_SETTLEMENT_OUTCOME_UNSPECIFIED
	if in.CommissionBps != nil {
		outcome = paymentsv1.SettlementOutcome_SETTLEMENT_OUTCOME_MENTOR_PAID
	}
	return c.settle(ctx, in, who, outcome)
}

func (c *Client) settle(ctx context.Context, in workflow.PaymentInput, who paymentsv1.CancelledBy, outcome paymentsv1.SettlementOutcome) (workflow.PaymentResult, error) {
	req := &paymentsv1.SettleCancellationRequest{
		BookingId: in.ID, CancelledBy: who, SessionStartTime: timestamppb.New(in.Start),
		CancelTime: timestamppb.New(c.now()), IdempotencyKey: key(in, "settle"), Outcome: outcome,
	}
	if in.CommissionBps != nil {
		bps := int32(*in.CommissionBps)
		req.CommissionBps, req.FullRefundNotice = &bps, durationpb.New(in.FreeCancelBefore)
	}
	r, err := c.api.SettleCancellation(ctx, req)
	if err != nil {
		return workflow.PaymentResult{}, err
	}
	return result(in, r.GetPayment()), nil
}

// Refund returns amount (0: all that is left) to the mentee's card.
func (c *Client) Refund(ctx context.Context, in workflow.PaymentInput, amount int64, note string) (workflow.PaymentResult, error) {
	r, err := c.api.RefundPayment(ctx, &paymentsv1.RefundPaymentRequest{BookingId: in.ID, Amount: amount, Note: note, IdempotencyKey: key(in, "refund")})
	if err != nil {
		return workflow.PaymentResult{}, err
	}
	return result(in, r.GetPayment()), nil
}

// MarkPaid records a manual payment received.
func (c *Client) MarkPaid(ctx context.Context, in workflow.PaymentInput) (workflow.PaymentResult, error) {
	r, err := c.api.MarkPaid(ctx, &paymentsv1.MarkPaidRequest{BookingId: in.ID, ActorId: in.MentorID, IdempotencyKey: key(in, "mark-paid")})
	if err != nil {
		return workflow.PaymentResult{}, err
	}
	return result(in, r.GetPayment()), nil
}

// MarkRefunded records a manual payment returned.
func (c *Client) MarkRefunded(ctx context.Context, in workflow.PaymentInput) (workflow.PaymentResult, error) {
	r, err := c.api.MarkRefunded(ctx, &paymentsv1.MarkRefundedRequest{BookingId: in.ID, ActorId: in.MentorID, IdempotencyKey: key(in, "mark-refunded")})
	if err != nil {
		return workflow.PaymentResult{}, err
	}
	return result(in, r.GetPayment()), nil
}

// ReleasePayout makes the mentor's payout due; for a bundle booking it uses
// one credit.
func (c *Client) ReleasePayout(ctx context.Context, in workflow.PaymentInput) error {
	if in.PaymentMethod == string(domain.PaymentBundle) {
		_, err := c.api.UseBundleCredit(ctx, &paymentsv1.UseBundleCreditRequest{BundleId: in.BundleID, BookingId: in.ID, IdempotencyKey: key(in, "credit")})
		return err
	}
	if in.PaymentStatus == string(domain.PaymentStatusNone) {
		return nil
	}
	req := &paymentsv1.ReleasePayoutRequest{BookingId: in.ID, IdempotencyKey: key(in, "payout")}
	if in.CommissionBps != nil {
		bps := int32(*in.CommissionBps)
		req.CommissionBps = &bps
	}
	_, err := c.api.ReleasePayout(ctx, req)
	return err
}
