// Package postgres stores payments, bundles, idempotency keys and the ledger
// in the service's Postgres schema.
package postgres

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/bookwell/bookwell/pkg/consumer"
	"github.com/bookwell/bookwell/pkg/events"
	"github.com/bookwell/bookwell/pkg/outbox"
	"github.com/bookwell/bookwell/pkg/pgdb"
	"github.com/bookwell/bookwell/services/payments/internal/app"
	"github.com/bookwell/bookwell/services/payments/internal/domain"
)

// Schema is the payments service's Postgres schema.
const Schema = "payments"

//go:embed migrations/*.sql
var migrationFS embed.FS

// Migrations are the payments tables' migrations, then the outbox's and
// the event consumer's (processed ids).
func Migrations() []pgdb.Migrations {
	return []pgdb.Migrations{
		{FS: migrationFS, Dir: "migrations", Table: "goose_payments"},
		outbox.Migrations(), consumer.Migrations(),
	}
}

// Open connects to url in the payments schema and applies the Migrations.
func Open(ctx context.Context, url string) (*pgxpool.Pool, error) {
	return pgdb.Open(ctx, url, Schema, Migrations()...)
}

// Store implements app.Store on a pool.
type Store struct {
	Pool *pgxpool.Pool
}

var _ app.Store = (*Store)(nil)

// Idempotent implements app.Store.
func (s *Store) Idempotent(ctx context.Context, k app.Key, fn func(ctx context.Context, tx app.Tx) ([]byte, error)) ([]byte, error) {
	tx, err := s.Pool.Begin(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback(ctx) //nolint:errcheck // no-op after commit
	// A concurrent call with the same key blocks here until the first
	// commits (and then finds its row) or rolls back (and then inserts).
	tag, err := tx.Exec(ctx, `INSERT INTO idempotency_keys (key, operation, request_hash) VALUES ($1, $2, $3)
		ON CONFLICT (key) DO NOTHING`, k.Key, k.Op, k.Hash)
	if err != nil {
		return nil, err
	}
	if tag.RowsAffected() == 0 {
		var op string
		var hash, result []byte
		if err := tx.QueryRow(ctx, `SELECT operation, request_hash, result FROM idempotency_keys WHERE key = $1`, k.Key).
			Scan(&op, &hash, &result); err != nil {
			return nil, err
		}
		if op != k.Op || string(hash) != string(k.Hash) || result == nil {
			return nil, domain.ErrIdempotencyKeyReused
		}
		return result, nil
	}
	result, err := fn(ctx, &txn{tx: tx})
	if err != nil {
		return nil, err
	}
	if _, err := tx.Exec(ctx, `UPDATE idempotency_keys SET result = $2 WHERE key = $1`, k.Key, result); err != nil {
		return nil, err
	}
	if err := tx.Commit(ctx); err != nil {
		return nil, err
	}
	return result, nil
}

const paymentCols = `booking_id, mentee_id, mentor_id, amount, currency, method, status, provider_ref, card_last4,
	captured, refunded, released, commission, commission_returned, settlement, created_at, updated_at,
	auth_expires_at, disputed`

func getPayment(ctx context.Context, q pgdb.Querier, bookingID string, lock bool) (domain.Payment, error) {
	sql := `SELECT ` + paymentCols + ` FROM payments WHERE booking_id = $1`
	if lock {
		sql += ` FOR UPDATE`
	}
	var p domain.Payment
	var authExpires *time.Time
	err := q.QueryRow(ctx, sql, bookingID).Scan(&p.BookingID, &p.MenteeID, &p.MentorID, &p.Amount, &p.Currency,
		&p.Method, &p.Status, &p.ProviderRef, &p.CardLast4, &p.Captured, &p.Refunded, &p.Released,
		&p.Commission, &p.CommissionReturned, &p.Settlement, &p.CreatedAt, &p.UpdatedAt, &authExpires, &p.Disputed)
	if authExpires != nil {
		p.AuthExpiresAt = authExpires.UTC()
	}
	if errors.Is(err, pgx.ErrNoRows) {
		return p, domain.ErrNotFound
	}
	if err != nil {
		return p, err
	}
	p.CreatedAt, p.UpdatedAt = p.CreatedAt.UTC(), p.UpdatedAt.UTC()
	rows, err := q.Query(ctx, `SELECT amount, note, created_at FROM refunds WHERE booking_id = $1 ORDER BY id`, bookingID)
	if err != nil {
		return p, err
	}
	p.Refunds, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (domain.Refund, error) {
		var x domain.Refund
		err := r.Scan(&x.Amount, &x.Note, &x.At)
		x.At = x.At.UTC()
		return x, err
	})
	return p, err
}

