// Package protoconv converts the payments domain types to and from their
// protobuf forms, used by the gRPC transport and by the events. Every
// converter is named XToProto or XFromProto.
package protoconv

import (
	"fmt"
	"time"

	"google.golang.org/protobuf/types/known/timestamppb"

	bookingv1 "github.com/bookwell/bookwell/gen/go/bookwell/booking/v1"
	paymentsv1 "github.com/bookwell/bookwell/gen/go/bookwell/payments/v1"
	"github.com/bookwell/bookwell/services/payments/internal/domain"
)

var methodToProto = map[domain.Method]paymentsv1.PaymentMethod{
	domain.MethodCard:         paymentsv1.PaymentMethod_PAYMENT_METHOD_CARD,
	domain.MethodBankTransfer: paymentsv1.PaymentMethod_PAYMENT_METHOD_BANK_TRANSFER,
	domain.MethodPayPal:       paymentsv1.PaymentMethod_PAYMENT_METHOD_PAYPAL,
	domain.MethodVenmo:        paymentsv1.PaymentMethod_PAYMENT_METHOD_VENMO,
	domain.MethodCash:         paymentsv1.PaymentMethod_PAYMENT_METHOD_CASH,
}

// MethodFromProto converts a proto payment method; an unknown one becomes "" (which
// the domain rejects as invalid).
func MethodFromProto(m paymentsv1.PaymentMethod) domain.Method {
	for d, p := range methodToProto {
		if p == m {
			return d
		}
	}
	return ""
}

var statusToProto = map[domain.Status]paymentsv1.PaymentStatus{
	domain.StatusNone:              paymentsv1.PaymentStatus_PAYMENT_STATUS_NONE,
	domain.StatusUnpaid:            paymentsv1.PaymentStatus_PAYMENT_STATUS_UNPAID,
	domain.StatusAuthorized:        paymentsv1.PaymentStatus_PAYMENT_STATUS_AUTHORIZED,
	domain.StatusPaid:              paymentsv1.PaymentStatus_PAYMENT_STATUS_PAID,
	domain.StatusPartiallyRefunded: paymentsv1.PaymentStatus_PAYMENT_STATUS_PARTIALLY_REFUNDED,
	domain.StatusRefunded:          paymentsv1.PaymentStatus_PAYMENT_STATUS_REFUNDED,
	domain.StatusVoided:            paymentsv1.PaymentStatus_PAYMENT_STATUS_VOIDED,
	domain.StatusRequiresAction:    paymentsv1.PaymentStatus_PAYMENT_STATUS_REQUIRES_ACTION,
}

var settlementToProto = map[domain.Settlement]paymentsv1.SettlementOutcome{
	domain.SettlementNone:            paymentsv1.SettlementOutcome_SETTLEMENT_OUTCOME_UNSPECIFIED,
	domain.SettlementVoided:          paymentsv1.SettlementOutcome_SETTLEMENT_OUTCOME_VOIDED,
	domain.SettlementFullRefund:      paymentsv1.SettlementOutcome_SETTLEMENT_OUTCOME_FULL_REFUND,
	domain.SettlementMentorPaid:      paymentsv1.SettlementOutcome_SETTLEMENT_OUTCOME_MENTOR_PAID,
	domain.SettlementManualRefundDue: paymentsv1.SettlementOutcome_SETTLEMENT_OUTCOME_MANUAL_REFUND_DUE,
}

// CancelledByFromProto converts the side that cancelled; unknown becomes "".
func CancelledByFromProto(c paymentsv1.CancelledBy) domain.CancelledBy {
	switch c {
	case paymentsv1.CancelledBy_CANCELLED_BY_MENTEE:
		return domain.ByMentee
	case paymentsv1.CancelledBy_CANCELLED_BY_MENTOR:
		return domain.ByMentor
	}
	return ""
}

// PaymentToProto converts a payment to its proto form.
func PaymentToProto(p domain.Payment) *paymentsv1.Payment {
	out := &paymentsv1.Payment{
		BookingId: p.BookingID, MenteeId: p.MenteeID, MentorId: p.MentorID,
		Amount: p.Amount, Currency: p.Currency, Method: methodToProto[p.Method],
		Status: statusToProto[p.Status], CardLast4: p.CardLast4,
		CapturedAmount: p.Captured, RefundedAmount: p.Refunded,
		PayoutReleased: p.Released, CommissionAmount: p.Commission - p.CommissionReturned,
		Settlement: settlementToProto[p.Settlement],
		CreateTime: timestamppb.New(p.CreatedAt), UpdateTime: timestamppb.New(p.UpdatedAt),
		Disputed: p.Disputed,
	}
	if !p.AuthExpiresAt.IsZero() {
		out.AuthorizationExpireTime = timestamppb.New(p.AuthExpiresAt)
	}
	for _, r := range p.Refunds {
		out.Refunds = append(out.Refunds, &paymentsv1.Refund{Amount: r.Amount, Note: r.Note, CreateTime: timestamppb.New(r.At)})
	}
	return out
}

// NextActionToProto converts what a cardholder's authentication needs; nil
// stays nil.
func NextActionToProto(a *domain.NextAction) *paymentsv1.NextAction {
	if a == nil {
		return nil
	}
	return &paymentsv1.NextAction{ClientSecret: a.ClientSecret, RedirectUrl: a.RedirectURL}
}

