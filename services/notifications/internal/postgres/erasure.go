package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/bookwell/bookwell/pkg/erasure"
)

// erased stands where a person's name or address was in what others keep.
const erased = "[erased]"

// EraseUser erases a person in the notifications schema, in tx
// (pkg/erasure): their address book entry, their inbox, every email to them
// (and the development mailbox's copies) go; the messages they wrote in
// booking threads stay as erased under the pseudonym; their name and email
// address are replaced wherever they appear in what other people received
// (notifications, emails, the bookings' snapshots).
func EraseUser(ctx context.Context, tx pgx.Tx, userID, pseudonym string) error {
	known, err := knownAs(ctx, tx, userID)
	if err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `
		WITH gone AS (
			SELECT id FROM emails WHERE to_addr = ANY($2) OR notification_id IN (SELECT id FROM notifications WHERE user_id = $1))
		DELETE FROM email_log WHERE email_id IN (SELECT id FROM gone)`, userID, known.emails); err != nil {
		return fmt.Errorf("erase: email log: %w", err)
	}
	if _, err := tx.Exec(ctx, `DELETE FROM emails WHERE to_addr = ANY($2) OR notification_id IN (SELECT id FROM notifications WHERE user_id = $1)`,
		userID, known.emails); err != nil {
		return fmt.Errorf("erase: emails: %w", err)
	}
	if _, err := tx.Exec(ctx, `DELETE FROM dev_mailbox WHERE to_addr = ANY($1)`, known.emails); err != nil {
		return fmt.Errorf("erase: development mailbox: %w", err)
	}
	if err := erasure.Exec(ctx, tx, userID, pseudonym,
		`DELETE FROM notifications WHERE user_id = $1 AND $2::text <> ''`,
		`DELETE FROM recipients WHERE user_id = $1 AND $2::text <> ''`,
		`UPDATE thread_messages SET author_id = $2, body = '`+erased+`' WHERE author_id = $1`,
		`UPDATE bookings SET
			snapshot = snapshot || CASE WHEN mentee_id = $1
				THEN jsonb_build_object('MenteeID', $2::text, 'MenteeName', '', 'MenteeEmail', '', 'MenteeTimeZone', 'UTC')
				ELSE jsonb_build_object('MentorID', $2::text) END,
			mentee_id = CASE WHEN mentee_id = $1 THEN $2 ELSE mentee_id END,
			mentor_id = CASE WHEN mentor_id = $1 THEN $2 ELSE mentor_id END
		WHERE mentee_id = $1 OR mentor_id = $1`,
	); err != nil {
		return err
	}
	// What others received naming them.
	for _, s := range append(known.emails, known.names...) {
		for _, q := range []string{
			`UPDATE notifications SET title = replace(title, $1, $2), body = replace(body, $1, $2)
				WHERE strpos(title, $1) > 0 OR strpos(body, $1) > 0`,
			`UPDATE emails SET subject = replace(subject, $1, $2), text_body = replace(text_body, $1, $2),
				html_body = replace(html_body, $1, $2), to_name = replace(to_name, $1, $2)
				WHERE strpos(subject || text_body || html_body || to_name, $1) > 0`,
			`UPDATE dev_mailbox SET subject = replace(subject, $1, $2), text_body = replace(text_body, $1, $2),
				html_body = replace(html_body, $1, $2), raw = replace(raw, $1, $2)
				WHERE strpos(subject || text_body || html_body || raw, $1) > 0`,
			`UPDATE thread_messages SET body = replace(body, $1, $2) WHERE strpos(body, $1) > 0`,
			`UPDATE bookings SET snapshot = replace(snapshot::text, to_json($1::text)::text, to_json($2::text)::text)::jsonb
				WHERE strpos(snapshot::text, to_json($1::text)::text) > 0`,
		} {
			if _, err := tx.Exec(ctx, q, s, erased); err != nil {
				return fmt.Errorf("erase: replace: %w", err)
			}
		}
	}
	return nil
}

// known are the addresses and names a person is known by here.
type known struct{ emails, names []string }

// knownAs collects them from the address book and the bookings where the
// person is the mentee (what they typed when booking).
func knownAs(ctx context.Context, tx pgx.Tx, userID string) (known, error) {
	rows, err := tx.Query(ctx, `
		SELECT email, display_name FROM recipients WHERE user_id = $1
		UNION SELECT snapshot->>'MenteeEmail', snapshot->>'MenteeName' FROM bookings WHERE mentee_id = $1`, userID)
	if err != nil {
		return known{}, fmt.Errorf("erase: who: %w", err)
	}
	defer rows.Close()
	var k known
	seen := map[string]bool{}
	for rows.Next() {
		var email, name *string
		if err := rows.Scan(&email, &name); err != nil {
			return known{}, err
		}
		// Short strings would match inside other words: names of fewer
		// than three letters are left.
		if email != nil && len(*email) >= 3 && !seen[*email] {
			seen[*email] = true
			k.emails = append(k.emails, *email)
		}
		if name != nil && len(*name) >= 3 && !seen[*name] {
			seen[*name] = true
			k.names = append(k.names, *name)
		}
	}
	if k.emails == nil {
		k.emails = []string{}
	}
	return k, rows.Err()
}
