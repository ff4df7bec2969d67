package domain

import (
	"fmt"
	"time"

	"github.com/google/uuid"
)

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

// Mentor is a mentor's standing, badges and ranking score, as reputation
// keeps them current.
type Mentor struct {
	ID             string
	Standing       Standing
	StandingReason string
	Badges         []Badge
	RankingScore   float64
}

// StandingChange is one change of a mentor's standing, kept for operators
// and announced as mentor.standing_changed with EventID.
type StandingChange struct {
	MentorID         string
	Previous, Actual Standing
	Reason           string
	BookingID        string // whose event caused the change, if one did
	OperatorID       string // the operator who made the change, if one did
	EventID          uuid.UUID
	At               time.Time
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
