// Command gatewayd serves bookwell's REST API.
package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/bookwell/bookwell/pkg/config"
	"github.com/bookwell/bookwell/pkg/logging"
	"github.com/bookwell/bookwell/services/gateway/internal/gateway"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "gatewayd:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context) error {
	log := logging.New("gateway")
	c, err := config.Load[gateway.Config]()
	if err != nil {
		return err
	}
	h, err := gateway.New(ctx, c)
	if err != nil {
		return err
	}
	srv := &http.Server{Addr: c.HTTPAddr, Handler: h, ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.ListenAndServe() }()
	log.Info("REST gateway listening", "addr", c.HTTPAddr)
	select {
	case err := <-errc:
		return fmt.Errorf("serve HTTP: %w", err)
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
