package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/bookwell/bookwell/pkg/erasure"
)

// EraseUser erases a person in the reputation schema, in tx (pkg/erasure):
// the projections of their bookings and payments stay under the pseudonym
// (others' figures do not change); the words of reviews they wrote or that
// were written about them, and the reasons of a mentor's standing, go; a
// mentor erased is deactivated, so searches no longer list them.
func EraseUser(ctx context.Context, tx pgx.Tx, userID, pseudonym string) error {
	return erasure.Exec(ctx, tx, userID, pseudonym,
		`UPDATE bookings SET
			mentee_id = CASE WHEN mentee_id = $1 THEN $2 ELSE mentee_id END,
			mentor_id = CASE WHEN mentor_id = $1 THEN $2 ELSE mentor_id END
		WHERE mentee_id = $1 OR mentor_id = $1`,
		`UPDATE reschedules SET mentor_id = $2 WHERE mentor_id = $1`,
		`UPDATE mentors SET mentor_id = $2, standing = 'DEACTIVATED', standing_reason = '' WHERE mentor_id = $1`,
		`UPDATE standing_history SET mentor_id = $2, reason = '' WHERE mentor_id = $1`,
		`UPDATE reviews SET body = '',
			mentee_id = CASE WHEN mentee_id = $1 THEN $2 ELSE mentee_id END,
			mentor_id = CASE WHEN mentor_id = $1 THEN $2 ELSE mentor_id END
		WHERE mentee_id = $1 OR mentor_id = $1`,
		`UPDATE payments SET mentee_id = $2 WHERE mentee_id = $1`,
	)
}
