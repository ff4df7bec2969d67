// Command reputationd serves the reputation context's gRPC API, projects
// booking and payment events into mentor and mentee figures, and relays its
// outbox (mentor standing changes) to NATS JetStream.
//
// With -rebuild it first empties the projections and replays the booking and
// payments streams from their first events.
package main

import (
	"context"
	"flag"
	"time"

	reputationv1 "github.com/bookwell/bookwell/gen/go/bookwell/reputation/v1"
	"github.com/bookwell/bookwell/pkg/consumer"
	"github.com/bookwell/bookwell/pkg/events"
	"github.com/bookwell/bookwell/pkg/service"
	"github.com/bookwell/bookwell/services/reputation/internal/app"
	"github.com/bookwell/bookwell/services/reputation/internal/domain"
	"github.com/bookwell/bookwell/services/reputation/internal/eventapi"
	"github.com/bookwell/bookwell/services/reputation/internal/grpcapi"
	"github.com/bookwell/bookwell/services/reputation/internal/postgres"
)

type config struct {
	service.Config
	GRPCAddr string `env:"REPUTATION_GRPC_ADDR" envDefault:"127.0.0.1:9095"`
	Policy   domain.Policy
}

var rebuild = flag.Bool("rebuild", false, "empty the projections and replay the booking and payments streams before serving")

func main() {
	flag.Parse()
	service.Main("reputationd", config{Policy: domain.DefaultPolicy()}, build)
}

func build(ctx context.Context, p *service.Process, c config) error {
	if err := c.Policy.Validate(); err != nil {
		return err
	}
	pool, err := p.Postgres(ctx, postgres.Schema, postgres.Migrations()...)
	if err != nil {
		return err
	}
	svc := &app.Service{Store: postgres.NewStore(pool), Policy: c.Policy, Log: p.Log, Now: time.Now}
	if *rebuild {
		js, err := p.JetStream()
		if err != nil {
			return err
		}
		p.Log.Info("rebuilding projections from the booking and payments streams")
		if err := eventapi.Rebuild(ctx, svc, js); err != nil {
			return err
		}
	}
	bookings, payments := eventapi.BookingsConsumer(svc), eventapi.PaymentsConsumer(svc)
	srv := grpcapi.New(svc, p.Log)
	srv.DeadLetters = consumer.DeadLetters{Pool: pool, Consumers: []consumer.Consumer{bookings, payments}}
	reputationv1.RegisterReputationServiceServer(p.GRPC(c.GRPCAddr), srv)
	p.Consume(pool, bookings)
	p.Consume(pool, payments)
	p.Relay(pool, postgres.Schema, events.ReputationStream)
	return nil
}
