package app

import (
	"context"

	"github.com/bookwell/bookwell/pkg/identity"
)

// This file is the one place that decides who may do what in scheduling;
// every use case asks it first. Admins may do everything.
//
//   - a mentor's offerings and availability are written by that mentor;
//   - offerings and free slots are read by anyone signed in (mentees pick
//     from them);
//   - availability (hours, away mode) is read by its mentor and the booking
//     service, the mentor's calendar feed by its mentor only;
//   - reservations and calendar links are the booking workflow's (service
//     role): a user reaches them only through a booking;
//   - standings come from reputation's events, not from a caller.

// mayManage admits the mentor mentorID to change their offerings and
// availability, and to read their calendar feed.
func mayManage(ctx context.Context, mentorID string) error {
	_, err := identity.RequireSelf(ctx, mentorID, identity.RoleMentor)
	return err
}

// mayBrowse admits anyone signed in to see offerings and free slots.
func mayBrowse(ctx context.Context) error {
	_, err := identity.From(ctx)
	return err
}

// mayReadAvailability admits the mentor mentorID and services.
func mayReadAvailability(ctx context.Context, mentorID string) error {
	if _, err := identity.Require(ctx, identity.RoleService); err == nil {
		return nil
	}
	return mayManage(ctx, mentorID)
}

// mayReserve admits the booking workflow (services) to reservations.
func mayReserve(ctx context.Context) error {
	_, err := identity.Require(ctx, identity.RoleService)
	return err
}
