package consumer

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"google.golang.org/protobuf/types/known/timestamppb"

	operatorv1 "github.com/bookwell/bookwell/gen/go/bookwell/operator/v1"
	"github.com/bookwell/bookwell/pkg/apperr"
	"github.com/bookwell/bookwell/pkg/events"
	"github.com/bookwell/bookwell/pkg/identity"
)

// DeadLetter is an event a consumer gave up on, as its service keeps it.
type DeadLetter struct {
	ID         uuid.UUID
	Consumer   string // the durable
	Subject    string
	EventID    uuid.UUID // uuid.Nil when the message was not an event
	Message    []byte    // as received
	Reason     string
	DeadAt     time.Time
	RedrivenAt time.Time // zero while dead
	RedrivenBy string
}

// The errors of the dead-letter commands.
var (
	ErrDeadLetterNotFound = apperr.New(apperr.KindNotFound, "DEAD_LETTER_NOT_FOUND", "no such dead letter")
	ErrStillFails         = apperr.New(apperr.KindConflict, "DEAD_LETTER_STILL_FAILS", "the event still fails")
)

// recordDeadLetter keeps msg for operators; an event dead-lettered again is
// the same row, dead again with the new reason.
func recordDeadLetter(ctx context.Context, pool *pgxpool.Pool, durable, subject string, msg []byte, reason error) error {
	var eventID *uuid.UUID
	if ev, err := events.Parse(msg); err == nil {
		eventID = &ev.ID
	}
	_, err := pool.Exec(ctx, `INSERT INTO dead_letters (id, consumer, subject, event_id, message, reason)
		VALUES ($1, $2, $3, $4, $5, $6)
		ON CONFLICT (consumer, event_id) WHERE event_id IS NOT NULL
		DO UPDATE SET message = EXCLUDED.message, reason = EXCLUDED.reason, dead_at = now(), redriven_at = NULL, redriven_by = ''`,
		uuid.New(), durable, subject, eventID, msg, reason.Error())
	if err != nil {
		return fmt.Errorf("record dead letter: %w", err)
	}
	return nil
}

// DeadLetters are the dead letters of one service's consumers, which all
// work in Pool: the operator's list and redrive.
//
// Redrive hands the event to its consumer's handler in this process, in the
// transaction that marks it redriven, rather than publishing it again: the
// subject it came on reaches every consumer of it, and those that handled it
// long ago may have forgotten it (retention).
type DeadLetters struct {
	Pool      *pgxpool.Pool
	Consumers []Consumer
}

