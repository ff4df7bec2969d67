package app

import (
	"context"
	"time"

	"github.com/bookwell/bookwell/services/booking/internal/domain"
)

// PolicyConfig is the marketplace's policy as the environment may change it:
// each variable left unset keeps domain.DefaultPolicy's value (Policy).
type PolicyConfig struct {
	AutoApprove       *bool          `env:"BOOKING_AUTO_APPROVE"`
	AutoApproveBundle *bool          `env:"BOOKING_AUTO_APPROVE_BUNDLE"`
	ApprovalWindow    *time.Duration `env:"BOOKING_APPROVAL_WINDOW"`
	ReminderAfter     *time.Duration `env:"BOOKING_REMINDER_AFTER"`
	FreeCancelBefore  *time.Duration `env:"BOOKING_FREE_CANCEL_BEFORE"`
	LateMenteeCancel  *string        `env:"BOOKING_LATE_MENTEE_CANCELLATION"`
	MentorMayCancel   *bool          `env:"BOOKING_MENTOR_MAY_CANCEL"`
	LateMentorWindow  *time.Duration `env:"BOOKING_LATE_MENTOR_WINDOW"`
	AutoCompleteAfter *time.Duration `env:"BOOKING_AUTO_COMPLETE_AFTER"`
	CommissionBps     *int           `env:"BOOKING_COMMISSION_BPS"`
	AfterCare         *time.Duration `env:"BOOKING_AFTER_CARE"`
	SessionReminder   *time.Duration `env:"BOOKING_SESSION_REMINDER_BEFORE"`
	// AuthenticationTimeout: how long a request waits for the mentee's card
	// authentication (3-D Secure); 15 minutes if unset.
	AuthenticationTimeout *time.Duration `env:"BOOKING_AUTHENTICATION_TIMEOUT"`
}

// Policy returns the marketplace's policy: the defaults with what the
// environment sets, or the reasons it cannot work.
func (c PolicyConfig) Policy() (domain.Policy, error) {
	p := domain.DefaultPolicy()
	set(&p.AutoApprove, c.AutoApprove)
	set(&p.AutoApproveBundle, c.AutoApproveBundle)
	set(&p.ApprovalWindow, c.ApprovalWindow)
	set(&p.ReminderAfter, c.ReminderAfter)
	set(&p.FreeCancelBefore, c.FreeCancelBefore)
	if c.LateMenteeCancel != nil {
		p.LateMenteeCancel = domain.LateCancellation(*c.LateMenteeCancel)
	}
	set(&p.MentorMayCancel, c.MentorMayCancel)
	set(&p.LateMentorWindow, c.LateMentorWindow)
	set(&p.AutoCompleteAfter, c.AutoCompleteAfter)
	set(&p.CommissionBps, c.CommissionBps)
	set(&p.AfterCare, c.AfterCare)
	set(&p.SessionReminderBefore, c.SessionReminder)
	set(&p.AuthenticationTimeout, c.AuthenticationTimeout)
	return p, p.Validate()
}

func set[T any](dst *T, v *T) {
	if v != nil {
		*dst = *v
	}
}

// Settings returns the policy in force for a mentor's new requests.
func (s *Service) Settings(ctx context.Context, mentorID string) (domain.Policy, error) {
	if err := ownSettings(ctx, mentorID); err != nil {
		return domain.Policy{}, err
	}
	return s.policy(ctx, mentorID)
}

// UpdateSettings applies change to a mentor's policy and saves it; requests
// made before keep the policy they were made under.
func (s *Service) UpdateSettings(ctx context.Context, mentorID string, change func(*domain.Policy)) (domain.Policy, error) {
	if err := ownSettings(ctx, mentorID); err != nil {
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
