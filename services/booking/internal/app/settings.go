package app

import (
	"context"

	"github.com/bookwell/bookwell/pkg/apperr"
	"github.com/bookwell/bookwell/services/booking/internal/domain"
)

// Settings returns the policy in force for a mentor's new requests.
func (s *Service) Settings(ctx context.Context, mentorID string) (domain.Policy, error) {
	if err := s.ownSettings(ctx, mentorID); err != nil {
		return domain.Policy{}, err
	}
	return s.policy(ctx, mentorID)
}

// UpdateSettings applies change to a mentor's policy and saves it; requests
// made before keep the policy they were made under.
func (s *Service) UpdateSettings(ctx context.Context, mentorID string, change func(*domain.Policy)) (domain.Policy, error) {
	if err := s.ownSettings(ctx, mentorID); err != nil {
		return domain.Policy{}, err
	}
	p, err := s.policy(ctx, mentorID)
	if err != nil {
		return domain.Policy{}, err
	}
	change(&p)
	if err := p.Validate(); err != nil {
		return domain.Policy{}, err
	}
	if err := s.store.SavePolicy(ctx, mentorID, p); err != nil {
		return domain.Policy{}, err
	}
	return p, nil
}

func (s *Service) ownSettings(ctx context.Context, mentorID string) error {
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
