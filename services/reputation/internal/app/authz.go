package app

import (
	"context"
	"errors"

	"github.com/bookwell/bookwell/pkg/identity"
	"github.com/bookwell/bookwell/services/reputation/internal/domain"
)

// This file is the one place that decides who may do what in reputation;
// every use case a caller reaches asks it first. Admins may do everything.
//
//   - mentor reputation and mentor search are read by anyone signed in;
//   - a mentee's history is read by that mentee, by any mentor (deciding a
//     request needs it), by services and admins;
//   - a review is written by the booking's mentee, who is the caller: a
//     mentee named in the request must be them (an admin recording a review
//     names the mentee); to another mentee the booking is not found;
//   - projections are built from booking's and payments' events, not by a
//     caller;
//   - operator commands (lifting a sanction, dead letters) are for admins
//     only.

// signedIn admits anyone signed in.
func signedIn(ctx context.Context) error {
	_, err := identity.From(ctx)
	return err
}

// mayReadHistory admits the mentee menteeID, mentors and services.
func mayReadHistory(ctx context.Context, menteeID string) error {
	p, err := identity.Require(ctx, identity.RoleMentee, identity.RoleMentor, identity.RoleService)
	if err == nil && p.Role == identity.RoleMentee && p.Subject != menteeID {
		return identity.ErrNotYourResource
	}
	return err
}

// reviewer is the mentee a review is by: the caller, who must be the mentee
// named (if one is), or the mentee an admin names.
func reviewer(ctx context.Context, named string) (string, error) {
	p, err := identity.Require(ctx, identity.RoleMentee)
	if err != nil {
		return "", err
	}
	if p.Role == identity.RoleAdmin {
		return named, nil
	}
	if named != "" && named != p.Subject {
		return "", identity.ErrNotYourResource
	}
	return p.Subject, nil
}

// hideOthersBookings answers a mentee reviewing another's booking as if the
// booking did not exist.
func hideOthersBookings(ctx context.Context, err error) error {
	if p, perr := identity.From(ctx); perr == nil && p.Role != identity.RoleAdmin && errors.Is(err, domain.ErrNotBookingsMentee) {
		return domain.ErrBookingNotFound
	}
	return err
}

// mayOperate admits admins only (operator commands), and says who they are.
func mayOperate(ctx context.Context) (string, error) {
	p, err := identity.Require(ctx)
	return p.Subject, err
}
