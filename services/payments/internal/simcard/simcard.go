// Package simcard is the built-in simulated card processor: the default card
// provider for local use, so the whole stack runs offline. It keeps its state
// in Postgres like a real processor keeps it on its side, makes every call
// idempotent by key, and answers Stripe's well-known test cards the way Stripe
// does: 4242424242424242 succeeds, 4000000000000002 is declined,
// 4000000000009995 has insufficient funds, 4000002500003155 and
// 4000002760003184 require the cardholder's authentication (3-D Secure)
// before they hold anything. Other numbers that pass the Luhn check succeed;
// the rest are invalid. Stripe's test tokens (pm_card_visa,
// pm_card_chargeDeclined, pm_card_chargeDeclinedInsufficientFunds,
// pm_card_authenticationRequired) work too.
//
// An authentication is completed or failed through Authenticate, which the
// simulator's challenge page (paymentsd's HTTP, /simcard/...) calls, as a
// cardholder would on the issuer's page; a hold lapses after Validity,
// like a real one after about 7 days, and is then no longer captured.
package simcard

import (
	"context"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/bookwell/bookwell/pkg/apperr"
	"github.com/bookwell/bookwell/pkg/pgdb"
	"github.com/bookwell/bookwell/services/payments/internal/domain"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// Migrations create the simulator's tables.
func Migrations() pgdb.Migrations {
	return pgdb.Migrations{FS: migrationFS, Dir: "migrations", Table: "goose_simcard"}
}

// Well-known test cards.
const (
	CardSuccess           = "4242424242424242"
	CardDeclined          = "4000000000000002"
	CardInsufficientFunds = "4000000000009995"
	// CardAuthenticate requires authentication on every payment (Stripe's
	// 4000002500003155, "authenticate unless set up").
	CardAuthenticate = "4000002500003155"
	// CardAuthenticateAlways is Stripe's 4000002760003184 ("always
	// authenticate").
	CardAuthenticateAlways = "4000002760003184"
)

// DefaultValidity is how long a hold lasts: about a week, as at Stripe.
const DefaultValidity = 7 * 24 * time.Hour

var tokens = map[string]string{
	"pm_card_visa":                            CardSuccess,
	"pm_card_chargeDeclined":                  CardDeclined,
	"pm_card_chargeDeclinedInsufficientFunds": CardInsufficientFunds,
	"pm_card_authenticationRequired":          CardAuthenticateAlways,
}

func requiresAuthentication(n string) bool {
	return n == CardAuthenticate || n == CardAuthenticateAlways
}

// Processor is the simulated processor. Give it its own pool: the service
// calls it while holding a connection of its own pool in a transaction.
type Processor struct {
	Pool *pgxpool.Pool
	// Validity is how long a hold lasts before it lapses; DefaultValidity
	// if zero.
	Validity time.Duration
	// ChallengeURL turns a charge id into the address of its challenge page,
	// given to the cardholder's browser; empty if nil.
	ChallengeURL func(chargeID string) string
	// Now is the clock; time.Now if nil.
	Now func() time.Time
}

func (p *Processor) now() time.Time {
	if p.Now != nil {
		return p.Now().UTC()
	}
	return time.Now().UTC()
}

func (p *Processor) validity() time.Duration {
	if p.Validity > 0 {
		return p.Validity
	}
	return DefaultValidity
}

var _ domain.CardProvider = (*Processor)(nil)

// unavailable wraps a storage failure: to the caller, the processor is down.
func unavailable(err error) error {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	return fmt.Errorf("%w: %v", domain.ErrProviderUnavailable, err)
}

// CardNumber turns a card number or test token into the card number, or
// fails with ErrInvalidCard.
func CardNumber(card string) (string, error) {
	if n, ok := tokens[card]; ok {
		return n, nil
	}
	if len(card) < 12 || len(card) > 19 || !luhn(card) {
		return "", domain.ErrInvalidCard
	}
	return card, nil
}

func luhn(n string) bool {
	sum := 0
	for i := range len(n) {
		c := n[len(n)-1-i]
		if c < '0' || c > '9' {
			return false
		}
		d := int(c - '0')
		if i%2 == 1 {
			if d *= 2; d > 9 {
				d -= 9
			}
		}
		sum += d
	}
	return sum%10 == 0
}

// Authorize places a hold, or declines the test cards that decline.
func (p *Processor) Authorize(ctx context.Context, c domain.CardCharge) (domain.Authorization, error) {
	n, err := CardNumber(c.Card)
	if err != nil {
		return domain.Authorization{}, err
	}
	switch n {
	case CardDeclined:
		return domain.Authorization{}, domain.ErrCardDeclined
	case CardInsufficientFunds:
		return domain.Authorization{}, domain.ErrInsufficientFunds
	}
	sum := sha256.Sum256([]byte(c.Key))
	id := "simch_" + hex.EncodeToString(sum[:12])
	last4 := n[len(n)-4:]
	status, expires := "authorized", p.now().Add(p.validity())
	if requiresAuthentication(n) {
		status = "requires_action"
	}
	// A retried call gets the charge the first one made, as it stands.
	if err := p.Pool.QueryRow(ctx, `INSERT INTO simcard_charges (id, auth_key, last4, amount, currency, status, expires_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (auth_key) DO UPDATE SET auth_key = EXCLUDED.auth_key
		RETURNING status, expires_at`,
		id, c.Key, last4, c.Amount, c.Currency, status, expires).Scan(&status, &expires); err != nil {
		return domain.Authorization{}, unavailable(err)
	}
	auth := domain.Authorization{Ref: id, Last4: last4, ExpiresAt: expires.UTC()}
	if status == "requires_action" {
		auth.ExpiresAt = time.Time{} // nothing is held yet
		auth.Action = &domain.NextAction{ClientSecret: id + "_secret_" + hex.EncodeToString(sum[12:20])}
		if p.ChallengeURL != nil {
			auth.Action.RedirectURL = p.ChallengeURL(id)
		}
	}
	return auth, nil
}

// ErrNotAwaitingAuthentication is an authentication of a charge that does
// not wait for one (unknown, completed already, or voided).
var ErrNotAwaitingAuthentication = apperr.New(apperr.KindConflict, "SIMCARD_NOT_AWAITING_AUTHENTICATION",
	"this charge does not wait for an authentication")

// Authenticate completes (ok) or fails the cardholder's authentication of a
// charge that requires it, as the issuer's challenge page would, and returns
// the processor event that reports it to the service (what Stripe's webhook
// would send). Completing places the hold, valid for Validity from now.
func (p *Processor) Authenticate(ctx context.Context, chargeID string, ok bool) (domain.ProcessorEvent, error) {
	status, kind := "failed", domain.ReconcileAuthenticationFailed
	if ok {
		status, kind = "authorized", domain.ReconcileAuthenticated
	}
	expires := p.now().Add(p.validity())
	tag, err := p.Pool.Exec(ctx, `UPDATE simcard_charges SET status = $2, expires_at = $3
		WHERE id = $1 AND status = 'requires_action'`, chargeID, status, expires)
	if err != nil {
		return domain.ProcessorEvent{}, unavailable(err)
	}
	if tag.RowsAffected() == 0 {
		// Done before (a retried request): the same answer, the same event.
		var was string
		var at *time.Time
		err := p.Pool.QueryRow(ctx, `SELECT status, expires_at FROM simcard_charges WHERE id = $1`, chargeID).Scan(&was, &at)
		if errors.Is(err, pgx.ErrNoRows) || (err == nil && was != status) || (err == nil && ok && at == nil) {
			return domain.ProcessorEvent{}, ErrNotAwaitingAuthentication
		}
		if err != nil {
			return domain.ProcessorEvent{}, unavailable(err)
		}
		if ok {
			expires = at.UTC()
		}
	}
	e := domain.ProcessorEvent{ID: "simevt_" + chargeID + "_authentication", Kind: kind, Ref: chargeID}
	if ok {
		e.AuthExpiresAt = expires
	}
	return e, nil
}

// ErrAuthorizationExpired is a capture of a hold that lapsed.
var ErrAuthorizationExpired = apperr.New(apperr.KindConflict, "SIMCARD_AUTHORIZATION_EXPIRED",
	"the card authorization expired before it was captured")

var errNoCharge = apperr.New(apperr.KindInternal, "SIMCARD_NO_SUCH_CHARGE", "the card provider has no such charge")

// Capture charges amount of an authorized hold; capturing a captured charge
// again is a no-op, as with a retried request.
func (p *Processor) Capture(ctx context.Context, ref string, amount int64, _ string) error {
	var status string
	err := p.Pool.QueryRow(ctx, `UPDATE simcard_charges SET status = 'captured', captured = $2
		WHERE id = $1 AND (status = 'captured' OR (status = 'authorized' AND (expires_at IS NULL OR expires_at > $3)))
		RETURNING status`, ref, amount, p.now()).Scan(&status)
	if errors.Is(err, pgx.ErrNoRows) {
		var lapsed bool
		if p.Pool.QueryRow(ctx, `SELECT status = 'authorized' FROM simcard_charges WHERE id = $1`, ref).Scan(&lapsed) == nil && lapsed {
			return fmt.Errorf("%w: capture %s", ErrAuthorizationExpired, ref)
		}
		return fmt.Errorf("%w: capture %s", errNoCharge, ref)
	}
	if err != nil {
		return unavailable(err)
	}
	return nil
}

// Void releases a hold; voiding twice is a no-op.
func (p *Processor) Void(ctx context.Context, ref, _ string) error {
	tag, err := p.Pool.Exec(ctx, `UPDATE simcard_charges SET status = 'voided'
		WHERE id = $1 AND status IN ('authorized', 'voided', 'requires_action', 'failed')`, ref)
	if err != nil {
		return unavailable(err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("%w: void %s", errNoCharge, ref)
	}
	return nil
}

// Refund returns amount of a captured charge, once per key.
func (p *Processor) Refund(ctx context.Context, ref string, amount int64, key string) error {
	tx, err := p.Pool.Begin(ctx)
	if err != nil {
		return unavailable(err)
	}
	defer tx.Rollback(ctx) //nolint:errcheck // no-op after commit
	tag, err := tx.Exec(ctx, `INSERT INTO simcard_refunds (key, charge_id, amount) VALUES ($1, $2, $3) ON CONFLICT (key) DO NOTHING`, key, ref, amount)
	if err != nil {
		var pgErr *pgconn.PgError
		if errors.As(err, &pgErr) && pgErr.Code == "23503" {
			return fmt.Errorf("%w: refund %s", errNoCharge, ref)
		}
		return unavailable(err)
	}
	if tag.RowsAffected() == 1 {
		tag, err := tx.Exec(ctx, `UPDATE simcard_charges SET refunded = refunded + $2 WHERE id = $1 AND status = 'captured'`, ref, amount)
		if err != nil {
			return unavailable(err)
		}
		if tag.RowsAffected() == 0 {
			return fmt.Errorf("%w: refund %s", errNoCharge, ref)
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return unavailable(err)
	}
	return nil
}
