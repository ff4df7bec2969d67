package grpcapi

import (
	"context"

	schedulingv1 "github.com/bookwell/bookwell/gen/go/bookwell/scheduling/v1"
	"github.com/bookwell/bookwell/pkg/identity"
)

// authorize is scheduling's one table of who may call what; every handler
// asks it first. Admins may do everything.
//
//   - a mentor's offerings and availability are written by that mentor;
//   - offerings and free slots are read by anyone signed in (mentees pick
//     from them);
//   - availability (hours, away mode) is read by its mentor and the booking
//     service, the mentor's calendar feed by its mentor only;
//   - reservations and calendar links are the booking workflow's (service
//     role): a user reaches them only through a booking.
//
// A request it does not know is refused, so a new RPC is closed until it is
// given a rule here.
func authorize(ctx context.Context, req any) error {
	var err error
	switch r := req.(type) {
	case *schedulingv1.CreateOfferingRequest:
		_, err = identity.RequireSelf(ctx, r.GetMentorId(), identity.RoleMentor)
	case *schedulingv1.UpdateOfferingRequest:
		_, err = identity.RequireSelf(ctx, r.GetMentorId(), identity.RoleMentor)
	case *schedulingv1.DeleteOfferingRequest:
		_, err = identity.RequireSelf(ctx, r.GetMentorId(), identity.RoleMentor)
	case *schedulingv1.UpdateAvailabilityRequest:
		_, err = identity.RequireSelf(ctx, r.GetMentorId(), identity.RoleMentor)
	case *schedulingv1.GetOfferingRequest, *schedulingv1.ListOfferingsRequest, *schedulingv1.ListSlotsRequest:
		_, err = identity.From(ctx)
	case *schedulingv1.GetAvailabilityRequest:
		err = selfOrService(ctx, r.GetMentorId())
	case *schedulingv1.GetMentorCalendarRequest:
		_, err = identity.RequireSelf(ctx, r.GetMentorId(), identity.RoleMentor)
	case *schedulingv1.HoldReservationRequest, *schedulingv1.ConfirmReservationRequest,
		*schedulingv1.MoveReservationRequest, *schedulingv1.ReleaseReservationRequest,
		*schedulingv1.GetReservationRequest, *schedulingv1.CheckConflictRequest,
		*schedulingv1.GetCalendarLinksRequest:
		_, err = identity.Require(ctx, identity.RoleService)
	default:
		_, err = identity.Require(ctx)
	}
	return err
}

// selfOrService admits the mentor mentorID, services and admins.
func selfOrService(ctx context.Context, mentorID string) error {
	if _, err := identity.Require(ctx, identity.RoleService); err == nil {
		return nil
	}
	_, err := identity.RequireSelf(ctx, mentorID, identity.RoleMentor)
	return err
}
