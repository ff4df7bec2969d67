package domain

import (
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/bookwell/bookwell/pkg/apperr"
)

// MarketplacePolicy is everything a marketplace configures (docs/product.md,
// what a marketplace configures): the booking rules a booking copies when it
// is requested (Booking), and the rules scheduling, payments and reputation
// apply, which they learn from booking.marketplace_policy_changed. Each
// change is a new version.
type MarketplacePolicy struct {
	Version   int64
	UpdatedAt time.Time
	UpdatedBy string
	// Booking holds the booking rules; Booking.LateMentorWindow is the
	// late-change window, Booking.CommissionBps the commission.
	Booking Policy
	// LateChangeLimit late changes by a mentor within LateChangePeriod
	// suspend them on the next one.
	LateChangeLimit  int
	LateChangePeriod time.Duration
	// FlagStreak and DeactivateStreak are the cancellation streaks that
	// flag and deactivate a mentor.
	FlagStreak, DeactivateStreak int
	// The intro sessions' rules.
	IntroLength       time.Duration
	IntroMinNotice    time.Duration
	IntroHorizon      time.Duration
	IntroMonthlyQuota int
	IntroOnePerMentor bool
}

// DefaultMarketplacePolicy is the marketplace's policy before anyone changed
// it: booking's rules as given (the defaults, or what the environment set)
// and the other services' defaults (docs/product.md).
func DefaultMarketplacePolicy(booking Policy) MarketplacePolicy {
	booking.Version = 0
	return MarketplacePolicy{
		Booking:          booking,
		LateChangeLimit:  2,
		LateChangePeriod: 90 * 24 * time.Hour,
		FlagStreak:       3, DeactivateStreak: 5,
		IntroLength:       20 * time.Minute,
		IntroMinNotice:    48 * time.Hour,
		IntroHorizon:      14 * 24 * time.Hour,
		IntroMonthlyQuota: 3,
		IntroOnePerMentor: true,
	}
}

// ErrPolicyVersionMismatch is an update of a version that is no longer the
// one in force.
var ErrPolicyVersionMismatch = apperr.New(apperr.KindConflict, "POLICY_VERSION_MISMATCH",
	"the marketplace policy changed since it was read; read it again and retry with its etag")

// Etag is the version's etag.
func (m MarketplacePolicy) Etag() string { return `"v` + strconv.FormatInt(m.Version, 10) + `"` }

// CheckEtag refuses an update whose etag is not that of m.
func (m MarketplacePolicy) CheckEtag(etag string) error {
	if strings.TrimSpace(etag) == "" {
		var v apperr.Violations
		v.Add("policy.etag", "is required: the etag of the version read")
		return v.Err()
	}
	if etag != m.Etag() && etag != strings.Trim(m.Etag(), `"`) {
		return ErrPolicyVersionMismatch
	}
	return nil
}

// Validate reports every value that cannot work.
func (m MarketplacePolicy) Validate() error {
	var v apperr.Violations
	var inner *apperr.ValidationError
	if err := m.Booking.Validate(); err != nil && errors.As(err, &inner) {
		v = append(v, inner.Violations...)
	} else if err != nil {
		return err
	}
	if m.Booking.ApprovalWindow > 90*24*time.Hour {
		v.Add("approval_window", "must be at most 90 days")
	}
	if m.Booking.ReminderAfter >= m.Booking.ApprovalWindow && m.Booking.ApprovalWindow > 0 {
		v.Add("reminder_after", "must be shorter than the approval window")
	}
	if m.LateChangeLimit < 0 {
		v.Add("late_change_limit", "must not be negative")
	}
	if m.LateChangePeriod <= 0 {
		v.Add("late_change_period", "must be positive")
	}
	if m.FlagStreak < 1 {
		v.Add("flag_streak", "must be at least 1")
	}
	if m.DeactivateStreak <= m.FlagStreak {
		v.Add("deactivate_streak", "must be greater than flag_streak")
	}
	if m.IntroLength < 5*time.Minute || m.IntroLength > 4*time.Hour || m.IntroLength%time.Minute != 0 {
		v.Add("intro_length", "must be whole minutes, 5 minutes to 4 hours")
	}
	if m.IntroMinNotice < 0 {
		v.Add("intro_min_notice", "must not be negative")
	}
	if m.IntroHorizon <= m.IntroMinNotice {
		v.Add("intro_horizon", "must be longer than intro_min_notice")
	}
	if m.IntroMonthlyQuota < 0 {
		v.Add("intro_monthly_quota", "must not be negative (0: no limit)")
	}
	return v.Err()
}

