// Package mailer delivers queued emails: a Sender loop claims due emails from
// the queue, hands each to a Transport (SMTP, or the development mailbox) and
// records the outcome in the delivery log, retrying temporary failures with
// backoff until they succeed or run out of attempts.
//
// Delivery is at most once per email, and in practice exactly once. SMTP has
// no way to ask a server whether it already took a message, so the sender
// records the email as sent at the last moment it can still take the message
// back: the whole message has gone out but the final "." that commits it has
// not (Transport.Send calls handOver there). Dying before that point leaves
// the server nothing (it drops an unfinished transaction) and the email is
// retried; from that point on it is never sent again. A server that answers
// the "." with a refusal gets it retried as usual; a connection lost before
// the answer leaves the outcome unknown, logged as "unconfirmed" and not
// retried (the server almost always has it by then). Every copy carries the
// same Message-ID, derived from the email's id.
package mailer

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promauto"
	"github.com/wneessen/go-mail"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"

	"github.com/bookwell/bookwell/pkg/telemetry"
	"github.com/bookwell/bookwell/services/notifications/internal/domain"
)

// ErrPermanent marks a delivery failure retrying cannot fix (the server
// refused the recipient, say); the email is given up on at once.
var ErrPermanent = errors.New("permanent delivery failure")

// ErrUnconfirmed marks a message handed over whose acceptance the server
// never confirmed (the connection was lost after the final "."): it is
// probably delivered, and is not sent again.
var ErrUnconfirmed = errors.New("handed over, acceptance not confirmed")

// errClaimLost: another sender claimed the email after this one's lease ran
// out; this one must not commit it.
var errClaimLost = errors.New("the email's claim was taken over by another sender")

// Queue is where emails wait to be sent.
type Queue interface {
	ClaimDue(ctx context.Context, limit int, lease time.Duration) ([]domain.Email, error)
	// MarkSent records the email as sent by attempt, if attempt still holds
	// its claim (no later claim was made); it reports whether it did.
	MarkSent(ctx context.Context, id string, attempt int) (bool, error)
	MarkFailed(ctx context.Context, id string, attempt int, reason string, retryAt time.Time, final bool) error
	// SentBy says whether attempt recorded the email as sent.
	SentBy(ctx context.Context, id string, attempt int) (bool, error)
	// NoteUnconfirmed adds an "unconfirmed" line to the email's delivery log.
	NoteUnconfirmed(ctx context.Context, id string, attempt int, reason string) error
}

// Transport sends one message. It calls handOver once, at the last moment
// the message can still be taken back (SMTP: everything but the final "."
// sent), and aborts without delivering if handOver fails. After handOver, an
// outcome it cannot know is reported as ErrUnconfirmed.
type Transport interface {
	Send(ctx context.Context, e domain.Email, msg *mail.Msg, handOver func(context.Context) error) error
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
	// Lease is how long a claimed email is hidden from other senders; 15s if
	// zero. It bounds how long an email waits after its sender died. A
	// sender slower than its lease does no harm: the hand-over is fenced by
	// the claim, so only one of two senders can finish a message.
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
	emails, err := s.Queue.ClaimDue(ctx, limit, cmp(s.Lease, 15*time.Second))
	if err != nil {
		return 0, err
	}
	for _, e := range emails {
		s.deliver(ctx, e)
	}
	return len(emails), nil
}

// deliveries counts the sender's attempts by outcome.
var deliveries = promauto.NewCounterVec(prometheus.CounterOpts{
	Name: "bookwell_email_deliveries_total",
	Help: "Email delivery attempts by result: sent, failed (retried later, or for good when final), unconfirmed, lost_claim.",
}, []string{"result"})

func init() {
	for _, r := range []string{"sent", "failed", "unconfirmed", "lost_claim"} {
		deliveries.WithLabelValues(r)
	}
}

func (s *Sender) deliver(ctx context.Context, e domain.Email) {
	// The sending is a span in the trace of the event that queued the email.
	ctx, span := telemetry.Tracer().Start(telemetry.Extract(ctx, e.Trace), "send email",
		trace.WithSpanKind(trace.SpanKindClient),
		trace.WithAttributes(attribute.String("bookwell.email.id", e.ID), attribute.Int("bookwell.email.attempt", e.Attempt)))
	defer span.End()
	handedOver := false
	handOver := func(ctx context.Context) error {
		held, err := s.Queue.MarkSent(ctx, e.ID, e.Attempt)
		if err != nil {
			// The record may have committed with its answer lost (the
			// connection cut): look, rather than lose the email.
			held, err = s.recorded(ctx, e)
		}
		if err != nil {
			return err
		}
		if !held {
			return errClaimLost
		}
		handedOver = true
		return nil
	}
	msg, err := Build(s.From, e)
	if err == nil {
		err = s.Transport.Send(ctx, e, msg, handOver)
	}
	if err == nil && !handedOver {
		err = handOver(ctx) // a transport that delivers idempotently may skip it
	}
	switch {
	case err == nil:
		deliveries.WithLabelValues("sent").Inc()
		return
	case errors.Is(err, errClaimLost):
		deliveries.WithLabelValues("lost_claim").Inc()
		s.Log.Warn("mailer: another sender took this email over; not sent here", "email_id", e.ID, "attempt", e.Attempt)
		return
	case handedOver && errors.Is(err, ErrUnconfirmed):
		deliveries.WithLabelValues("unconfirmed").Inc()
		s.Log.Warn("mailer: the mail server did not confirm a message handed over to it; it is not sent again",
			"email_id", e.ID, "attempt", e.Attempt, "err", err)
		if err := s.Queue.NoteUnconfirmed(context.WithoutCancel(ctx), e.ID, e.Attempt, err.Error()); err != nil {
			s.Log.Error("mailer: unconfirmed delivery not logged", "email_id", e.ID, "err", err)
		}
		return
	case ctx.Err() != nil && !handedOver:
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
	deliveries.WithLabelValues("failed").Inc()
	span.RecordError(err)
	span.SetStatus(codes.Error, "delivery failed")
	s.Log.WarnContext(ctx, "mailer: delivery failed", "email_id", e.ID, "attempt", e.Attempt, "final", final, "err", err)
	if err := s.Queue.MarkFailed(context.WithoutCancel(ctx), e.ID, e.Attempt, err.Error(), retryAt, final); err != nil {
		s.Log.Error("mailer: failure not recorded; the lease will expire and it is retried", "email_id", e.ID, "err", err)
	}
}

// recorded says whether attempt e.Attempt recorded e as sent, asking a few
// times over about ten seconds while the database comes back (the server
// keeps the unfinished message waiting meanwhile).
func (s *Sender) recorded(ctx context.Context, e domain.Email) (bool, error) {
	var err error
	for wait := 250 * time.Millisecond; wait < 10*time.Second; wait *= 2 {
		var sent bool
		if sent, err = s.Queue.SentBy(ctx, e.ID, e.Attempt); err == nil {
			return sent, nil
		}
		select {
		case <-ctx.Done():
			return false, err
		case <-time.After(wait):
		}
	}
	return false, err
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
