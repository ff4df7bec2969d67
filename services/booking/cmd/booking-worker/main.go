// Command booking-worker runs the booking workflows and their activities,
// which call scheduling and payments over gRPC.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"
	_ "time/tzdata" // IANA zones even where the system has none

	"go.temporal.io/sdk/worker"

	paymentsv1 "github.com/bookwell/bookwell/gen/go/bookwell/payments/v1"
	schedulingv1 "github.com/bookwell/bookwell/gen/go/bookwell/scheduling/v1"
	"github.com/bookwell/bookwell/pkg/config"
	"github.com/bookwell/bookwell/pkg/grpcclient"
	"github.com/bookwell/bookwell/pkg/identity"
	"github.com/bookwell/bookwell/pkg/logging"
	"github.com/bookwell/bookwell/pkg/pgdb"
	"github.com/bookwell/bookwell/services/booking/internal/paymentsclient"
	"github.com/bookwell/bookwell/services/booking/internal/postgres"
	"github.com/bookwell/bookwell/services/booking/internal/schedulingclient"
	"github.com/bookwell/bookwell/services/booking/internal/temporalclient"
	"github.com/bookwell/bookwell/services/booking/internal/workflow"
)

type cfg struct {
	DatabaseURL    string `env:"DATABASE_URL" envDefault:"postgres://postgres@127.0.0.1:5432/bookwell?sslmode=disable"`
	SchedulingAddr string `env:"SCHEDULING_GRPC_ADDR" envDefault:"127.0.0.1:9092"`
	PaymentsAddr   string `env:"PAYMENTS_GRPC_ADDR" envDefault:"127.0.0.1:9093"`
	Temporal       temporalclient.Config
	Auth           identity.Config
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
	sched, err := grpcclient.Dial(c.SchedulingAddr, "booking-worker", c.Auth.JWTSecret)
	if err != nil {
		return err
	}
	defer sched.Close()
	pay, err := grpcclient.Dial(c.PaymentsAddr, "booking-worker", c.Auth.JWTSecret)
	if err != nil {
		return err
	}
	defer pay.Close()
	tc, err := temporalclient.Dial(ctx, c.Temporal, log)
	if err != nil {
		return err
	}
	defer tc.Close()

	w := worker.New(tc, workflow.TaskQueue, worker.Options{})
	workflow.Register(w, &workflow.Activities{
		Store:      postgres.NewStore(pool),
		Scheduling: schedulingclient.New(schedulingv1.NewSchedulingServiceClient(sched)),
		Payments:   paymentsclient.New(paymentsv1.NewPaymentsServiceClient(pay), time.Now),
	})
	if err := w.Start(); err != nil {
		return fmt.Errorf("start worker: %w", err)
	}
	log.Info("booking worker started", "task_queue", workflow.TaskQueue)
	<-ctx.Done()
	w.Stop()
	return nil
}
