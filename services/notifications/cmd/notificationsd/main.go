// Command notificationsd serves the notifications context's gRPC API, runs
// its durable consumers of booking and payment events, and sends queued email: over SMTP
// when SMTP_HOST is set, else into the development mailbox (read it with
// GET /v1/devmailbox/messages).
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"
	_ "time/tzdata" // readers' time zones, even on a host without a zoneinfo database

	"golang.org/x/sync/errgroup"

	notificationsv1 "github.com/bookwell/bookwell/gen/go/bookwell/notifications/v1"
	"github.com/bookwell/bookwell/pkg/config"
	"github.com/bookwell/bookwell/pkg/events"
	"github.com/bookwell/bookwell/pkg/grpcserver"
	"github.com/bookwell/bookwell/pkg/identity"
	"github.com/bookwell/bookwell/pkg/logging"
	"github.com/bookwell/bookwell/pkg/pgdb"
	"github.com/bookwell/bookwell/services/notifications/internal/app"
	"github.com/bookwell/bookwell/services/notifications/internal/eventapi"
	"github.com/bookwell/bookwell/services/notifications/internal/grpcapi"
	"github.com/bookwell/bookwell/services/notifications/internal/mailer"
	"github.com/bookwell/bookwell/services/notifications/internal/postgres"
	"github.com/bookwell/bookwell/services/notifications/internal/render"
)

type cfg struct {
	Auth        identity.Config
	GRPCAddr    string `env:"NOTIFICATIONS_GRPC_ADDR" envDefault:"127.0.0.1:9094"`
	DatabaseURL string `env:"DATABASE_URL" envDefault:"postgres://postgres@127.0.0.1:5432/bookwell?sslmode=disable"`
	NATSURL     string `env:"NATS_URL" envDefault:"nats://127.0.0.1:4222"`
	AppBaseURL  string `env:"APP_BASE_URL" envDefault:"http://localhost:3000"`
	MailFrom    string `env:"MAIL_FROM" envDefault:"bookwell <no-reply@bookwell.local>"`
	SMTP        mailer.SMTPConfig
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "notificationsd:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context) error {
	log := logging.New("notifications")
	c, err := config.Load[cfg]()
	if err != nil {
		return err
	}
	renderer, err := render.New(c.AppBaseURL)
	if err != nil {
		return err
	}
	pool, err := pgdb.Open(ctx, c.DatabaseURL, postgres.Schema, postgres.Migrations()...)
	if err != nil {
		return err
	}
	defer pool.Close()
	nc, js, err := events.Connect(c.NATSURL, "notificationsd")
	if err != nil {
		return err
	}
	defer nc.Close()

	store := postgres.NewStore(pool)
	a := app.New(store, renderer, time.Now)
	var transport mailer.Transport = mailer.DevMailbox{Store: store}
	if c.SMTP.Host != "" {
		if transport, err = mailer.NewSMTP(c.SMTP); err != nil {
			return err
		}
		log.Info("sending email over SMTP", "host", c.SMTP.Host, "port", c.SMTP.Port)
	} else {
		log.Info("SMTP_HOST not set: email goes to the development mailbox (GET /v1/devmailbox/messages)")
	}
	sender := &mailer.Sender{Queue: store, Transport: transport, From: c.MailFrom, Log: log}
	bookings := eventapi.BookingConsumer(pool, js, log, eventapi.BookingHandler(a))
	payments := eventapi.PaymentsConsumer(pool, js, log, eventapi.PaymentHandler(a))

	srv := grpcserver.New(log, identity.UnaryServerInterceptor(identity.NewVerifier(c.Auth.JWTSecret), log))
	notificationsv1.RegisterNotificationServiceServer(srv.Server, grpcapi.New(a, log))

	g, ctx := errgroup.WithContext(ctx)
	g.Go(func() error { return srv.Serve(ctx, c.GRPCAddr) })
	g.Go(func() error { return bookings.Run(ctx) })
	g.Go(func() error { return payments.Run(ctx) })
	g.Go(func() error { return sender.Run(ctx) })
	return g.Wait()
}
