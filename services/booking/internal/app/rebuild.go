package app

import (
	"context"
	"errors"

	"github.com/google/uuid"

	"github.com/bookwell/bookwell/pkg/identity"
	"github.com/bookwell/bookwell/services/booking/internal/domain"
	"github.com/bookwell/bookwell/services/booking/internal/workflow"
)

// RebuildView writes booking id's read-model row again from its workflow,
// the source of truth, when the row is missing or older than the workflow's
// booking, and says whether it did. Admins only. The events of the versions
// the row missed are not written here: the workflow's Record activity
// writes each with its version, and keeps retrying until it has.
func (s *Service) RebuildView(ctx context.Context, id string) (*domain.Booking, bool, error) {
	if _, err := identity.Require(ctx); err != nil {
		return nil, false, err
	}
	if _, err := uuid.Parse(id); err != nil {
		return nil, false, domain.ErrNotFound
	}
	b, err := s.workflows.Booking(ctx, id)
	if errors.Is(err, workflow.ErrNoWorkflow) {
		return nil, false, domain.ErrNotFound
	}
	if err != nil {
		return nil, false, err
	}
	stored, err := s.store.Get(ctx, id)
	if err != nil && !errors.Is(err, domain.ErrNotFound) {
		return nil, false, err
	}
	if stored != nil && stored.Version() >= b.Version() {
		return stored, false, nil
	}
	if err := s.store.Save(ctx, b, nil); err != nil {
		return nil, false, err
	}
	return b, true, nil
}
