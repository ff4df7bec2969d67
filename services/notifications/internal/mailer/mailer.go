// Package mailer delivers queued emails: a Sender loop claims due emails from
// the queue, hands each to a Transport (SMTP, or the development mailbox) and
// records the outcome in the delivery log, retrying temporary failures with
// backoff until they succeed or run out of attempts.
//
// Delivery is at least once: if the process dies after the mail server
// accepted a message but before that was recorded, the message is sent again
// on the next attempt. Its Message-ID is the same each time, so mail
// clients can recognise the copy.
package mailer

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/wneessen/go-mail"

	"github.com/bookwell/bookwell/services/notifications/internal/domain"
)

// ErrPermanent marks a delivery failure retrying cannot fix (the server
// refused the recipient, say); the email is given up on at once.
var ErrPermanent = errors.New("permanent delivery failure")

// Queue is where emails wait to be sent.
type Queue interface {
	ClaimDue(ctx context.Context, limit int, lease time.Duration) ([]domain.Email, error)
	MarkSent(ctx context.Context, id string, attempt int) error
	MarkFailed(ctx context.Context, id string, attempt int, reason string, retryAt time.Time, final bool) error
}

// Transport sends one message.
type Transport interface {
	Send(ctx context.Context, e domain.Email, msg *mail.Msg) error
}

// Sender delivers the queue through a transport until its context ends.
type Sender struct {
	Queue     Queue
	Transport Transport
	From      string // the From header, e.g. "bookwell <no-reply@bookwell.local>"
	Log       *slog.Logger
	// Poll is how often the queue is checked; 1s if zero.
	Poll time.Duration
	// BackOff is the wait after each failed attempt; 30s, 2m, 10m, 30m, 1h if nil.
	BackOff []time.Duration
	// MaxAttempts bounds attempts before an email is given up on; 10 if zero.
	MaxAttempts int
	// Lease is how long a claimed email is hidden from other senders; 2m if zero.
	Lease time.Duration
}

// Run sends until ctx ends.
func (s *Sender) Run(ctx context.Context) error {
	poll := cmp(s.Poll, time.Second)
	for {
		for {
			n, err := s.SendDue(ctx, 32)
			if err != nil {
				if ctx.Err() != nil {
					return nil
				}
				s.Log.Warn("mailer: queue unavailable, will retry", "err", err)
				break
			}
			if n < 32 {
				break
			}
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(poll):
		}
	}
}

// SendDue sends up to limit due emails and returns how many it tried.
func (s *Sender) SendDue(ctx context.Context, limit int) (int, error) {
	emails, err := s.Queue.ClaimDue(ctx, limit, cmp(s.Lease, 2*time.Minute))
	if err != nil {
		return 0, err
	}
	for _, e := range emails {
		s.deliver(ctx, e)
	}
	return len(emails), nil
}

func (s *Sender) deliver(ctx context.Context, e domain.Email) {
	msg, err := Build(s.From, e)
	if err == nil {
		err = s.Transport.Send(ctx, e, msg)
	}
	if err == nil {
		if err := s.Queue.MarkSent(ctx, e.ID, e.Attempt); err != nil {
			s.Log.Error("mailer: sent but not recorded; it will be sent again", "email", e.ID, "err", err)
		}
		return
	}
	if ctx.Err() != nil {
		return // shutting down: the lease runs out and the email is retried
	}
	maxAttempts := s.MaxAttempts
	if maxAttempts == 0 {
		maxAttempts = 10
	}
	backoff := s.BackOff
	if backoff == nil {
		backoff = []time.Duration{30 * time.Second, 2 * time.Minute, 10 * time.Minute, 30 * time.Minute, time.Hour}
	}
	final := errors.Is(err, ErrPermanent) || e.Attempt >= maxAttempts
	retryAt := time.Now().Add(backoff[min(e.Attempt-1, len(backoff)-1)])
	s.Log.Warn("mailer: delivery failed", "email", e.ID, "to", e.To, "attempt", e.Attempt, "final", final, "err", err)
	if err := s.Queue.MarkFailed(ctx, e.ID, e.Attempt, err.Error(), retryAt, final); err != nil {
		s.Log.Error("mailer: failure not recorded; the lease will expire and it is retried", "email", e.ID, "err", err)
	}
}

func cmp(d, def time.Duration) time.Duration {
	if d == 0 {
		return def
	}
	return d
}

// Build is the MIME message for e: plain text with an HTML alternative, the
// attachments, and a Message-ID derived from the email's id.
func Build(from string, e domain.Email) (*mail.Msg, error) {
	m := mail.NewMsg()
	if err := m.From(from); err != nil {
		return nil, fmt.Errorf("%w: from %q: %v", ErrPermanent, from, err)
	}
	if err := m.AddToFormat(e.ToName, e.To); err != nil {
		return nil, fmt.Errorf("%w: to %q: %v", ErrPermanent, e.To, err)
	}
	m.Subject(e.Subject)
	m.SetMessageIDWithValue(e.ID + "@bookwell")
	m.SetDate()
	m.SetBodyString(mail.TypeTextPlain, e.Text)
	if e.HTML != "" {
		m.AddAlternativeString(mail.TypeTextHTML, e.HTML)
	}
	for _, a := range e.Attachments {
		if err := m.AttachReader(a.Name, bytes.NewReader(a.Data), mail.WithFileContentType(mail.ContentType(a.ContentType))); err != nil {
			return nil, fmt.Errorf("%w: attach %s: %v", ErrPermanent, a.Name, err)
		}
	}
	return m, nil
}
