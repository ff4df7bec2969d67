// Package domain holds reputation's rules: what a booking fact means for a
// mentor's figures, the standing rules, badges, the ranking formula and
// reviews. Pure types and functions; no transport and no storage.
package domain

import (
	"fmt"
	"strings"
	"time"

	"github.com/bookwell/bookwell/pkg/apperr"
)

// Status is a booking's status, as booking names it.
type Status string

// The booking statuses reputation reads.
const (
	StatusPending             Status = "PENDING"
	StatusNegotiating         Status = "NEGOTIATING"
	StatusAwaitingPayment     Status = "AWAITING_PAYMENT"
	StatusConfirmed           Status = "CONFIRMED"
	StatusPendingConfirmation Status = "PENDING_CONFIRMATION"
	StatusCompleted           Status = "COMPLETED"
	StatusNoShow              Status = "NO_SHOW"
	StatusRejected            Status = "REJECTED"
	StatusExpired             Status = "EXPIRED"
	StatusCancelled           Status = "CANCELLED"
)

// Approved reports whether a booking in status s has been approved by its
// mentor at some point (a later cancellation does not say, so it is false).
func (s Status) Approved() bool {
	switch s {
	case StatusAwaitingPayment, StatusConfirmed, StatusPendingConfirmation, StatusCompleted, StatusNoShow:
		return true
	}
	return false
}

// Role is who acted on a booking.
type Role string

// The roles.
const (
	RoleNone   Role = ""
	RoleMentee Role = "MENTEE"
	RoleMentor Role = "MENTOR"
	RoleAdmin  Role = "ADMIN"
	RoleSystem Role = "SYSTEM"
)

// Subject names of the booking events reputation treats specially.
const (
	SubjectRescheduled = "booking.rescheduled"
)

// BookingFact is what reputation keeps of one booking event: the booking
// snapshot after the change, reduced to the fields the figures need.
type BookingFact struct {
	EventID    string
	Subject    string
	OccurredAt time.Time
	ActorRole  Role

	BookingID         string
	MentorID          string
	MenteeID          string
	Version           int64
	Status            Status
	StartTime         time.Time // zero while unset
	CreateTime        time.Time
	FirstResponseTime time.Time // zero until the mentor answered
	EndedBy           Role
	EndedAt           time.Time // outcome end time, else the event time for final statuses
	Currency          string
	PriceMinor        int64
	RefundedMinor     int64
	ProposedBy        Role // who proposed the time the booking moved to, if known
}

// RescheduleInitiator says who initiated an agreed reschedule: whoever made
// the proposal if the snapshot still names them, else the side that did not
// accept it.
func (f BookingFact) RescheduleInitiator() Role {
	if f.ProposedBy != RoleNone {
		return f.ProposedBy
	}
	switch f.ActorRole {
	case RoleMentee:
		return RoleMentor
	case RoleMentor:
		return RoleMentee
	}
	return f.ActorRole
}

// Standing is whether a mentor may take bookings and how they rank.
type Standing string

// The standings, from good to worst.
const (
	StandingActive      Standing = "ACTIVE"
	StandingFlagged     Standing = "FLAGGED"
	StandingSuspended   Standing = "SUSPENDED"
	StandingDeactivated Standing = "DEACTIVATED"
)

func (s Standing) severity() int {
	switch s {
	case StandingFlagged:
		return 1
	case StandingSuspended:
		return 2
	case StandingDeactivated:
		return 3
	}
	return 0
}

// Sticky reports whether only an operator can lift the standing: suspension
// and deactivation are sanctions, a flag goes with the streak that caused it.
func (s Standing) Sticky() bool { return s == StandingSuspended || s == StandingDeactivated }

// Bookable reports whether a mentor in this standing shows in search and
// takes bookings.
func (s Standing) Bookable() bool { return s == StandingActive || s == StandingFlagged }

