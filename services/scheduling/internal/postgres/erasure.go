package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/bookwell/bookwell/pkg/erasure"
)

// EraseUser erases a person in the scheduling schema, in tx (pkg/erasure):
// a mentor's other calendars (their private ICS addresses) and what was read
// from them go, their offerings, hours, sessions and standing stay under the
// pseudonym; a mentee's reservations keep their times under the pseudonym,
// without their time zone; meeting addresses go.
func EraseUser(ctx context.Context, tx pgx.Tx, userID, pseudonym string) error {
	return erasure.Exec(ctx, tx, userID, pseudonym,
		`DELETE FROM external_calendars WHERE mentor_id = $1 AND $2::text <> ''`,
		`DELETE FROM external_busy WHERE mentor_id = $1 AND $2::text <> ''`,
		`UPDATE offerings SET mentor_id = $2 WHERE mentor_id = $1`,
		`UPDATE availability SET mentor_id = $2 WHERE mentor_id = $1`,
		`UPDATE mentor_standing SET mentor_id = $2, reason = '' WHERE mentor_id = $1`,
		`UPDATE sessions SET mentor_id = $2 WHERE mentor_id = $1`,
		`UPDATE reservations SET
			mentee_time_zone = CASE WHEN mentee_id = $1 THEN 'UTC' ELSE mentee_time_zone END,
			mentee_id = CASE WHEN mentee_id = $1 THEN $2 ELSE mentee_id END,
			mentor_id = CASE WHEN mentor_id = $1 THEN $2 ELSE mentor_id END,
			meeting_url = ''
		WHERE mentee_id = $1 OR mentor_id = $1`,
	)
}
