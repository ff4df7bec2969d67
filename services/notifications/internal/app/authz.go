package app

import (
	"context"

	"github.com/bookwell/bookwell/pkg/apperr"
	"github.com/bookwell/bookwell/pkg/identity"
	"github.com/bookwell/bookwell/services/notifications/internal/domain"
)

// This file is the one place that decides who may read or act on what in
// notifications. Admins may do everything.
//
//   - an inbox (list, mark read) and a recipient entry are their user's own;
//     anyone else is 403 NOT_YOUR_RESOURCE (services included: they reach
//     users through events, not by reading inboxes);
//   - a booking's thread is read by the booking's mentor and mentee, and a
//     reply written by its mentee; the user is the caller, never a field of
//     the request. To anyone else the booking is not found;
//   - the development mailbox is for admins only.

// checkUser admits the caller to act for userID: that user, or an admin.
func checkUser(ctx context.Context, field, userID string) error {
	if userID == "" {
		var v apperr.Violations
		v.Add(field, "is required")
		return v.Err()
	}
	_, err := identity.RequireSelf(ctx, userID, identity.RoleMentee, identity.RoleMentor)
	return err
}

// threadUser is whom a thread call acts for: the signed-in mentee or mentor;
// named must be empty or the same user. An admin reads any thread (the
// result is "") and replies for the user they name.
func threadUser(ctx context.Context, named string) (identity.Principal, string, error) {
	p, err := identity.Require(ctx, identity.RoleMentee, identity.RoleMentor)
	if err != nil {
		return p, "", err
	}
	if p.Role == identity.RoleAdmin {
		return p, named, nil
	}
	if named != "" && named != p.Subject {
		return p, "", identity.ErrNotYourResource
	}
	return p, p.Subject, nil
}

// mayReadThread hides b from anyone but its two sides and admins.
func mayReadThread(p identity.Principal, b domain.Booking) error {
	if p.Role == identity.RoleAdmin || p.Subject == b.MentorID || p.Subject == b.MenteeID {
		return nil
	}
	return ErrBookingNotFound
}

// checkAdmin admits admins only.
func checkAdmin(ctx context.Context) error {
	_, err := identity.Require(ctx)
	return err
}
