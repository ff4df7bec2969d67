package postgres_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/bookwell/bookwell/pkg/pgdb"
	"github.com/bookwell/bookwell/pkg/pgtest"
	"github.com/bookwell/bookwell/services/reputation/internal/app"
	"github.com/bookwell/bookwell/services/reputation/internal/domain"
	"github.com/bookwell/bookwell/services/reputation/internal/postgres"
)

// The contract of app.Store and app.Tx, checked against real Postgres: what
// the projections and the queries rely on the store for.

var t0 = time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)

func newStore(t *testing.T) (app.Store, *pgxpool.Pool) {
	t.Helper()
	pool, err := pgdb.Open(context.Background(), pgtest.New(t), postgres.Schema, postgres.Migrations()...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	return postgres.NewStore(pool), pool
}

func inTx(t *testing.T, s app.Store, fn func(tx app.Tx) error) {
	t.Helper()
	if err := s.InTx(context.Background(), fn); err != nil {
		t.Fatal(err)
	}
}

func fact(version int64, status domain.Status, start time.Time) domain.BookingFact {
	return domain.BookingFact{EventID: uuid.NewString(), OccurredAt: t0.Add(time.Duration(version) * time.Hour),
		BookingID: "b1", MentorID: "mo", MenteeID: "ann", Version: version, Status: status, StartTime: start,
		Currency: "EUR", PriceMinor: 5000}
}

// A booking's row is its newest version; a stale one can only mark it
// approved; an agreed reschedule is counted once, from the start it left.
func TestABookingIsProjectedFromItsNewestFact(t *testing.T) {
	s, _ := newStore(t)
	ctx := context.Background()
	start := t0.Add(10 * 24 * time.Hour)
	apply := func(f domain.BookingFact) (applied bool) {
		inTx(t, s, func(tx app.Tx) (err error) { applied, err = tx.ApplyBooking(ctx, f); return err })
		return applied
	}
	if !apply(fact(1, domain.StatusPending, start)) {
		t.Fatal("the first fact was not applied")
	}
	cancelled := fact(3, domain.StatusCancelled, start)
	cancelled.EndedBy = domain.RoleMentor
	if !apply(cancelled) {
		t.Fatal("a newer fact was not applied")
	}
	if apply(fact(2, domain.StatusConfirmed, start)) {
		t.Fatal("a stale fact replaced a newer one")
	}
	f, err := s.Figures(ctx, "mo", t0, domain.DefaultPolicy())
	if err != nil {
		t.Fatal(err)
	}
	if f.MentorCancellations != 1 || f.Approved != 1 {
		t.Fatalf("figures %+v; want one mentor cancellation, and approved by the stale fact", f)
	}

	// Moved by the mentor two days before the session: a late reschedule,
	// counted once however often the fact is heard.
	moved := fact(4, domain.StatusConfirmed, start.Add(time.Hour))
	moved.Rescheduled, moved.ActorRole, moved.OccurredAt = true, domain.RoleMentee, start.Add(-48*time.Hour)
	moved.ProposedBy = domain.RoleMentor
	apply(moved)
	apply(moved)
	if f, _ := s.Figures(ctx, "mo", start.Add(-time.Hour), domain.DefaultPolicy()); f.LateReschedules != 1 {
		t.Fatalf("late reschedules %d, want 1", f.LateReschedules)
	}
}

// A mentor's row changes under its lock, with its standing change and the
// change's event, or not at all.
func TestAMentorChangesWithItsStandingHistory(t *testing.T) {
	s, pool := newStore(t)
	ctx := context.Background()
	if m, err := s.Mentor(ctx, "mo"); err != nil || m.Standing != domain.StandingActive {
		t.Fatalf("never seen: %+v, %v; want ACTIVE", m, err)
	}
	refused := errors.New("refused")
	if err := s.InTx(ctx, func(tx app.Tx) error {
		return tx.UpdateMentor(ctx, "mo", t0, func(m *domain.Mentor) error {
			m.Standing = domain.StandingSuspended
			return refused
		})
	}); !errors.Is(err, refused) {
		t.Fatalf("update: %v, want the change's error", err)
	}
	if m, _ := s.Mentor(ctx, "mo"); m.Standing != domain.StandingActive {
		t.Fatalf("a refused change was stored: %s", m.Standing)
	}

	c := domain.StandingChange{MentorID: "mo", Previous: domain.StandingActive, Actual: domain.StandingFlagged,
		Reason: "3 cancellations", BookingID: "b1", EventID: uuid.New(), At: t0}
	inTx(t, s, func(tx app.Tx) error {
		return tx.UpdateMentor(ctx, "mo", t0, func(m *domain.Mentor) error {
			m.Standing, m.StandingReason, m.RankingScore = c.Actual, c.Reason, 42
			m.Badges = []domain.Badge{domain.BadgeFastResponder}
			return tx.AddStandingChange(ctx, c)
		})
	})
	m, err := s.Mentor(ctx, "mo")
	if err != nil || m.Standing != domain.StandingFlagged || m.RankingScore != 42 || len(m.Badges) != 1 {
		t.Fatalf("mentor %+v, %v", m, err)
	}
	h, err := s.StandingHistory(ctx, "mo", 10)
	if err != nil || len(h) != 1 || h[0].EventID != c.EventID || h[0].Actual != domain.StandingFlagged {
		t.Fatalf("history %+v, %v", h, err)
	}
	var subject string
	if err := pool.QueryRow(ctx, `SELECT subject FROM outbox WHERE id = $1`, c.EventID).Scan(&subject); err != nil || subject != "mentor.standing_changed" {
		t.Fatalf("the change's event: %q, %v", subject, err)
	}
	if found, err := s.Search(ctx, 10, 0); err != nil || len(found) != 1 || found[0].ID != "mo" {
		t.Fatalf("search %+v, %v; a flagged mentor is still bookable", found, err)
	}
}

// A payment's totals only grow; the mentee's spend is what they paid net of
// refunds, whatever order the facts arrive in.
func TestAPaymentsTotalsKeepTheLargestHeard(t *testing.T) {
	s, _ := newStore(t)
	ctx := context.Background()
	pay := func(paid, refunded int64) {
		inTx(t, s, func(tx app.Tx) error {
			return tx.ApplyPayment(ctx, domain.PaymentFact{BookingID: "b1", MenteeID: "ann", Currency: "EUR", PaidMinor: paid, RefundedMinor: refunded, At: t0})
		})
	}
	pay(5000, 1000) // refunded, heard first
	pay(5000, 0)    // captured, heard late
	h, err := s.MenteeHistory(ctx, "ann")
	if err != nil || len(h.Spend) != 1 || h.Spend[0].AmountMinor != 4000 {
		t.Fatalf("history %+v, %v; want EUR 40.00 spent", h, err)
	}
}

// A booking has one review; a reset of the projections keeps it.
func TestAReviewIsKeptOnceAndSurvivesAReset(t *testing.T) {
	s, _ := newStore(t)
	ctx := context.Background()
	inTx(t, s, func(tx app.Tx) error {
		if _, err := tx.BookingForReview(ctx, "b1"); !errors.Is(err, domain.ErrBookingNotFound) {
			t.Errorf("a booking never heard of: %v, want BOOKING_NOT_FOUND", err)
		}
		_, err := tx.ApplyBooking(ctx, fact(1, domain.StatusCompleted, t0))
		return err
	})
	r := domain.Review{BookingID: "b1", MentorID: "mo", MenteeID: "ann", Rating: 5, Text: "great", CreatedAt: t0}
	for i, want := range []bool{true, false} {
		inTx(t, s, func(tx app.Tx) error {
			target, err := tx.BookingForReview(ctx, "b1")
			if err != nil || target.Status != domain.StatusCompleted || target.MenteeID != "ann" {
				t.Errorf("review target %+v, %v", target, err)
			}
			other := r
			other.Rating = 1
			saved, inserted, err := tx.InsertReview(ctx, map[bool]domain.Review{true: r, false: other}[want])
			if err == nil && (inserted != want || saved.Rating != 5) {
				t.Errorf("review %d: %+v inserted=%v; want the first review kept", i+1, saved, inserted)
			}
			return err
		})
	}
	if err := s.ResetProjections(ctx, "reputation-bookings"); err != nil {
		t.Fatal(err)
	}
	if rs, err := s.RecentReviews(ctx, "mo", 10); err != nil || len(rs) != 1 {
		t.Fatalf("reviews after a reset: %+v, %v", rs, err)
	}
	if f, _ := s.Figures(ctx, "mo", t0, domain.DefaultPolicy()); f.Completed != 0 || f.Reviews != 1 {
		t.Fatalf("figures after a reset %+v; want the bookings gone, the review kept", f)
	}
}
