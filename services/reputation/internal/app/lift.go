package app

import (
	"context"
	"strings"

	"github.com/bookwell/bookwell/pkg/apperr"
	"github.com/bookwell/bookwell/services/reputation/internal/domain"
)

// LiftStanding lifts the suspension or deactivation of mentorID, for reason,
// as the calling admin: in one transaction the lift goes to the audit, the
// mentor is ACTIVE again with figures counted from the lift on (badges and
// ranking score with them), and the change goes to the standing history and
// is announced (mentor.standing_changed), so scheduling takes bookings for
// the mentor again.
func (s *Service) LiftStanding(ctx context.Context, mentorID, reason string) (domain.StandingChange, string, error) {
	operator, err := mayOperate(ctx)
	if err != nil {
		return domain.StandingChange{}, "", err
	}
	var v apperr.Violations
	if mentorID == "" {
		v.Add("mentor_id", "required")
	}
	reason = strings.TrimSpace(reason)
	if reason == "" {
		v.Add("reason", "required: say why the sanction is lifted")
	}
	if len(reason) > 1000 {
		v.Add("reason", "at most 1000 characters")
	}
	if err := v.Err(); err != nil {
		return domain.StandingChange{}, "", err
	}
	var change domain.StandingChange
	err = s.Store.InTx(ctx, func(tx Tx) error {
		now := s.now()
		return tx.UpdateMentor(ctx, mentorID, now, func(m *domain.Mentor) error {
			lift, c, err := m.Lift(operator, reason, now)
			if err != nil {
				return err
			}
			if err := tx.RecordLift(ctx, lift); err != nil {
				return err
			}
			if err := tx.AddStandingChange(ctx, c); err != nil {
				return err
			}
			p, err := s.policy(ctx, tx)
			if err != nil {
				return err
			}
			figures, err := tx.Figures(ctx, mentorID, now, p)
			if err != nil {
				return err
			}
			m.Badges = p.Badges(figures)
			m.RankingScore = p.RankingScore(m.Standing, figures)
			change = c
			return nil
		})
	})
	if err != nil {
		return domain.StandingChange{}, "", err
	}
	s.Log.InfoContext(ctx, "mentor standing lifted", "mentor", mentorID, "from", change.Previous, "operator", operator, "reason", reason)
	return change, operator, nil
}
