// Package idempotency makes a POST safe to retry: a request carrying an
// Idempotency-Key header is served once per caller and key; a retry with the
// same body gets the first response again (status, headers, body, plus
// Idempotent-Replayed: true) without reaching a service.
//
// The rules a front end can rely on:
//   - keys are per caller (the token's subject) and remembered for 24 hours;
//   - the same key with a different request (method, path or body bytes) is
//     refused with 422 IDEMPOTENCY_KEY_REUSED;
//   - a retry while the first request is still being served is refused with
//     409 IDEMPOTENCY_KEY_IN_USE and Retry-After: 1 (we answer at once rather
//     than hold a connection open; the retry then gets the replay);
//   - answers that say "try again" are not kept: 5xx, 429 and a request the
//     client gave up on (499), so a retry after them really runs again;
//   - a key must be 1 to 255 printable ASCII characters, else 400
//     IDEMPOTENCY_KEY_INVALID.
//
// Keys live in Postgres (schema gateway) so every gateway replica sees them
// and a restart forgets nothing. The request being served holds its key with
// a short lease that it renews while it runs (Store.KeepAlive), so a claim
// dies with the gateway that held it: a retry after a gateway crash runs
// within one lease (DefaultLease, 5 s), while a duplicate of a live request
// is still refused however long that request takes.
package idempotency

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"google.golang.org/grpc/codes"

	"github.com/bookwell/bookwell/pkg/identity"
	"github.com/bookwell/bookwell/services/gateway/internal/rpcstatus"
)

// Header is the request header that carries the key.
const Header = "Idempotency-Key"

// ReplayedHeader marks a replayed response.
const ReplayedHeader = "Idempotent-Replayed"

// MaxKeyLength is the longest key accepted.
const MaxKeyLength = 255

// maxStoredBody bounds what is kept of one response; larger ones are not
// kept (a retry runs again).
const maxStoredBody = 1 << 20

// Middleware applies the rules above to every POST with a key. The request
// body must already be bounded (the gateway reads it into memory first), and
// the caller must be in the request's context (identity.From).
func Middleware(s *Store, log *slog.Logger) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			key, has := r.Header[http.CanonicalHeaderKey(Header)]
			if r.Method != http.MethodPost || !has {
				next.ServeHTTP(w, r)
				return
			}
			k := ""
			if len(key) > 0 {
				k = strings.TrimSpace(key[0])
			}
			if len(key) != 1 || !validKey(k) {
				rpcstatus.Error(w, http.StatusBadRequest, codes.InvalidArgument, "IDEMPOTENCY_KEY_INVALID",
					"Idempotency-Key must be one value of 1 to 255 printable ASCII characters")
				return
			}
			caller, err := identity.From(r.Context())
			if err != nil {
				rpcstatus.Error(w, http.StatusUnauthorized, codes.Unauthenticated, "UNAUTHENTICATED", "a valid bearer token is required")
				return
			}
			body, err := readAll(r)
			if err != nil {
				rpcstatus.Error(w, http.StatusBadRequest, codes.InvalidArgument, "INVALID_ARGUMENT", "the request body could not be read")
				return
			}
			hash := fingerprint(r, body)

			outcome, prev, claim, err := s.Begin(r.Context(), caller.Subject, k, hash)
			if err != nil {
				storeError(w, r, log, err)
				return
			}
			switch outcome {
			case Mismatch:
				rpcstatus.Error(w, http.StatusUnprocessableEntity, codes.InvalidArgument, "IDEMPOTENCY_KEY_REUSED",
					"this Idempotency-Key was already used for a different request")
				return
			case InFlight:
				w.Header().Set("Retry-After", "1")
				rpcstatus.Error(w, http.StatusConflict, codes.Aborted, "IDEMPOTENCY_KEY_IN_USE",
					"a request with this Idempotency-Key is still being served; retry shortly")
				return
			case Replay:
				replay(w, prev)
				return
			}

			// We hold the key: keep the claim alive while we serve the
			// request, then keep or release it, whatever happens (a panic
			// included), on a context that outlives the request's.
			stopRenewing := s.KeepAlive(r.Context(), claim, log)
			rec := &recorder{ResponseWriter: w}
			kept := false
			defer func() {
				stopRenewing()
				if kept {
					return
				}
				ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), 5*time.Second)
				defer cancel()
				if err := s.Release(ctx, claim); err != nil {
					log.ErrorContext(ctx, "release idempotency key", "err", err)
				}
			}()
			r.Body = readCloser{bytes.NewReader(body)}
			next.ServeHTTP(rec, r)
			if !keep(rec, r) {
				return
			}
			stopRenewing()
			ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), 5*time.Second)
			defer cancel()
			if err := s.Complete(ctx, claim, Response{Status: rec.status, Header: rec.header, Body: rec.body.Bytes()}); err != nil {
				log.ErrorContext(ctx, "keep idempotent response", "err", err)
				return
			}
			kept = true
		})
	}
}

