package domain

import (
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/bookwell/bookwell/pkg/apperr"
	"github.com/bookwell/bookwell/pkg/money"
)

// Kind is the type of session an offering is.
type Kind string

// The kinds of offering.
const (
	KindIntro Kind = "INTRO" // free introductory session, bound by the intro rules
	KindPaid  Kind = "PAID"  // paid session
)

// Offering is a session type a mentor offers.
type Offering struct {
	ID               string
	MentorID         string
	Name             string
	Kind             Kind
	Duration         time.Duration
	PriceMinor       int64  // in the currency's minor units (pkg/money): cents of EUR, yen of JPY
	Currency         string // ISO 4217, upper case
	Capacity         int    // 1 for one-to-one, more for a class
	ApprovalRequired bool
	CreatedAt        time.Time
	UpdatedAt        time.Time
}

// Validate reports every field that breaks the offering rules, given the
// intro duration of the policy.
func (o Offering) Validate(p Policy) error {
	var v apperr.Violations
	name := strings.TrimSpace(o.Name)
	if name == "" || utf8.RuneCountInString(name) > 200 {
		v.Add("offering.name", "must be 1 to 200 characters")
	}
	if o.Duration < 5*time.Minute || o.Duration > 8*time.Hour || o.Duration%time.Minute != 0 {
		v.Add("offering.duration_minutes", "must be 5 to 480 minutes")
	}
	if o.Capacity < 1 || o.Capacity > 500 {
		v.Add("offering.capacity", "must be 1 to 500")
	}
	if o.PriceMinor < 0 {
		v.Add("offering.price_minor_units", "must not be negative")
	}
	if o.Currency != "" && !money.Valid(o.Currency) {
		v.Add("offering.currency_code", "must be the ISO 4217 code of a currency, such as EUR")
	}
	switch o.Kind {
	case KindIntro:
		if o.Duration != p.IntroDuration {
			v.Add("offering.duration_minutes", "must be "+minutes(p.IntroDuration)+" for an intro session")
		}
		if o.PriceMinor != 0 {
			v.Add("offering.price_minor_units", "must be 0: intro sessions are free")
		}
	case KindPaid:
		if o.PriceMinor == 0 {
			v.Add("offering.price_minor_units", "must be more than 0 for a paid session")
		}
		if o.Currency == "" {
			v.Add("offering.currency_code", "is required for a paid session")
		}
	default:
		v.Add("offering.kind", "must be intro or paid")
	}
	return v.Err()
}

func minutes(d time.Duration) string {
	return strconv.Itoa(int(d/time.Minute)) + " minutes"
}
