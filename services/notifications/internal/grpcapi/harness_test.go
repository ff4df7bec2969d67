package grpcapi_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"log/slog"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/nats-io/nats.go/jetstream"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	bookingv1 "github.com/bookwell/bookwell/gen/go/bookwell/booking/v1"
	notificationsv1 "github.com/bookwell/bookwell/gen/go/bookwell/notifications/v1"
	"github.com/bookwell/bookwell/pkg/consumer"
	"github.com/bookwell/bookwell/pkg/events"
	"github.com/bookwell/bookwell/pkg/grpcserver"
	"github.com/bookwell/bookwell/pkg/identity"
	"github.com/bookwell/bookwell/pkg/natstest"
	"github.com/bookwell/bookwell/pkg/pgdb"
	"github.com/bookwell/bookwell/pkg/pgtest"
	"github.com/bookwell/bookwell/services/notifications/internal/app"
	"github.com/bookwell/bookwell/services/notifications/internal/eventapi"
	"github.com/bookwell/bookwell/services/notifications/internal/grpcapi"
	"github.com/bookwell/bookwell/services/notifications/internal/mailer"
	"github.com/bookwell/bookwell/services/notifications/internal/postgres"
	"github.com/bookwell/bookwell/services/notifications/internal/render"
)

// harness is the notifications service on real servers: Postgres, an
// in-process JetStream, and an in-process SMTP server; the consumer, the
// sender and the gRPC API run in the test process.
type harness struct {
	t     testing.TB
	ctx   context.Context
	api   notificationsv1.NotificationServiceClient
	js    jetstream.JetStream
	pool  *pgxpool.Pool
	store *postgres.Store
	smtp  *smtpServer
}

type options struct {
	smtpDown bool                                    // start without a mail server listening
	devMail  bool                                    // use the development mailbox, not SMTP
	wrap     func(consumer.Handler) consumer.Handler // decorate the booking handler
	rcptErr  *smtp.SMTPError                         // the mail server refuses every recipient
	noSender bool                                    // leave emails queued
}

