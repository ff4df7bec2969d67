// Command notificationsd serves the notifications context's gRPC API, runs
// its durable consumers of booking and payment events, and sends queued
// email: over SMTP when SMTP_HOST is set, else into the development mailbox
// (read it with GET /v1/devmailbox/messages).
package main

import (
	"context"
	"fmt"
	"time"

	notificationsv1 "github.com/bookwell/bookwell/gen/go/bookwell/notifications/v1"
	"github.com/bookwell/bookwell/pkg/actionlink"
	"github.com/bookwell/bookwell/pkg/consumer"
	"github.com/bookwell/bookwell/pkg/service"
	"github.com/bookwell/bookwell/pkg/telemetry"
	"github.com/bookwell/bookwell/services/notifications/internal/app"
	"github.com/bookwell/bookwell/services/notifications/internal/eventapi"
	"github.com/bookwell/bookwell/services/notifications/internal/grpcapi"
	"github.com/bookwell/bookwell/services/notifications/internal/mailer"
	"github.com/bookwell/bookwell/services/notifications/internal/postgres"
	"github.com/bookwell/bookwell/services/notifications/internal/render"
)

type config struct {
	service.Config
	GRPCAddr   string `env:"NOTIFICATIONS_GRPC_ADDR" envDefault:"127.0.0.1:9094"`
	AppBaseURL string `env:"APP_BASE_URL" envDefault:"http://localhost:3000"`
	MailFrom   string `env:"MAIL_FROM" envDefault:"bookwell <no-reply@bookwell.local>"`
	SMTP       mailer.SMTPConfig
	// ActionLinkKey signs the action links of emails that ask for a decision
	// (an Ed25519 private key, PEM); booking checks them with its public
	// half. Empty: emails carry no action links.
	ActionLinkKey string `env:"ACTION_LINK_SIGNING_KEY"`
	// ActionLinkTTL is how long an action link works after its email's event.
	ActionLinkTTL time.Duration `env:"ACTION_LINK_TTL" envDefault:"168h"`
}

func main() { service.Main("notificationsd", config{}, build) }

func build(ctx context.Context, p *service.Process, c config) error {
	var opts []render.Option
	if c.ActionLinkKey == "" {
		p.Log.Warn("ACTION_LINK_SIGNING_KEY not set: emails carry no action links")
	} else {
		signer, err := actionlink.NewSigner([]byte(c.ActionLinkKey))
		if err != nil {
			return fmt.Errorf("ACTION_LINK_SIGNING_KEY: %w", err)
		}
		opts = append(opts, render.WithActionLinks(signer, c.ActionLinkTTL))
	}
	renderer, err := render.New(c.AppBaseURL, opts...)
	if err != nil {
		return err
	}
	pool, err := p.Postgres(ctx, postgres.Schema, postgres.Migrations()...)
	if err != nil {
		return err
	}
	store := postgres.NewStore(pool)
	transport, err := mailer.NewTransport(c.SMTP, mailer.DevMailbox{Store: store})
	if err != nil {
		return err
	}
	if c.SMTP.Host == "" {
		p.Log.Info("SMTP_HOST not set: email goes to the development mailbox (GET /v1/devmailbox/messages)")
	}
	a := &app.Service{Store: store, Renderer: renderer, Now: time.Now}
	bookings, payments := eventapi.BookingConsumer(eventapi.BookingHandler(a)), eventapi.PaymentsConsumer(eventapi.PaymentHandler(a))
	srv := grpcapi.New(a, p.Log)
	srv.DeadLetters = consumer.DeadLetters{Pool: pool, Consumers: []consumer.Consumer{bookings, payments}}
	notificationsv1.RegisterNotificationServiceServer(p.GRPC(c.GRPCAddr), srv)
	p.Consume(pool, bookings)
	p.Consume(pool, payments)
	p.Go("email sender", (&mailer.Sender{Queue: store, Transport: transport, From: c.MailFrom, Log: p.Log}).Run)
	// The email queue's depth and the emails given up on, by status.
	telemetry.Register(telemetry.NewSampled("bookwell_emails", "Emails by status: queued (waiting to be sent or retried), sent, failed (given up on).",
		nil, "status", 15*time.Second, store.EmailsByStatus))
	return nil
}