// FieldChange is one field a policy change changed, with its values as JSON.
type FieldChange struct {
	Field, Old, New string
}

// Fields are m's configurable values by their API names, as JSON text
// (durations as "48h0m0s").
func (m MarketplacePolicy) Fields() map[string]string {
	d := func(x time.Duration) string { return strconv.Quote(x.String()) }
	b := m.Booking
	late, _ := json.Marshal(string(b.LateMenteeCancel))
	return map[string]string{
		"approval_window": d(b.ApprovalWindow), "reminder_after": d(b.ReminderAfter),
		"free_cancel_before": d(b.FreeCancelBefore), "late_mentee_cancellation": string(late),
		"mentor_may_cancel": strconv.FormatBool(b.MentorMayCancel), "commission_bps": strconv.Itoa(b.CommissionBps),
		"late_change_window": d(b.LateMentorWindow), "late_change_limit": strconv.Itoa(m.LateChangeLimit),
		"late_change_period": d(m.LateChangePeriod), "flag_streak": strconv.Itoa(m.FlagStreak),
		"deactivate_streak": strconv.Itoa(m.DeactivateStreak), "session_reminder_before": d(b.SessionReminderBefore),
		"auto_complete_after": d(b.AutoCompleteAfter), "after_care": d(b.AfterCare),
		"auto_approve": strconv.FormatBool(b.AutoApprove), "auto_approve_bundle_bookings": strconv.FormatBool(b.AutoApproveBundle),
		"intro_length": d(m.IntroLength), "intro_min_notice": d(m.IntroMinNotice), "intro_horizon": d(m.IntroHorizon),
		"intro_monthly_quota": strconv.Itoa(m.IntroMonthlyQuota), "intro_one_per_mentor": strconv.FormatBool(m.IntroOnePerMentor),
	}
}

// Changes lists what differs from old to m, by field name.
func (m MarketplacePolicy) Changes(old MarketplacePolicy) []FieldChange {
	was, now := old.Fields(), m.Fields()
	var out []FieldChange
	for _, f := range marketplaceFields {
		if was[f] != now[f] {
			out = append(out, FieldChange{Field: f, Old: was[f], New: now[f]})
		}
	}
	return out
}

// marketplaceFields orders the fields as the API lists them.
var marketplaceFields = []string{
	"approval_window", "reminder_after", "free_cancel_before", "late_mentee_cancellation", "mentor_may_cancel",
	"commission_bps", "late_change_window", "late_change_limit", "late_change_period", "flag_streak",
	"deactivate_streak", "session_reminder_before", "auto_complete_after", "after_care", "auto_approve",
	"auto_approve_bundle_bookings", "intro_length", "intro_min_notice", "intro_horizon", "intro_monthly_quota",
	"intro_one_per_mentor",
}

// MarketplaceFields are the names of the fields an update may change.
func MarketplaceFields() []string { return append([]string(nil), marketplaceFields...) }

// Next is m as the new version made by actor at now.
func (m MarketplacePolicy) Next(actor string, now time.Time) MarketplacePolicy {
	m.Version++
	m.Booking.Version = m.Version
	m.UpdatedAt, m.UpdatedBy = now, actor
	return m
}

// ForMentor is the policy a mentor's new requests get: the marketplace's
// booking rules with the mentor's own settings (mentor, when they saved
// any) for the fields a mentor may set.
func (m MarketplacePolicy) ForMentor(mentor *Policy) Policy {
	p := m.Booking
	p.Version = m.Version
	if mentor != nil {
		p.AutoApprove, p.AutoApproveBundle = mentor.AutoApprove, mentor.AutoApproveBundle
		p.ApprovalWindow, p.ReminderAfter = mentor.ApprovalWindow, mentor.ReminderAfter
		p.FreeCancelBefore, p.LateMenteeCancel = mentor.FreeCancelBefore, mentor.LateMenteeCancel
		p.MentorMayCancel, p.AutoCompleteAfter = mentor.MentorMayCancel, mentor.AutoCompleteAfter
	}
	return p
}
