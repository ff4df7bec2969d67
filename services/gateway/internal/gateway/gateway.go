// Package gateway is bookwell's REST edge: grpc-gateway routes to every
// service's gRPC API, the merged OpenAPI document and a page to browse it,
// and what belongs at the edge: the caller's identity, per-caller rate
// limits, body size limits, timeouts, CORS, Idempotency-Key, and errors as
// google.rpc.Status JSON with a reason a front end can switch on.
package gateway

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httputil"
	"net/url"
	"time"

	"github.com/grpc-ecosystem/grpc-gateway/v2/runtime"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/swaggest/swgui/v5emb"
	// Error details (ErrorInfo, BadRequest) must be known to marshal them.
	_ "google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/bookwell/bookwell/gen"
	bookingv1 "github.com/bookwell/bookwell/gen/go/bookwell/booking/v1"
	notificationsv1 "github.com/bookwell/bookwell/gen/go/bookwell/notifications/v1"
	paymentsv1 "github.com/bookwell/bookwell/gen/go/bookwell/payments/v1"
	reputationv1 "github.com/bookwell/bookwell/gen/go/bookwell/reputation/v1"
	schedulingv1 "github.com/bookwell/bookwell/gen/go/bookwell/scheduling/v1"
	"github.com/bookwell/bookwell/pkg/identity"
	"github.com/bookwell/bookwell/services/gateway/internal/idempotency"
	"github.com/bookwell/bookwell/services/gateway/internal/ratelimit"
)

// Config is the gateway's configuration: where each service's gRPC API is,
// how long keys are kept, and the limits. The database and the token secret
// are every process's (pkg/service).
type Config struct {
	HTTPAddr          string `env:"GATEWAY_HTTP_ADDR" envDefault:":8080"`
	BookingAddr       string `env:"BOOKING_GRPC_ADDR" envDefault:"127.0.0.1:9091"`
	SchedulingAddr    string `env:"SCHEDULING_GRPC_ADDR" envDefault:"127.0.0.1:9092"`
	PaymentsAddr      string `env:"PAYMENTS_GRPC_ADDR" envDefault:"127.0.0.1:9093"`
	NotificationsAddr string `env:"NOTIFICATIONS_GRPC_ADDR" envDefault:"127.0.0.1:9094"`
	ReputationAddr    string `env:"REPUTATION_GRPC_ADDR" envDefault:"127.0.0.1:9095"`
	// PaymentsHTTPAddr is where payments takes the card processor's
	// webhook (POST /webhooks/stripe), passed on from the edge as it came.
	PaymentsHTTPAddr string `env:"PAYMENTS_HTTP_ADDR" envDefault:"127.0.0.1:8093"`
	// MaxBodyBytes bounds a request body (413 beyond).
	MaxBodyBytes int64 `env:"GATEWAY_MAX_BODY_BYTES" envDefault:"1048576"`
	// RequestTimeout bounds one request (504 DEADLINE_EXCEEDED beyond).
	RequestTimeout time.Duration `env:"GATEWAY_REQUEST_TIMEOUT" envDefault:"30s"`
	// CORSAllowedOrigins are the front ends' origins, comma-separated
	// ("*" for any); empty disables CORS.
	CORSAllowedOrigins []string `env:"CORS_ALLOWED_ORIGINS" envSeparator:","`
	// RateLimitRPS and RateLimitBurst are each caller's token bucket (the
	// token's subject, or the client IP on public routes).
	RateLimitRPS   float64 `env:"RATE_LIMIT_RPS" envDefault:"20"`
	RateLimitBurst int     `env:"RATE_LIMIT_BURST" envDefault:"40"`
	// RateLimitMaxCallers bounds the limiter's memory; callers beyond share
	// one bucket until idle ones are dropped.
	RateLimitMaxCallers int `env:"RATE_LIMIT_MAX_CALLERS" envDefault:"100000"`
	// IdempotencyKeyTTL is how long an Idempotency-Key is remembered.
	IdempotencyKeyTTL time.Duration `env:"IDEMPOTENCY_KEY_TTL" envDefault:"24h"`
}

// Store returns the Idempotency-Key store on pool, configured by c.
func (c Config) Store(pool *pgxpool.Pool) *idempotency.Store {
	return &idempotency.Store{Pool: pool, TTL: c.IdempotencyKeyTTL}
}

