package app

import (
	"context"
	"time"

	"github.com/bookwell/bookwell/services/scheduling/internal/domain"
)

// RecordStanding records the standing reputation announced for a mentor at
// at, in tx (the event consumer's). A suspended or deactivated mentor takes
// no new holds from then on; one announced out of order, older than the
// standing recorded, changes nothing.
func (s *Service) RecordStanding(ctx context.Context, tx Tx, mentorID string, st domain.Standing, reason string, at time.Time) error {
	return tx.SetStanding(ctx, mentorID, st, reason, at)
}
