package domain_test

import (
	"testing"
	"time"

	"github.com/bookwell/bookwell/services/reputation/internal/domain"
)

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