// Policy holds the configurable thresholds. Defaults follow DESIGN.md's
// policy table (seeds 000, 003, 004).
type Policy struct {
	// FlagStreak mentor cancellations in a row flag the mentor.
	FlagStreak int `env:"REPUTATION_FLAG_STREAK" envDefault:"3"`
	// DeactivateStreak mentor cancellations in a row deactivate the mentor.
	DeactivateStreak int `env:"REPUTATION_DEACTIVATE_STREAK" envDefault:"5"`
	// MaxLateChanges late cancellations plus late reschedules are tolerated
	// in the window; one more suspends.
	MaxLateChanges int `env:"REPUTATION_MAX_LATE_CHANGES" envDefault:"2"`
	// LateNotice: a cancellation or reschedule closer than this to the
	// session is late.
	LateNotice time.Duration `env:"REPUTATION_LATE_NOTICE" envDefault:"120h"`
	// LateWindow is the rolling window late changes are counted in.
	LateWindow time.Duration `env:"REPUTATION_LATE_WINDOW" envDefault:"2160h"`
	// ResponseTarget is the time within which a request should be answered.
	ResponseTarget time.Duration `env:"REPUTATION_RESPONSE_TARGET" envDefault:"3h"`
	// ApprovalBadgeRate is the approval rate the approval badge needs...
	ApprovalBadgeRate float64 `env:"REPUTATION_APPROVAL_BADGE_RATE" envDefault:"0.9"`
	// ...over at least this many decided requests.
	ApprovalBadgeMinDecided int64 `env:"REPUTATION_APPROVAL_BADGE_MIN_DECIDED" envDefault:"10"`
	// FastBadgeShare is the share answered within target the fast-responder
	// badge needs...
	FastBadgeShare float64 `env:"REPUTATION_FAST_BADGE_SHARE" envDefault:"0.9"`
	// ...over at least this many answered requests.
	FastBadgeMinAnswered int64 `env:"REPUTATION_FAST_BADGE_MIN_ANSWERED" envDefault:"5"`
	// FlaggedRankFactor multiplies a flagged mentor's ranking score.
	FlaggedRankFactor float64 `env:"REPUTATION_FLAGGED_RANK_FACTOR" envDefault:"0.5"`
	// The ranking weights.
	WeightSpeed       float64 `env:"REPUTATION_WEIGHT_SPEED" envDefault:"1"`
	WeightApproval    float64 `env:"REPUTATION_WEIGHT_APPROVAL" envDefault:"1"`
	WeightReliability float64 `env:"REPUTATION_WEIGHT_RELIABILITY" envDefault:"1"`
	WeightRating      float64 `env:"REPUTATION_WEIGHT_RATING" envDefault:"1"`
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

// MentorFigures are a mentor's figures.
type MentorFigures struct {
	Approved, Decided          int64
	Answered                   int64
	MedianResponse, P90        time.Duration
	WithinTarget, DueResponses int64 // answered within target; answered or expired unanswered
	Streak                     int64
	MentorCancellations        int64
	LateCancellations          int64
	LateReschedules            int64
	Completed, NoShows         int64
	RatingSum, Reviews         int64
}

// ApprovalRate is approved / decided, 0 without decisions.
func (f MentorFigures) ApprovalRate() float64 { return ratio(f.Approved, f.Decided) }

// WithinTargetShare is the share of due requests answered within the target.
func (f MentorFigures) WithinTargetShare() float64 { return ratio(f.WithinTarget, f.DueResponses) }

// NoShowRate is no-shows over sessions held or missed.
func (f MentorFigures) NoShowRate() float64 { return ratio(f.NoShows, f.Completed+f.NoShows) }

// AverageRating is the mean rating received, 0 without reviews.
func (f MentorFigures) AverageRating() float64 { return ratio(f.RatingSum, f.Reviews) }

// LateChanges is late cancellations plus late reschedules in the window.
func (f MentorFigures) LateChanges() int64 { return f.LateCancellations + f.LateReschedules }

func ratio(a, b int64) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

// Verdict is the standing the rules give and why.
type Verdict struct {
	Standing Standing
	Reason   string
}

// Evaluate applies the standing rules to a mentor's figures, given their
// current standing: the worst rule that holds wins; a sticky standing is
// never lowered by the rules.
func (p Policy) Evaluate(current Standing, f MentorFigures) Verdict {
	v := Verdict{Standing: StandingActive, Reason: "no standing rule applies"}
	if f.Streak > 0 && f.Streak < int64(p.FlagStreak) {
		v.Reason = fmt.Sprintf("cancellation streak %d is below the flag threshold %d", f.Streak, p.FlagStreak)
	}
	if f.Streak == 0 && current == StandingFlagged {
		v.Reason = "a completed session ended the cancellation streak"
	}
	if f.Streak >= int64(p.FlagStreak) {
		v = Verdict{StandingFlagged, fmt.Sprintf("%d cancellations by the mentor in a row (flagged at %d, deactivated at %d)", f.Streak, p.FlagStreak, p.DeactivateStreak)}
	}
	if f.LateChanges() > int64(p.MaxLateChanges) {
		v = Verdict{StandingSuspended, fmt.Sprintf("%d late cancellations and %d late reschedules (less than %s before the session) in the last %s; more than %d suspends",
			f.LateCancellations, f.LateReschedules, days(p.LateNotice), days(p.LateWindow), p.MaxLateChanges)}
	}
	if f.Streak >= int64(p.DeactivateStreak) {
		v = Verdict{StandingDeactivated, fmt.Sprintf("%d cancellations by the mentor in a row (deactivated at %d)", f.Streak, p.DeactivateStreak)}
	}
	if current.Sticky() && current.severity() >= v.Standing.severity() {
		return Verdict{Standing: current}
	}
	return v
}

func days(d time.Duration) string {
	if d%(24*time.Hour) == 0 {
		return fmt.Sprintf("%d days", d/(24*time.Hour))
	}
	return d.String()
}

// Badge is a distinction earned from figures.
type Badge string

// The badges.
const (
	BadgeHighApprovalRate Badge = "HIGH_APPROVAL_RATE"
	BadgeFastResponder    Badge = "FAST_RESPONDER"
)

// Badges are the badges f earns under p.
func (p Policy) Badges(f MentorFigures) []Badge {
	var b []Badge
	if f.Decided >= p.ApprovalBadgeMinDecided && f.ApprovalRate() >= p.ApprovalBadgeRate {
		b = append(b, BadgeHighApprovalRate)
	}
	if f.Answered >= p.FastBadgeMinAnswered && f.WithinTargetShare() >= p.FastBadgeShare {
		b = append(b, BadgeFastResponder)
	}
	return b
}

// RankingScore is the mentor search ranking, 0 to 100:
//
//	100 × (ws·speed + wa·approval + wr·reliability + wg·rating) / (ws+wa+wr+wg)
//
// speed = max(0, 1 − median response / 24 h); approval = approval rate;
// reliability = 1 − mentor cancellations / (mentor cancellations + completed);
// rating = (average rating − 1) / 4. Without data a part counts 0.5 (speed,
// approval, rating) or 1 (reliability: nothing cancelled). A flagged mentor's
// score is multiplied by FlaggedRankFactor; a suspended or deactivated
// mentor scores 0.
func (p Policy) RankingScore(s Standing, f MentorFigures) float64 {
	if !s.Bookable() {
		return 0
	}
	speed, approval, reliability, rating := 0.5, 0.5, 1.0, 0.5
	if f.Answered > 0 {
		speed = max(0, 1-f.MedianResponse.Hours()/24)
	}
	if f.Decided > 0 {
		approval = f.ApprovalRate()
	}
	if n := f.MentorCancellations + f.Completed; n > 0 {
		reliability = 1 - ratio(f.MentorCancellations, n)
	}
	if f.Reviews > 0 {
		rating = (f.AverageRating() - 1) / 4
	}
	w := p.WeightSpeed + p.WeightApproval + p.WeightReliability + p.WeightRating
	score := 100 * (p.WeightSpeed*speed + p.WeightApproval*approval + p.WeightReliability*reliability + p.WeightRating*rating) / w
	if s == StandingFlagged {
		score *= p.FlaggedRankFactor
	}
	return score
}

// MenteeHistory is what a mentor sees about a mentee.
type MenteeHistory struct {
	MenteeID      string
	PriorSessions int64
	// Spend is what the mentee paid net of refunds, per currency. For a
	// booking whose payment was heard of (payment.captured, payment.marked_paid,
	// payment.refunded), it is captured minus refunded from those events,
	// whatever the booking's status: a late-cancelled session the mentor was
	// paid for counts, a refunded one does not. For a booking no payment event
	// concerns, it is the booking snapshot's price minus refunded once the
	// session was held (completed or no-show). Payment events carry running
	// totals, merged by taking the larger, and the payment rule wins as soon as
	// one arrives, so the figure ends the same whichever stream arrives first.
	Spend                  []Money
	RatingSum, Reviews     int64
	NoShows                int64
	MentorNoShowComplaints int64
}

// AverageRatingGiven is the mean rating the mentee gave, 0 without reviews.
func (h MenteeHistory) AverageRatingGiven() float64 { return ratio(h.RatingSum, h.Reviews) }

// Money is an amount in minor units of a currency.
type Money struct {
	Currency    string
	AmountMinor int64
}

// Review is a mentee's rating of a completed booking.
type Review struct {
	BookingID string
	MentorID  string
	MenteeID  string
	Rating    int
	Text      string
	CreatedAt time.Time
}

// MaxReviewText is the longest review text accepted, in characters.
const MaxReviewText = 2000

// The review errors.
var (
	ErrBookingNotFound     = apperr.New(apperr.KindNotFound, "BOOKING_NOT_FOUND", "no such booking")
	ErrNotBookingsMentee   = apperr.New(apperr.KindPermissionDenied, "NOT_BOOKINGS_MENTEE", "only the booking's mentee may review it")
	ErrBookingNotCompleted = apperr.New(apperr.KindConflict, "BOOKING_NOT_COMPLETED", "only a completed session can be reviewed")
	ErrAlreadyReviewed     = apperr.New(apperr.KindAlreadyExists, "ALREADY_REVIEWED", "this booking already has a review")
)

// ValidateReview checks a review request's own fields.
func ValidateReview(r Review) error {
	var v apperr.Violations
	if strings.TrimSpace(r.BookingID) == "" {
		v.Add("booking_id", "is required")
	}
	if strings.TrimSpace(r.MenteeID) == "" {
		v.Add("review.mentee_id", "is required")
	}
	if r.Rating < 1 || r.Rating > 5 {
		v.Add("review.rating", "must be from 1 to 5")
	}
	if n := len([]rune(r.Text)); n > MaxReviewText {
		v.Add("review.text", fmt.Sprintf("is %d characters; at most %d", n, MaxReviewText))
	}
	return v.Err()
}

// CanReview checks that mentee may review a booking in this state.
func CanReview(menteeID string, bookingMentee string, status Status) error {
	if menteeID != bookingMentee {
		return ErrNotBookingsMentee
	}
	if status != StatusCompleted {
		return apperr.Wrap(ErrBookingNotCompleted, "only a completed session can be reviewed; this booking is %s", status)
	}
	return nil
}
