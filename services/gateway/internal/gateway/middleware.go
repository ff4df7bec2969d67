package gateway

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"mime"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/rs/cors"
	"google.golang.org/grpc/codes"

	"github.com/bookwell/bookwell/pkg/apperr"
	"github.com/bookwell/bookwell/pkg/identity"
	"github.com/bookwell/bookwell/services/gateway/internal/idempotency"
	"github.com/bookwell/bookwell/services/gateway/internal/ratelimit"
	"github.com/bookwell/bookwell/services/gateway/internal/rpcstatus"
)

// public routes need no token: the health check, the API's documents, and
// the email action links (the link in the body is the credential, checked
// by the booking service).
func public(r *http.Request) bool {
	if r.Method == http.MethodPost && strings.HasPrefix(r.URL.Path, ActionLinksPath) {
		return true
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		return false
	}
	p := r.URL.Path
	return p == "/healthz" || p == "/openapi.json" || p == "/docs" || strings.HasPrefix(p, "/docs/")
}

// ActionLinksPath prefixes the action links' routes (:describe, :redeem).
const ActionLinksPath = "/v1/actionLinks:"

// recoverPanics answers 500 INTERNAL for a panic, logged, never shown.
func recoverPanics(log *slog.Logger) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			defer func() {
				if v := recover(); v != nil {
					if v == http.ErrAbortHandler {
						panic(v)
					}
					log.ErrorContext(r.Context(), "panic serving request", "method", r.Method, "path", r.URL.Path, "panic", v)
					rpcstatus.Error(w, http.StatusInternalServerError, codes.Internal, "INTERNAL", "internal error")
				}
			}()
			next.ServeHTTP(w, r)
		})
	}
}

// corsFor lets the front ends at origins call the API from a browser
// (github.com/rs/cors handles preflights and the Vary rules); no origins, no
// CORS headers.
func corsFor(origins []string) func(http.Handler) http.Handler {
	var allowed []string
	for _, o := range origins {
		if o = strings.TrimSpace(o); o != "" {
			allowed = append(allowed, o)
		}
	}
	if len(allowed) == 0 {
		return func(next http.Handler) http.Handler { return next }
	}
	c := cors.New(cors.Options{
		AllowedOrigins: allowed,
		AllowedMethods: []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete},
		AllowedHeaders: []string{"Authorization", "Content-Type", idempotency.Header},
		ExposedHeaders: []string{"Retry-After", idempotency.ReplayedHeader},
		MaxAge:         600,
	})
	return c.Handler
}

// authenticate checks the bearer token of every request but the public ones
// (the services check it again) and puts the caller in the context. Only
// people's tokens pass: a service's token is for the services' gRPC APIs.
func authenticate(v *identity.Verifier) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if public(r) {
				next.ServeHTTP(w, r)
				return
			}
			scheme, tok, _ := strings.Cut(r.Header.Get("Authorization"), " ")
			tok = strings.TrimSpace(tok)
			if !strings.EqualFold(scheme, "Bearer") || tok == "" {
				unauthenticated(w, identity.ErrUnauthenticated.Message)
				return
			}
			p, err := v.Verify(tok)
			if err != nil {
				msg := identity.ErrUnauthenticated.Message
				var ae *apperr.Error
				if errors.As(err, &ae) {
					msg = ae.Message // "invalid token: expired", safe to show
				}
				unauthenticated(w, msg)
				return
			}
			if p.Role == identity.RoleService {
				// Services call each other's gRPC APIs; the public edge is
				// for people (docs/security.md).
				unauthenticated(w, "a service token is not accepted at the public API")
				return
			}
			next.ServeHTTP(w, r.WithContext(identity.With(r.Context(), p)))
		})
	}
}

func unauthenticated(w http.ResponseWriter, msg string) {
	w.Header().Set("WWW-Authenticate", `Bearer realm="bookwell"`)
	rpcstatus.Error(w, http.StatusUnauthorized, codes.Unauthenticated, identity.ErrUnauthenticated.Reason, msg)
}

// limitRate gives each caller a token bucket: the token's subject, or the
// client's IP on public routes. The IP is the connection's peer: behind a
// proxy, every caller of a public route shares the proxy's bucket.
func limitRate(l *ratelimit.Limiter) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			key := "ip:" + clientIP(r)
			if p, err := identity.From(r.Context()); err == nil {
				key = "sub:" + p.Subject
			}
			if ok, wait := l.Allow(key); !ok {
				w.Header().Set("Retry-After", strconv.Itoa(ratelimit.RetryAfterSeconds(wait)))
				rpcstatus.Error(w, http.StatusTooManyRequests, codes.ResourceExhausted, "RATE_LIMITED",
					"too many requests; retry after the time in Retry-After")
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}

func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// limitBody reads the request body into memory, refusing more than max
// bytes (413) and media types other than JSON (415). A body with no type, or
// with curl's default form type, is read as JSON.
func limitBody(max int64) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.ContentLength > max {
				tooLarge(w, max)
				return
			}
			var body []byte
			if r.Body != nil && r.Body != http.NoBody {
				b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, max))
				var tooBig *http.MaxBytesError
				switch {
				case errors.As(err, &tooBig):
					tooLarge(w, max)
					return
				case err != nil:
					rpcstatus.Error(w, http.StatusBadRequest, codes.InvalidArgument, "INVALID_ARGUMENT", "the request body could not be read")
					return
				}
				body = b
			}
			if len(body) > 0 && !jsonMediaType(r.Header.Get("Content-Type")) {
				rpcstatus.Error(w, http.StatusUnsupportedMediaType, codes.InvalidArgument, "UNSUPPORTED_MEDIA_TYPE",
					"the request body must be JSON (Content-Type: application/json)")
				return
			}
			r.Body = io.NopCloser(bytes.NewReader(body))
			r.ContentLength = int64(len(body))
			next.ServeHTTP(w, r)
		})
	}
}

func tooLarge(w http.ResponseWriter, max int64) {
	rpcstatus.Error(w, http.StatusRequestEntityTooLarge, codes.InvalidArgument, "REQUEST_TOO_LARGE",
		"the request body is larger than "+strconv.FormatInt(max, 10)+" bytes")
}

func jsonMediaType(ct string) bool {
	if ct == "" {
		return true
	}
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil {
		return false
	}
	return mt == "application/json" || mt == "application/x-www-form-urlencoded" || mt == "*/*" ||
		(strings.HasPrefix(mt, "application/") && strings.HasSuffix(mt, "+json"))
}

// withTimeout bounds each request; grpc-gateway passes the deadline to the
// service call, whose DEADLINE_EXCEEDED becomes 504.
func withTimeout(d time.Duration) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			ctx, cancel := context.WithTimeout(r.Context(), d)
			defer cancel()
			next.ServeHTTP(w, r.WithContext(ctx))
		})
	}
}
