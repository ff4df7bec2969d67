package domain_test

import (
	"strings"
	"testing"

	"github.com/bookwell/bookwell/services/reputation/internal/domain"
)

func TestEvaluateStanding(t *testing.T) {
	p := domain.DefaultPolicy()
	cases := []struct {
		name    string
		current domain.Standing
		f       domain.MentorFigures
		want    domain.Standing
		reason  string
	}{
		{"clean", domain.StandingActive, domain.MentorFigures{}, domain.StandingActive, ""},
		{"two in a row", domain.StandingActive, domain.MentorFigures{Streak: 2}, domain.StandingActive, ""},
		{"three in a row flags", domain.StandingActive, domain.MentorFigures{Streak: 3}, domain.StandingFlagged, "3 cancellations by the mentor in a row"},
		{"four stays flagged", domain.StandingFlagged, domain.MentorFigures{Streak: 4}, domain.StandingFlagged, ""},
		{"fifth deactivates", domain.StandingFlagged, domain.MentorFigures{Streak: 5}, domain.StandingDeactivated, "5 cancellations"},
		{"streak reset lifts the flag", domain.StandingFlagged, domain.MentorFigures{Streak: 0}, domain.StandingActive, "completed session"},
		{"two late changes are tolerated", domain.StandingActive, domain.MentorFigures{LateCancellations: 1, LateReschedules: 1}, domain.StandingActive, ""},
		{"a third late change suspends", domain.StandingActive, domain.MentorFigures{LateCancellations: 2, LateReschedules: 1}, domain.StandingSuspended, "2 late cancellations and 1 late reschedules"},
		{"suspension is sticky", domain.StandingSuspended, domain.MentorFigures{}, domain.StandingSuspended, ""},
		{"a suspended mentor can still be deactivated", domain.StandingSuspended, domain.MentorFigures{Streak: 5}, domain.StandingDeactivated, ""},
		{"deactivation is sticky", domain.StandingDeactivated, domain.MentorFigures{Streak: 0}, domain.StandingDeactivated, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			v := p.Evaluate(c.current, c.f)
			if v.Standing != c.want || !strings.Contains(v.Reason, c.reason) {
				t.Fatalf("Evaluate(%s, %+v) = %+v; want %s with a reason containing %q", c.current, c.f, v, c.want, c.reason)
			}
		})
	}
}
