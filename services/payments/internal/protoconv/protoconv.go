// Package protoconv converts the payments domain types to and from their
// protobuf forms, used by the gRPC transport and by the events.
package protoconv

import (
	"google.golang.org/protobuf/types/known/timestamppb"

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

// Method converts a proto payment method; an unknown one becomes "" (which
// the domain rejects as invalid).
func Method(m paymentsv1.PaymentMethod) domain.Method {
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
}

var settlementToProto = map[domain.Settlement]paymentsv1.SettlementOutcome{
	domain.SettlementNone:            paymentsv1.SettlementOutcome_SETTLEMENT_OUTCOME_UNSPECIFIED,
	domain.SettlementVoided:          paymentsv1.SettlementOutcome_SETTLEMENT_OUTCOME_VOIDED,
	domain.SettlementFullRefund:      paymentsv1.SettlementOutcome_SETTLEMENT_OUTCOME_FULL_REFUND,
	domain.SettlementMentorPaid:      paymentsv1.SettlementOutcome_SETTLEMENT_OUTCOME_MENTOR_PAID,
	domain.SettlementManualRefundDue: paymentsv1.SettlementOutcome_SETTLEMENT_OUTCOME_MANUAL_REFUND_DUE,
}

// CancelledBy converts the side that cancelled; unknown becomes "".
func CancelledBy(c paymentsv1.CancelledBy) domain.CancelledBy {
	switch c {
	case paymentsv1.CancelledBy_CANCELLED_BY_MENTEE:
		return domain.ByMentee
	case paymentsv1.CancelledBy_CANCELLED_BY_MENTOR:
		return domain.ByMentor
	}
	return ""
}

// Payment converts a payment to its proto form.
func Payment(p domain.Payment) *paymentsv1.Payment {
	out := &paymentsv1.Payment{
		BookingId: p.BookingID, MenteeId: p.MenteeID, MentorId: p.MentorID,
		Amount: p.Amount, Currency: p.Currency, Method: methodToProto[p.Method],
		Status: statusToProto[p.Status], CardLast4: p.CardLast4,
		CapturedAmount: p.Captured, RefundedAmount: p.Refunded,
		PayoutReleased: p.Released, CommissionAmount: p.Commission - p.CommissionReturned,
		Settlement: settlementToProto[p.Settlement],
		CreateTime: timestamppb.New(p.CreatedAt), UpdateTime: timestamppb.New(p.UpdatedAt),
	}
	for _, r := range p.Refunds {
		out.Refunds = append(out.Refunds, &paymentsv1.Refund{Amount: r.Amount, Note: r.Note, CreateTime: timestamppb.New(r.At)})
	}
	return out
}

var bundleStatusToProto = map[domain.BundleStatus]paymentsv1.BundleStatus{
	domain.BundleActive:    paymentsv1.BundleStatus_BUNDLE_STATUS_ACTIVE,
	domain.BundleUsedUp:    paymentsv1.BundleStatus_BUNDLE_STATUS_USED_UP,
	domain.BundleCancelled: paymentsv1.BundleStatus_BUNDLE_STATUS_CANCELLED,
}

// Bundle converts a bundle to its proto form.
func Bundle(b domain.Bundle) *paymentsv1.Bundle {
	return &paymentsv1.Bundle{
		Id: b.ID, MenteeId: b.MenteeID, MentorId: b.MentorID,
		SessionsTotal: int32(b.Total), SessionsUsed: int32(b.Used), SessionPrice: b.Price,
		Currency: b.Currency, Status: bundleStatusToProto[b.Status], RefundedAmount: b.Refunded,
		CreateTime: timestamppb.New(b.CreatedAt),
	}
}

// MentorBalance converts a balance to its proto form.
func MentorBalance(b domain.MentorBalance) *paymentsv1.MentorBalance {
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

// Payout converts a payout to its proto form.
func Payout(p domain.Payout) *paymentsv1.Payout {
	return &paymentsv1.Payout{
		BookingId: p.BookingID, BundleId: p.BundleID, Kind: payoutKindToProto[p.Kind],
		Amount: p.Amount, CommissionAmount: p.Commission, Currency: p.Currency,
		DueTime: timestamppb.New(p.DueAt),
	}
}
