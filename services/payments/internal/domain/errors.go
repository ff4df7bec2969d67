package domain

import "github.com/bookwell/bookwell/pkg/apperr"

// The payments context's errors. Each is a sentinel: match with errors.Is.
var (
	ErrNotFound              = apperr.New(apperr.KindNotFound, "PAYMENT_NOT_FOUND", "this booking has no payment")
	ErrBundleNotFound        = apperr.New(apperr.KindNotFound, "BUNDLE_NOT_FOUND", "no such bundle")
	ErrAlreadyExists         = apperr.New(apperr.KindAlreadyExists, "PAYMENT_EXISTS", "this booking already has a payment")
	ErrWrongState            = apperr.New(apperr.KindConflict, "PAYMENT_WRONG_STATE", "the payment is not in a state that allows this")
	ErrWrongMethod           = apperr.New(apperr.KindConflict, "PAYMENT_WRONG_METHOD", "this operation does not apply to the payment's method")
	ErrRefundExceedsCaptured = apperr.New(apperr.KindInvalid, "REFUND_EXCEEDS_CAPTURED", "the refund is more than remains captured")
	ErrNotBookingMentor      = apperr.New(apperr.KindPermissionDenied, "NOT_BOOKING_MENTOR", "only the booking's mentor may do this")
	ErrCardDeclined          = apperr.New(apperr.KindInvalid, "CARD_DECLINED", "the card was declined")
	ErrInsufficientFunds     = apperr.New(apperr.KindInvalid, "INSUFFICIENT_FUNDS", "the card has insufficient funds")
	ErrInvalidCard           = apperr.New(apperr.KindInvalid, "INVALID_CARD", "the card number is not valid")
	ErrProviderUnavailable   = apperr.New(apperr.KindUnavailable, "PAYMENT_PROVIDER_UNAVAILABLE", "the card provider is unavailable; nothing was charged, try again later")
	ErrIdempotencyKeyReused  = apperr.New(apperr.KindConflict, "IDEMPOTENCY_KEY_REUSED", "this idempotency key was used for a different request")
	ErrBundleUsedUp          = apperr.New(apperr.KindConflict, "BUNDLE_USED_UP", "the bundle has no credit left")
	ErrBundleNotActive       = apperr.New(apperr.KindConflict, "BUNDLE_NOT_ACTIVE", "the bundle is not active")
)
