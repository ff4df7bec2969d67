package workflow

import (
	"fmt"
	"time"

	"go.temporal.io/sdk/workflow"

	bookingv1 "github.com/bookwell/bookwell/gen/go/bookwell/booking/v1"
	"github.com/bookwell/bookwell/services/booking/internal/domain"
)

// cardAuthenticationChange names the change that lets a card payment wait
// for the mentee's authentication (3-D Secure), and caps a request's
// approval window to its card hold. Only payments that answer
// AWAITING_AUTHENTICATION, or carry when their hold lapses, reach the new
// code, and no booking recorded before the change has either; the version
// marks the histories that do.
const cardAuthenticationChange = "card-authentication"

func fromReport(r *PaymentReport) domain.PaymentReport {
	if r == nil {
		return domain.PaymentReport{}
	}
	return domain.PaymentReport{Kind: domain.PaymentReportKind(r.Kind), Status: domain.PaymentStatus(r.Status),
		Refunded: r.Refunded, HoldLapses: r.HoldLapses}
}

func fromAction(a *PaymentAction) domain.PaymentAction {
	if a == nil {
		return domain.PaymentAction{}
	}
	return domain.PaymentAction{ClientSecret: a.ClientSecret, RedirectURL: a.RedirectURL}
}

// awaitAuthentication records a request whose card needs the mentee's
// authentication: the create answers with what the browser needs, and the
// booking waits (domain.Booking.NextDeadline) for the processor's report.
func (w *bookingWorkflow) awaitAuthentication(ctx workflow.Context, paid PaymentResult) error {
	workflow.GetVersion(ctx, cardAuthenticationChange, workflow.DefaultVersion, 1)
	if err := w.b.AwaitAuthentication(fromAction(paid.Action)); err != nil {
		return toApplicationError(err)
	}
	return w.record(ctx, bookingv1.EventType_EVENT_TYPE_AWAITING_AUTHENTICATION, domain.Actor{ID: w.b.MenteeID(), Role: domain.RoleMentee}, "")
}

// capToHold makes a new request expire before its card hold lapses.
func (w *bookingWorkflow) capToHold(ctx workflow.Context, holdLapses time.Time) {
	if holdLapses.IsZero() {
		return // a result recorded before the change: as before
	}
	workflow.GetVersion(ctx, cardAuthenticationChange, workflow.DefaultVersion, 1)
	w.b.CapToHold(holdLapses, workflow.Now(ctx))
}

// authenticationExpired ends a request whose card was not authenticated in
// time: the slot is freed and the payment voided, nothing was charged.
func (w *bookingWorkflow) authenticationExpired(ctx workflow.Context) error {
	after, err := w.giveBack(ctx)
	if err != nil {
		return err
	}
	if err := w.b.PaymentLost(domain.ReasonAuthenticationTimeout, after, workflow.Now(ctx)); err != nil {
		return toApplicationError(err)
	}
	return w.record(ctx, bookingv1.EventType_EVENT_TYPE_EXPIRED, domain.System, "")
}

// paymentHandler takes what the card processor reported about the
// booking's payment (through payments' payment.reconciled event).
func (w *bookingWorkflow) paymentHandler() handler {
	return handler{
		check: func(b *domain.Booking, c Command, _ time.Time) error {
			return b.CheckPaymentReport(c.actor(), fromReport(c.Payment))
		},
		apply: func(ctx workflow.Context, c Command, _ time.Time) error {
			r := fromReport(c.Payment)
			now := workflow.Now(ctx)
			switch r.Kind {
			case domain.ReportAuthenticated:
				if err := w.b.Authenticated(r.HoldLapses, now); err != nil {
					return toApplicationError(err)
				}
				if err := w.record(ctx, bookingv1.EventType_EVENT_TYPE_REQUESTED, domain.Actor{ID: w.b.MenteeID(), Role: domain.RoleMentee}, ""); err != nil {
					return err
				}
				if w.b.AutoApproves() {
					if err := w.approve(ctx, domain.System, time.Time{}); err != nil {
						workflow.GetLogger(ctx).Warn("auto-approval failed; the request stays pending", "err", err)
					}
				}
				return nil
			case domain.ReportAuthenticationFailed, domain.ReportAuthorizationCanceled:
				if w.b.HoldsTime() {
					if err := w.call(ctx, nil, activities.ReleaseSlot, w.b.ID()); err != nil {
						return err
					}
				}
				reason := domain.ReasonHoldCancelled
				if r.Kind == domain.ReportAuthenticationFailed {
					reason = domain.ReasonAuthenticationFailed
				}
				if err := w.b.PaymentLost(reason, domain.Payment{Status: r.Status, Refunded: r.Refunded}, now); err != nil {
					return toApplicationError(err)
				}
				return w.record(ctx, bookingv1.EventType_EVENT_TYPE_EXPIRED, domain.System, "")
			case domain.ReportRefunded:
				before := w.b.PaymentNow().Refunded
				w.b.RefundedOutside(r.Refunded, r.Status, now)
				text := fmt.Sprintf("Refunded at the card processor: %d more in minor units (%d in all).", r.Refunded-before, r.Refunded)
				return w.record(ctx, bookingv1.EventType_EVENT_TYPE_PAYMENT_RECONCILED, domain.System, text)
			case domain.ReportDisputed:
				w.b.Disputed(now)
				return w.record(ctx, bookingv1.EventType_EVENT_TYPE_PAYMENT_RECONCILED, domain.System,
					"The mentee disputed the card payment with their bank.")
			}
			return nil
		},
	}
}
