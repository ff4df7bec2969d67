package idempotency

import (
	"context"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/bookwell/bookwell/pkg/pgdb"
)

// Schema is the gateway's own Postgres schema.
const Schema = "gateway"

//go:embed migrations/*.sql
var migrationsFS embed.FS

// Migrations are the gateway's tables, for pgdb.Open.
func Migrations() pgdb.Migrations {
	return pgdb.Migrations{FS: migrationsFS, Dir: "migrations", Table: "goose_gateway"}
}

// Response is a finished response, kept to be replayed.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// Outcome is what Begin found.
type Outcome int

// The outcomes of Begin.
const (
	// Proceed: the key is new (or expired, or abandoned by a gateway that
	// died mid-request); the caller now holds it and must Complete or Release.
	Proceed Outcome = iota
	// Replay: the same request already finished; its response is returned.
	Replay
	// Mismatch: the key was used for a different request.
	Mismatch
	// InFlight: the same request is still being served.
	InFlight
)

// Store keeps keys in Postgres.
type Store struct {
	Pool *pgxpool.Pool
	// TTL is how long a key is remembered (24 h).
	TTL time.Duration
	// Lease is how long an unfinished request holds its key before another
	// gateway may take it over (longer than the request timeout).
	Lease time.Duration
}

// Begin claims (subject, key) for a request with fingerprint hash, or says
// why not.
func (s *Store) Begin(ctx context.Context, subject, key string, hash []byte) (Outcome, *Response, error) {
	for range 3 {
		var claimed bool
		err := s.Pool.QueryRow(ctx, `
INSERT INTO idempotency_keys AS k (subject, key, request_hash, locked_until, created_at, expires_at)
VALUES ($1, $2, $3, now() + $4::interval, now(), now() + $5::interval)
ON CONFLICT (subject, key) DO UPDATE
   SET request_hash = EXCLUDED.request_hash, locked_until = EXCLUDED.locked_until,
       status = NULL, headers = NULL, body = NULL,
       created_at = EXCLUDED.created_at, expires_at = EXCLUDED.expires_at
 WHERE k.expires_at <= now()
    OR (k.status IS NULL AND k.locked_until <= now() AND k.request_hash = EXCLUDED.request_hash)
RETURNING true`, subject, key, hash, s.Lease, s.TTL).Scan(&claimed)
		if err == nil {
			return Proceed, nil, nil
		}
		if !errors.Is(err, pgx.ErrNoRows) {
			return 0, nil, fmt.Errorf("claim idempotency key: %w", err)
		}
		var (
			got     []byte
			status  *int
			headers []byte
			body    []byte
		)
		err = s.Pool.QueryRow(ctx, `
SELECT request_hash, status, headers, body FROM idempotency_keys
 WHERE subject = $1 AND key = $2 AND expires_at > now()`, subject, key).Scan(&got, &status, &headers, &body)
		if errors.Is(err, pgx.ErrNoRows) {
			continue // released or expired meanwhile: try to claim it again
		}
		if err != nil {
			return 0, nil, fmt.Errorf("read idempotency key: %w", err)
		}
		switch {
		case string(got) != string(hash):
			return Mismatch, nil, nil
		case status == nil:
			return InFlight, nil, nil
		}
		r := &Response{Status: *status, Body: body}
		if err := json.Unmarshal(headers, &r.Header); err != nil {
			return 0, nil, fmt.Errorf("read idempotency key: headers: %w", err)
		}
		return Replay, r, nil
	}
	return InFlight, nil, nil
}

// Complete records the response of the request holding (subject, key).
func (s *Store) Complete(ctx context.Context, subject, key string, r Response) error {
	h, err := json.Marshal(r.Header)
	if err != nil {
		return err
	}
	_, err = s.Pool.Exec(ctx, `
UPDATE idempotency_keys SET status = $3, headers = $4, body = $5, locked_until = NULL
 WHERE subject = $1 AND key = $2 AND status IS NULL`, subject, key, r.Status, h, r.Body)
	if err != nil {
		return fmt.Errorf("record idempotent response: %w", err)
	}
	return nil
}

// Release forgets an unfinished (subject, key), so that a retry runs the
// request again.
func (s *Store) Release(ctx context.Context, subject, key string) error {
	_, err := s.Pool.Exec(ctx, `DELETE FROM idempotency_keys WHERE subject = $1 AND key = $2 AND status IS NULL`, subject, key)
	if err != nil {
		return fmt.Errorf("release idempotency key: %w", err)
	}
	return nil
}

// DeleteExpired removes keys past their time and says how many.
func (s *Store) DeleteExpired(ctx context.Context) (int64, error) {
	tag, err := s.Pool.Exec(ctx, `DELETE FROM idempotency_keys WHERE expires_at <= now()`)
	if err != nil {
		return 0, fmt.Errorf("delete expired idempotency keys: %w", err)
	}
	return tag.RowsAffected(), nil
}
