// Command schedulingd runs the scheduling service: its gRPC API, the outbox
// relay that publishes reservation events to the SCHEDULING stream, and the
// consumers of mentor standing changes from the REPUTATION stream and of
// marketplace policy changes from the BOOKING stream.
package main

import (
	"context"

	schedulingv1 "github.com/bookwell/bookwell/gen/go/bookwell/scheduling/v1"
	"github.com/bookwell/bookwell/pkg/consumer"
	"github.com/bookwell/bookwell/pkg/erasure"
	"github.com/bookwell/bookwell/pkg/events"
	"github.com/bookwell/bookwell/pkg/service"
	"github.com/bookwell/bookwell/services/scheduling/internal/app"
	"github.com/bookwell/bookwell/services/scheduling/internal/domain"
	"github.com/bookwell/bookwell/services/scheduling/internal/eventapi"
	"github.com/bookwell/bookwell/services/scheduling/internal/grpcapi"
	"github.com/bookwell/bookwell/services/scheduling/internal/icsfeed"
	"github.com/bookwell/bookwell/services/scheduling/internal/meeting"
	"github.com/bookwell/bookwell/services/scheduling/internal/postgres"
)

type config struct {
	service.Config
	GRPCAddr string `env:"SCHEDULING_GRPC_ADDR" envDefault:"127.0.0.1:9092"`
	Meetings meeting.Config
	// Feeds bounds the fetch of mentors' external calendars; Calendars
	// says how often and how far ahead.
	Feeds     icsfeed.Config
	Calendars app.ExternalCalendarPolicy
}

func main() { service.Main("schedulingd", config{}, build) }

func build(ctx context.Context, p *service.Process, c config) error {
	meetings, err := meeting.New(c.Meetings)
	if err != nil {
		return err
	}
	pool, err := p.Postgres(ctx, postgres.Schema, postgres.Migrations()...)
	if err != nil {
		return err
	}
	feeds, err := icsfeed.New(c.Feeds)
	if err != nil {
		return err
	}
	svc := &app.Service{Store: &postgres.Store{Pool: pool}, Policy: domain.DefaultPolicy(), Meetings: meetings, Log: p.Log,
		Feeds: feeds, Calendars: c.Calendars}
	standing := eventapi.StandingConsumer(svc)
	policy := eventapi.PolicyConsumer(svc)
	erasures := erasure.Consumer("scheduling-erasures", postgres.EraseUser)
	srv := grpcapi.New(svc, p.Log)
	srv.DeadLetters = consumer.DeadLetters{Pool: pool, Consumers: []consumer.Consumer{standing, policy, erasures}}
	schedulingv1.RegisterSchedulingServiceServer(p.GRPC(c.GRPCAddr), srv)
	schedulingv1.RegisterExternalCalendarServiceServer(p.GRPC(c.GRPCAddr), grpcapi.NewExternalCalendarServer(svc))
	p.Go("external calendars refresh", svc.RefreshDue)
	p.Relay(pool, postgres.Schema, events.SchedulingStream)
	p.Consume(pool, standing)
	p.Consume(pool, policy)
	p.Consume(pool, erasures)
	return nil
}
