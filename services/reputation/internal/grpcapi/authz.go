package grpcapi

import (
	"context"
	"errors"

	reputationv1 "github.com/bookwell/bookwell/gen/go/bookwell/reputation/v1"
	"github.com/bookwell/bookwell/pkg/identity"
	"github.com/bookwell/bookwell/services/reputation/internal/domain"
)

// authorize is reputation's one table of who may call what; every handler
// asks it first. Admins may do everything.
//
//   - mentor reputation and mentor search are read by anyone signed in;
//   - a mentee's history is read by that mentee, by any mentor (deciding a
//     request needs it, seed 000), by services and admins;
//   - a review is written by the booking's mentee, who is the caller: a
//     mentee_id in the request must be theirs (an admin recording a review
//     names the mentee); to another mentee the booking is not found (see
//     reviewer).
//
// A request it does not know is refused, so a new RPC is closed until it is
// given a rule here.
func authorize(ctx context.Context, req any) (identity.Principal, error) {
	switch r := req.(type) {
	case *reputationv1.GetMentorReputationRequest, *reputationv1.SearchMentorsRequest:
		return identity.From(ctx)
	case *reputationv1.GetMenteeHistoryRequest:
		p, err := identity.Require(ctx, identity.RoleMentee, identity.RoleMentor, identity.RoleService)
		if err == nil && p.Role == identity.RoleMentee && p.Subject != r.GetMenteeId() {
			return p, identity.ErrNotYourResource
		}
		return p, err
	case *reputationv1.CreateReviewRequest:
		p, err := identity.Require(ctx, identity.RoleMentee)
		if err == nil && p.Role == identity.RoleMentee && r.GetReview().GetMenteeId() != "" && r.GetReview().GetMenteeId() != p.Subject {
			return p, identity.ErrNotYourResource
		}
		return p, err
	}
	return identity.Require(ctx)
}

// reviewer is the mentee a review is by: the caller, or the mentee an admin
// names.
func reviewer(p identity.Principal, named string) string {
	if p.Role == identity.RoleAdmin {
		return named
	}
	return p.Subject
}

// hideOthersBookings answers a mentee reviewing another's booking as if
// the booking did not exist.
func hideOthersBookings(p identity.Principal, err error) error {
	if p.Role != identity.RoleAdmin && errors.Is(err, domain.ErrNotBookingsMentee) {
		return domain.ErrBookingNotFound
	}
	return err
}
