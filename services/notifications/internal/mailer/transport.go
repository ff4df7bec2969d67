package mailer

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/textproto"
	"time"

	"github.com/wneessen/go-mail"

	"github.com/bookwell/bookwell/services/notifications/internal/domain"
)

// SMTPConfig names an SMTP server; the environment variables are the ones
// notificationsd reads.
type SMTPConfig struct {
	Host     string `env:"SMTP_HOST"`
	Port     int    `env:"SMTP_PORT" envDefault:"587"`
	Username string `env:"SMTP_USERNAME"`
	Password string `env:"SMTP_PASSWORD"`
	// TLS is "opportunistic" (STARTTLS when offered), "mandatory" or "none".
	TLS string `env:"SMTP_TLS" envDefault:"opportunistic"`
}

// NewTransport returns the SMTP transport when cfg names a host, else dev
// (the development mailbox).
func NewTransport(cfg SMTPConfig, dev Transport) (Transport, error) {
	if cfg.Host == "" {
		return dev, nil
	}
	return NewSMTP(cfg)
}

// SMTP sends over an SMTP server, one connection per message.
type SMTP struct {
	opts []mail.Option
	host string
}

// NewSMTP checks cfg and returns its transport.
func NewSMTP(cfg SMTPConfig) (*SMTP, error) {
	policy := map[string]mail.TLSPolicy{"opportunistic": mail.TLSOpportunistic, "mandatory": mail.TLSMandatory, "none": mail.NoTLS}
	p, ok := policy[cfg.TLS]
	if !ok {
		return nil, fmt.Errorf("SMTP_TLS %q: want opportunistic, mandatory or none", cfg.TLS)
	}
	opts := []mail.Option{mail.WithPort(cfg.Port), mail.WithTLSPolicy(p), mail.WithTimeout(30 * time.Second)}
	if cfg.Username != "" {
		opts = append(opts, mail.WithSMTPAuth(mail.SMTPAuthAutoDiscover), mail.WithUsername(cfg.Username), mail.WithPassword(cfg.Password))
	}
	return &SMTP{opts: opts, host: cfg.Host}, nil
}

// Send delivers msg over one connection, calling handOver just before the
// final "." of the message data. A refusal the server calls permanent (5xx)
// wraps ErrPermanent; anything else before the hand-over (server down, 4xx),
// or a refusal of the "." itself, is worth retrying; a connection lost
// after the hand-over is ErrUnconfirmed.
func (s *SMTP) Send(ctx context.Context, _ domain.Email, msg *mail.Msg, handOver func(context.Context) error) error {
	c, err := mail.NewClient(s.host, s.opts...)
	if err != nil {
		return fmt.Errorf("smtp client: %w", err)
	}
	// go-mail dials, greets, upgrades to TLS and authenticates as
	// configured; the transaction itself is run here, to find the point of
	// no return.
	sc, err := c.DialToSMTPClientWithContext(ctx)
	if err != nil {
		return classify("dial", err)
	}
	// Closing without the final "." aborts the transaction: the server
	// keeps nothing.
	defer sc.Close()
	from, err := msg.GetSender(false)
	if err != nil {
		return fmt.Errorf("%w: sender: %v", ErrPermanent, err)
	}
	rcpts, err := msg.GetRecipients()
	if err != nil {
		return fmt.Errorf("%w: recipients: %v", ErrPermanent, err)
	}
	if err := sc.Mail(from); err != nil {
		return classify("MAIL FROM", err)
	}
	for _, r := range rcpts {
		if err := sc.Rcpt(r); err != nil {
			return classify("RCPT TO", err)
		}
	}
	w, err := sc.Data()
	if err != nil {
		return classify("DATA", err)
	}
	if _, err := msg.WriteTo(w); err != nil {
		return classify("message", err)
	}
	if err := handOver(ctx); err != nil {
		return err
	}
	if err := w.Close(); err != nil {
		var te *textproto.Error
		if errors.As(err, &te) {
			return classify("end of data", err) // refused: the server did not take it
		}
		return fmt.Errorf("%w: %v", ErrUnconfirmed, err)
	}
	_ = sc.Quit()
	return nil
}

// classify wraps a server's permanent refusal (5xx) in ErrPermanent.
func classify(step string, err error) error {
	var te *textproto.Error
	if errors.As(err, &te) && te.Code >= 500 {
		return fmt.Errorf("%w: %s: %v", ErrPermanent, step, err)
	}
	return fmt.Errorf("smtp %s: %w", step, err)
}

// DevStore keeps what the development mailbox receives.
type DevStore interface {
	DeliverDev(ctx context.Context, m domain.DevMessage) error
}

// DevMailbox is the development transport: messages are kept in Postgres and
// read over the API, so a laptop needs no mail server.
type DevMailbox struct {
	Store DevStore
}

// Send keeps the message as it would have gone over SMTP. Keeping it again
// changes nothing, so it hands over after keeping it.
func (d DevMailbox) Send(ctx context.Context, e domain.Email, msg *mail.Msg, handOver func(context.Context) error) error {
	var raw bytes.Buffer
	if _, err := msg.WriteTo(&raw); err != nil {
		return fmt.Errorf("dev mailbox: %w", err)
	}
	m := domain.DevMessage{EmailID: e.ID, To: e.To, Subject: e.Subject, Text: e.Text, HTML: e.HTML, Raw: raw.String()}
	for _, a := range e.Attachments {
		m.AttachmentNames = append(m.AttachmentNames, a.Name)
	}
	if err := d.Store.DeliverDev(ctx, m); err != nil {
		return err
	}
	return handOver(ctx)
}
