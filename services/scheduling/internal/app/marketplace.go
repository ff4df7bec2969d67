package app

import (
	"context"
	"time"

	"github.com/bookwell/bookwell/services/scheduling/internal/domain"
)

// RecordMarketplacePolicy records the intro rules of a marketplace policy
// version booking announced at at, in tx (the event consumer's). Only a
// version newer than the one recorded changes anything: a duplicate, or an
// older version delivered late, is ignored.
func (s *Service) RecordMarketplacePolicy(ctx context.Context, tx Tx, r domain.IntroRules, at time.Time) error {
	applied, err := tx.SetIntroRules(ctx, r, at)
	if err == nil && s.Log != nil {
		s.Log.InfoContext(ctx, "marketplace policy", "version", r.Version, "applied", applied)
	}
	return err
}

// CurrentPolicy is the policy new holds are made under: the defaults with
// the intro rules of the newest marketplace policy booking announced.
func (s *Service) CurrentPolicy(ctx context.Context) (domain.Policy, error) {
	r, ok, err := s.Store.IntroRules(ctx)
	if err != nil || !ok {
		return s.Policy, err
	}
	return s.Policy.With(r), nil
}
