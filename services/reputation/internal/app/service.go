package app

import (
	"context"
	"encoding/base64"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/bookwell/bookwell/pkg/apperr"
	"github.com/bookwell/bookwell/services/reputation/internal/domain"
	"github.com/bookwell/bookwell/services/reputation/internal/postgres"
)

// historyLimit bounds the standing changes and reviews a reputation shows.
const historyLimit = 20

// Service answers the API's questions and takes reviews.
type Service struct {
	store  *postgres.Store
	policy domain.Policy
	now    func() time.Time
}

// New returns the service.
func New(store *postgres.Store, policy domain.Policy, now func() time.Time) *Service {
	return &Service{store: store, policy: policy, now: now}
}

// MentorReputation is everything known about a mentor.
type MentorReputation struct {
	Mentor  postgres.Mentor
	Figures domain.MentorFigures
	History []postgres.StandingChange
	Reviews []domain.Review
	Policy  domain.Policy
}

func required(field, value string) error {
	var v apperr.Violations
	if strings.TrimSpace(value) == "" {
		v.Add(field, "is required")
	}
	return v.Err()
}

// MentorReputation returns a mentor's figures (late changes counted in the
// window ending now), standing, badges, score, standing history and reviews.
func (s *Service) MentorReputation(ctx context.Context, mentorID string) (MentorReputation, error) {
	if err := required("mentor_id", mentorID); err != nil {
		return MentorReputation{}, err
	}
	m, err := s.store.GetMentor(ctx, mentorID)
	if err != nil {
		return MentorReputation{}, err
	}
	f, err := s.store.MentorFigures(ctx, s.store.Pool(), mentorID, s.now(), s.policy)
	if err != nil {
		return MentorReputation{}, err
	}
	h, err := s.store.StandingHistory(ctx, mentorID, historyLimit)
	if err != nil {
		return MentorReputation{}, err
	}
	r, err := s.store.RecentReviews(ctx, mentorID, historyLimit)
	if err != nil {
		return MentorReputation{}, err
	}
	m.Badges = s.policy.Badges(f)
	return MentorReputation{Mentor: m, Figures: f, History: h, Reviews: r, Policy: s.policy}, nil
}

// MenteeHistory returns what a mentor sees about a mentee.
func (s *Service) MenteeHistory(ctx context.Context, menteeID string) (domain.MenteeHistory, error) {
	if err := required("mentee_id", menteeID); err != nil {
		return domain.MenteeHistory{}, err
	}
	return s.store.MenteeHistory(ctx, menteeID)
}

// CreateReview records a mentee's review of a completed booking, taking the
// booking's status and mentee from the projection of booking events, and
// updates the mentor's ranking score in the same transaction. A retry with
// the same rating and text returns the recorded review; anything else on a
// reviewed booking is ALREADY_REVIEWED.
func (s *Service) CreateReview(ctx context.Context, r domain.Review) (domain.Review, error) {
	r.Text = strings.TrimSpace(r.Text)
	if err := domain.ValidateReview(r); err != nil {
		return domain.Review{}, err
	}
	r.CreatedAt = s.now().UTC().Truncate(time.Microsecond)
	var out domain.Review
	err := pgx.BeginFunc(ctx, s.store.Pool(), func(tx pgx.Tx) error {
		t, err := s.store.BookingForReview(ctx, tx, r.BookingID)
		if err != nil {
			return err
		}
		if err := domain.CanReview(r.MenteeID, t.MenteeID, t.Status); err != nil {
			return err
		}
		r.MentorID = t.MentorID
		m, err := s.store.LockMentor(ctx, tx, t.MentorID)
		if err != nil {
			return err
		}
		saved, inserted, err := s.store.InsertReview(ctx, tx, r)
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
		f, err := s.store.MentorFigures(ctx, tx, t.MentorID, r.CreatedAt, s.policy)
		if err != nil {
			return err
		}
		m.RankingScore = s.policy.RankingScore(m.Standing, f)
		m.Badges = s.policy.Badges(f)
		return s.store.SaveMentor(ctx, tx, m, r.CreatedAt)
	})
	if err != nil {
		return domain.Review{}, err
	}
	return out, nil
}

// ErrBadPageToken is a page token this service did not issue.
var ErrBadPageToken = apperr.New(apperr.KindInvalid, "BAD_PAGE_TOKEN", "page_token is not one this service issued")

// SearchPage is one page of mentor search.
type SearchPage struct {
	Mentors   []postgres.SearchResult
	NextToken string
}

// SearchMentors lists bookable mentors, best ranking score first.
func (s *Service) SearchMentors(ctx context.Context, pageSize int, pageToken string) (SearchPage, error) {
	var v apperr.Violations
	if pageSize < 0 {
		v.Add("page_size", "must not be negative")
	}
	if err := v.Err(); err != nil {
		return SearchPage{}, err
	}
	if pageSize == 0 {
		pageSize = 20
	}
	pageSize = min(pageSize, 100)
	offset := 0
	if pageToken != "" {
		raw, err := base64.RawURLEncoding.DecodeString(pageToken)
		n, convErr := strconv.Atoi(strings.TrimPrefix(string(raw), "offset:"))
		if err != nil || convErr != nil || !strings.HasPrefix(string(raw), "offset:") || n < 0 {
			return SearchPage{}, ErrBadPageToken
		}
		offset = n
	}
	rows, err := s.store.Search(ctx, pageSize+1, offset)
	if err != nil {
		return SearchPage{}, err
	}
	page := SearchPage{Mentors: rows}
	if len(rows) > pageSize {
		page.Mentors = rows[:pageSize]
		page.NextToken = base64.RawURLEncoding.EncodeToString([]byte("offset:" + strconv.Itoa(offset+pageSize)))
	}
	return page, nil
}
