package domain

import (
	"time"

	"github.com/bookwell/bookwell/pkg/apperr"
)

// DefaultAuthenticationTimeout is how long a request waits for the mentee to
// authenticate the card (3-D Secure) when the policy does not say.
const DefaultAuthenticationTimeout = 15 * time.Minute

// PaymentAction is what the mentee's browser needs to authenticate the card:
// the processor's client secret, or an address to send the mentee to.
type PaymentAction struct {
	ClientSecret string
	RedirectURL  string
	// ExpiresAt is when the booking expires unless the mentee authenticates.
	ExpiresAt time.Time
}

func (p Policy) authenticationTimeout() time.Duration {
	if p.AuthenticationTimeout > 0 {
		return p.AuthenticationTimeout
	}
	return DefaultAuthenticationTimeout
}

// AwaitAuthentication makes the booking a request that waits for the
// mentee's card authentication: it expires after the authentication timeout
// (never past the session start) unless the card processor confirms first.
func (b *Booking) AwaitAuthentication(a PaymentAction) error {
	if b.status != "" {
		return wrongState(b, "the booking was already requested")
	}
	b.status = StatusAwaitingAuthentication
	b.paymentStatus = PaymentStatusAwaitingAuthentication
	b.expiresAt = b.createdAt.Add(b.policy.authenticationTimeout())
	if first := b.SortTime(); !first.IsZero() && first.Before(b.expiresAt) {
		b.expiresAt = first
	}
	a.ExpiresAt = b.expiresAt
	b.paymentAction = &a
	b.version = 1
	return nil
}

// PaymentAction is what the mentee needs to authenticate the card; nil
// unless the booking awaits authentication.
func (b *Booking) PaymentAction() *PaymentAction { return clonePtr(b.paymentAction) }

// CapToHold makes an unanswered request expire before its card hold lapses
// at holdLapses (docs/product.md, "Card holds that lapse"): never captured
// late, the hold is released by bookwell while it is still valid. The margin
// is an hour, or a tenth of the hold's remaining life if that is shorter. A
// zero holdLapses (unknown) changes nothing.
func (b *Booking) CapToHold(holdLapses, now time.Time) {
	if holdLapses.IsZero() || !b.status.Open() {
		return
	}
	margin := min(time.Hour, holdLapses.Sub(now)/10)
	if end := holdLapses.Add(-max(margin, 0)); end.Before(b.expiresAt) {
		b.expiresAt = end
	}
}

// CheckAuthenticated reports whether the booking waits for the processor's
// confirmation that the mentee authenticated the card.
func (b *Booking) CheckAuthenticated() error {
	if b.status != StatusAwaitingAuthentication {
		return wrongState(b, "only a request awaiting the card's authentication can be authenticated")
	}
	return nil
}

// Authenticated makes the request PENDING once the card is held: the mentor
// sees it, and its approval window starts now, capped as Requested caps it
// and before the hold lapses (CapToHold).
func (b *Booking) Authenticated(holdLapses, now time.Time) error {
	if err := b.CheckAuthenticated(); err != nil {
		return err
	}
	b.paymentStatus = PaymentStatusAuthorized
	b.paymentAction = nil
	b.expiresAt = now.UTC().Add(b.policy.ApprovalWindow)
	if first := b.SortTime(); !first.IsZero() && first.Before(b.expiresAt) {
		b.expiresAt = first
	}
	b.transition(StatusPending, now)
	b.CapToHold(holdLapses, now)
	return nil
}

// CheckAuthenticationExpire reports whether a request awaiting the card's
// authentication has waited too long.
func (b *Booking) CheckAuthenticationExpire(now time.Time) bool {
	return b.status == StatusAwaitingAuthentication && !now.Before(b.expiresAt)
}