// List returns the dead letters, newest first: those still dead, and those
// redriven too with includeRedriven. Admins only.
func (d DeadLetters) List(ctx context.Context, includeRedriven bool, limit int) ([]DeadLetter, error) {
	if _, err := identity.Require(ctx); err != nil {
		return nil, err
	}
	if limit <= 0 {
		limit = 100
	}
	limit = min(limit, 1000)
	rows, err := d.Pool.Query(ctx, `SELECT `+dlColumns+` FROM dead_letters
		WHERE $1 OR redriven_at IS NULL ORDER BY dead_at DESC, id LIMIT $2`, includeRedriven, limit)
	if err != nil {
		return nil, fmt.Errorf("list dead letters: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (DeadLetter, error) { return scanDeadLetter(r) })
}

const dlColumns = `id, consumer, subject, event_id, message, reason, dead_at, redriven_at, redriven_by`

func scanDeadLetter(r pgx.Row) (DeadLetter, error) {
	var x DeadLetter
	var eventID *uuid.UUID
	var redrivenAt *time.Time
	if err := r.Scan(&x.ID, &x.Consumer, &x.Subject, &eventID, &x.Message, &x.Reason, &x.DeadAt, &redrivenAt, &x.RedrivenBy); err != nil {
		return x, err
	}
	if eventID != nil {
		x.EventID = *eventID
	}
	if redrivenAt != nil {
		x.RedrivenAt = *redrivenAt
	}
	return x, nil
}

// Redrive hands the dead letter id to its consumer's handler again and marks
// it redriven by the caller, in one transaction: the event is handled once
// (an event the consumer has handled since is not handled again). A dead
// letter already redriven is returned as it is. An event that still fails
// stays dead, with the new reason, and Redrive returns ErrStillFails. Admins
// only.
func (d DeadLetters) Redrive(ctx context.Context, id string) (DeadLetter, error) {
	p, err := identity.Require(ctx)
	if err != nil {
		return DeadLetter{}, err
	}
	dlID, err := uuid.Parse(id)
	if err != nil {
		return DeadLetter{}, apperr.Wrap(apperr.Invalid, "id: %q is not a dead letter id (a UUID)", id)
	}
	var out DeadLetter
	var failure error
	err = pgx.BeginFunc(ctx, d.Pool, func(tx pgx.Tx) error {
		x, err := scanDeadLetter(tx.QueryRow(ctx, `SELECT `+dlColumns+` FROM dead_letters WHERE id = $1 FOR UPDATE`, dlID))
		if errors.Is(err, pgx.ErrNoRows) {
			return ErrDeadLetterNotFound
		}
		if err != nil {
			return fmt.Errorf("read dead letter: %w", err)
		}
		out = x
		if !x.RedrivenAt.IsZero() {
			return nil
		}
		c, ok := d.consumer(x.Consumer)
		if !ok {
			return apperr.Wrap(ErrStillFails, "no consumer %q runs in this service any more", x.Consumer)
		}
		ev, err := events.Parse(x.Message)
		if err != nil {
			failure = err
			return nil
		}
		// A savepoint: a failing handler leaves the dead letter to update.
		err = pgx.BeginFunc(ctx, tx, func(tx pgx.Tx) error { return c.processIn(ctx, tx, ev) })
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			failure = err
			_, err = tx.Exec(ctx, `UPDATE dead_letters SET reason = $2 WHERE id = $1`, dlID, err.Error())
			return err
		}
		return tx.QueryRow(ctx, `UPDATE dead_letters SET redriven_at = now(), redriven_by = $2 WHERE id = $1
			RETURNING redriven_at, redriven_by`, dlID, p.Subject).Scan(&out.RedrivenAt, &out.RedrivenBy)
	})
	if err != nil {
		return DeadLetter{}, err
	}
	if failure != nil {
		return DeadLetter{}, apperr.Wrap(ErrStillFails, "the event still fails: %s", oneLine(failure.Error()))
	}
	return out, nil
}

func (d DeadLetters) consumer(durable string) (Consumer, bool) {
	for _, c := range d.Consumers {
		if c.Durable == durable {
			return c, true
		}
	}
	return Consumer{}, false
}

func oneLine(s string) string {
	s = strings.ReplaceAll(s, "\n", " ")
	if len(s) > 500 {
		s = s[:500] + "…"
	}
	return s
}

// DeadLetterToProto is x in the operator API.
func DeadLetterToProto(x DeadLetter) *operatorv1.DeadLetter {
	out := &operatorv1.DeadLetter{
		Id: x.ID.String(), Consumer: x.Consumer, Subject: x.Subject, Reason: x.Reason,
		DeadLetterTime: timestamppb.New(x.DeadAt), RedrivenBy: x.RedrivenBy, Message: strings.ToValidUTF8(string(x.Message), "\uFFFD"),
	}
	if x.EventID != uuid.Nil {
		out.EventId = x.EventID.String()
	}
	if !x.RedrivenAt.IsZero() {
		out.RedriveTime = timestamppb.New(x.RedrivenAt)
	}
	return out
}

// DeadLettersToProto is xs in the operator API.
func DeadLettersToProto(xs []DeadLetter) []*operatorv1.DeadLetter {
	out := make([]*operatorv1.DeadLetter, 0, len(xs))
	for _, x := range xs {
		out = append(out, DeadLetterToProto(x))
	}
	return out
}