// Payment implements app.Store.
func (s *Store) Payment(ctx context.Context, bookingID string) (domain.Payment, error) {
	return getPayment(ctx, s.Pool, bookingID, false)
}

// MentorBalances implements app.Store: escrow of the mentor's bookings and
// bundles, the mentor's payable account and money received directly.
func (s *Store) MentorBalances(ctx context.Context, mentorID string) ([]domain.MentorBalance, error) {
	rows, err := s.Pool.Query(ctx, `
		SELECT currency,
		       coalesce(sum(amount) FILTER (WHERE account_kind = 'escrow'), 0),
		       coalesce(sum(amount) FILTER (WHERE account_kind = 'mentor_payable'), 0),
		       coalesce(sum(amount) FILTER (WHERE account_kind = 'mentor_direct'), 0)
		FROM ledger_entries
		WHERE (account_kind IN ('mentor_payable', 'mentor_direct') AND account_owner = $1)
		   OR (account_kind = 'escrow' AND account_owner IN
		        (SELECT booking_id FROM payments WHERE mentor_id = $1 UNION ALL SELECT id FROM bundles WHERE mentor_id = $1))
		GROUP BY currency ORDER BY currency`, mentorID)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (domain.MentorBalance, error) {
		var b domain.MentorBalance
		err := r.Scan(&b.Currency, &b.Pending, &b.Payable, &b.ReceivedDirectly)
		return b, err
	})
}

// MentorPayouts implements app.Store: the ledger transactions that credited
// the mentor's payable account (a released session, a late cancellation fee,
// a used bundle credit), with the commission the same transaction kept.
func (s *Store) MentorPayouts(ctx context.Context, mentorID string, after *domain.PayoutCursor, limit int) ([]domain.Payout, error) {
	var afterAt *time.Time
	var afterID *string
	if after != nil {
		afterAt, afterID = &after.DueAt, &after.TxID
	}
	rows, err := s.Pool.Query(ctx, `
		SELECT lt.id::text, lt.created_at, lt.currency, lt.kind,
		       coalesce(bc.booking_id, lt.ref), coalesce(bc.bundle_id, ''), coalesce(p.settlement, ''),
		       coalesce(sum(e.amount) FILTER (WHERE e.account_kind = 'mentor_payable' AND e.account_owner = $1), 0),
		       coalesce(sum(e.amount) FILTER (WHERE e.account_kind = 'revenue'), 0)
		FROM ledger_transactions lt
		JOIN ledger_entries e ON e.tx_id = lt.id
		LEFT JOIN bundle_credits bc ON bc.ledger_tx = lt.id
		LEFT JOIN payments p ON p.booking_id = lt.ref AND lt.kind = 'release'
		WHERE lt.id IN (SELECT tx_id FROM ledger_entries WHERE account_kind = 'mentor_payable' AND account_owner = $1)
		  AND (lt.kind = 'release' OR (lt.kind = 'bundle_credit' AND bc.booking_id IS NOT NULL))
		  AND ($2::timestamptz IS NULL OR (lt.created_at, lt.id) < ($2::timestamptz, $3::uuid))
		GROUP BY lt.id, bc.booking_id, bc.bundle_id, p.settlement
		ORDER BY lt.created_at DESC, lt.id DESC
		LIMIT $4`, mentorID, afterAt, afterID, limit)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (domain.Payout, error) {
		var p domain.Payout
		var kind, settlement string
		err := r.Scan(&p.TxID, &p.DueAt, &p.Currency, &kind, &p.BookingID, &p.BundleID, &settlement, &p.Amount, &p.Commission)
		p.DueAt = p.DueAt.UTC()
		switch {
		case kind == "bundle_credit":
			p.Kind = domain.PayoutBundleSession
		case settlement == string(domain.SettlementMentorPaid):
			p.Kind = domain.PayoutLateCancellation
		default:
			p.Kind = domain.PayoutSession
		}
		return p, err
	})
}

