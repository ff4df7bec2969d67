package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/bookwell/bookwell/pkg/erasure"
)

// EraseUser erases a person in the payments schema, in tx (pkg/erasure):
// their id becomes the pseudonym on payments, bundles, continuations and
// their ledger accounts, whose amounts, currencies and dates stay as the
// law requires; their card's last digits and the notes on their refunds go.
func EraseUser(ctx context.Context, tx pgx.Tx, userID, pseudonym string) error {
	return erasure.Exec(ctx, tx, userID, pseudonym,
		`SELECT set_config('bookwell.erasure', 'on', true), $1::text, $2::text`,
		`UPDATE refunds SET note = '' WHERE booking_id IN (SELECT booking_id FROM payments WHERE mentee_id = $1 OR mentor_id = $1) AND $2::text <> ''`,
		`UPDATE payments SET
			card_last4 = CASE WHEN mentee_id = $1 THEN '' ELSE card_last4 END,
			mentee_id = CASE WHEN mentee_id = $1 THEN $2 ELSE mentee_id END,
			mentor_id = CASE WHEN mentor_id = $1 THEN $2 ELSE mentor_id END
		WHERE mentee_id = $1 OR mentor_id = $1`,
		`UPDATE bundles SET
			mentee_id = CASE WHEN mentee_id = $1 THEN $2 ELSE mentee_id END,
			mentor_id = CASE WHEN mentor_id = $1 THEN $2 ELSE mentor_id END
		WHERE mentee_id = $1 OR mentor_id = $1`,
		`UPDATE continuations SET
			mentee_id = CASE WHEN mentee_id = $1 THEN $2 ELSE mentee_id END,
			mentor_id = CASE WHEN mentor_id = $1 THEN $2 ELSE mentor_id END
		WHERE mentee_id = $1 OR mentor_id = $1`,
		`UPDATE ledger_entries SET account_owner = $2 WHERE account_owner = $1`,
		`UPDATE idempotency_keys SET result = replace(result::text, '"' || $1 || '"', '"' || $2 || '"')::jsonb WHERE strpos(result::text, '"' || $1 || '"') > 0`,
		`SELECT set_config('bookwell.erasure', 'off', true), $1::text, $2::text`,
	)
}
