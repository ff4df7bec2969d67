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
	// LateMentorPaid pays the mentor the fee minus commission (seed 004).
	LateMentorPaid LateCancellation = "MENTOR_PAID"
	// LateRefused refuses the cancellation (seed 001).
	LateRefused LateCancellation = "REFUSED"
)

// Policy is the set of windows and rules that apply to one booking, fixed when
// it is requested: the marketplace's defaults, overridden by the mentor's
// settings.
type Policy struct {
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
	// to the start counts as late (seed 003).
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
}

// DefaultPolicy is DESIGN.md's policy table.
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
	if p.LateMentorWindow < 0 {
		v.Add("late_mentor_window", "must not be negative")
	}
	if p.LateMenteeCancel != LateMentorPaid && p.LateMenteeCancel != LateRefused {
		v.Add("late_mentee_cancellation", "must be MENTOR_PAID or REFUSED")
	}
	if p.CommissionBps < 0 || p.CommissionBps > 10000 {
		v.Add("commission_bps", "must be between 0 and 10000")
	}
	return v.Err()
}

// AutoApproves reports whether b is approved as soon as it is requested.
func (b Booking) AutoApproves() bool {
	return b.Policy.AutoApprove || (b.Policy.AutoApproveBundle && b.PaymentMethod == PaymentBundle)
}

// FreeUntil is the last moment a mentee may cancel with a full refund.
func (b Booking) FreeUntil() time.Time {
	if b.Start.IsZero() {
		return time.Time{}
	}
	return b.Start.Add(-b.Policy.FreeCancelBefore)
}

// CancellationSummary is the cancellation policy of b in a sentence.
func (b Booking) CancellationSummary() string {
	free := fmt.Sprintf("Free cancellation until %s before the session", human(b.Policy.FreeCancelBefore))
	var late string
	switch b.Policy.LateMenteeCancel {
	case LateRefused:
		late = "after that it can no longer be cancelled"
	default:
		late = fmt.Sprintf("after that the mentor is paid the fee minus the %d%% commission", b.Policy.CommissionBps/100)
	}
	mentor := "If the mentor cancels, you get a full refund."
	if !b.Policy.MentorMayCancel {
		mentor = "The mentor cannot cancel; they will ask you to."
	}
	return free + "; " + late + ". " + mentor
}

// LateCancellationMoney says what a late mentee cancellation does with the
// money, in words.
func (b Booking) LateCancellationMoney() string {
	return fmt.Sprintf("Cancelled less than %s before the session: the mentor is paid the fee minus the %d%% commission; no refund.",
		human(b.Policy.FreeCancelBefore), b.Policy.CommissionBps/100)
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
