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

	"golang.org/x/sync/errgroup"

	"github.com/bookwell/bookwell/pkg/config"
	"github.com/bookwell/bookwell/pkg/logging"
	"github.com/bookwell/bookwell/pkg/pgdb"
	"github.com/bookwell/bookwell/services/gateway/internal/gateway"
	"github.com/bookwell/bookwell/services/gateway/internal/idempotency"
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
	pool, err := pgdb.Open(ctx, c.DatabaseURL, idempotency.Schema, idempotency.Migrations())
	if err != nil {
		return err
	}
	defer pool.Close()
	h, err := gateway.New(ctx, c, log, pool)
	if err != nil {
		return err
	}
	srv := &http.Server{Addr: c.HTTPAddr, Handler: h, ReadHeaderTimeout: 10 * time.Second}
	g, ctx := errgroup.WithContext(ctx)
	g.Go(func() error {
		log.Info("REST gateway listening", "addr", c.HTTPAddr)
		if err := srv.ListenAndServe(); !errors.Is(err, http.ErrServerClosed) {
			return fmt.Errorf("serve HTTP: %w", err)
		}
		return nil
	})
	g.Go(func() error { return c.Store(pool).RunCleanup(ctx, time.Hour, log) })
	g.Go(func() error {
		<-ctx.Done()
		shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		return srv.Shutdown(shutdownCtx)
	})
	return g.Wait()
}
