package domain

import (
	"errors"
	"time"
)

// Policy holds the marketplace's booking rules (docs/product.md, booking
// rules). A mentor's availability may override the paid-session notice and
// horizon.
type Policy struct {
	IntroDuration     time.Duration // an intro session's length
	IntroMinNotice    time.Duration // how long before its start an intro can be booked, at least
	IntroHorizon      time.Duration // how far ahead an intro can be booked, at most
	IntroMonthlyQuota int           // intros per mentee per calendar month (mentee's time zone); 0: no limit
	IntroOnePerMentor bool          // a mentee may hold one intro per mentor
	PaidMinNotice     time.Duration // default notice for paid sessions
	PaidHorizon       time.Duration // default horizon for paid sessions
}

// DefaultPolicy is the marketplace's default (docs/product.md): intros are
// 20 minutes, booked 48 hours to 14 days ahead, at most 3 a month and one
// per mentor; paid sessions 24 hours to 90 days ahead unless the mentor says
// otherwise. The intro rules apply until booking announces a marketplace
// policy (IntroRules, With).
func DefaultPolicy() Policy {
	return Policy{
		IntroDuration:     20 * time.Minute,
		IntroMinNotice:    48 * time.Hour,
		IntroHorizon:      14 * 24 * time.Hour,
		IntroMonthlyQuota: 3,
		IntroOnePerMentor: true,
		PaidMinNotice:     24 * time.Hour,
		PaidHorizon:       90 * 24 * time.Hour,
	}
}

// IntroRules are the intro rules of a version of the marketplace policy,
// as booking announced it (booking.marketplace_policy_changed).
type IntroRules struct {
	Version   int64
	Length    time.Duration
	MinNotice time.Duration
	Horizon   time.Duration
	// MonthlyQuota: intros per mentee per calendar month; 0: no limit.
	MonthlyQuota int
	OnePerMentor bool
}

// Validate reports a version that cannot be applied (booking validated it
// already; a payload failing this is malformed).
func (r IntroRules) Validate() error {
	switch {
	case r.Version < 1:
		return errors.New("policy.version must be at least 1")
	case r.Length < 5*time.Minute || r.Length > 4*time.Hour || r.Length%time.Minute != 0:
		return errors.New("policy.intro_length must be whole minutes, 5 minutes to 4 hours")
	case r.MinNotice < 0 || r.Horizon <= r.MinNotice:
		return errors.New("policy.intro_horizon must be longer than intro_min_notice, which must not be negative")
	case r.MonthlyQuota < 0:
		return errors.New("policy.intro_monthly_quota must not be negative")
	}
	return nil
}

// With is p with the intro rules of r.
func (p Policy) With(r IntroRules) Policy {
	p.IntroDuration, p.IntroMinNotice, p.IntroHorizon = r.Length, r.MinNotice, r.Horizon
	p.IntroMonthlyQuota, p.IntroOnePerMentor = r.MonthlyQuota, r.OnePerMentor
	return p
}

// Offering is o as p books it: an intro session lasts the policy's intro
// length, whatever length it had when it was created.
func (p Policy) Offering(o Offering) Offering {
	if o.Kind == KindIntro {
		o.Duration = p.IntroDuration
	}
	return o
}

// Window returns the notice and horizon that apply to booking o with a
// mentor whose availability is a.
func (p Policy) Window(o Offering, a Availability) (notice, horizon time.Duration) {
	if o.Kind == KindIntro {
		return p.IntroMinNotice, p.IntroHorizon
	}
	notice, horizon = p.PaidMinNotice, p.PaidHorizon
	if a.MinNotice > 0 {
		notice = a.MinNotice
	}
	if a.HorizonDays > 0 {
		horizon = time.Duration(a.HorizonDays) * 24 * time.Hour
	}
	return notice, horizon
}

// CheckTime checks the rules about when a session of o starting at start may
// be booked at now: away mode, notice, horizon and availability (the session
// must lie inside one open window). It does not look at other reservations.
func (p Policy) CheckTime(o Offering, a Availability, start, now time.Time) error {
	end := start.Add(o.Duration)
	if a.AwayAt(now) || a.AwayAt(start) {
		return ErrMentorAway
	}
	notice, horizon := p.Window(o, a)
	if start.Before(now.Add(notice)) {
		return ErrNoticeTooShort
	}
	if start.After(now.Add(horizon)) {
		return ErrBeyondHorizon
	}
	for _, w := range a.Windows(start, end) {
		if !start.Before(w.Start) && !end.After(w.End) {
			return nil
		}
	}
	return ErrOutsideAvailability
}
