// Package app holds scheduling's use cases: offering and availability
// management, free slots, and the reservation commands the booking workflow
// calls. It validates input, applies the domain rules and leaves the
// guarantees about time and capacity to the store.
package app

import (
	"context"
	"log/slog"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/bookwell/bookwell/pkg/apperr"
	"github.com/bookwell/bookwell/services/scheduling/internal/domain"
	"github.com/bookwell/bookwell/services/scheduling/internal/meeting"
	"github.com/bookwell/bookwell/services/scheduling/internal/postgres"
)

// Service is the scheduling application.
type Service struct {
	Store    *postgres.Store
	Policy   domain.Policy
	Meetings meeting.Provider
	Log      *slog.Logger
	// Now is the clock; time.Now if nil.
	Now func() time.Time
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC()
	}
	return time.Now().UTC()
}

func requireID(v *apperr.Violations, field, id string) {
	switch {
	case strings.TrimSpace(id) == "":
		v.Add(field, "is required")
	case len(id) > 128:
		v.Add(field, "must be at most 128 characters")
	}
}

// ---- offerings

// CreateOffering validates and stores a new offering of mentorID.
func (s *Service) CreateOffering(ctx context.Context, mentorID string, o domain.Offering) (domain.Offering, error) {
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
	if err := o.Validate(s.Policy); err != nil {
		return o, err
	}
	return o, s.Store.CreateOffering(ctx, o)
}

// Offering returns one offering.
func (s *Service) Offering(ctx context.Context, mentorID, id string) (domain.Offering, error) {
	return s.Store.Offering(ctx, mentorID, id)
}

// Offerings lists a mentor's offerings.
func (s *Service) Offerings(ctx context.Context, mentorID string) ([]domain.Offering, error) {
	return s.Store.Offerings(ctx, mentorID)
}

// UpdateOffering replaces an offering's editable fields with those of in;
// in.Kind must be empty or unchanged.
func (s *Service) UpdateOffering(ctx context.Context, mentorID, id string, in domain.Offering) (domain.Offering, error) {
	return s.Store.UpdateOffering(ctx, mentorID, id, func(o *domain.Offering) error {
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
		return o.Validate(s.Policy)
	})
}

// DeleteOffering withdraws an offering.
func (s *Service) DeleteOffering(ctx context.Context, mentorID, id string) error {
	return s.Store.DeleteOffering(ctx, mentorID, id, s.now())
}

// ---- availability

// Availability returns a mentor's availability.
func (s *Service) Availability(ctx context.Context, mentorID string) (domain.Availability, error) {
	return s.Store.Availability(ctx, mentorID)
}

// UpdateAvailability validates and replaces a mentor's availability.
func (s *Service) UpdateAvailability(ctx context.Context, a domain.Availability) (domain.Availability, error) {
	var v apperr.Violations
	requireID(&v, "mentor_id", a.MentorID)
	if err := v.Err(); err != nil {
		return a, err
	}
	if err := a.Validate(); err != nil {
		return a, err
	}
	a.UpdatedAt = s.now()
	return a, s.Store.PutAvailability(ctx, a)
}

// MaxSlotRange is the longest range ListSlots answers for.
const MaxSlotRange = 62 * 24 * time.Hour

// Slots lists the free slots of an offering starting in [from, to).
func (s *Service) Slots(ctx context.Context, mentorID, offeringID string, from, to time.Time) ([]domain.Slot, error) {
	var v apperr.Violations
	requireID(&v, "mentor_id", mentorID)
	requireID(&v, "offering_id", offeringID)
	if from.IsZero() {
		v.Add("start_time", "is required")
	}
	if to.IsZero() {
		v.Add("end_time", "is required")
	} else if !to.After(from) {
		v.Add("end_time", "must be after start_time")
	} else if to.Sub(from) > MaxSlotRange {
		v.Add("end_time", "must be at most 62 days after start_time")
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	o, err := s.Store.Offering(ctx, mentorID, offeringID)
	if err != nil {
		return nil, err
	}
	st, err := s.Store.Standing(ctx, mentorID)
	if err != nil {
		return nil, err
	}
	if !st.TakesBookings() {
		return nil, domain.ErrMentorUnavailable
	}
	a, err := s.Store.Availability(ctx, mentorID)
	if err != nil {
		return nil, err
	}
	// Sessions starting up to a day before from can still block it.
	busy, err := s.Store.Busy(ctx, mentorID, from.Add(-24*time.Hour), to.Add(24*time.Hour))
	if err != nil {
		return nil, err
	}
	return domain.FreeSlots(s.Policy, o, &a, busy, from, to, s.now()), nil
}
