// Command bookingd serves the booking context's gRPC API, relays its outbox
// to NATS JetStream and hands payments' reports to the bookings.
package main

import (
	"context"
	"fmt"
	"time"

	"go.temporal.io/api/enums/v1"

	bookingv1 "github.com/bookwell/bookwell/gen/go/bookwell/booking/v1"
	reputationv1 "github.com/bookwell/bookwell/gen/go/bookwell/reputation/v1"
	schedulingv1 "github.com/bookwell/bookwell/gen/go/bookwell/scheduling/v1"
	"github.com/bookwell/bookwell/pkg/actionlink"
	"github.com/bookwell/bookwell/pkg/events"
	"github.com/bookwell/bookwell/pkg/service"
	"github.com/bookwell/bookwell/pkg/telemetry"
	"github.com/bookwell/bookwell/services/booking/internal/app"
	"github.com/bookwell/bookwell/services/booking/internal/eventapi"
	"github.com/bookwell/bookwell/services/booking/internal/grpcapi"
	"github.com/bookwell/bookwell/services/booking/internal/postgres"
	"github.com/bookwell/bookwell/services/booking/internal/protoconv"
	"github.com/bookwell/bookwell/services/booking/internal/reputationclient"
	"github.com/bookwell/bookwell/services/booking/internal/schedulingclient"
	"github.com/bookwell/bookwell/services/booking/internal/workflow"
)

type config struct {
	service.Config
	GRPCAddr string `env:"BOOKING_GRPC_ADDR" envDefault:"127.0.0.1:9091"`
	// Scheduling and reputation answer the mentor's pending view.
	SchedulingAddr string `env:"SCHEDULING_GRPC_ADDR" envDefault:"127.0.0.1:9092"`
	ReputationAddr string `env:"REPUTATION_GRPC_ADDR" envDefault:"127.0.0.1:9095"`
	Temporal       service.TemporalConfig
	Policy         app.PolicyConfig
	// ActionLinkKeys are the public keys (PEM) that emails' action links are
	// checked against: notifications signs them with the private key. Empty:
	// every link is refused.
	ActionLinkKeys string `env:"ACTION_LINK_VERIFY_KEYS"`
}

func main() { service.Main("bookingd", config{}, build) }

func build(ctx context.Context, p *service.Process, c config) error {
	defaults, err := c.Policy.Policy()
	if err != nil {
		return fmt.Errorf("booking policy: %w", err)
	}
	pool, err := p.Postgres(ctx, postgres.Schema, postgres.Migrations()...)
	if err != nil {
		return err
	}
	tc, err := p.Temporal(ctx, c.Temporal)
	if err != nil {
		return err
	}
	sched, err := p.Dial(c.SchedulingAddr)
	if err != nil {
		return err
	}
	rep, err := p.Dial(c.ReputationAddr)
	if err != nil {
		return err
	}
	lookups := app.Lookups{
		History:  reputationclient.History(reputationv1.NewReputationServiceClient(rep)),
		Conflict: schedulingclient.New(schedulingv1.NewSchedulingServiceClient(sched)).Conflict,
	}
	// The bootstrap registers the attributes the workflow sets, by which an
	// operator finds a booking in the Temporal UI.
	attrs := map[string]enums.IndexedValueType{}
	for _, k := range workflow.SearchAttributeKeys() {
		attrs[k.GetName()] = k.GetValueType()
	}
	p.SearchAttributes(tc, c.Temporal.Namespace, attrs)
	store := postgres.NewStore(pool)
	workflows := workflow.NewClient(tc)
	workflows.Traces = store.TraceContext
	svc := app.New(workflows, store, defaults, lookups, time.Now)
	bookingv1.RegisterBookingServiceServer(p.GRPC(c.GRPCAddr), grpcapi.New(svc, p.Log, p.Verifier()))
	links := &app.ActionLinks{Service: svc, Used: store, Now: time.Now}
	if c.ActionLinkKeys == "" {
		p.Log.Warn("ACTION_LINK_VERIFY_KEYS not set: emails' action links are refused")
	} else if links.Links, err = actionlink.NewVerifier([]byte(c.ActionLinkKeys)); err != nil {
		return fmt.Errorf("ACTION_LINK_VERIFY_KEYS: %w", err)
	}
	bookingv1.RegisterActionLinkServiceServer(p.GRPC(c.GRPCAddr), grpcapi.NewActionLinkServer(links, p.Log))
	bookingv1.RegisterErasureServiceServer(p.GRPC(c.GRPCAddr),
		grpcapi.NewErasureServer(app.NewErasures(store, protoconv.UserErasedEvent, time.Now), p.Log))
	for _, m := range grpcapi.SelfAuthenticated {
		p.SelfAuthenticated(m)
	}
	p.Go("forget expired action links", func(ctx context.Context) error {
		for {
			if n, err := store.ForgetExpiredLinks(ctx, time.Now()); err != nil && ctx.Err() == nil {
				p.Log.Warn("forget expired action links", "err", err)
			} else if n > 0 {
				p.Log.Info("forgot expired action links", "count", n)
			}
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(time.Hour):
			}
		}
	})
	p.Relay(pool, postgres.Schema, events.BookingStream)
	// What the card processor reports (3-D Secure completed, a hold
	// cancelled, a refund or dispute made outside bookwell) reaches each
	// booking through payments' payment.reconciled events.
	p.Consume(pool, eventapi.PaymentsConsumer(svc, p.Log))
	telemetry.Register(telemetry.NewSampled("bookwell_bookings", "Bookings in the read model by status.",
		nil, "status", 5*time.Second, store.CountByStatus))
	return nil
}
