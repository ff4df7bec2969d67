package app

import (
	"context"
	"time"

	"github.com/bookwell/bookwell/pkg/events"
	"github.com/bookwell/bookwell/pkg/identity"
	"github.com/bookwell/bookwell/services/booking/internal/domain"
)

// ErasureStore erases a person in the booking schema and records the
// erasure and its event in the same transaction (postgres.Store.EraseUser).
type ErasureStore interface {
	EraseUser(ctx context.Context, userID string, e domain.Erasure, ev func(domain.Erasure) (events.Event, error), now time.Time) (domain.Erasure, bool, error)
}

// Erasures erases people's personal data on their request: an admin's
// operation. The booking schema is erased in the request's transaction; the
// event it records (EVENT_TYPE_USER_ERASED) has every other context do the
// same in its own.
type Erasures struct {
	store ErasureStore
	event func(e domain.Erasure, userID string) (events.Event, error)
	now   func() time.Time
}

// NewErasures returns the use case; event builds the announcement.
func NewErasures(store ErasureStore, event func(e domain.Erasure, userID string) (events.Event, error), now func() time.Time) *Erasures {
	return &Erasures{store: store, event: event, now: now}
}

// Erase erases userID for reason, as the calling admin. It returns the
// audit record: a new one, or the first one if the person was erased before.
func (s *Erasures) Erase(ctx context.Context, userID, reason string) (domain.Erasure, error) {
	p, err := identity.Require(ctx) // admins only
	if err != nil {
		return domain.Erasure{}, err
	}
	now := s.now()
	e, err := domain.NewErasure(userID, p.Subject, reason, now)
	if err != nil {
		return domain.Erasure{}, err
	}
	out, _, err := s.store.EraseUser(ctx, userID, e, func(e domain.Erasure) (events.Event, error) { return s.event(e, userID) }, now)
	return out, err
}
