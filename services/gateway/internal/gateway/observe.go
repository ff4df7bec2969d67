package gateway

import (
	"bufio"
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/grpc-ecosystem/grpc-gateway/v2/runtime"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promauto"
	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"
)

// The REST API's RED metrics, by route template (never by the raw path, whose
// ids would make a series per booking).
var (
	httpRequests = promauto.NewCounterVec(prometheus.CounterOpts{
		Name: "bookwell_http_requests_total",
		Help: "REST requests answered by the gateway, by route template, method and status code.",
	}, []string{"route", "method", "code"})
	httpDuration = promauto.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "bookwell_http_request_duration_seconds",
		Help:    "Time the gateway took to answer a REST request, by route template and method.",
		Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
	}, []string{"route", "method"})
)

// route is filled in by the REST router with the template the request
// matched.
type route struct{ template string }

type routeKey struct{}

// recordRoute is the grpc-gateway middleware that tells observe which route
// template a request matched.
func recordRoute(next runtime.HandlerFunc) runtime.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request, params map[string]string) {
		if rt, ok := r.Context().Value(routeKey{}).(*route); ok {
			if p, ok := runtime.HTTPPattern(r.Context()); ok {
				// "/v1/bookings/{booking_id=*}:approve" reads better
				// without the "=*" of a plain path variable.
				rt.template = strings.ReplaceAll(p.String(), "=*}", "}")
			}
		}
		next(w, r, params)
	}
}

// observe is the outermost middleware: a server span per request continuing
// the caller's trace (otelhttp), named after the route template; the RED
// metrics; and one access log line per request: INFO for answers below 500,
// ERROR from 500 on. Health checks are neither traced nor logged.
func observe(log *slog.Logger) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		inner := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			start := time.Now()
			rt := &route{}
			ctx := context.WithValue(r.Context(), routeKey{}, rt)
			sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
			next.ServeHTTP(sw, r.WithContext(ctx))
			took := time.Since(start)
			name := rt.template
			switch {
			case name != "":
			case r.URL.Path == "/openapi.json" || r.URL.Path == "/docs" || strings.HasPrefix(r.URL.Path, "/docs/"):
				name = "/docs"
			default:
				name = "unmatched"
			}
			span := trace.SpanFromContext(ctx)
			span.SetName(r.Method + " " + name)
			span.SetAttributes(attribute.String("http.route", name))
			code := strconv.Itoa(sw.status)
			httpRequests.WithLabelValues(name, r.Method, code).Inc()
			httpDuration.WithLabelValues(name, r.Method).Observe(took.Seconds())
			level := slog.LevelInfo
			if sw.status >= 500 {
				level = slog.LevelError
			}
			log.Log(ctx, level, "request", "method", r.Method, "route", name, "path", r.URL.Path,
				"status", sw.status, "bytes", sw.bytes, "took", took.Round(time.Microsecond), "remote", clientIP(r))
		})
		traced := otelhttp.NewHandler(inner, "HTTP request")
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/healthz" {
				next.ServeHTTP(w, r)
				return
			}
			traced.ServeHTTP(w, r)
		})
	}
}

// statusWriter remembers the status code and the size of the body written.
type statusWriter struct {
	http.ResponseWriter
	status      int
	bytes       int64
	wroteHeader bool
}

func (s *statusWriter) WriteHeader(code int) {
	if !s.wroteHeader {
		s.status, s.wroteHeader = code, true
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusWriter) Write(b []byte) (int, error) {
	s.wroteHeader = true
	n, err := s.ResponseWriter.Write(b)
	s.bytes += int64(n)
	return n, err
}

// Flush passes on to the writer below, for streamed answers (the CSV export).
func (s *statusWriter) Flush() {
	if f, ok := s.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// Hijack passes on to the writer below.
func (s *statusWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	if h, ok := s.ResponseWriter.(http.Hijacker); ok {
		return h.Hijack()
	}
	return nil, nil, errors.New("hijacking not supported")
}

// Unwrap gives http.ResponseController the writer below.
func (s *statusWriter) Unwrap() http.ResponseWriter { return s.ResponseWriter }
