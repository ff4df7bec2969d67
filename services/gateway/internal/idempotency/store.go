package idempotency

import (
	"context"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
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
	// Proceed: the key is new (or expired, or its claim lapsed: the gateway
	// serving it died); the caller now holds it and must keep it alive while
	// it works (KeepAlive), then Complete or Release it.
	Proceed Outcome = iota
	// Replay: the same request already finished; its response is returned.
	Replay
	// Mismatch: the key was used for a different request.
	Mismatch
	// InFlight: the same request is still being served.
	InFlight
)

// DefaultLease is how long a claim lives without being renewed: the longest
// a retry waits after the gateway serving the first request died.
const DefaultLease = 5 * time.Second

// Store keeps keys in Postgres.
type Store struct {
	Pool *pgxpool.Pool
	// TTL is how long a key is remembered (24 h).
	TTL time.Duration
	// Lease is how long a claim lives unless its holder renews it (KeepAlive
	// renews it three times per lease while the request runs); DefaultLease
	// if zero. A claim outlives its gateway by one lease at most.
	Lease time.Duration
}

// Claim is a request's hold on (subject, key), proven by a token only its
// holder knows.
type Claim struct {
	Subject, Key string
	token        string
}

func (s *Store) lease() time.Duration {
	if s.Lease > 0 {
		return s.Lease
	}
	return DefaultLease
}

// Begin claims (subject, key) for a request with fingerprint hash, or says
// why not. A key whose claim lapsed (its gateway died, or stopped renewing)
// is taken over by the same request.
func (s *Store) Begin(ctx context.Context, subject, key string, hash []byte) (Outcome, *Response, Claim, error) {
	for range 3 {
		c := Claim{Subject: subject, Key: key}
		err := s.Pool.QueryRow(ctx, `
INSERT INTO idempotency_keys AS k (subject, key, request_hash, locked_until, claim, created_at, expires_at)
VALUES ($1, $2, $3, now() + $4::interval, gen_random_uuid(), now(), now() + $5::interval)
ON CONFLICT (subject, key) DO UPDATE
   SET request_hash = EXCLUDED.request_hash, locked_until = EXCLUDED.locked_until, claim = EXCLUDED.claim,
       status = NULL, headers = NULL, body = NULL,
       created_at = EXCLUDED.created_at, expires_at = EXCLUDED.expires_at
 WHERE k.expires_at <= now()
    OR (k.status IS NULL AND k.locked_until <= now() AND k.request_hash = EXCLUDED.request_hash)
RETURNING claim::text`, subject, key, hash, s.lease(), s.TTL).Scan(&c.token)
		if err == nil {
			return Proceed, nil, c, nil
		}
		if !errors.Is(err, pgx.ErrNoRows) {
			return 0, nil, Claim{}, fmt.Errorf("claim idempotency key: %w", err)
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
			return 0, nil, Claim{}, fmt.Errorf("read idempotency key: %w", err)
		}
		switch {
		case string(got) != string(hash):
			return Mismatch, nil, Claim{}, nil
		case status == nil:
			return InFlight, nil, Claim{}, nil
		}
		r := &Response{Status: *status, Body: body}
		if err := json.Unmarshal(headers, &r.Header); err != nil {
			return 0, nil, Claim{}, fmt.Errorf("read idempotency key: headers: %w", err)
		}
		return Replay, r, Claim{}, nil
	}
	return InFlight, nil, Claim{}, nil
}

// Renew extends c by one lease. It reports false when c is no longer held:
// it lapsed and another request took the key over.
func (s *Store) Renew(ctx context.Context, c Claim) (bool, error) {
	tag, err := s.Pool.Exec(ctx, `
UPDATE idempotency_keys SET locked_until = now() + $4::interval
 WHERE subject = $1 AND key = $2 AND claim = $3 AND status IS NULL`, c.Subject, c.Key, c.token, s.lease())
	if err != nil {
		return false, fmt.Errorf("renew idempotency key: %w", err)
	}
	return tag.RowsAffected() == 1, nil
}

// KeepAlive renews c three times per lease until the returned function is
// called (which waits for the renewals to stop), so that a live request
// keeps its key however long it runs, and a dead gateway's claim lapses
// within one lease. A failed renewal is logged and tried again at the next
// tick; a claim found taken over is logged and no longer renewed.
func (s *Store) KeepAlive(ctx context.Context, c Claim, log *slog.Logger) (stop func()) {
	ctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	done := make(chan struct{})
	every := s.lease() / 3
	go func() { // owned by stop: it cancels and waits.
		defer close(done)
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
			rctx, rcancel := context.WithTimeout(ctx, every)
			held, err := s.Renew(rctx, c)
			rcancel()
			switch {
			case ctx.Err() != nil:
				return
			case err != nil:
				log.WarnContext(ctx, "idempotency key not renewed; retrying", "err", err)
			case !held:
				log.WarnContext(ctx, "idempotency key claim lapsed and was taken over by a retry")
				return
			}
		}
	}()
	return func() { cancel(); <-done }
}

// Complete records the response of the request holding c. If c lapsed and
// was taken over meanwhile, nothing is recorded: the new holder's answer
// will be.
func (s *Store) Complete(ctx context.Context, c Claim, r Response) error {
	h, err := json.Marshal(r.Header)
	if err != nil {
		return err
	}
	_, err = s.Pool.Exec(ctx, `
UPDATE idempotency_keys SET status = $4, headers = $5, body = $6, locked_until = NULL, claim = NULL
 WHERE subject = $1 AND key = $2 AND claim = $3 AND status IS NULL`, c.Subject, c.Key, c.token, r.Status, h, r.Body)
	if err != nil {
		return fmt.Errorf("record idempotent response: %w", err)
	}
	return nil
}

// Release forgets the unfinished key c holds, so that a retry runs the
// request again.
func (s *Store) Release(ctx context.Context, c Claim) error {
	_, err := s.Pool.Exec(ctx, `DELETE FROM idempotency_keys WHERE subject = $1 AND key = $2 AND claim = $3 AND status IS NULL`,
		c.Subject, c.Key, c.token)
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
