package app

import (
	"context"
	"strings"
	"time"

	"github.com/bookwell/bookwell/services/reputation/internal/domain"
)

// CreateReview records a mentee's review of a completed booking, taking the
// booking's status and mentee from the projection of booking events, and
// updates the mentor's ranking score in the same transaction. A retry with
// the same rating and text returns the recorded review; anything else on a
// reviewed booking is ALREADY_REVIEWED. The review is by the caller, a
// mentee; an admin names the mentee in r.MenteeID.
func (s *Service) CreateReview(ctx context.Context, r domain.Review) (domain.Review, error) {
	var err error
	if r.MenteeID, err = reviewer(ctx, r.MenteeID); err != nil {
		return domain.Review{}, err
	}
	r.Text = strings.TrimSpace(r.Text)
	if err := domain.ValidateReview(r); err != nil {
		return domain.Review{}, err
	}
	r.CreatedAt = s.now().UTC().Truncate(time.Microsecond)
	var out domain.Review
	err = s.Store.InTx(ctx, func(tx Tx) error {
		t, err := tx.BookingForReview(ctx, r.BookingID)
		if err != nil {
			return err
		}
		if err := domain.CanReview(r.MenteeID, t.MenteeID, t.Status); err != nil {
			return err
		}
		r.MentorID = t.MentorID
		return tx.UpdateMentor(ctx, t.MentorID, r.CreatedAt, func(m *domain.Mentor) error {
			saved, inserted, err := tx.InsertReview(ctx, r)
			if err != nil {
				return err
			}
			out = saved
			if !inserted {
				if saved.MenteeID == r.MenteeID && saved.Rating == r.Rating && saved.Text == r.Text {
					return nil // a retry
				}
				return domain.ErrAlreadyReviewed
			}
			p, err := s.policy(ctx, tx)
			if err != nil {
				return err
			}
			f, err := tx.Figures(ctx, t.MentorID, r.CreatedAt, p)
			if err != nil {
				return err
			}
			m.RankingScore = p.RankingScore(m.Standing, f)
			m.Badges = p.Badges(f)
			return nil
		})
	})
	if err != nil {
		return domain.Review{}, hideOthersBookings(ctx, err)
	}
	return out, nil
}
