// Package grpcserver starts a service's gRPC server the same way everywhere:
// health checks, reflection, panic recovery, request logging, and a graceful
// stop when the context ends.
package grpcserver

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"runtime/debug"
	"time"

	"github.com/grpc-ecosystem/go-grpc-middleware/v2/interceptors/logging"
	"github.com/grpc-ecosystem/go-grpc-middleware/v2/interceptors/recovery"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/reflection"
	"google.golang.org/grpc/status"
)

// Server is a gRPC server with the health and reflection services registered.
type Server struct {
	*grpc.Server
	health *health.Server
	log    *slog.Logger
}

// New builds a server whose unary and stream calls are logged and whose panics
// become codes.Internal without leaking the panic to the caller. Extra unary
// interceptors run after those two, in the order given.
func New(log *slog.Logger, unary ...grpc.UnaryServerInterceptor) *Server {
	recoverOpt := recovery.WithRecoveryHandlerContext(func(ctx context.Context, p any) error {
		log.ErrorContext(ctx, "panic in gRPC handler", "panic", p, "stack", string(debug.Stack()))
		return status.Error(codes.Internal, "internal error")
	})
	logOpts := []logging.Option{logging.WithLogOnEvents(logging.FinishCall)}
	chain := append([]grpc.UnaryServerInterceptor{
		logging.UnaryServerInterceptor(interceptorLogger(log), logOpts...),
		recovery.UnaryServerInterceptor(recoverOpt),
	}, unary...)
	s := grpc.NewServer(
		grpc.ChainUnaryInterceptor(chain...),
		grpc.ChainStreamInterceptor(
			logging.StreamServerInterceptor(interceptorLogger(log), logOpts...),
			recovery.StreamServerInterceptor(recoverOpt),
		),
	)
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
	s.health.SetServingStatus("", healthpb.HealthCheckResponse_SERVING)
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

func interceptorLogger(l *slog.Logger) logging.Logger {
	return logging.LoggerFunc(func(ctx context.Context, lvl logging.Level, msg string, fields ...any) {
		l.Log(ctx, slog.Level(lvl), msg, fields...)
	})
}
