package app

import (
	"context"
	"encoding/base64"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/bookwell/bookwell/pkg/apperr"
	"github.com/bookwell/bookwell/services/payments/internal/domain"
)

// Page sizes of ListMentorPayouts.
const (
	DefaultPayoutPage = 50
	MaxPayoutPage     = 200
)

// MentorPayouts returns one page of a mentor's payouts, newest first, and
// the token of the next page ("" on the last). The token is opaque to
// callers: the due time and ledger transaction of the page's last payout.
func (s *Service) MentorPayouts(ctx context.Context, mentorID string, pageSize int, pageToken string) ([]domain.Payout, string, error) {
	if err := mayReadEarnings(ctx, mentorID); err != nil {
		return nil, "", err
	}
	var v apperr.Violations
	domain.CheckID(&v, "mentor_id", mentorID)
	switch {
	case pageSize < 0 || pageSize > MaxPayoutPage:
		v.Add("page_size", "must be 0 to 200")
	case pageSize == 0:
		pageSize = DefaultPayoutPage
	}
	after, ok := decodePayoutToken(pageToken)
	if !ok {
		v.Add("page_token", "is not a token this service gave out")
	}
	if err := v.Err(); err != nil {
		return nil, "", err
	}
	ps, err := s.Store.MentorPayouts(ctx, mentorID, after, pageSize+1)
	if err != nil {
		return nil, "", err
	}
	if len(ps) <= pageSize {
		return ps, "", nil
	}
	ps = ps[:pageSize]
	last := ps[len(ps)-1]
	return ps, encodePayoutToken(domain.PayoutCursor{DueAt: last.DueAt, TxID: last.TxID}), nil
}

func encodePayoutToken(c domain.PayoutCursor) string {
	return base64.RawURLEncoding.EncodeToString([]byte(c.DueAt.UTC().Format(time.RFC3339Nano) + "|" + c.TxID))
}

// decodePayoutToken reads a page token; nil for the first page.
func decodePayoutToken(tok string) (*domain.PayoutCursor, bool) {
	if tok == "" {
		return nil, true
	}
	raw, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil {
		return nil, false
	}
	at, id, ok := strings.Cut(string(raw), "|")
	if !ok {
		return nil, false
	}
	t, err := time.Parse(time.RFC3339Nano, at)
	if err != nil {
		return nil, false
	}
	if _, err := uuid.Parse(id); err != nil {
		return nil, false
	}
	return &domain.PayoutCursor{DueAt: t, TxID: id}, true
}
