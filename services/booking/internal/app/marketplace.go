package app

import (
	"context"
	"strconv"
	"time"

	"github.com/bookwell/bookwell/pkg/apperr"
	"github.com/bookwell/bookwell/services/booking/internal/domain"
)

// MarketplaceStore keeps the marketplace policy's versions and their audit.
type MarketplaceStore interface {
	// MarketplacePolicy returns the version in force, or false when nobody
	// changed the defaults yet.
	MarketplacePolicy(ctx context.Context) (domain.MarketplacePolicy, bool, error)
	// SaveMarketplacePolicy writes a new version with its audit record and
	// its event, in one transaction; domain.ErrPolicyVersionMismatch when
	// that version exists.
	SaveMarketplacePolicy(ctx context.Context, m domain.MarketplacePolicy, changes []domain.FieldChange) error
	// MarketplacePolicyChanges returns up to limit changes older than
	// version before (0: the newest), newest first.
	MarketplacePolicyChanges(ctx context.Context, before int64, limit int) ([]PolicyChange, error)
}

// PolicyChange is one audited version of the marketplace policy.
type PolicyChange struct {
	Version int64
	ActorID string
	At      time.Time
	Fields  []domain.FieldChange
}

// marketplace returns the policy in force: the newest version, or the
// defaults (with the environment's booking rules) when nobody changed them.
func (s *Service) marketplace(ctx context.Context) (domain.MarketplacePolicy, error) {
	m, ok, err := s.store.MarketplacePolicy(ctx)
	if err != nil {
		return m, err
	}
	if !ok {
		return domain.DefaultMarketplacePolicy(s.defaults), nil
	}
	return m, nil
}

// MarketplacePolicy returns the policy in force, for admins and services.
func (s *Service) MarketplacePolicy(ctx context.Context) (domain.MarketplacePolicy, error) {
	if err := readMarketplacePolicy(ctx); err != nil {
		return domain.MarketplacePolicy{}, err
	}
	return s.marketplace(ctx)
}

// UpdateMarketplacePolicy applies change to the version etag names and saves
// the result as the next version, audited and announced. A stale etag is
// refused (domain.ErrPolicyVersionMismatch), a value that cannot work too
// (INVALID_ARGUMENT); either way nothing changes. Admins only.
func (s *Service) UpdateMarketplacePolicy(ctx context.Context, etag string, change func(*domain.MarketplacePolicy)) (domain.MarketplacePolicy, error) {
	admin, err := changeMarketplacePolicy(ctx)
	if err != nil {
		return domain.MarketplacePolicy{}, err
	}
	cur, err := s.marketplace(ctx)
	if err != nil {
		return cur, err
	}
	if err := cur.CheckEtag(etag); err != nil {
		return cur, err
	}
	next := cur
	change(&next)
	if err := next.Validate(); err != nil {
		return cur, err
	}
	changes := next.Changes(cur)
	if len(changes) == 0 {
		return cur, nil // nothing to change: no new version
	}
	next = next.Next(admin, s.now().UTC())
	if err := s.store.SaveMarketplacePolicy(ctx, next, changes); err != nil {
		return cur, err
	}
	return next, nil
}

// MarketplacePolicyChanges pages through the audit, newest first; the page
// token is the oldest version of the previous page. Admins only.
func (s *Service) MarketplacePolicyChanges(ctx context.Context, pageSize int, pageToken string) ([]PolicyChange, string, error) {
	if _, err := changeMarketplacePolicy(ctx); err != nil {
		return nil, "", err
	}
	var before int64
	if pageToken != "" {
		v, err := strconv.ParseInt(pageToken, 10, 64)
		if err != nil || v <= 0 {
			return nil, "", ErrBadPageToken
		}
		before = v
	}
	switch {
	case pageSize < 0:
		var v apperr.Violations
		v.Add("page_size", "must not be negative")
		return nil, "", v.Err()
	case pageSize == 0:
		pageSize = 50
	case pageSize > 200:
		pageSize = 200
	}
	cs, err := s.store.MarketplacePolicyChanges(ctx, before, pageSize+1)
	if err != nil {
		return nil, "", err
	}
	next := ""
	if len(cs) > pageSize {
		cs = cs[:pageSize]
		next = strconv.FormatInt(cs[len(cs)-1].Version, 10)
	}
	return cs, next, nil
}
