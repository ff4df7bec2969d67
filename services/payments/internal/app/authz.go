package app

import (
	"context"

	"github.com/bookwell/bookwell/pkg/identity"
	"github.com/bookwell/bookwell/services/payments/internal/domain"
)

// This file is the one place that decides who may do what in payments;
// every use case asks it first. Admins may do everything.
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
//     a mentee's bundles with them (see visibleBundles); services list any;
//   - continuation decisions come from booking's events, not from a caller.

// mayMoveMoney admits the booking workflow (services).
func mayMoveMoney(ctx context.Context) error {
	_, err := identity.Require(ctx, identity.RoleService)
	return err
}

// signedIn admits anyone signed in (mayRead decides on the payment).
func signedIn(ctx context.Context) error {
	_, err := identity.From(ctx)
	return err
}

// mayRead reports whether the caller may see pay; to anyone but its mentor,
// its mentee, services and admins, a booking's payment is not found, so its
// existence does not leak.
func mayRead(ctx context.Context, pay domain.Payment) error {
	p, err := identity.From(ctx)
	if err != nil {
		return err
	}
	if p.Is(identity.RoleAdmin, identity.RoleService) ||
		(p.Role == identity.RoleMentor && p.Subject == pay.MentorID) ||
		(p.Role == identity.RoleMentee && p.Subject == pay.MenteeID) {
		return nil
	}
	return domain.ErrNotFound
}

// mayReadEarnings admits the mentor mentorID to their balance and payouts.
func mayReadEarnings(ctx context.Context, mentorID string) error {
	_, err := identity.RequireSelf(ctx, mentorID, identity.RoleMentor)
	return err
}

// buyer is the mentee a bundle order is for: a mentee buys for themselves
// (named, or not named at all); an admin names the mentee.
func buyer(ctx context.Context, named string) (string, error) {
	if p, err := identity.From(ctx); err == nil && p.Role == identity.RoleMentee && named == "" {
		named = p.Subject
	}
	_, err := identity.RequireSelf(ctx, named, identity.RoleMentee)
	return named, err
}

// mayListBundles admits a mentee to their own bundles, mentors (who see
// those bought with them: visibleBundles) and services.
func mayListBundles(ctx context.Context, menteeID string) (identity.Principal, error) {
	p, err := identity.Require(ctx, identity.RoleMentee, identity.RoleMentor, identity.RoleService)
	if err == nil && p.Role == identity.RoleMentee && p.Subject != menteeID {
		return p, identity.ErrNotYourResource
	}
	return p, err
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
