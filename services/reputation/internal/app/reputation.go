package app

import (
	"context"
	"encoding/base64"
	"strconv"
	"strings"

	"github.com/bookwell/bookwell/pkg/apperr"
	"github.com/bookwell/bookwell/services/reputation/internal/domain"
)

// historyLimit bounds the standing changes and reviews a reputation shows.
const historyLimit = 20

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
	if err := signedIn(ctx); err != nil {
		return MentorReputation{}, err
	}
	if err := required("mentor_id", mentorID); err != nil {
		return MentorReputation{}, err
	}
	m, err := s.Store.Mentor(ctx, mentorID)
	if err != nil {
		return MentorReputation{}, err
	}
	p, err := s.policy(ctx, s.Store)
	if err != nil {
		return MentorReputation{}, err
	}
	f, err := s.Store.Figures(ctx, mentorID, s.now(), p)
	if err != nil {
		return MentorReputation{}, err
	}
	h, err := s.Store.StandingHistory(ctx, mentorID, historyLimit)
	if err != nil {
		return MentorReputation{}, err
	}
	r, err := s.Store.RecentReviews(ctx, mentorID, historyLimit)
	if err != nil {
		return MentorReputation{}, err
	}
	m.Badges = p.Badges(f)
	return MentorReputation{Mentor: m, Figures: f, History: h, Reviews: r, Policy: p}, nil
}

// MenteeHistory returns what a mentor sees about a mentee.
func (s *Service) MenteeHistory(ctx context.Context, menteeID string) (domain.MenteeHistory, error) {
	if err := mayReadHistory(ctx, menteeID); err != nil {
		return domain.MenteeHistory{}, err
	}
	if err := required("mentee_id", menteeID); err != nil {
		return domain.MenteeHistory{}, err
	}
	return s.Store.MenteeHistory(ctx, menteeID)
}

// ErrBadPageToken is a page token this service did not issue.
var ErrBadPageToken = apperr.New(apperr.KindInvalid, "BAD_PAGE_TOKEN", "page_token is not one this service issued")

// SearchPage is one page of mentor search.
type SearchPage struct {
	Mentors   []MentorSummary
	NextToken string
}

// SearchMentors lists bookable mentors, best ranking score first.
func (s *Service) SearchMentors(ctx context.Context, pageSize int, pageToken string) (SearchPage, error) {
	if err := signedIn(ctx); err != nil {
		return SearchPage{}, err
	}
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
	rows, err := s.Store.Search(ctx, pageSize+1, offset)
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