func start(t testing.TB, o options) *harness {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	pool, err := pgdb.Open(ctx, pgtest.New(t), postgres.Schema, postgres.Migrations()...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	ns := natstest.New(t)
	for _, st := range []events.Stream{events.BookingStream, events.PaymentsStream} {
		if _, err := events.Ensure(ctx, ns.JS, st); err != nil {
			t.Fatal(err)
		}
	}
	renderer, err := render.New("https://app.bookwell.test")
	if err != nil {
		t.Fatal(err)
	}
	store := postgres.NewStore(pool)
	a := &app.Service{Store: store, Renderer: renderer, Now: time.Now}

	h := &harness{t: t, ctx: ctx, js: ns.JS, pool: pool, store: store}
	h.smtp = newSMTPServer(t, o.rcptErr)
	if !o.smtpDown {
		h.smtp.Start()
	}
	var transport mailer.Transport
	if o.devMail {
		transport = mailer.DevMailbox{Store: store}
	} else {
		transport, err = mailer.NewSMTP(mailer.SMTPConfig{Host: "127.0.0.1", Port: h.smtp.port, TLS: "none"})
		if err != nil {
			t.Fatal(err)
		}
	}
	sender := &mailer.Sender{Queue: store, Transport: transport, From: "bookwell <no-reply@bookwell.test>", Log: log,
		Poll: 20 * time.Millisecond, BackOff: []time.Duration{100 * time.Millisecond}, MaxAttempts: 50, Lease: 10 * time.Second}
	handler := eventapi.BookingHandler(a)
	if o.wrap != nil {
		handler = o.wrap(handler)
	}
	cons := eventapi.BookingConsumer(handler).With(pool, ns.JS, log)
	cons.BackOff = []time.Duration{50 * time.Millisecond}
	payments := eventapi.PaymentsConsumer(eventapi.PaymentHandler(a)).With(pool, ns.JS, log)
	payments.BackOff = []time.Duration{50 * time.Millisecond}

	srv := grpcserver.New(log, identity.UnaryServerInterceptor(identity.DevVerifier(identity.DevSecret)))
	api := grpcapi.New(a, log)
	api.DeadLetters = consumer.DeadLetters{Pool: pool, Consumers: []consumer.Consumer{*cons, *payments}}
	notificationsv1.RegisterNotificationServiceServer(srv.Server, api)
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	runs := []func(context.Context) error{cons.Run, payments.Run, func(ctx context.Context) error { return srv.ServeListener(ctx, lis) }}
	if !o.noSender {
		runs = append(runs, sender.Run)
	}
	for _, run := range runs {
		wg.Add(1)
		go func() { defer wg.Done(); _ = run(ctx) }()
	}
	t.Cleanup(func() { cancel(); wg.Wait() })

	conn, err := grpc.NewClient(lis.Addr().String(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	h.api = notificationsv1.NewNotificationServiceClient(conn)
	return h
}

// as is a context whose calls carry a token of user id: a mentor if the id
// starts with "mentor-", an admin if it is "admin", a mentee otherwise.
func (h *harness) as(id string) context.Context {
	role := identity.RoleMentee
	switch {
	case strings.HasPrefix(id, "mentor-"):
		role = identity.RoleMentor
	case id == "admin":
		role = identity.RoleAdmin
	}
	return h.asPrincipal(identity.Principal{Subject: id, Role: role})
}

// asPrincipal is a context whose calls carry a token of p.
func (h *harness) asPrincipal(p identity.Principal) context.Context {
	tok, err := identity.DevToken(identity.DevSecret, p, time.Hour, time.Now())
	if err != nil {
		h.t.Fatal(err)
	}
	return metadata.AppendToOutgoingContext(h.ctx, "authorization", "Bearer "+tok)
}

// publish puts a booking event on the stream with the event id as Nats-Msg-Id.
func (h *harness) publish(id uuid.UUID, subject string, pb *bookingv1.BookingEvent) {
	h.t.Helper()
	h.publishWithMsgID(id, subject, pb, id.String())
}

func (h *harness) publishWithMsgID(id uuid.UUID, subject string, pb *bookingv1.BookingEvent, msgID string) {
	h.t.Helper()
	ev, err := events.New(id, subject, "booking", time.Now(), pb)
	if err != nil {
		h.t.Fatal(err)
	}
	body, err := json.Marshal(ev)
	if err != nil {
		h.t.Fatal(err)
	}
	if _, err := h.js.Publish(h.ctx, subject, body, jetstream.WithMsgID(msgID)); err != nil {
		h.t.Fatal(err)
	}
}

// publishPayment puts a payments event on the PAYMENTS stream as the payments
// service's relay does, with msgID as Nats-Msg-Id.
func (h *harness) publishPayment(id uuid.UUID, subject string, pb proto.Message, msgID string) {
	h.t.Helper()
	ev, err := events.New(id, subject, "payments", time.Now(), pb)
	if err != nil {
		h.t.Fatal(err)
	}
	body, err := json.Marshal(ev)
	if err != nil {
		h.t.Fatal(err)
	}
	if _, err := h.js.Publish(h.ctx, subject, body, jetstream.WithMsgID(msgID)); err != nil {
		h.t.Fatal(err)
	}
}

// eventually polls cond until it holds or 15 seconds pass.
func (h *harness) eventually(what string, cond func() bool) {
	h.t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			h.t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// processed reports whether the consumer has handled the event.
func (h *harness) processed(id uuid.UUID) bool {
	var n int
	if err := h.pool.QueryRow(h.ctx, `SELECT count(*) FROM processed_events WHERE event_id = $1`, id).Scan(&n); err != nil {
		h.t.Fatal(err)
	}
	return n == 1
}

func (h *harness) inbox(userID string) *notificationsv1.ListNotificationsResponse {
	h.t.Helper()
	resp, err := h.api.ListNotifications(h.as(userID), &notificationsv1.ListNotificationsRequest{UserId: userID, PageSize: 100})
	if err != nil {
		h.t.Fatal(err)
	}
	return resp
}

func (h *harness) count(sql string, args ...any) int {
	h.t.Helper()
	var n int
	if err := h.pool.QueryRow(h.ctx, sql, args...).Scan(&n); err != nil {
		h.t.Fatal(err)
	}
	return n
}

// booking is a confirmed one-to-one booking between Maria (mentor, Berlin)
// and Tom (mentee, New York) on 2 March 2026 at 14:00 UTC.
func booking() *bookingv1.Booking {
	return &bookingv1.Booking{
		Id: uuid.NewString(), MentorId: "mentor-maria", MenteeId: "mentee-tom", OfferingId: "off-1",
		Status:    bookingv1.BookingStatus_BOOKING_STATUS_CONFIRMED,
		StartTime: timestamppb.New(time.Date(2026, 3, 2, 14, 0, 0, 0, time.UTC)),
		EndTime:   timestamppb.New(time.Date(2026, 3, 2, 15, 0, 0, 0, time.UTC)),
		Message:   "I would like to talk about switching careers.",
		PartySize: 1, MenteeName: "Tom", MenteeEmail: "tom@example.com",
		MentorTimeZone: "Europe/Berlin", MenteeTimeZone: "America/New_York",
		OfferingName: "Career chat", Version: 3,
		Price:      &bookingv1.Money{Currency: "EUR", AmountMinor: 4500},
		MeetingUrl: "https://meet.example/abc-defg",
	}
}

// ---- an in-process SMTP server (github.com/emersion/go-smtp) ----

type received struct {
	From, To    string
	Subject     string
	Text, HTML  string
	Attachments map[string][]byte
	MessageID   string
}

type smtpServer struct {
	t       testing.TB
	port    int
	rcptErr *smtp.SMTPError
	mu      sync.Mutex
	got     []received
	srv     *smtp.Server
}

func newSMTPServer(t testing.TB, rcptErr *smtp.SMTPError) *smtpServer {
	// Reserve a port, then free it: the server may start later on it.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	_ = l.Close()
	s := &smtpServer{t: t, port: port, rcptErr: rcptErr}
	t.Cleanup(s.Stop)
	return s
}

// Start listens on the server's port.
func (s *smtpServer) Start() {
	srv := smtp.NewServer(s)
	srv.Domain = "mail.test"
	srv.AllowInsecureAuth = true
	l, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(s.port))
	if err != nil {
		s.t.Fatal(err)
	}
	s.mu.Lock()
	s.srv = srv
	s.mu.Unlock()
	go func() { _ = srv.Serve(l) }()
}

// Stop closes the server.
func (s *smtpServer) Stop() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.srv != nil {
		_ = s.srv.Close()
		s.srv = nil
	}
}

// Messages returns what arrived so far.
func (s *smtpServer) Messages() []received {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]received(nil), s.got...)
}