var bundleStatusToProto = map[domain.BundleStatus]paymentsv1.BundleStatus{
	domain.BundleActive:    paymentsv1.BundleStatus_BUNDLE_STATUS_ACTIVE,
	domain.BundleUsedUp:    paymentsv1.BundleStatus_BUNDLE_STATUS_USED_UP,
	domain.BundleCancelled: paymentsv1.BundleStatus_BUNDLE_STATUS_CANCELLED,
}

// BundleToProto converts a bundle to its proto form.
func BundleToProto(b domain.Bundle) *paymentsv1.Bundle {
	return &paymentsv1.Bundle{
		Id: b.ID, MenteeId: b.MenteeID, MentorId: b.MentorID,
		SessionsTotal: int32(b.Total), SessionsUsed: int32(b.Used), SessionPrice: b.Price,
		Currency: b.Currency, Status: bundleStatusToProto[b.Status], RefundedAmount: b.Refunded,
		CreateTime: timestamppb.New(b.CreatedAt),
	}
}

// MentorBalanceToProto converts a balance to its proto form.
func MentorBalanceToProto(b domain.MentorBalance) *paymentsv1.MentorBalance {
	return &paymentsv1.MentorBalance{
		Currency: b.Currency, PendingAmount: b.Pending, PayableAmount: b.Payable,
		ReceivedDirectlyAmount: b.ReceivedDirectly,
	}
}

var payoutKindToProto = map[domain.PayoutKind]paymentsv1.PayoutKind{
	domain.PayoutSession:          paymentsv1.PayoutKind_PAYOUT_KIND_SESSION,
	domain.PayoutLateCancellation: paymentsv1.PayoutKind_PAYOUT_KIND_LATE_CANCELLATION,
	domain.PayoutBundleSession:    paymentsv1.PayoutKind_PAYOUT_KIND_BUNDLE_SESSION,
}

// PayoutToProto converts a payout to its proto form.
func PayoutToProto(p domain.Payout) *paymentsv1.Payout {
	return &paymentsv1.Payout{
		BookingId: p.BookingID, BundleId: p.BundleID, Kind: payoutKindToProto[p.Kind],
		Amount: p.Amount, CommissionAmount: p.Commission, Currency: p.Currency,
		DueTime: timestamppb.New(p.DueAt),
	}
}

// TimeFromProto is the time of ts in UTC, or the zero time (which
// validation rejects) when it is missing.
func TimeFromProto(ts *timestamppb.Timestamp) time.Time {
	if ts == nil {
		return time.Time{}
	}
	return ts.AsTime().UTC()
}

// OpenFromProto converts a request to open a booking's payment.
func OpenFromProto(r *paymentsv1.AuthorizePaymentRequest) domain.Open {
	return domain.Open{
		BookingID: r.GetBookingId(), MenteeID: r.GetMenteeId(), MentorID: r.GetMentorId(),
		Amount: r.GetAmount(), Currency: r.GetCurrency(), Method: MethodFromProto(r.GetMethod()), Card: r.GetCard(),
	}
}

// CancellationFromProto converts a cancellation to settle.
// own fills in what the booking's policy leaves out.
func CancellationFromProto(r *paymentsv1.SettleCancellationRequest, own domain.Policy) domain.Cancellation {
	c := domain.Cancellation{
		By:           CancelledByFromProto(r.GetCancelledBy()),
		SessionStart: TimeFromProto(r.GetSessionStartTime()),
		CancelledAt:  TimeFromProto(r.GetCancelTime()),
		Decided:      reverse(settlementToProto)[r.GetOutcome()],
	}
	if r.CommissionBps != nil || r.FullRefundNotice != nil {
		p := own
		if r.CommissionBps != nil {
			p.CommissionBps = int64(r.GetCommissionBps())
		}
		if r.FullRefundNotice != nil {
			p.FullRefundNotice = r.GetFullRefundNotice().AsDuration()
		}
		c.Policy = &p
	}
	return c
}

// BundleOrderFromProto converts an order of a bundle.
func BundleOrderFromProto(r *paymentsv1.CreateBundleRequest) domain.BundleOrder {
	return domain.BundleOrder{
		MenteeID: r.GetMenteeId(), MentorID: r.GetMentorId(), Sessions: int(r.GetSessions()),
		Price: r.GetSessionPrice(), Currency: r.GetCurrency(), Card: r.GetCard(),
	}
}

// ContinuationDecisionFromProto is the mentor's decision a
// booking.continuation_decided event at at carries; an event that carries
// none is an error.
func ContinuationDecisionFromProto(ev *bookingv1.BookingEvent, at time.Time) (domain.ContinuationDecision, error) {
	b := ev.GetBooking()
	d := domain.ContinuationDecision{MentorID: b.GetMentorId(), MenteeID: b.GetMenteeId(), BookingID: b.GetId(), At: at}
	switch b.GetContinuation() {
	case bookingv1.Continuation_CONTINUATION_APPROVED:
		d.Approved = true
	case bookingv1.Continuation_CONTINUATION_REJECTED:
	default:
		return d, fmt.Errorf("continuation is %s", b.GetContinuation())
	}
	return d, nil
}

func reverse[K, V comparable](m map[K]V) map[V]K {
	out := make(map[V]K, len(m))
	for k, v := range m {
		out[v] = k
	}
	return out
}
