package app

import (
	"context"
	"strings"

	"github.com/google/uuid"

	"github.com/bookwell/bookwell/pkg/apperr"
	"github.com/bookwell/bookwell/services/scheduling/internal/domain"
)

// CreateOffering validates and stores a new offering of mentorID.
func (s *Service) CreateOffering(ctx context.Context, mentorID string, o domain.Offering) (domain.Offering, error) {
	if err := mayManage(ctx, mentorID); err != nil {
		return o, err
	}
	var v apperr.Violations
	requireID(&v, "mentor_id", mentorID)
	if err := v.Err(); err != nil {
		return o, err
	}
	o.ID = uuid.NewString()
	o.MentorID = mentorID
	o.Name = strings.TrimSpace(o.Name)
	o.CreatedAt = s.now()
	o.UpdatedAt = o.CreatedAt
	p, err := s.CurrentPolicy(ctx)
	if err != nil {
		return o, err
	}
	if err := o.Validate(p); err != nil {
		return o, err
	}
	return o, s.Store.CreateOffering(ctx, o)
}

// Offering returns one offering.
func (s *Service) Offering(ctx context.Context, mentorID, id string) (domain.Offering, error) {
	if err := mayBrowse(ctx); err != nil {
		return domain.Offering{}, err
	}
	o, err := s.Store.Offering(ctx, mentorID, id)
	if err != nil {
		return o, err
	}
	p, err := s.CurrentPolicy(ctx)
	if err != nil {
		return domain.Offering{}, err
	}
	return p.Offering(o), nil
}

// OfferingToBook returns one offering for a new booking: it is refused with
// ErrMentorUnavailable, as a hold is, when the mentor takes no bookings
// (suspended or deactivated).
func (s *Service) OfferingToBook(ctx context.Context, mentorID, id string) (domain.Offering, error) {
	o, err := s.Offering(ctx, mentorID, id)
	if err != nil {
		return o, err
	}
	st, err := s.Store.Standing(ctx, mentorID)
	if err != nil {
		return domain.Offering{}, err
	}
	if !st.TakesBookings {
		return domain.Offering{}, domain.ErrMentorUnavailable
	}
	return o, nil
}

// Offerings lists a mentor's offerings.
func (s *Service) Offerings(ctx context.Context, mentorID string) ([]domain.Offering, error) {
	if err := mayBrowse(ctx); err != nil {
		return nil, err
	}
	os, err := s.Store.Offerings(ctx, mentorID)
	if err != nil {
		return nil, err
	}
	p, err := s.CurrentPolicy(ctx)
	if err != nil {
		return nil, err
	}
	for i := range os {
		os[i] = p.Offering(os[i])
	}
	return os, nil
}

// UpdateOffering replaces an offering's editable fields with those of in;
// in.Kind must be empty or unchanged.
func (s *Service) UpdateOffering(ctx context.Context, mentorID, id string, in domain.Offering) (domain.Offering, error) {
	if err := mayManage(ctx, mentorID); err != nil {
		return domain.Offering{}, err
	}
	p, err := s.CurrentPolicy(ctx)
	if err != nil {
		return domain.Offering{}, err
	}
	o, err := s.Store.UpdateOffering(ctx, mentorID, id, func(o *domain.Offering) error {
		if in.Kind != "" && in.Kind != o.Kind {
			var v apperr.Violations
			v.Add("offering.kind", "cannot change")
			return v.Err()
		}
		o.Name = strings.TrimSpace(in.Name)
		o.Duration = in.Duration
		o.PriceMinor = in.PriceMinor
		o.Currency = in.Currency
		o.Capacity = in.Capacity
		o.ApprovalRequired = in.ApprovalRequired
		o.UpdatedAt = s.now()
		return o.Validate(p)
	})
	if err != nil {
		return o, err
	}
	return p.Offering(o), nil
}

// DeleteOffering withdraws an offering.
func (s *Service) DeleteOffering(ctx context.Context, mentorID, id string) error {
	if err := mayManage(ctx, mentorID); err != nil {
		return err
	}
	return s.Store.DeleteOffering(ctx, mentorID, id, s.now())
}