const bundleCols = `id, mentee_id, mentor_id, sessions_total, sessions_used, session_price, currency, status,
	provider_ref, refunded, created_at, updated_at`

func scanBundle(r pgx.Row) (domain.Bundle, error) {
	var b domain.Bundle
	err := r.Scan(&b.ID, &b.MenteeID, &b.MentorID, &b.Total, &b.Used, &b.Price, &b.Currency, &b.Status,
		&b.ProviderRef, &b.Refunded, &b.CreatedAt, &b.UpdatedAt)
	b.CreatedAt, b.UpdatedAt = b.CreatedAt.UTC(), b.UpdatedAt.UTC()
	return b, err
}

// MenteeBundles implements app.Store.
func (s *Store) MenteeBundles(ctx context.Context, menteeID string) ([]domain.Bundle, error) {
	rows, err := s.Pool.Query(ctx, `SELECT `+bundleCols+` FROM bundles WHERE mentee_id = $1 ORDER BY created_at DESC, id`, menteeID)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (domain.Bundle, error) { return scanBundle(r) })
}

// txn implements app.Tx.
type txn struct{ tx pgx.Tx }

// InTx is app.Tx on a transaction someone else owns (the event consumer's).
func InTx(tx pgx.Tx) app.Tx { return &txn{tx: tx} }

