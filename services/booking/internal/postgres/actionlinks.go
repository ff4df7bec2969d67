package postgres

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/bookwell/bookwell/pkg/actionlink"
	"github.com/bookwell/bookwell/services/booking/internal/app"
)

var _ app.UsedLinks = (*Store)(nil)

// LinkUsed implements app.UsedLinks.
func (s *Store) LinkUsed(ctx context.Context, id string) (time.Time, bool, error) {
	var at time.Time
	err := s.pool.QueryRow(ctx, `SELECT used_at FROM action_links_used WHERE link_id = $1`, id).Scan(&at)
	if errors.Is(err, pgx.ErrNoRows) {
		return time.Time{}, false, nil
	}
	return at, err == nil, err
}

// UseLink implements app.UsedLinks: the first record of a link wins.
func (s *Store) UseLink(ctx context.Context, l actionlink.Link, at time.Time) (bool, error) {
	tag, err := s.pool.Exec(ctx, `INSERT INTO action_links_used (link_id, booking_id, user_id, action, used_at, expires_at)
		VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (link_id) DO NOTHING`,
		l.ID, l.BookingID, l.UserID, string(l.Action), at.UTC(), l.ExpiresAt.UTC())
	if err != nil {
		return false, err
	}
	return tag.RowsAffected() == 1, nil
}

// ForgetExpiredLinks deletes the records of links expired for a day before
// now: their expiry refuses them without a record.
func (s *Store) ForgetExpiredLinks(ctx context.Context, now time.Time) (int64, error) {
	tag, err := s.pool.Exec(ctx, `DELETE FROM action_links_used WHERE expires_at < $1`, now.Add(-24*time.Hour))
	return tag.RowsAffected(), err
}