// validKey: 1 to 255 printable ASCII characters (a UUID, say).
func validKey(k string) bool {
	if k == "" || len(k) > MaxKeyLength {
		return false
	}
	for i := 0; i < len(k); i++ {
		if k[i] < 0x20 || k[i] > 0x7e {
			return false
		}
	}
	return true
}

// keep says whether a finished response is the answer to replay.
func keep(rec *recorder, r *http.Request) bool {
	switch {
	case rec.status == 0, rec.overflow:
		return false
	case rec.status >= 500, rec.status == http.StatusTooManyRequests, rec.status == 499:
		return false
	case r.Context().Err() != nil: // the client went away or the time ran out
		return false
	}
	return true
}

func fingerprint(r *http.Request, body []byte) []byte {
	h := sha256.New()
	h.Write([]byte(r.Method))
	h.Write([]byte{0})
	h.Write([]byte(r.URL.EscapedPath()))
	h.Write([]byte{0})
	h.Write([]byte(r.URL.RawQuery))
	h.Write([]byte{0})
	h.Write(body)
	return h.Sum(nil)
}

func replay(w http.ResponseWriter, prev *Response) {
	for k, vs := range prev.Header {
		w.Header()[k] = vs
	}
	w.Header().Set(ReplayedHeader, "true")
	w.WriteHeader(prev.Status)
	_, _ = w.Write(prev.Body)
}

func storeError(w http.ResponseWriter, r *http.Request, log *slog.Logger, err error) {
	if errors.Is(err, context.DeadlineExceeded) {
		rpcstatus.Error(w, http.StatusGatewayTimeout, codes.DeadlineExceeded, "DEADLINE_EXCEEDED", "request timed out")
		return
	}
	log.ErrorContext(r.Context(), "idempotency store", "err", err)
	rpcstatus.Error(w, http.StatusServiceUnavailable, codes.Unavailable, "UNAVAILABLE", "the service is unavailable; retry later")
}

// replayedHeaders are the response headers worth replaying; the rest
// (Date, Content-Length, CORS headers set by outer middleware) are either
// recomputed or not the service's answer.
func replayable(name string) bool {
	switch {
	case name == "Content-Type", name == "Location", name == "Www-Authenticate", name == "Retry-After":
		return true
	case strings.HasPrefix(name, "Grpc-Metadata-"):
		return true
	}
	return false
}

// recorder passes a response through and keeps a copy.
type recorder struct {
	http.ResponseWriter
	status   int
	header   http.Header
	body     bytes.Buffer
	overflow bool
}

func (rec *recorder) WriteHeader(code int) {
	if rec.status != 0 {
		return
	}
	rec.status = code
	rec.header = http.Header{}
	for k, vs := range rec.ResponseWriter.Header() {
		if replayable(k) {
			rec.header[k] = append([]string(nil), vs...)
		}
	}
	rec.ResponseWriter.WriteHeader(code)
}

func (rec *recorder) Write(b []byte) (int, error) {
	if rec.status == 0 {
		rec.WriteHeader(http.StatusOK)
	}
	if rec.body.Len()+len(b) > maxStoredBody {
		rec.overflow = true
	} else {
		rec.body.Write(b)
	}
	return rec.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the real writer.
func (rec *recorder) Unwrap() http.ResponseWriter { return rec.ResponseWriter }

type readCloser struct{ *bytes.Reader }

func (readCloser) Close() error { return nil }

func readAll(r *http.Request) ([]byte, error) {
	if r.Body == nil {
		return nil, nil
	}
	var b bytes.Buffer
	_, err := b.ReadFrom(r.Body)
	return b.Bytes(), err
}