// PaymentLost ends a request whose card payment is gone at the processor
// before anyone answered: the authentication failed or timed out, or the
// hold was cancelled or lapsed. after is where the money stands. A request
// that never got past the card's authentication was ended by the mentee
// (who did not authenticate), so that it never counts as a request the
// mentor left unanswered; a hold the processor dropped is the system's.
func (b *Booking) PaymentLost(reason string, after Payment, now time.Time) error {
	if b.status != StatusAwaitingAuthentication && !b.status.Open() {
		return wrongState(b, "only an unanswered request ends when its card payment is lost")
	}
	by := System
	if b.status == StatusAwaitingAuthentication {
		by = Actor{ID: b.menteeID, Role: RoleMentee}
	}
	b.paymentAction = nil
	b.close(StatusExpired, by, reason, b.givenBack(after), false, now)
	return nil
}

// Reasons a request ends because of its card payment.
const (
	ReasonAuthenticationTimeout = "the card payment was not authenticated in time"
	ReasonAuthenticationFailed  = "the card payment's authentication failed"
	ReasonHoldCancelled         = "the card hold was cancelled or lapsed at the card processor"
)

// RefundedOutside records that the card processor refunded money outside
// bookwell (its dashboard): totalRefunded is all that has gone back, status
// where the payment stands. A report of what the booking already shows
// changes nothing (false).
func (b *Booking) RefundedOutside(totalRefunded int64, status PaymentStatus, now time.Time) bool {
	if totalRefunded <= b.refunded.Amount {
		return false
	}
	b.refunded.Amount, b.paymentStatus = totalRefunded, status
	b.touch(now)
	return true
}

// Disputed records that the mentee disputed the card payment; once.
func (b *Booking) Disputed(now time.Time) bool {
	if b.paymentDisputed {
		return false
	}
	b.paymentDisputed = true
	b.touch(now)
	return true
}

// ErrNotCardPayment is a processor report about a booking not paid by card.
var ErrNotCardPayment = apperr.New(apperr.KindConflict, "BOOKING_NOT_CARD_PAYMENT", "this booking is not paid by card")

// PaymentReport is a change to the booking's card payment that the card
// processor reported.
type PaymentReport struct {
	Kind PaymentReportKind
	// Status is where the payment stands now; Refunded all that went back.
	Status   PaymentStatus
	Refunded int64
	// HoldLapses is when the hold placed lapses (ReportAuthenticated).
	HoldLapses time.Time
}

// PaymentReportKind is what the processor reported.
type PaymentReportKind string

// The reports.
const (
	ReportAuthenticated         PaymentReportKind = "AUTHENTICATED"
	ReportAuthenticationFailed  PaymentReportKind = "AUTHENTICATION_FAILED"
	ReportAuthorizationCanceled PaymentReportKind = "AUTHORIZATION_CANCELED"
	ReportRefunded              PaymentReportKind = "REFUNDED"
	ReportDisputed              PaymentReportKind = "DISPUTED"
)

// CheckPaymentReport reports whether the processor's report still changes
// the booking; only bookwell itself (System) reports. A report the booking
// already shows, or that no longer applies (an authentication completed
// after the booking expired), is refused with ErrWrongState and changes
// nothing.
func (b *Booking) CheckPaymentReport(a Actor, r PaymentReport) error {
	if a.Role != RoleSystem {
		return ErrNotAllowedForRole
	}
	if b.paymentMethod != PaymentCard {
		return ErrNotCardPayment
	}
	switch r.Kind {
	case ReportAuthenticated:
		return b.CheckAuthenticated()
	case ReportAuthenticationFailed, ReportAuthorizationCanceled:
		if b.status != StatusAwaitingAuthentication && !b.status.Open() {
			return wrongState(b, "only an unanswered request ends when its card payment is lost")
		}
		return nil
	case ReportRefunded:
		if r.Refunded <= b.refunded.Amount {
			return wrongState(b, "the booking already shows this refund")
		}
		return nil
	case ReportDisputed:
		if b.paymentDisputed {
			return wrongState(b, "the booking already shows the dispute")
		}
		return nil
	}
	return apperr.Violations{{Field: "kind", Description: "is not a payment report"}}.Err()
}
