// Command booking-worker runs the booking workflows and their activities,
// which call scheduling and payments over gRPC.
package main

import (
	"context"
	"fmt"
	"time"

	paymentsv1 "github.com/bookwell/bookwell/gen/go/bookwell/payments/v1"
	schedulingv1 "github.com/bookwell/bookwell/gen/go/bookwell/scheduling/v1"
	"github.com/bookwell/bookwell/pkg/service"
	"github.com/bookwell/bookwell/services/booking/internal/paymentsclient"
	"github.com/bookwell/bookwell/services/booking/internal/postgres"
	"github.com/bookwell/bookwell/services/booking/internal/schedulingclient"
	"github.com/bookwell/bookwell/services/booking/internal/workflow"
)

type config struct {
	service.Config
	SchedulingAddr string `env:"SCHEDULING_GRPC_ADDR" envDefault:"127.0.0.1:9092"`
	PaymentsAddr   string `env:"PAYMENTS_GRPC_ADDR" envDefault:"127.0.0.1:9093"`
	Temporal       service.TemporalConfig
}

func main() { service.Main("booking-worker", config{}, build) }

func build(ctx context.Context, p *service.Process, c config) error {
	pool, err := p.Postgres(ctx, postgres.Schema, postgres.Migrations()...)
	if err != nil {
		return err
	}
	sched, err := p.Dial(c.SchedulingAddr)
	if err != nil {
		return err
	}
	pay, err := p.Dial(c.PaymentsAddr)
	if err != nil {
		return err
	}
	tc, err := p.Temporal(ctx, c.Temporal)
	if err != nil {
		return err
	}
	w := workflow.NewWorker(tc, &workflow.Activities{
		Store:      postgres.NewStore(pool),
		Scheduling: schedulingclient.New(schedulingv1.NewSchedulingServiceClient(sched)),
		Payments:   paymentsclient.New(paymentsv1.NewPaymentsServiceClient(pay), time.Now),
	})
	p.Go("temporal worker", func(ctx context.Context) error {
		if err := w.Start(); err != nil {
			return fmt.Errorf("start worker on task queue %s: %w", workflow.TaskQueue, err)
		}
		<-ctx.Done()
		w.Stop()
		return nil
	})
	return nil
}