func (t *txn) Lock(ctx context.Context, ref string) error {
	_, err := t.tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtextextended('payments:' || $1, 0))`, ref)
	return err
}

func (t *txn) Payment(ctx context.Context, bookingID string) (domain.Payment, error) {
	return getPayment(ctx, t.tx, bookingID, true)
}

func (t *txn) InsertPayment(ctx context.Context, p domain.Payment) error {
	_, err := t.tx.Exec(ctx, `INSERT INTO payments (`+paymentCols+`)
		VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19)`,
		p.BookingID, p.MenteeID, p.MentorID, p.Amount, p.Currency, p.Method, p.Status, p.ProviderRef, p.CardLast4,
		p.Captured, p.Refunded, p.Released, p.Commission, p.CommissionReturned, p.Settlement, p.CreatedAt, p.UpdatedAt,
		nullTime(p.AuthExpiresAt), p.Disputed)
	return err
}

func (t *txn) UpdatePayment(ctx context.Context, p domain.Payment) error {
	tag, err := t.tx.Exec(ctx, `UPDATE payments SET status = $2, captured = $3, refunded = $4, released = $5,
		commission = $6, commission_returned = $7, settlement = $8, updated_at = $9, auth_expires_at = $10,
		disputed = $11 WHERE booking_id = $1`,
		p.BookingID, p.Status, p.Captured, p.Refunded, p.Released, p.Commission, p.CommissionReturned, p.Settlement, p.UpdatedAt,
		nullTime(p.AuthExpiresAt), p.Disputed)
	if err == nil && tag.RowsAffected() != 1 {
		err = fmt.Errorf("update payment %s: not found", p.BookingID)
	}
	return err
}

func nullTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

func (t *txn) PaymentByRef(ctx context.Context, ref string) (string, error) {
	var id string
	err := t.tx.QueryRow(ctx, `SELECT booking_id FROM payments WHERE provider_ref = $1`, ref).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", domain.ErrNotFound
	}
	return id, err
}

func (t *txn) AddProcessorEvent(ctx context.Context, e domain.ProcessorEvent, bookingID string, changed bool) (bool, error) {
	tag, err := t.tx.Exec(ctx, `INSERT INTO processor_events (id, kind, ref, booking_id, changed) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (id) DO NOTHING`, e.ID, e.Kind, e.Ref, bookingID, changed)
	return tag.RowsAffected() == 1, err
}

func (t *txn) AddRefund(ctx context.Context, bookingID string, r domain.Refund) error {
	_, err := t.tx.Exec(ctx, `INSERT INTO refunds (booking_id, amount, note, created_at) VALUES ($1, $2, $3, $4)`,
		bookingID, r.Amount, r.Note, r.At)
	return err
}

func (t *txn) Bundle(ctx context.Context, id string) (domain.Bundle, error) {
	b, err := scanBundle(t.tx.QueryRow(ctx, `SELECT `+bundleCols+` FROM bundles WHERE id = $1 FOR UPDATE`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return b, domain.ErrBundleNotFound
	}
	return b, err
}

func (t *txn) InsertBundle(ctx context.Context, b domain.Bundle) error {
	_, err := t.tx.Exec(ctx, `INSERT INTO bundles (`+bundleCols+`) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12)`,
		b.ID, b.MenteeID, b.MentorID, b.Total, b.Used, b.Price, b.Currency, b.Status, b.ProviderRef, b.Refunded, b.CreatedAt, b.UpdatedAt)
	return err
}

func (t *txn) UpdateBundle(ctx context.Context, b domain.Bundle) error {
	_, err := t.tx.Exec(ctx, `UPDATE bundles SET sessions_used = $2, status = $3, refunded = $4, updated_at = $5 WHERE id = $1`,
		b.ID, b.Used, b.Status, b.Refunded, b.UpdatedAt)
	return err
}

func (t *txn) AddBundleCredit(ctx context.Context, bundleID, bookingID string, ledgerTx uuid.UUID, at time.Time) (bool, error) {
	tag, err := t.tx.Exec(ctx, `INSERT INTO bundle_credits (bundle_id, booking_id, ledger_tx, created_at) VALUES ($1, $2, $3, $4)
		ON CONFLICT (booking_id) DO NOTHING`, bundleID, bookingID, ledgerTx, at)
	return tag.RowsAffected() == 1, err
}

func (t *txn) SetContinuation(ctx context.Context, d domain.ContinuationDecision) error {
	if !d.Approved {
		_, err := t.tx.Exec(ctx, `DELETE FROM continuations WHERE mentor_id = $1 AND mentee_id = $2 AND decided_at <= $3`,
			d.MentorID, d.MenteeID, d.At)
		return err
	}
	_, err := t.tx.Exec(ctx, `INSERT INTO continuations (mentor_id, mentee_id, booking_id, decided_at) VALUES ($1, $2, $3, $4)
		ON CONFLICT (mentor_id, mentee_id) DO UPDATE SET booking_id = EXCLUDED.booking_id, decided_at = EXCLUDED.decided_at
		WHERE continuations.decided_at <= EXCLUDED.decided_at`, d.MentorID, d.MenteeID, d.BookingID, d.At)
	return err
}

func (t *txn) ContinuationApproved(ctx context.Context, mentorID, menteeID string) (bool, error) {
	var ok bool
	err := t.tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM continuations WHERE mentor_id = $1 AND mentee_id = $2)`,
		mentorID, menteeID).Scan(&ok)
	return ok, err
}

func (t *txn) Post(ctx context.Context, lt domain.LedgerTx) error {
	if _, err := t.tx.Exec(ctx, `INSERT INTO ledger_transactions (id, ref, kind, currency) VALUES ($1, $2, $3, $4)`,
		lt.ID, lt.Ref, lt.Kind, lt.Currency); err != nil {
		return fmt.Errorf("post %s: %w", lt.Kind, err)
	}
	for _, e := range lt.Entries {
		if _, err := t.tx.Exec(ctx, `INSERT INTO ledger_entries (tx_id, account_kind, account_owner, currency, amount)
			VALUES ($1, $2, $3, $4, $5)`, lt.ID, e.Account.Kind, e.Account.Owner, lt.Currency, e.Amount); err != nil {
			return fmt.Errorf("post %s: %w", lt.Kind, err)
		}
	}
	return nil
}

func (t *txn) AddEvent(ctx context.Context, ev events.Event) error { return outbox.Add(ctx, t.tx, ev) }
