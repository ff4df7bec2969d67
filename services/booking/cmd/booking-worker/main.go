// Command booking-worker runs the booking workflows and their activities.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"go.temporal.io/sdk/worker"

	"github.com/bookwell/bookwell/pkg/config"
	"github.com/bookwell/bookwell/pkg/logging"
	"github.com/bookwell/bookwell/pkg/pgdb"
	"github.com/bookwell/bookwell/services/booking/internal/postgres"
	"github.com/bookwell/bookwell/services/booking/internal/temporalclient"
	"github.com/bookwell/bookwell/services/booking/internal/workflow"
)

type cfg struct {
	DatabaseURL string `env:"DATABASE_URL" envDefault:"postgres://postgres@127.0.0.1:5432/bookwell?sslmode=disable"`
	temporalclient.Config
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "booking-worker:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context) error {
	log := logging.New("booking-worker")
	c, err := config.Load[cfg]()
	if err != nil {
		return err
	}
	pool, err := pgdb.Open(ctx, c.DatabaseURL, postgres.Schema, postgres.Migrations()...)
	if err != nil {
		return err
	}
	defer pool.Close()
	tc, err := temporalclient.Dial(ctx, c.Config, log)
	if err != nil {
		return err
	}
	defer tc.Close()

	w := worker.New(tc, workflow.TaskQueue, worker.Options{})
	workflow.Register(w, &workflow.Activities{Store: postgres.NewStore(pool)})
	if err := w.Start(); err != nil {
		return fmt.Errorf("start worker: %w", err)
	}
	log.Info("booking worker started", "task_queue", workflow.TaskQueue)
	<-ctx.Done()
	w.Stop()
	return nil
}
