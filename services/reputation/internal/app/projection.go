package app

import (
	"context"

	"github.com/google/uuid"

	"github.com/bookwell/bookwell/services/reputation/internal/domain"
)

// standingNamespace makes standing-change event ids: one per mentor and
// causing event, so a retry or a rebuild never announces a change twice.
var standingNamespace = uuid.MustParse("6f0c4f0e-9d0b-4c55-9a53-2f1f4b9a7c11")

// ProjectBooking applies one booking fact in tx (the consumer's): it
// updates the booking's row (a stale snapshot changes nothing), then
// re-evaluates the mentor's standing, badges and score under the mentor's
// row lock. A standing change goes to the standing history and is announced
// in the same transaction.
func (s *Service) ProjectBooking(ctx context.Context, tx Tx, f domain.BookingFact) error {
	if _, err := tx.ApplyBooking(ctx, f); err != nil {
		return err
	}
	p, err := s.policy(ctx, tx)
	if err != nil {
		return err
	}
	return tx.UpdateMentor(ctx, f.MentorID, f.OccurredAt, func(m *domain.Mentor) error {
		figures, err := tx.Figures(ctx, f.MentorID, f.OccurredAt, p)
		if err != nil {
			return err
		}
		verdict := p.Evaluate(m.Standing, figures)
		if verdict.Standing != m.Standing {
			c := domain.StandingChange{
				MentorID: m.ID, Previous: m.Standing, Actual: verdict.Standing, Reason: verdict.Reason,
				BookingID: f.BookingID, EventID: uuid.NewSHA1(standingNamespace, []byte(m.ID+"/"+f.EventID)), At: f.OccurredAt,
			}
			if err := tx.AddStandingChange(ctx, c); err != nil {
				return err
			}
			s.Log.InfoContext(ctx, "mentor standing changed", "mentor", m.ID, "from", m.Standing, "to", verdict.Standing, "reason", verdict.Reason)
			m.Standing, m.StandingReason = verdict.Standing, verdict.Reason
		}
		m.Badges = p.Badges(figures)
		m.RankingScore = p.RankingScore(m.Standing, figures)
		return nil
	})
}

// ProjectPayment records what the mentee paid or got back for a booking,
// in tx (the consumer's): mentee history's total spend reads it.
func (s *Service) ProjectPayment(ctx context.Context, tx Tx, f domain.PaymentFact) error {
	return tx.ApplyPayment(ctx, f)
}

// ResetProjections empties the projections and forgets the events the
// consumers durables handled, so they can be built again from the streams.
// Reviews stay.
func (s *Service) ResetProjections(ctx context.Context, durables ...string) error {
	return s.Store.ResetProjections(ctx, durables...)
}
