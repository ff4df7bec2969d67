// Command fakesvc stands in for a bookwell binary in the supervisor's tests:
// it serves the gRPC health service on FAKE_GRPC_ADDR and/or GET /healthz on
// FAKE_HTTP_ADDR, prints the environment variables listed in FAKE_PRINT_ENV,
// and stops on SIGTERM (unless FAKE_IGNORE_TERM is set) after printing
// "fakesvc: stopping". FAKE_FAIL makes it exit at once with an error.
package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"golang.org/x/sync/errgroup"
	"google.golang.org/grpc"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "fakesvc:", err)
		os.Exit(1)
	}
}

func run() error {
	if msg := os.Getenv("FAKE_FAIL"); msg != "" {
		return errors.New(msg)
	}
	for _, k := range strings.Fields(os.Getenv("FAKE_PRINT_ENV")) {
		fmt.Printf("%s=%s\n", k, os.Getenv(k))
	}
	if os.Getenv("FAKE_IGNORE_TERM") != "" {
		signal.Ignore(syscall.SIGTERM)
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	g, ctx := errgroup.WithContext(ctx)
	if addr := os.Getenv("FAKE_GRPC_ADDR"); addr != "" {
		lis, err := net.Listen("tcp", addr)
		if err != nil {
			return err
		}
		srv := grpc.NewServer()
		healthpb.RegisterHealthServer(srv, health.NewServer())
		g.Go(func() error { return srv.Serve(lis) })
		g.Go(func() error { <-ctx.Done(); srv.GracefulStop(); return nil })
	}
	if addr := os.Getenv("FAKE_HTTP_ADDR"); addr != "" {
		mux := http.NewServeMux()
		mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { fmt.Fprintln(w, "ok") })
		srv := &http.Server{Addr: addr, Handler: mux}
		g.Go(func() error {
			if err := srv.ListenAndServe(); !errors.Is(err, http.ErrServerClosed) {
				return err
			}
			return nil
		})
		g.Go(func() error { <-ctx.Done(); return srv.Shutdown(context.Background()) })
	}
	fmt.Println("fakesvc: up")
	<-ctx.Done()
	fmt.Println("fakesvc: stopping")
	return g.Wait()
}
