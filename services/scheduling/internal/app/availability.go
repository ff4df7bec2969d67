package app

import (
	"context"
	"time"

	"github.com/bookwell/bookwell/pkg/apperr"
	"github.com/bookwell/bookwell/services/scheduling/internal/domain"
)

// Availability returns a mentor's availability.
func (s *Service) Availability(ctx context.Context, mentorID string) (domain.Availability, error) {
	if err := mayReadAvailability(ctx, mentorID); err != nil {
		return domain.Availability{}, err
	}
	return s.Store.Availability(ctx, mentorID)
}

// UpdateAvailability validates and replaces a mentor's availability.
func (s *Service) UpdateAvailability(ctx context.Context, a domain.Availability) (domain.Availability, error) {
	if err := mayManage(ctx, a.MentorID); err != nil {
		return a, err
	}
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
	if err := mayBrowse(ctx); err != nil {
		return nil, err
	}
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
	if !st.TakesBookings {
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
	// The mentor's other calendars: their busy times take no sessions.
	ext, err := s.Store.ExternalBusy(ctx, mentorID, from.Add(-24*time.Hour), to.Add(24*time.Hour))
	if err != nil {
		return nil, err
	}
	busy = append(busy, externalBusy(ext)...)
	p, err := s.CurrentPolicy(ctx)
	if err != nil {
		return nil, err
	}
	return domain.FreeSlots(p, p.Offering(o), &a, busy, from, to, s.now()), nil
}
