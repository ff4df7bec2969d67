// Package app holds reputation's use cases: projecting booking and payment
// facts into mentor figures, standing, badges and ranking (announcing each
// standing change), the mentee's history, reviews, and the queries behind
// the API. Each use case a caller reaches checks who is asking first
// (authz.go).
package app

import (
	"context"
	"log/slog"
	"time"

	"github.com/bookwell/bookwell/services/reputation/internal/domain"
)

// Service is reputation's use cases.
type Service struct {
	Store Store
	// Policy is the environment's policy; its standing rules give way to
	// those of the newest marketplace policy booking announced (policy).
	Policy domain.Policy
	Log    *slog.Logger
	// Now is the clock; time.Now if nil.
	Now func() time.Time
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// Store is the storage the use cases need.
type Store interface {
	// InTx runs fn in a transaction, committed if fn returns nil.
	InTx(ctx context.Context, fn func(Tx) error) error
	// Mentor is a mentor's row; a mentor never seen is ACTIVE with nothing
	// else.
	Mentor(ctx context.Context, mentorID string) (domain.Mentor, error)
	// Figures computes a mentor's figures, counting late changes in the
	// window of p that ends at now.
	Figures(ctx context.Context, mentorID string, now time.Time, p domain.Policy) (domain.MentorFigures, error)
	// StandingRules are the standing rules of the newest marketplace policy
	// booking announced; false when it announced none.
	StandingRules(ctx context.Context) (domain.StandingRules, bool, error)
	// StandingHistory lists a mentor's last standing changes, newest first.
	StandingHistory(ctx context.Context, mentorID string, limit int) ([]domain.StandingChange, error)
	// RecentReviews lists a mentor's latest reviews, newest first.
	RecentReviews(ctx context.Context, mentorID string, limit int) ([]domain.Review, error)
	MenteeHistory(ctx context.Context, menteeID string) (domain.MenteeHistory, error)
	// Search lists bookable mentors by ranking score, best first.
	Search(ctx context.Context, limit, offset int) ([]MentorSummary, error)
	// ResetProjections empties everything built from events (not the
	// reviews, which mentees wrote) and forgets which events the consumers
	// durables handled, in one transaction.
	ResetProjections(ctx context.Context, durables ...string) error
}

// Tx is what the use cases do inside one transaction: their own, or an
// event consumer's (which also records the event as handled).
type Tx interface {
	// ApplyBooking records f in the bookings projection unless a newer
	// version of the booking is recorded (it can still mark the booking
	// approved); an agreed reschedule is recorded once per version. It
	// reports whether the booking's row became f.
	ApplyBooking(ctx context.Context, f domain.BookingFact) (bool, error)
	// ApplyPayment merges f into the payments projection: each total keeps
	// the larger of the stored and the new value.
	ApplyPayment(ctx context.Context, f domain.PaymentFact) error
	// UpdateMentor locks the mentor's row (created ACTIVE if new) until the
	// transaction ends, lets change modify it and stores it as of at.
	UpdateMentor(ctx context.Context, mentorID string, at time.Time, change func(*domain.Mentor) error) error
	// Figures is Store.Figures inside the transaction.
	Figures(ctx context.Context, mentorID string, now time.Time, p domain.Policy) (domain.MentorFigures, error)
	// StandingRules is Store.StandingRules inside the transaction.
	StandingRules(ctx context.Context) (domain.StandingRules, bool, error)
	// SetStandingRules records the standing rules of a marketplace policy
	// version announced at at, unless the version recorded is as new or
	// newer; it reports whether they were recorded.
	SetStandingRules(ctx context.Context, r domain.StandingRules, at time.Time) (bool, error)
	// AddStandingChange appends c to the standing history and records its
	// mentor.standing_changed event in the outbox.
	AddStandingChange(ctx context.Context, c domain.StandingChange) error
	// BookingForReview is the projected booking a review is about, or
	// domain.ErrBookingNotFound.
	BookingForReview(ctx context.Context, bookingID string) (ReviewTarget, error)
	// RecordLift keeps l in the audit of lifts; figures computed afterwards
	// count from l.At on.
	RecordLift(ctx context.Context, l domain.Lift) error
	// InsertReview records r; if the booking has a review already, it
	// returns that one and false.
	InsertReview(ctx context.Context, r domain.Review) (domain.Review, bool, error)
}

// ReviewTarget is what a review needs to know about its booking.
type ReviewTarget struct {
	MentorID, MenteeID string
	Status             domain.Status
}

// MentorSummary is one mentor of search, with their ratings.
type MentorSummary struct {
	domain.Mentor
	RatingSum, Reviews int64
}

// MentorReputation is everything known about a mentor.
type MentorReputation struct {
	Mentor  domain.Mentor
	Figures domain.MentorFigures
	History []domain.StandingChange
	Reviews []domain.Review
	Policy  domain.Policy
}

// rulesReader reads the recorded standing rules: a Store or a Tx.
type rulesReader interface {
	StandingRules(ctx context.Context) (domain.StandingRules, bool, error)
}

// policy is the policy in force: the environment's, with the standing rules
// of the newest marketplace policy booking announced, if it announced one.
func (s *Service) policy(ctx context.Context, q rulesReader) (domain.Policy, error) {
	r, ok, err := q.StandingRules(ctx)
	if err != nil || !ok {
		return s.Policy, err
	}
	return s.Policy.With(r), nil
}

// RecordMarketplacePolicy records the standing rules of a marketplace policy
// version booking announced at at, in tx (the booking consumer's, so they
// apply from the next event of the stream on). Only a version newer than
// the one recorded changes anything: a duplicate, or an older version
// delivered late, is ignored. Standings are evaluated again under the new
// rules at each mentor's next event, not at once.
func (s *Service) RecordMarketplacePolicy(ctx context.Context, tx Tx, r domain.StandingRules, at time.Time) error {
	applied, err := tx.SetStandingRules(ctx, r, at)
	if err == nil && s.Log != nil {
		s.Log.InfoContext(ctx, "marketplace policy", "version", r.Version, "applied", applied)
	}
	return err
}
