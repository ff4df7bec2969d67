package app

import (
	"testing"
	"time"

	"github.com/bookwell/bookwell/pkg/config"
	"github.com/bookwell/bookwell/services/booking/internal/domain"
)

func loadPolicyConfig() (PolicyConfig, error) {
	var c PolicyConfig
	return c, config.Load(&c)
}

func TestThePolicyComesFromTheDefaultsAndWhatTheEnvironmentSets(t *testing.T) {
	t.Setenv("BOOKING_APPROVAL_WINDOW", "72h")
	t.Setenv("BOOKING_MENTOR_MAY_CANCEL", "false")
	c, err := loadPolicyConfig()
	if err != nil {
		t.Fatal(err)
	}
	p, err := c.Policy()
	if err != nil {
		t.Fatal(err)
	}
	want := domain.DefaultPolicy()
	want.ApprovalWindow, want.MentorMayCancel = 72*time.Hour, false
	if p != want {
		t.Fatalf("policy %+v, want %+v", p, want)
	}
	t.Setenv("BOOKING_COMMISSION_BPS", "20000")
	if c, err := loadPolicyConfig(); err == nil {
		if _, err := c.Policy(); err == nil {
			t.Fatal("a commission over 100% was accepted")
		}
	}
}
