// Package simcard is the built-in simulated card processor: the default card
// provider for local use, so the whole stack runs offline. It keeps its state
// in Postgres like a real processor keeps it on its side, makes every call
// idempotent by key, and answers Stripe's well-known test cards the way Stripe
// does: 4242424242424242 succeeds, 4000000000000002 is declined,
// 4000000000009995 has insufficient funds. Other numbers that pass the Luhn
// check succeed; the rest are invalid. Stripe's test tokens (pm_card_visa,
// pm_card_chargeDeclined, pm_card_chargeDeclinedInsufficientFunds) work too.
package simcard

import (
	"context"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"

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
)

var tokens = map[string]string{
	"pm_card_visa":                            CardSuccess,
	"pm_card_chargeDeclined":                  CardDeclined,
	"pm_card_chargeDeclinedInsufficientFunds": CardInsufficientFunds,
}

// Processor is the simulated processor. Give it its own pool: the service
// calls it while holding a connection of its own pool in a transaction.
type Processor struct {
	Pool *pgxpool.Pool
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
	if _, err := p.Pool.Exec(ctx, `INSERT INTO simcard_charges (id, auth_key, last4, amount, currency, status)
		VALUES ($1, $2, $3, $4, $5, 'authorized') ON CONFLICT (auth_key) DO NOTHING`,
		id, c.Key, last4, c.Amount, c.Currency); err != nil {
		return domain.Authorization{}, unavailable(err)
	}
	return domain.Authorization{Ref: id, Last4: last4}, nil
}

var errNoCharge = apperr.New(apperr.KindInternal, "SIMCARD_NO_SUCH_CHARGE", "the card provider has no such charge")

// Capture charges amount of an authorized hold; capturing a captured charge
// again is a no-op, as with a retried request.
func (p *Processor) Capture(ctx context.Context, ref string, amount int64, _ string) error {
	var status string
	err := p.Pool.QueryRow(ctx, `UPDATE simcard_charges SET status = 'captured', captured = $2
		WHERE id = $1 AND status IN ('authorized', 'captured') RETURNING status`, ref, amount).Scan(&status)
	if errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("%w: capture %s", errNoCharge, ref)
	}
	if err != nil {
		return unavailable(err)
	}
	return nil
}

// Void releases a hold; voiding twice is a no-op.
func (p *Processor) Void(ctx context.Context, ref, _ string) error {
	tag, err := p.Pool.Exec(ctx, `UPDATE simcard_charges SET status = 'voided' WHERE id = $1 AND status IN ('authorized', 'voided')`, ref)
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
