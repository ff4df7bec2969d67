package mailer_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/mail"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
	"github.com/google/uuid"

	"github.com/bookwell/bookwell/pkg/pgdb"
	"github.com/bookwell/bookwell/pkg/pgtest"
	"github.com/bookwell/bookwell/services/notifications/internal/mailer"
	"github.com/bookwell/bookwell/services/notifications/internal/postgres"
)

// What a real mail server receives when the sender dies, or loses its
// connection, at the worst moment: the server has taken the message, the
// sender has not heard so. Each email must arrive once.

// mailServer is an SMTP server (go-smtp) that counts the messages it takes
// by Message-ID. What it does right after taking one is up to the test.
type mailServer struct {
	port int
	mu   sync.Mutex
	got  map[string]int
	// afterTake runs once a message is taken, before the server answers.
	afterTake func(c *smtp.Conn) error
	taken     chan string
}

func newMailServer(t *testing.T) *mailServer {
	s := &mailServer{got: map[string]int{}, taken: make(chan string, 16)}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s.port = l.Addr().(*net.TCPAddr).Port
	srv := smtp.NewServer(s)
	srv.Domain = "mail.test"
	srv.AllowInsecureAuth = true
	go func() { _ = srv.Serve(l) }()
	t.Cleanup(func() { _ = srv.Close() })
	return s
}

func (s *mailServer) count(id string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.got[id]
}

func (s *mailServer) NewSession(c *smtp.Conn) (smtp.Session, error) {
	return &mailSession{s: s, c: c}, nil
}

type mailSession struct {
	s *mailServer
	c *smtp.Conn
}

func (x *mailSession) Reset()                               {}
func (x *mailSession) Logout() error                        { return nil }
func (x *mailSession) Mail(string, *smtp.MailOptions) error { return nil }
func (x *mailSession) Rcpt(string, *smtp.RcptOptions) error { return nil }
func (x *mailSession) Data(r io.Reader) error {
	m, err := mail.ReadMessage(r)
	if err != nil {
		return err // the data never ended: nothing was taken
	}
	if _, err := io.Copy(io.Discard, m.Body); err != nil {
		return err
	}
	id := m.Header.Get("Message-Id")
	x.s.mu.Lock()
	x.s.got[id]++
	after := x.s.afterTake
	x.s.mu.Unlock()
	select {
	case x.s.taken <- id:
	default:
	}
	if after == nil {
		return nil
	}
	err = after(x.c)
	if refusal := (*smtp.SMTPError)(nil); errors.As(err, &refusal) {
		x.s.mu.Lock()
		x.s.got[id]-- // refused: not kept
		x.s.mu.Unlock()
	}
	return err
}

