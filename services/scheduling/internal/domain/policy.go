package domain

import "time"

// Policy holds the marketplace's booking rules (docs/product.md, booking
// rules). A mentor's availability may override the paid-session notice and
// horizon.
type Policy struct {
	IntroDuration     time.Duration // an intro session's length
	IntroMinNotice    time.Duration // how long before its start an intro can be booked, at least
	IntroHorizon      time.Duration // how far ahead an intro can be booked, at most
	IntroMonthlyQuota int           // intros per mentee per calendar month (mentee's time zone)
	PaidMinNotice     time.Duration // default notice for paid sessions
	PaidHorizon       time.Duration // default horizon for paid sessions
}

// DefaultPolicy is the marketplace's default (docs/product.md): intros are
// 20 minutes, booked 48 hours to 14 days ahead, at most 3 a month; paid
// sessions 24 hours to 90 days ahead unless the mentor says otherwise. At
// most one intro per mentee per mentor is a rule of the store (a unique
// index), not a setting.
func DefaultPolicy() Policy {
	return Policy{
		IntroDuration:     20 * time.Minute,
		IntroMinNotice:    48 * time.Hour,
		IntroHorizon:      14 * 24 * time.Hour,
		IntroMonthlyQuota: 3,
		PaidMinNotice:     24 * time.Hour,
		PaidHorizon:       90 * 24 * time.Hour,
	}
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
