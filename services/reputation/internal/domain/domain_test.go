package domain_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/bookwell/bookwell/pkg/apperr"
	"github.com/bookwell/bookwell/pkg/config"
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

func TestThresholdsComeFromTheEnvironment(t *testing.T) {
	type cfg struct{ Policy domain.Policy }
	def, err := config.Load[cfg]()
	if err != nil {
		t.Fatal(err)
	}
	if def.Policy != domain.DefaultPolicy() {
		t.Fatalf("env defaults %+v differ from DefaultPolicy %+v", def.Policy, domain.DefaultPolicy())
	}
	t.Setenv("REPUTATION_FLAG_STREAK", "2")
	t.Setenv("REPUTATION_LATE_NOTICE", "48h")
	c, err := config.Load[cfg]()
	if err != nil {
		t.Fatal(err)
	}
	if c.Policy.FlagStreak != 2 || c.Policy.LateNotice != 48*time.Hour {
		t.Fatalf("policy = %+v, want flag at 2 and 48h late notice", c.Policy)
	}
	if v := c.Policy.Evaluate(domain.StandingActive, domain.MentorFigures{Streak: 2}); v.Standing != domain.StandingFlagged {
		t.Fatalf("with REPUTATION_FLAG_STREAK=2, a streak of 2 gives %s", v.Standing)
	}
	c.Policy.DeactivateStreak = 1
	if c.Policy.Validate() == nil {
		t.Fatal("a deactivation threshold below the flag threshold was accepted")
	}
}

func TestBadges(t *testing.T) {
	p := domain.DefaultPolicy()
	good := domain.MentorFigures{Approved: 9, Decided: 10, Answered: 10, WithinTarget: 9, DueResponses: 10}
	if got := p.Badges(good); len(got) != 2 {
		t.Fatalf("badges of %+v = %v, want both", good, got)
	}
	few := domain.MentorFigures{Approved: 3, Decided: 3, Answered: 3, WithinTarget: 3, DueResponses: 3}
	if got := p.Badges(few); len(got) != 0 {
		t.Fatalf("badges with too little history = %v, want none", got)
	}
	slow := good
	slow.WithinTarget = 5
	if got := p.Badges(slow); len(got) != 1 || got[0] != domain.BadgeHighApprovalRate {
		t.Fatalf("badges of a slow responder = %v, want only the approval badge", got)
	}
}

func TestRankingScore(t *testing.T) {
	p := domain.DefaultPolicy()
	best := domain.MentorFigures{Approved: 10, Decided: 10, Answered: 10, Completed: 10, RatingSum: 50, Reviews: 10}
	if s := p.RankingScore(domain.StandingActive, best); s != 100 {
		t.Fatalf("perfect mentor scores %v, want 100", s)
	}
	if s := p.RankingScore(domain.StandingActive, domain.MentorFigures{}); s != 100*(0.5+0.5+1+0.5)/4 {
		t.Fatalf("new mentor scores %v, want 62.5", s)
	}
	slow := best
	slow.MedianResponse = 12 * time.Hour
	cancels := best
	cancels.MentorCancellations = 10
	if a, b, c := p.RankingScore(domain.StandingActive, best), p.RankingScore(domain.StandingActive, slow), p.RankingScore(domain.StandingActive, cancels); !(a > b && a > c) {
		t.Fatalf("slow (%v) or cancelling (%v) mentors do not rank below the best (%v)", b, c, a)
	}
	if s := p.RankingScore(domain.StandingFlagged, best); s != 50 {
		t.Fatalf("flagged perfect mentor scores %v, want 50", s)
	}
	if s := p.RankingScore(domain.StandingSuspended, best); s != 0 {
		t.Fatalf("suspended mentor scores %v, want 0", s)
	}
}

func TestReviewValidation(t *testing.T) {
	ok := domain.Review{BookingID: "b", MenteeID: "m", Rating: 3}
	if err := domain.ValidateReview(ok); err != nil {
		t.Fatal(err)
	}
	bad := domain.Review{Rating: 0, Text: strings.Repeat("é", domain.MaxReviewText+1)}
	err := domain.ValidateReview(bad)
	var ve *apperr.ValidationError
	if !errors.As(err, &ve) || len(ve.Violations) != 4 {
		t.Fatalf("ValidateReview(bad) = %v, want 4 violations", err)
	}
	if err := domain.CanReview("m", "other", domain.StatusCompleted); !errors.Is(err, domain.ErrNotBookingsMentee) {
		t.Fatalf("review by another mentee: %v", err)
	}
	if err := domain.CanReview("m", "m", domain.StatusConfirmed); !errors.Is(err, domain.ErrBookingNotCompleted) {
		t.Fatalf("review of a confirmed booking: %v", err)
	}
}