// queue is the real email queue in a fresh database, with one email in it.
func queue(t *testing.T) (*postgres.Store, string) {
	t.Helper()
	ctx := context.Background()
	pool, err := pgdb.Open(ctx, pgtest.New(t), postgres.Schema, postgres.Migrations()...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	id := uuid.NewString()
	if _, err := pool.Exec(ctx, `INSERT INTO emails (id, to_addr, subject, text_body, html_body)
		VALUES ($1, 'ada@example.com', 'Your session is confirmed', 'See you then.', '')`, id); err != nil {
		t.Fatal(err)
	}
	return postgres.NewStore(pool), id
}

func sender(t *testing.T, q mailer.Queue, port int) *mailer.Sender {
	tr, err := mailer.NewSMTP(mailer.SMTPConfig{Host: "127.0.0.1", Port: port, TLS: "none"})
	if err != nil {
		t.Fatal(err)
	}
	return &mailer.Sender{Queue: q, Transport: tr, From: "bookwell <no-reply@bookwell.test>",
		Log: slog.New(slog.DiscardHandler), Lease: 200 * time.Millisecond, BackOff: []time.Duration{time.Millisecond}}
}

// settle runs a fresh sender (the restarted process) over the queue until
// the first one's lease has surely run out.
func settle(t *testing.T, q mailer.Queue, port int) {
	t.Helper()
	s := sender(t, q, port)
	for range 10 {
		time.Sleep(100 * time.Millisecond)
		if _, err := s.SendDue(context.Background(), 10); err != nil {
			t.Fatal(err)
		}
	}
}

func messageID(id string) string { return "<" + id + "@bookwell>" }

// The server takes the message, then the sender dies before it hears so:
// the restarted sender does not send it again.
func TestAnEmailTakenBeforeTheSenderDiedIsNotSentAgain(t *testing.T) {
	srv := newMailServer(t)
	q, id := queue(t)
	hold := make(chan struct{})
	t.Cleanup(func() { close(hold) })
	srv.afterTake = func(*smtp.Conn) error { <-hold; return nil } // the sender never hears back

	dying := sender(t, q, srv.port)
	go func() { _, _ = dying.SendDue(context.Background(), 10) }() // "dies": abandoned, never records
	select {
	case <-srv.taken:
	case <-time.After(30 * time.Second):
		t.Fatal("the message never reached the server")
	}
	srv.mu.Lock()
	srv.afterTake = nil
	srv.mu.Unlock()

	settle(t, q, srv.port)
	if n := srv.count(messageID(id)); n != 1 {
		t.Fatalf("the server got the email %d times", n)
	}
}

// The connection is lost between the end of the message and the server's
// answer: the outcome is unknown, logged as such, and the email is not sent
// again.
func TestAnUnconfirmedEmailIsLoggedAndNotSentAgain(t *testing.T) {
	srv := newMailServer(t)
	q, id := queue(t)
	srv.afterTake = func(c *smtp.Conn) error { c.Close(); return errors.New("gone") }
	settle(t, q, srv.port)
	if n := srv.count(messageID(id)); n != 1 {
		t.Fatalf("the server got the email %d times", n)
	}
	log, err := q.DeliveryLog(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	var states []string
	for _, l := range log {
		states = append(states, l.Status)
	}
	if len(states) != 2 || states[0] != "sent" || states[1] != "unconfirmed" {
		t.Fatalf("delivery log %v; want sent, unconfirmed", states)
	}
}

// A server that refuses the finished message did not take it: the email is
// retried and arrives once.
func TestARefusedEmailIsRetried(t *testing.T) {
	srv := newMailServer(t)
	q, id := queue(t)
	refused := false
	srv.afterTake = func(*smtp.Conn) error {
		if refused {
			return nil
		}
		refused = true
		return &smtp.SMTPError{Code: 451, Message: "try again later"}
	}
	settle(t, q, srv.port)
	if n := srv.count(messageID(id)); n != 1 || !refused {
		t.Fatalf("the server kept the email %d times (refused once: %v)", n, refused)
	}
}

// failingHandOver is the real queue whose first "sent" record fails, as when
// Postgres is restarted at that moment.
type failingHandOver struct {
	*postgres.Store
	failed bool
}

func (f *failingHandOver) MarkSent(ctx context.Context, id string, attempt int) (bool, error) {
	if !f.failed {
		f.failed = true
		return false, errors.New("connection reset")
	}
	return f.Store.MarkSent(ctx, id, attempt)
}

// When the sender cannot record the hand-over, it does not finish the
// message: the server keeps nothing, and the retry delivers it once.
func TestAnEmailWhoseHandOverCannotBeRecordedIsNotDelivered(t *testing.T) {
	srv := newMailServer(t)
	q, id := queue(t)
	f := &failingHandOver{Store: q}
	s := sender(t, f, srv.port)
	if _, err := s.SendDue(context.Background(), 10); err != nil {
		t.Fatal(err)
	}
	if n := srv.count(messageID(id)); n != 0 || !f.failed {
		t.Fatalf("after a failed hand-over the server has the email %d times", n)
	}
	settle(t, f, srv.port)
	if n := srv.count(messageID(id)); n != 1 {
		t.Fatalf("the server got the email %d times", n)
	}
}

// lostAnswer is the real queue whose first "sent" record commits, but whose
// answer is lost with the connection, and whose next write fails too (the
// database is restarting).
type lostAnswer struct {
	*postgres.Store
	lost, failed bool
}

func (l *lostAnswer) MarkFailed(ctx context.Context, id string, attempt int, reason string, retryAt time.Time, final bool) error {
	if l.lost && !l.failed {
		l.failed = true
		return errors.New("the database system is shutting down")
	}
	return l.Store.MarkFailed(ctx, id, attempt, reason, retryAt, final)
}

func (l *lostAnswer) MarkSent(ctx context.Context, id string, attempt int) (bool, error) {
	held, err := l.Store.MarkSent(ctx, id, attempt)
	if err == nil && !l.lost {
		l.lost = true
		return false, errors.New("unexpected EOF")
	}
	return held, err
}

// A record that committed although the sender was told it failed: the
// sender finds it and finishes the message, which arrives once (it was
// recorded sent and never delivered).
func TestAnEmailWhoseRecordCommittedUnseenIsDelivered(t *testing.T) {
	srv := newMailServer(t)
	q, id := queue(t)
	l := &lostAnswer{Store: q}
	settle(t, l, srv.port)
	if n := srv.count(messageID(id)); n != 1 || !l.lost {
		t.Fatalf("the server got the email %d times (answer lost: %v)", n, l.lost)
	}
}
