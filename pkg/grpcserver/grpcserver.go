// Package grpcserver starts a service's gRPC server the same way everywhere:
// health checks, reflection, RED metrics and a span per call, panic
// recovery, request logging, errors turned
// into their gRPC status in one place (apperr/grpcstatus), and a graceful
// stop when the context ends.
package grpcserver

import (
	"context"
	"crypto/tls"
	"fmt"
	"log/slog"
	"net"
	"runtime/debug"
	"sync/atomic"
	"time"

	"github.com/grpc-ecosystem/go-grpc-middleware/v2/interceptors/logging"
	"github.com/grpc-ecosystem/go-grpc-middleware/v2/interceptors/recovery"
	"go.opentelemetry.io/contrib/instrumentation/google.golang.org/grpc/otelgrpc"
	"go.opentelemetry.io/contrib/instrumentation/google.golang.org/grpc/otelgrpc/filters"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/keepalive"
	"google.golang.org/grpc/reflection"
	"google.golang.org/grpc/status"

	"github.com/bookwell/bookwell/pkg/apperr/grpcstatus"
	"github.com/bookwell/bookwell/pkg/telemetry"
)

// Server is a gRPC server with the health and reflection services registered.
type Server struct {
	*grpc.Server
	health *health.Server
	log    *slog.Logger
	// notServing is what the health service says once serving starts:
	// SERVING unless SetServing(false) was called.
	notServing atomic.Bool
}

// Keepalive lets clients ping idle connections (grpcclient pings every 20
// s) and closes every connection after five minutes, so that clients resolve
// the service's name again and spread over replicas added since.
var (
	KeepaliveEnforcement = keepalive.EnforcementPolicy{MinTime: 10 * time.Second, PermitWithoutStream: true}
	Keepalive            = keepalive.ServerParameters{MaxConnectionAge: 5 * time.Minute, MaxConnectionAgeGrace: 30 * time.Second,
		Time: 30 * time.Second, Timeout: 10 * time.Second}
)

// Options are a server's transport settings.
type Options struct {
	// TLS, when set, is the server's TLS (mutual when it requires client
	// certificates); else the server speaks plaintext.
	TLS *tls.Config
}

// SetServing sets what the health service answers: SERVING or NOT_SERVING
// (the process's readiness: its database, NATS, Temporal).
func (s *Server) SetServing(ok bool) {
	s.notServing.Store(!ok)
	st := healthpb.HealthCheckResponse_SERVING
	if !ok {
		st = healthpb.HealthCheckResponse_NOT_SERVING
	}
	s.health.SetServingStatus("", st)
}

// New builds a server whose unary and stream calls are logged, whose panics
// become codes.Internal without leaking the panic to the caller, and whose
// handlers' errors are encoded by grpcstatus: a handler returns application
// errors as they are. Extra unary interceptors (identity's, say) run after
// those, in the order given, and their errors are encoded too.
func New(log *slog.Logger, unary ...grpc.UnaryServerInterceptor) *Server {
	return NewWith(log, Options{}, unary...)
}

// NewWith is New with transport options.
func NewWith(log *slog.Logger, o Options, unary ...grpc.UnaryServerInterceptor) *Server {
	recoverOpt := recovery.WithRecoveryHandlerContext(func(ctx context.Context, p any) error {
		log.ErrorContext(ctx, "panic in gRPC handler", "panic", p, "stack", string(debug.Stack()))
		return status.Error(codes.Internal, "internal error")
	})
	logOpts := []logging.Option{logging.WithLogOnEvents(logging.FinishCall), logging.WithLevels(codeToLevel)}
	metrics := telemetry.GRPCServerMetrics()
	chain := append([]grpc.UnaryServerInterceptor{
		metrics.UnaryServerInterceptor(),
		logging.UnaryServerInterceptor(interceptorLogger(log), logOpts...),
		recovery.UnaryServerInterceptor(recoverOpt),
		grpcstatus.UnaryServerInterceptor(log),
	}, unary...)
	opts := []grpc.ServerOption{grpc.KeepaliveEnforcementPolicy(KeepaliveEnforcement), grpc.KeepaliveParams(Keepalive),
		// A server span per call, continuing the caller's trace.
		grpc.StatsHandler(otelgrpc.NewServerHandler(otelgrpc.WithFilter(filters.Not(filters.HealthCheck()))))}
	if o.TLS != nil {
		opts = append(opts, grpc.Creds(credentials.NewTLS(o.TLS)))
	}
	s := grpc.NewServer(append(opts,
		grpc.ChainUnaryInterceptor(chain...),
		grpc.ChainStreamInterceptor(
			metrics.StreamServerInterceptor(),
			logging.StreamServerInterceptor(interceptorLogger(log), logOpts...),
			recovery.StreamServerInterceptor(recoverOpt),
			grpcstatus.StreamServerInterceptor(log),
		),
	)...)
	h := health.NewServer()
	healthpb.RegisterHealthServer(s, h)
	reflection.Register(s)
	return &Server{Server: s, health: h, log: log}
}

// Serve listens on addr and serves until ctx ends, then stops gracefully,
// giving calls in flight up to ten seconds to finish.
func (s *Server) Serve(ctx context.Context, addr string) error {
	lis, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listen %s: %w", addr, err)
	}
	return s.ServeListener(ctx, lis)
}

// ServeListener is Serve on a listener the caller opened.
func (s *Server) ServeListener(ctx context.Context, lis net.Listener) error {
	s.SetServing(!s.notServing.Load())
	s.log.Info("gRPC server listening", "addr", lis.Addr().String())
	served := make(chan error, 1)
	go func() { served <- s.Server.Serve(lis) }()
	select {
	case err := <-served:
		return fmt.Errorf("serve gRPC: %w", err)
	case <-ctx.Done():
	}
	s.health.Shutdown()
	stopped := make(chan struct{})
	go func() { s.GracefulStop(); close(stopped) }()
	select {
	case <-stopped:
	case <-time.After(10 * time.Second):
		s.Stop()
	}
	<-served
	return nil
}

// codeToLevel is how loud a finished call is logged: a call that worked is
// DEBUG (the gateway logs one line per REST request), a refusal that is the
// caller's doing (invalid, not found, not allowed, slot full) INFO, a
// dependency that is down or slow WARN, and only a failure of ours ERROR.
func codeToLevel(c codes.Code) logging.Level {
	switch c {
	case codes.OK:
		return logging.LevelDebug
	case codes.Canceled, codes.InvalidArgument, codes.NotFound, codes.AlreadyExists, codes.PermissionDenied,
		codes.Unauthenticated, codes.FailedPrecondition, codes.OutOfRange, codes.ResourceExhausted, codes.Aborted:
		return logging.LevelInfo
	case codes.DeadlineExceeded, codes.Unavailable:
		return logging.LevelWarn
	default:
		return logging.LevelError
	}
}

func interceptorLogger(l *slog.Logger) logging.Logger {
	return logging.LoggerFunc(func(ctx context.Context, lvl logging.Level, msg string, fields ...any) {
		l.Log(ctx, slog.Level(lvl), msg, fields...)
	})
}
