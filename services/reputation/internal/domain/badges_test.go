package domain_test

import (
	"testing"

	"github.com/bookwell/bookwell/services/reputation/internal/domain"
)

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
