package domain_test

import (
	"testing"
	"time"

	"github.com/bookwell/bookwell/pkg/config"
	"github.com/bookwell/bookwell/services/reputation/internal/domain"
)

func TestThresholdsComeFromTheEnvironment(t *testing.T) {
	type cfg struct{ Policy domain.Policy }
	t.Setenv("REPUTATION_FLAG_STREAK", "2")
	t.Setenv("REPUTATION_LATE_NOTICE", "48h")
	c := cfg{Policy: domain.DefaultPolicy()}
	if err := config.Load(&c); err != nil {
		t.Fatal(err)
	}
	want := domain.DefaultPolicy()
	want.FlagStreak, want.LateNotice = 2, 48*time.Hour
	if c.Policy != want {
		t.Fatalf("policy = %+v, want the defaults with flag at 2 and 48h late notice", c.Policy)
	}
	if v := c.Policy.Evaluate(domain.StandingActive, domain.MentorFigures{Streak: 2}); v.Standing != domain.StandingFlagged {
		t.Fatalf("with REPUTATION_FLAG_STREAK=2, a streak of 2 gives %s", v.Standing)
	}
	c.Policy.DeactivateStreak = 1
	if c.Policy.Validate() == nil {
		t.Fatal("a deactivation threshold below the flag threshold was accepted")
	}
}