// To returns what arrived for one address.
func (s *smtpServer) To(addr string) []received {
	var out []received
	for _, m := range s.Messages() {
		if m.To == addr {
			out = append(out, m)
		}
	}
	return out
}

func (s *smtpServer) NewSession(*smtp.Conn) (smtp.Session, error) { return &session{srv: s}, nil }

type session struct {
	srv      *smtpServer
	from, to string
}

func (x *session) Reset()        {}
func (x *session) Logout() error { return nil }
func (x *session) Mail(from string, _ *smtp.MailOptions) error {
	x.from = from
	return nil
}
func (x *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	if x.srv.rcptErr != nil {
		return x.srv.rcptErr
	}
	x.to = to
	return nil
}
func (x *session) Data(r io.Reader) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	m, err := parseMail(raw)
	if err != nil {
		x.srv.t.Errorf("smtp: unparseable message: %v\n%s", err, raw)
		return err
	}
	m.From, m.To = x.from, x.to
	x.srv.mu.Lock()
	x.srv.got = append(x.srv.got, m)
	x.srv.mu.Unlock()
	return nil
}

// parseMail reads a MIME message with the standard library: subject, the
// plain and HTML bodies, and attachments by file name.
func parseMail(raw []byte) (received, error) {
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return received{}, err
	}
	subject, err := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	if err != nil {
		return received{}, err
	}
	out := received{Subject: subject, Attachments: map[string][]byte{}, MessageID: msg.Header.Get("Message-Id")}
	err = walkPart(msg.Header.Get("Content-Type"), msg.Header.Get("Content-Transfer-Encoding"), "", msg.Body, &out)
	return out, err
}

func walkPart(contentType, encoding, disposition string, body io.Reader, out *received) error {
	mt, params, err := mime.ParseMediaType(contentType)
	if err != nil {
		return err
	}
	if strings.HasPrefix(mt, "multipart/") {
		mr := multipart.NewReader(body, params["boundary"])
		for {
			p, err := mr.NextRawPart()
			if err == io.EOF {
				return nil
			}
			if err != nil {
				return err
			}
			if err := walkPart(p.Header.Get("Content-Type"), p.Header.Get("Content-Transfer-Encoding"), p.Header.Get("Content-Disposition"), p, out); err != nil {
				return err
			}
		}
	}
	switch strings.ToLower(encoding) {
	case "quoted-printable":
		body = quotedprintable.NewReader(body)
	case "base64":
		body = base64.NewDecoder(base64.StdEncoding, body)
	}
	data, err := io.ReadAll(body)
	if err != nil {
		return err
	}
	if _, dp, err := mime.ParseMediaType(disposition); err == nil && dp["filename"] != "" {
		out.Attachments[dp["filename"]] = data
		return nil
	}
	switch mt {
	case "text/plain":
		out.Text = string(data)
	case "text/html":
		out.HTML = string(data)
	}
	return nil
}
