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
// the token secret, the key store, and the limits.
type Config struct {
	HTTPAddr          string `env:"GATEWAY_HTTP_ADDR" envDefault:":8080"`
	BookingAddr       string `env:"BOOKING_GRPC_ADDR" envDefault:"127.0.0.1:9091"`
	SchedulingAddr    string `env:"SCHEDULING_GRPC_ADDR" envDefault:"127.0.0.1:9092"`
	PaymentsAddr      string `env:"PAYMENTS_GRPC_ADDR" envDefault:"127.0.0.1:9093"`
	NotificationsAddr string `env:"NOTIFICATIONS_GRPC_ADDR" envDefault:"127.0.0.1:9094"`
	ReputationAddr    string `env:"REPUTATION_GRPC_ADDR" envDefault:"127.0.0.1:9095"`
	// DatabaseURL holds the Idempotency-Key store (schema gateway).
	DatabaseURL string `env:"DATABASE_URL" envDefault:"postgres://postgres@127.0.0.1:5432/bookwell?sslmode=disable"`
	Auth        identity.Config
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
	return &idempotency.Store{Pool: pool, TTL: c.IdempotencyKeyTTL, Lease: c.RequestTimeout + time.Minute}
}

// New returns the gateway's handler, with the Idempotency-Key store on pool
// (migrated with idempotency.Migrations). Connections to the services are
// made lazily and re-established by gRPC when a service restarts.
func New(ctx context.Context, c Config, log *slog.Logger, pool *pgxpool.Pool) (http.Handler, error) {
	mux := runtime.NewServeMux(
		// JSON for messages; google.api.HttpBody responses (the CSV export,
		// calendar.ics) go out as their own bytes and content type.
		runtime.WithMarshalerOption(runtime.MIMEWildcard, &runtime.HTTPBodyMarshaler{Marshaler: &runtime.JSONPb{
			MarshalOptions:   protojson.MarshalOptions{EmitUnpopulated: false},
			UnmarshalOptions: protojson.UnmarshalOptions{DiscardUnknown: false},
		}}),
		runtime.WithErrorHandler(errorHandler(log)),
		runtime.WithRoutingErrorHandler(routingErrorHandler(log)),
		// A form-encoded POST is not a GET in disguise here.
		runtime.WithDisablePathLengthFallback(),
	)
	opts := []grpc.DialOption{grpc.WithTransportCredentials(insecure.NewCredentials())}
	for _, r := range []struct {
		name, addr string
		register   func(context.Context, *runtime.ServeMux, string, []grpc.DialOption) error
	}{
		{"booking", c.BookingAddr, bookingv1.RegisterBookingServiceHandlerFromEndpoint},
		{"scheduling", c.SchedulingAddr, schedulingv1.RegisterSchedulingServiceHandlerFromEndpoint},
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
		recoverPanics(log),
		corsFor(c.CORSAllowedOrigins),
		authenticate(identity.NewVerifier(c.Auth.JWTSecret)),
		limitRate(limiter),
		limitBody(c.MaxBodyBytes),
		withTimeout(c.RequestTimeout),
		idempotency.Middleware(c.Store(pool), log),
	}
	var h http.Handler = root
	for i := len(chain) - 1; i >= 0; i-- {
		h = chain[i](h)
	}
	return h, nil
}
