package domain

import (
	"fmt"
	"strings"
	"time"
)

// Policy holds the configurable thresholds (docs/product.md, reputation).
// DefaultPolicy has the defaults; the env tags name the variables that
// override them.
type Policy struct {
	// FlagStreak mentor cancellations in a row flag the mentor.
	FlagStreak int `env:"REPUTATION_FLAG_STREAK"`
	// DeactivateStreak mentor cancellations in a row deactivate the mentor.
	DeactivateStreak int `env:"REPUTATION_DEACTIVATE_STREAK"`
	// MaxLateChanges late cancellations plus late reschedules are tolerated
	// in the window; one more suspends.
	MaxLateChanges int `env:"REPUTATION_MAX_LATE_CHANGES"`
	// LateNotice: a cancellation or reschedule closer than this to the
	// session is late.
	LateNotice time.Duration `env:"REPUTATION_LATE_NOTICE"`
	// LateWindow is the rolling window late changes are counted in.
	LateWindow time.Duration `env:"REPUTATION_LATE_WINDOW"`
	// ResponseTarget is the time within which a request should be answered.
	ResponseTarget time.Duration `env:"REPUTATION_RESPONSE_TARGET"`
	// ApprovalBadgeRate is the approval rate the approval badge needs...
	ApprovalBadgeRate float64 `env:"REPUTATION_APPROVAL_BADGE_RATE"`
	// ...over at least this many decided requests.
	ApprovalBadgeMinDecided int64 `env:"REPUTATION_APPROVAL_BADGE_MIN_DECIDED"`
	// FastBadgeShare is the share answered within target the fast-responder
	// badge needs...
	FastBadgeShare float64 `env:"REPUTATION_FAST_BADGE_SHARE"`
	// ...over at least this many answered requests.
	FastBadgeMinAnswered int64 `env:"REPUTATION_FAST_BADGE_MIN_ANSWERED"`
	// FlaggedRankFactor multiplies a flagged mentor's ranking score.
	FlaggedRankFactor float64 `env:"REPUTATION_FLAGGED_RANK_FACTOR"`
	// The ranking weights.
	WeightSpeed       float64 `env:"REPUTATION_WEIGHT_SPEED"`
	WeightApproval    float64 `env:"REPUTATION_WEIGHT_APPROVAL"`
	WeightReliability float64 `env:"REPUTATION_WEIGHT_RELIABILITY"`
	WeightRating      float64 `env:"REPUTATION_WEIGHT_RATING"`
}

// DefaultPolicy is the policy with every default.
func DefaultPolicy() Policy {
	return Policy{
		FlagStreak: 3, DeactivateStreak: 5, MaxLateChanges: 2,
		LateNotice: 120 * time.Hour, LateWindow: 90 * 24 * time.Hour, ResponseTarget: 3 * time.Hour,
		ApprovalBadgeRate: 0.9, ApprovalBadgeMinDecided: 10, FastBadgeShare: 0.9, FastBadgeMinAnswered: 5,
		FlaggedRankFactor: 0.5, WeightSpeed: 1, WeightApproval: 1, WeightReliability: 1, WeightRating: 1,
	}
}

// Validate rejects a policy whose rules contradict each other.
func (p Policy) Validate() error {
	var errs []string
	if p.FlagStreak < 1 || p.DeactivateStreak < p.FlagStreak {
		errs = append(errs, "need 1 <= REPUTATION_FLAG_STREAK <= REPUTATION_DEACTIVATE_STREAK")
	}
	if p.MaxLateChanges < 0 || p.LateNotice <= 0 || p.LateWindow <= 0 || p.ResponseTarget <= 0 {
		errs = append(errs, "late-change limits and durations must be positive")
	}
	if p.WeightSpeed+p.WeightApproval+p.WeightReliability+p.WeightRating <= 0 {
		errs = append(errs, "ranking weights must not all be zero")
	}
	if len(errs) > 0 {
		return fmt.Errorf("reputation policy: %s", strings.Join(errs, "; "))
	}
	return nil
}

// StandingRules are the standing rules of a version of the marketplace
// policy, as booking announced it (booking.marketplace_policy_changed):
// they replace the environment's thresholds of the same name (With). The
// response target, badges and ranking stay the environment's.
type StandingRules struct {
	Version          int64
	FlagStreak       int
	DeactivateStreak int
	// MaxLateChanges is the policy's late_change_limit, LateNotice its
	// late_change_window and LateWindow its late_change_period.
	MaxLateChanges int
	LateNotice     time.Duration
	LateWindow     time.Duration
}

// Validate reports a version that cannot be applied (booking validated it
// already; a payload failing this is malformed).
func (r StandingRules) Validate() error {
	switch {
	case r.Version < 1:
		return fmt.Errorf("policy.version must be at least 1")
	case r.FlagStreak < 1 || r.DeactivateStreak < r.FlagStreak:
		return fmt.Errorf("policy needs 1 <= flag_streak <= deactivate_streak")
	case r.MaxLateChanges < 0 || r.LateNotice <= 0 || r.LateWindow <= 0:
		return fmt.Errorf("policy.late_change_limit must not be negative, late_change_window and late_change_period must be positive")
	}
	return nil
}

// With is p with the standing rules of r.
func (p Policy) With(r StandingRules) Policy {
	p.FlagStreak, p.DeactivateStreak, p.MaxLateChanges = r.FlagStreak, r.DeactivateStreak, r.MaxLateChanges
	p.LateNotice, p.LateWindow = r.LateNotice, r.LateWindow
	return p
}
