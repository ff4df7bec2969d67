package domain

import (
	"fmt"
	"time"

	"github.com/bookwell/bookwell/pkg/apperr"
)

// LateCancellation is what a mentee's cancellation inside the late window does.
type LateCancellation string

// The late-cancellation policies.
const (
	// LateMentorPaid pays the mentor the fee minus commission.
	LateMentorPaid LateCancellation = "MENTOR_PAID"
	// LateRefused refuses the cancellation.
	LateRefused LateCancellation = "REFUSED"
)

// Policy is the set of windows and rules that apply to one booking, fixed when
// it is requested: the marketplace's defaults, overridden by the mentor's
// settings.
type Policy struct {
	// Version is the marketplace policy's version the booking was requested
	// under (0: the defaults nobody changed).
	Version     int64
	AutoApprove bool
	// AutoApproveBundle approves at once the requests paid with a bundle
	// credit: a mentee already in a paid series with this mentor.
	AutoApproveBundle bool
	// ApprovalWindow is how long a request waits for an answer before it
	// expires (never past the session start).
	ApprovalWindow time.Duration
	// ReminderAfter is when the mentor is reminded of an unanswered request.
	ReminderAfter time.Duration
	// FreeCancelBefore is how long before the start a mentee may cancel with a
	// full refund.
	FreeCancelBefore time.Duration
	LateMenteeCancel LateCancellation
	// MentorMayCancel lets the mentor cancel a confirmed booking directly.
	MentorMayCancel bool
	// LateMentorWindow: a mentor cancellation or reschedule closer than this
	// to the start counts as late.
	LateMentorWindow time.Duration
	// AutoCompleteAfter is when, after its start, an unmarked session counts
	// as completed.
	AutoCompleteAfter time.Duration
	// CommissionBps is the platform's commission in basis points.
	CommissionBps int
	// SessionReminderBefore is how long before an upcoming session both
	// sides are reminded of it; zero sends no reminder.
	SessionReminderBefore time.Duration
	// AfterCare is how long an ended booking still takes commands that move
	// money (a goodwill refund, marking a manual refund) or decide on what
	// follows (an intro's continuation).
	AfterCare time.Duration
	// AuthenticationTimeout is how long a request waits for the mentee to
	// authenticate the card (3-D Secure) before it expires; zero means
	// DefaultAuthenticationTimeout.
	AuthenticationTimeout time.Duration
}

// DefaultPolicy is the marketplace's default policy (docs/product.md). It is
// the only place the defaults are written.
func DefaultPolicy() Policy {
	return Policy{
		ApprovalWindow:        7 * 24 * time.Hour,
		ReminderAfter:         24 * time.Hour,
		FreeCancelBefore:      24 * time.Hour,
		LateMenteeCancel:      LateMentorPaid,
		MentorMayCancel:       true,
		LateMentorWindow:      5 * 24 * time.Hour,
		AutoCompleteAfter:     24 * time.Hour,
		CommissionBps:         1000,
		AfterCare:             30 * 24 * time.Hour,
		SessionReminderBefore: 24 * time.Hour,
	}
}

// Validate reports settings that cannot work.
func (p Policy) Validate() error {
	var v apperr.Violations
	for _, d := range []struct {
		field string
		val   time.Duration
	}{
		{"approval_window", p.ApprovalWindow}, {"reminder_after", p.ReminderAfter},
		{"auto_complete_after", p.AutoCompleteAfter}, {"after_care", p.AfterCare},
	} {
		if d.val <= 0 {
			v.Add(d.field, "must be positive")
		}
	}
	if p.FreeCancelBefore < 0 {
		v.Add("free_cancel_before", "must not be negative")
	}
	if p.SessionReminderBefore < 0 {
		v.Add("session_reminder_before", "must not be negative")
	}
	if p.AuthenticationTimeout < 0 {
		v.Add("authentication_timeout", "must not be negative")
	}
	if p.LateMentorWindow < 0 {
		v.Add("late_change_window", "must not be negative")
	}
	if p.LateMenteeCancel != LateMentorPaid && p.LateMenteeCancel != LateRefused {
		v.Add("late_mentee_cancellation", "must be MENTOR_PAID or REFUSED")
	}
	if p.CommissionBps < 0 || p.CommissionBps > 10000 {
		v.Add("commission_bps", "must be between 0 and 10000")
	}
	return v.Err()
}

// FreeUntil is the last moment a mentee may cancel with a full refund.
func (b *Booking) FreeUntil() time.Time {
	if b.start.IsZero() {
		return time.Time{}
	}
	return b.start.Add(-b.policy.FreeCancelBefore)
}

// CancellationSummary is the cancellation policy of b in a sentence.
func (b *Booking) CancellationSummary() string {
	free := fmt.Sprintf("Free cancellation until %s before the session", human(b.policy.FreeCancelBefore))
	var late string
	switch b.policy.LateMenteeCancel {
	case LateRefused:
		late = "after that it can no longer be cancelled"
	default:
		late = fmt.Sprintf("after that the mentor is paid the fee minus the %d%% commission", b.policy.CommissionBps/100)
	}
	mentor := "If the mentor cancels, you get a full refund."
	if !b.policy.MentorMayCancel {
		mentor = "The mentor cannot cancel; they will ask you to."
	}
	return free + "; " + late + ". " + mentor
}

func human(d time.Duration) string {
	if d%(24*time.Hour) == 0 && d >= 24*time.Hour {
		if d == 24*time.Hour {
			return "24 hours"
		}
		return fmt.Sprintf("%d days", d/(24*time.Hour))
	}
	if d%time.Hour == 0 {
		return fmt.Sprintf("%d hours", d/time.Hour)
	}
	return d.String()
}
