// Package policyconfig reads the marketplace's default booking policy from the
// environment; each mentor's settings override it.
package policyconfig

import (
	"time"

	"github.com/bookwell/bookwell/services/booking/internal/domain"
)

// Config is the marketplace's policy, with DESIGN.md's defaults.
type Config struct {
	AutoApprove       bool          `env:"BOOKING_AUTO_APPROVE" envDefault:"false"`
	AutoApproveBundle bool          `env:"BOOKING_AUTO_APPROVE_BUNDLE" envDefault:"false"`
	ApprovalWindow    time.Duration `env:"BOOKING_APPROVAL_WINDOW" envDefault:"168h"`
	ReminderAfter     time.Duration `env:"BOOKING_REMINDER_AFTER" envDefault:"24h"`
	FreeCancelBefore  time.Duration `env:"BOOKING_FREE_CANCEL_BEFORE" envDefault:"24h"`
	LateMenteeCancel  string        `env:"BOOKING_LATE_MENTEE_CANCELLATION" envDefault:"MENTOR_PAID"`
	MentorMayCancel   bool          `env:"BOOKING_MENTOR_MAY_CANCEL" envDefault:"true"`
	LateMentorWindow  time.Duration `env:"BOOKING_LATE_MENTOR_WINDOW" envDefault:"120h"`
	AutoCompleteAfter time.Duration `env:"BOOKING_AUTO_COMPLETE_AFTER" envDefault:"24h"`
	CommissionBps     int           `env:"BOOKING_COMMISSION_BPS" envDefault:"1000"`
	AfterCare         time.Duration `env:"BOOKING_AFTER_CARE" envDefault:"720h"`
	SessionReminder   time.Duration `env:"BOOKING_SESSION_REMINDER_BEFORE" envDefault:"24h"`
}

// Policy returns the configured policy, or the reasons it cannot work.
func (c Config) Policy() (domain.Policy, error) {
	p := domain.Policy{
		AutoApprove: c.AutoApprove, AutoApproveBundle: c.AutoApproveBundle, ApprovalWindow: c.ApprovalWindow, ReminderAfter: c.ReminderAfter,
		FreeCancelBefore: c.FreeCancelBefore, LateMenteeCancel: domain.LateCancellation(c.LateMenteeCancel),
		MentorMayCancel: c.MentorMayCancel, LateMentorWindow: c.LateMentorWindow,
		AutoCompleteAfter: c.AutoCompleteAfter, CommissionBps: c.CommissionBps, AfterCare: c.AfterCare,
		SessionReminderBefore: c.SessionReminder,
	}
	return p, p.Validate()
}
