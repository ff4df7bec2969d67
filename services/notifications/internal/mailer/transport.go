package mailer

import (
	"bytes"
	"context"
	"errors"
	"fmt"
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

// Send delivers msg. A refusal the server calls permanent (5xx) wraps
// ErrPermanent; anything else (server down, 4xx) is worth retrying.
func (s *SMTP) Send(ctx context.Context, _ domain.Email, msg *mail.Msg) error {
	c, err := mail.NewClient(s.host, s.opts...)
	if err != nil {
		return fmt.Errorf("smtp client: %w", err)
	}
	err = c.DialAndSendWithContext(ctx, msg)
	var se *mail.SendError
	if errors.As(err, &se) && se.ErrorCode() >= 500 {
		return fmt.Errorf("%w: %v", ErrPermanent, err)
	}
	return err
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

// Send keeps the message as it would have gone over SMTP.
func (d DevMailbox) Send(ctx context.Context, e domain.Email, msg *mail.Msg) error {
	var raw bytes.Buffer
	if _, err := msg.WriteTo(&raw); err != nil {
		return fmt.Errorf("dev mailbox: %w", err)
	}
	m := domain.DevMessage{EmailID: e.ID, To: e.To, Subject: e.Subject, Text: e.Text, HTML: e.HTML, Raw: raw.String()}
	for _, a := range e.Attachments {
		m.AttachmentNames = append(m.AttachmentNames, a.Name)
	}
	return d.Store.DeliverDev(ctx, m)
}