// New returns the gateway's handler, checking tokens with v, with the
// Idempotency-Key store on pool (migrated with idempotency.Migrations).
// Connections to the services are made lazily and re-established by gRPC
// when a service restarts; dial (the process's transport: TLS, round-robin
// over every replica, keepalives) is how they are made, plaintext if empty.
func New(ctx context.Context, c Config, v *identity.Verifier, log *slog.Logger, pool *pgxpool.Pool, dial ...grpc.DialOption) (http.Handler, error) {
	mux := runtime.NewServeMux(
		// JSON for messages; google.api.HttpBody responses (the CSV export,
		// calendar.ics) go out as their own bytes and content type.
		runtime.WithMarshalerOption(runtime.MIMEWildcard, rawStreams{&runtime.HTTPBodyMarshaler{Marshaler: &runtime.JSONPb{
			MarshalOptions:   protojson.MarshalOptions{EmitUnpopulated: false},
			UnmarshalOptions: protojson.UnmarshalOptions{DiscardUnknown: false},
		}}}),
		runtime.WithErrorHandler(errorHandler(log)),
		runtime.WithRoutingErrorHandler(routingErrorHandler(log)),
		// A form-encoded POST is not a GET in disguise here.
		runtime.WithDisablePathLengthFallback(),
		// Which route template a request matched, for its span, metrics
		// and access log line (observe).
		runtime.WithMiddlewares(recordRoute),
		// The Idempotency-Key goes on to the services as "idempotency-key",
		// so that a retried command is the same command there too.
		runtime.WithIncomingHeaderMatcher(func(h string) (string, bool) {
			if h == idempotency.Header {
				return "idempotency-key", true
			}
			return runtime.DefaultHeaderMatcher(h)
		}),
	)
	opts := dial
	if len(opts) == 0 {
		opts = []grpc.DialOption{grpc.WithTransportCredentials(insecure.NewCredentials())}
	}
	for _, r := range []struct {
		name, addr string
		register   func(context.Context, *runtime.ServeMux, string, []grpc.DialOption) error
	}{
		{"booking", c.BookingAddr, bookingv1.RegisterBookingServiceHandlerFromEndpoint},
		{"action links", c.BookingAddr, bookingv1.RegisterActionLinkServiceHandlerFromEndpoint},
		{"erasures", c.BookingAddr, bookingv1.RegisterErasureServiceHandlerFromEndpoint},
		{"scheduling", c.SchedulingAddr, schedulingv1.RegisterSchedulingServiceHandlerFromEndpoint},
		{"external calendars", c.SchedulingAddr, schedulingv1.RegisterExternalCalendarServiceHandlerFromEndpoint},
		{"payments", c.PaymentsAddr, paymentsv1.RegisterPaymentsServiceHandlerFromEndpoint},
		{"notifications", c.NotificationsAddr, notificationsv1.RegisterNotificationServiceHandlerFromEndpoint},
		{"reputation", c.ReputationAddr, reputationv1.RegisterReputationServiceHandlerFromEndpoint},
	} {
		if err := r.register(ctx, mux, r.addr, opts); err != nil {
			return nil, fmt.Errorf("%s routes: %w", r.name, err)
		}
	}

	root := http.NewServeMux()
	root.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		_, _ = w.Write([]byte("ok\n"))
	})
	root.HandleFunc("GET /openapi.json", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(gen.OpenAPI)
	})
	// Swagger UI, its assets embedded in the binary (no CDN).
	docs := v5emb.New("bookwell REST API", "/openapi.json", "/docs/")
	root.Handle("GET /docs", docs)
	root.Handle("GET /docs/", docs)
	root.Handle("/", mux)

	limiter := ratelimit.New(c.RateLimitRPS, c.RateLimitBurst, c.RateLimitMaxCallers)
	// Outermost first.
	chain := []func(http.Handler) http.Handler{
		observe(log),
		recoverPanics(log),
		corsFor(c.CORSAllowedOrigins),
		authenticate(v),
		limitRate(limiter),
		limitBody(c.MaxBodyBytes),
		withTimeout(c.RequestTimeout),
		idempotency.Middleware(c.Store(pool), log),
	}
	var h http.Handler = root
	for i := len(chain) - 1; i >= 0; i-- {
		h = chain[i](h)
	}
	edge := http.NewServeMux()
	edge.Handle("POST /webhooks/stripe", recoverPanics(log)(limitBody(c.MaxBodyBytes)(webhookProxy(c.PaymentsHTTPAddr, log))))
	// The edge's catch-all pattern is no route: without it, otelhttp would
	// name every span "METHOD /" over the route template observe gives it.
	edge.Handle("/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.Pattern = ""
		h.ServeHTTP(w, r)
	}))
	return edge, nil
}

// webhookProxy passes the card processor's webhook on to payments untouched:
// its signature covers the exact body and payments checks it (docs/security.md),
// so no bearer token, rate limit per caller or Idempotency-Key applies here.
func webhookProxy(addr string, log *slog.Logger) http.Handler {
	target := &url.URL{Scheme: "http", Host: addr}
	return &httputil.ReverseProxy{
		Rewrite: func(r *httputil.ProxyRequest) {
			r.SetURL(target)
			r.Out.Header.Del("Authorization")
		},
		ErrorHandler: func(w http.ResponseWriter, _ *http.Request, err error) {
			log.Error("passing a webhook on to payments", "err", err)
			w.WriteHeader(http.StatusBadGateway) // the processor sends it again later
		},
	}
}

// rawStreams writes a streamed response's google.api.HttpBody chunks (the CSV
// export) one after the other, with nothing between them: their
// concatenation is the file.
type rawStreams struct{ *runtime.HTTPBodyMarshaler }

// Delimiter is what goes between two chunks of a stream: nothing.
func (rawStreams) Delimiter() []byte { return nil }
