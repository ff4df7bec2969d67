package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	bookingv1 "github.com/bookwell/bookwell/gen/go/bookwell/booking/v1"
	"github.com/bookwell/bookwell/pkg/events"
	"github.com/bookwell/bookwell/pkg/outbox"
	"github.com/bookwell/bookwell/services/booking/internal/app"
	"github.com/bookwell/bookwell/services/booking/internal/domain"
	"github.com/bookwell/bookwell/services/booking/internal/protoconv"
)

// marketplaceRow is a version of the marketplace policy
// (marketplace_policy_versions.policy).
type marketplaceRow struct {
	Booking           policyRow     `json:"Booking"`
	LateChangeLimit   int           `json:"LateChangeLimit"`
	LateChangePeriod  time.Duration `json:"LateChangePeriod"`
	FlagStreak        int           `json:"FlagStreak"`
	DeactivateStreak  int           `json:"DeactivateStreak"`
	IntroLength       time.Duration `json:"IntroLength"`
	IntroMinNotice    time.Duration `json:"IntroMinNotice"`
	IntroHorizon      time.Duration `json:"IntroHorizon"`
	IntroMonthlyQuota int           `json:"IntroMonthlyQuota"`
	IntroOnePerMentor bool          `json:"IntroOnePerMentor"`
}

// changeRow is one field of an audited change.
type changeRow struct {
	Field string `json:"field"`
	Old   string `json:"old"`
	New   string `json:"new"`
}

// MarketplacePolicy returns the version in force, or false when nobody
// changed the defaults yet.
func (s *Store) MarketplacePolicy(ctx context.Context) (domain.MarketplacePolicy, bool, error) {
	var (
		m   domain.MarketplacePolicy
		raw []byte
	)
	err := s.pool.QueryRow(ctx, `SELECT version, policy, updated_by, updated_at FROM marketplace_policy_versions
		ORDER BY version DESC LIMIT 1`).Scan(&m.Version, &raw, &m.UpdatedBy, &m.UpdatedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return m, false, nil
	}
	if err != nil {
		return m, false, fmt.Errorf("marketplace policy: %w", err)
	}
	var r marketplaceRow
	if err := json.Unmarshal(raw, &r); err != nil {
		return m, false, fmt.Errorf("marketplace policy %d: %w", m.Version, err)
	}
	m.Booking = fromPolicyRow(r.Booking)
	m.Booking.Version = m.Version
	m.LateChangeLimit, m.LateChangePeriod = r.LateChangeLimit, r.LateChangePeriod
	m.FlagStreak, m.DeactivateStreak = r.FlagStreak, r.DeactivateStreak
	m.IntroLength, m.IntroMinNotice, m.IntroHorizon = r.IntroLength, r.IntroMinNotice, r.IntroHorizon
	m.IntroMonthlyQuota, m.IntroOnePerMentor = r.IntroMonthlyQuota, r.IntroOnePerMentor
	m.UpdatedAt = m.UpdatedAt.UTC()
	return m, true, nil
}

// policyEventNamespace makes the ids of booking.marketplace_policy_changed
// from the version.
var policyEventNamespace = uuid.MustParse("0e6f3c1a-7d2b-4b8e-9a51-3c2f4d6e8b70")

// SaveMarketplacePolicy writes version m, its audit record and the event
// announcing it, in one transaction. A version already written (another
// update got in first) is refused with domain.ErrPolicyVersionMismatch.
func (s *Store) SaveMarketplacePolicy(ctx context.Context, m domain.MarketplacePolicy, changes []domain.FieldChange) error {
	ev, err := events.Wrap(uuid.NewSHA1(policyEventNamespace, []byte(strconv.FormatInt(m.Version, 10))),
		bookingv1.EventType_EVENT_TYPE_MARKETPLACE_POLICY_CHANGED, m.UpdatedAt,
		&bookingv1.MarketplacePolicyChanged{Policy: protoconv.MarketplacePolicyToProto(m)})
	if err != nil {
		return err
	}
	raw, err := json.Marshal(marketplaceRow{
		Booking: toPolicyRow(m.Booking), LateChangeLimit: m.LateChangeLimit, LateChangePeriod: m.LateChangePeriod,
		FlagStreak: m.FlagStreak, DeactivateStreak: m.DeactivateStreak, IntroLength: m.IntroLength,
		IntroMinNotice: m.IntroMinNotice, IntroHorizon: m.IntroHorizon, IntroMonthlyQuota: m.IntroMonthlyQuota,
		IntroOnePerMentor: m.IntroOnePerMentor,
	})
	if err != nil {
		return err
	}
	rows := make([]changeRow, len(changes))
	for i, c := range changes {
		rows[i] = changeRow{Field: c.Field, Old: c.Old, New: c.New}
	}
	audit, err := json.Marshal(rows)
	if err != nil {
		return err
	}
	err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		// The previous version must be the newest: a gap means the caller
		// read an older one.
		var newest int64
		if err := tx.QueryRow(ctx, `SELECT coalesce(max(version), 0) FROM marketplace_policy_versions`).Scan(&newest); err != nil {
			return err
		}
		if newest != m.Version-1 {
			return domain.ErrPolicyVersionMismatch
		}
		if _, err := tx.Exec(ctx, `INSERT INTO marketplace_policy_versions (version, policy, updated_by, updated_at)
			VALUES ($1, $2, $3, $4)`, m.Version, raw, m.UpdatedBy, m.UpdatedAt); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO marketplace_policy_audit (version, actor_id, changed_at, changes)
			VALUES ($1, $2, $3, $4)`, m.Version, m.UpdatedBy, m.UpdatedAt, audit); err != nil {
			return err
		}
		return outbox.Add(ctx, tx, ev)
	})
	var pg *pgconn.PgError
	if errors.As(err, &pg) && pg.Code == "23505" {
		return domain.ErrPolicyVersionMismatch
	}
	return err
}

// MarketplacePolicyChanges returns up to limit audited changes older than
// version before (0: from the newest), newest first.
func (s *Store) MarketplacePolicyChanges(ctx context.Context, before int64, limit int) ([]app.PolicyChange, error) {
	q := `SELECT version, actor_id, changed_at, changes FROM marketplace_policy_audit
		WHERE $1 = 0 OR version < $1 ORDER BY version DESC LIMIT $2`
	rows, err := s.pool.Query(ctx, q, before, limit)
	if err != nil {
		return nil, fmt.Errorf("policy changes: %w", err)
	}
	defer rows.Close()
	var out []app.PolicyChange
	for rows.Next() {
		var (
			c   app.PolicyChange
			raw []byte
		)
		if err := rows.Scan(&c.Version, &c.ActorID, &c.At, &raw); err != nil {
			return nil, err
		}
		var fs []changeRow
		if err := json.Unmarshal(raw, &fs); err != nil {
			return nil, err
		}
		for _, f := range fs {
			c.Fields = append(c.Fields, domain.FieldChange{Field: f.Field, Old: f.Old, New: f.New})
		}
		c.At = c.At.UTC()
		out = append(out, c)
	}
	return out, rows.Err()
}
