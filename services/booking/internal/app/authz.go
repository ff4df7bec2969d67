package app

import (
	"context"

	"github.com/google/uuid"

	"github.com/bookwell/bookwell/pkg/apperr"
	"github.com/bookwell/bookwell/pkg/identity"
	"github.com/bookwell/bookwell/services/booking/internal/domain"
)

// Who may do what (docs/product.md): a mentee and a mentor see and act on
// their own bookings only, admin on all; others' bookings are not found. The
// domain decides which side of a booking may give which command.

// actor is the caller as the domain sees them.
func actor(ctx context.Context) (domain.Actor, error) {
	p, err := identity.From(ctx)
	if err != nil {
		return domain.Actor{}, err
	}
	switch p.Role {
	case identity.RoleMentee:
		return domain.Actor{ID: p.Subject, Role: domain.RoleMentee}, nil
	case identity.RoleMentor:
		return domain.Actor{ID: p.Subject, Role: domain.RoleMentor}, nil
	case identity.RoleAdmin:
		return domain.Actor{ID: p.Subject, Role: domain.RoleAdmin}, nil
	}
	return domain.Actor{}, domain.ErrNotAllowedForRole
}

// creator is who may request r: a mentee for themselves (r's mentee defaults
// to them), admin for anyone.
func creator(ctx context.Context, r *domain.Request) (domain.Actor, error) {
	a, err := actor(ctx)
	if err != nil {
		return a, err
	}
	switch a.Role {
	case domain.RoleMentee:
		if r.MenteeID == "" {
			r.MenteeID = a.ID
		}
		if r.MenteeID != a.ID {
			return a, apperr.Wrap(domain.ErrNotAllowedForRole, "a mentee books for themselves")
		}
	case domain.RoleAdmin:
	default:
		return a, apperr.Wrap(domain.ErrNotAllowedForRole, "sessions are booked by mentees")
	}
	return a, nil
}

// visible loads a booking the caller may see; anyone else's is not found.
func (s *Service) visible(ctx context.Context, id string) (*domain.Booking, domain.Actor, error) {
	a, err := actor(ctx)
	if err != nil {
		return nil, a, err
	}
	if _, err := uuid.Parse(id); err != nil {
		return nil, a, domain.ErrNotFound
	}
	b, err := s.store.Get(ctx, id)
	if err != nil {
		return nil, a, err
	}
	if b.CheckRead(a) != nil {
		return nil, a, domain.ErrNotFound
	}
	return b, a, nil
}

// scope narrows a list to what the caller may see.
func scope(ctx context.Context, f Filter) (Filter, domain.Actor, error) {
	a, err := actor(ctx)
	if err != nil {
		return f, a, err
	}
	switch a.Role {
	case domain.RoleMentee:
		if f.MenteeID != "" && f.MenteeID != a.ID {
			return f, a, apperr.Wrap(domain.ErrNotAllowedForRole, "a mentee lists their own bookings")
		}
		f.MenteeID = a.ID
	case domain.RoleMentor:
		if f.MentorID != "" && f.MentorID != a.ID {
			return f, a, apperr.Wrap(domain.ErrNotAllowedForRole, "a mentor lists their own bookings")
		}
		f.MentorID = a.ID
	}
	return f, a, nil
}

// ownSettings allows the mentor themselves and admin.
func ownSettings(ctx context.Context, mentorID string) error {
	a, err := actor(ctx)
	if err != nil {
		return err
	}
	if mentorID == "" {
		var v apperr.Violations
		v.Add("mentor_id", "is required")
		return v.Err()
	}
	if a.Role == domain.RoleAdmin || (a.Role == domain.RoleMentor && a.ID == mentorID) {
		return nil
	}
	return apperr.Wrap(domain.ErrNotAllowedForRole, "only the mentor changes their booking settings")
}

// readMarketplacePolicy: admins read the marketplace policy, and services
// (which apply it).
func readMarketplacePolicy(ctx context.Context) error {
	_, err := identity.Require(ctx, identity.RoleService)
	return err
}

// changeMarketplacePolicy: only admins change the marketplace policy, or read
// its audit; it returns the admin's id.
func changeMarketplacePolicy(ctx context.Context) (string, error) {
	p, err := identity.Require(ctx)
	return p.Subject, err
}
