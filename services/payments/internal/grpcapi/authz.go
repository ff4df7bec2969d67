package grpcapi

import (
	"context"

	paymentsv1 "github.com/bookwell/bookwell/gen/go/bookwell/payments/v1"
	"github.com/bookwell/bookwell/pkg/identity"
	"github.com/bookwell/bookwell/services/payments/internal/domain"
)

// authorize is the payments service's one table of who may call what; every
// handler asks it first. Admins may do everything.
//
//   - moving money (authorize, capture, void, refund, settle, release, mark
//     paid or refunded, bundle credits) is the booking workflow's (service
//     role); a user moves money only through a booking's commands, which check
//     who they are. MarkPaid and MarkRefunded still check that the actor the
//     workflow names is the booking's mentor;
//   - a booking's payment is read by its mentor and mentee (and services);
//     to anyone else it does not exist (see mayRead);
//   - a mentor's balance and payouts are read by that mentor;
//   - a mentee buys bundles for themselves and lists their own; a mentor lists
//     a mentee's bundles with them (see visibleBundles); services list any.
//
// A request it does not know is refused, so a new RPC is closed until it is
// given a rule here.
func authorize(ctx context.Context, req any) (identity.Principal, error) {
	switch r := req.(type) {
	case *paymentsv1.AuthorizePaymentRequest, *paymentsv1.CapturePaymentRequest, *paymentsv1.VoidPaymentRequest,
		*paymentsv1.RefundPaymentRequest, *paymentsv1.MarkPaidRequest, *paymentsv1.MarkRefundedRequest,
		*paymentsv1.SettleCancellationRequest, *paymentsv1.ReleasePayoutRequest,
		*paymentsv1.UseBundleCreditRequest, *paymentsv1.CancelBundleRequest:
		return identity.Require(ctx, identity.RoleService)
	case *paymentsv1.GetPaymentRequest:
		return identity.From(ctx)
	case *paymentsv1.GetMentorBalanceRequest:
		return identity.RequireSelf(ctx, r.GetMentorId(), identity.RoleMentor)
	case *paymentsv1.ListMentorPayoutsRequest:
		return identity.RequireSelf(ctx, r.GetMentorId(), identity.RoleMentor)
	case *paymentsv1.CreateBundleRequest:
		return identity.RequireSelf(ctx, r.GetMenteeId(), identity.RoleMentee)
	case *paymentsv1.ListMenteeBundlesRequest:
		p, err := identity.Require(ctx, identity.RoleMentee, identity.RoleMentor, identity.RoleService)
		if err == nil && p.Role == identity.RoleMentee && p.Subject != r.GetMenteeId() {
			return p, identity.ErrNotYourResource
		}
		return p, err
	}
	return identity.Require(ctx)
}

// mayRead reports whether p may see pay; to anyone but its mentor, its
// mentee, services and admins, a booking's payment is not found, so its
// existence does not leak.
func mayRead(p identity.Principal, pay domain.Payment) error {
	if p.Is(identity.RoleAdmin, identity.RoleService) ||
		(p.Role == identity.RoleMentor && p.Subject == pay.MentorID) ||
		(p.Role == identity.RoleMentee && p.Subject == pay.MenteeID) {
		return nil
	}
	return domain.ErrNotFound
}

// visibleBundles narrows a mentee's bundles to those p may see: a mentor
// sees the ones bought with them.
func visibleBundles(p identity.Principal, bs []domain.Bundle) []domain.Bundle {
	if p.Role != identity.RoleMentor {
		return bs
	}
	var out []domain.Bundle
	for _, b := range bs {
		if b.MentorID == p.Subject {
			out = append(out, b)
		}
	}
	return out
}
