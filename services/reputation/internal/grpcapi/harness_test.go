package grpcapi_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	"google.golang.org/protobuf/types/known/timestamppb"

	bookingv1 "github.com/bookwell/bookwell/gen/go/bookwell/booking/v1"
	reputationv1 "github.com/bookwell/bookwell/gen/go/bookwell/reputation/v1"
	"github.com/bookwell/bookwell/pkg/consumer"
	"github.com/bookwell/bookwell/pkg/events"
	"github.com/bookwell/bookwell/pkg/grpcserver"
	"github.com/bookwell/bookwell/pkg/identity"
	"github.com/bookwell/bookwell/pkg/natstest"
	"github.com/bookwell/bookwell/pkg/outbox"
	"github.com/bookwell/bookwell/pkg/pgdb"
	"github.com/bookwell/bookwell/pkg/pgtest"
	"github.com/bookwell/bookwell/services/reputation/internal/app"
	"github.com/bookwell/bookwell/services/reputation/internal/domain"
	"github.com/bookwell/bookwell/services/reputation/internal/eventapi"
	"github.com/bookwell/bookwell/services/reputation/internal/grpcapi"
	"github.com/bookwell/bookwell/services/reputation/internal/postgres"
)

// harness is the reputation context on real servers (Postgres, an in-process
// NATS JetStream): the booking consumer, the outbox relay and the gRPC API run
// in process; tests publish booking events as booking would.
type harness struct {
	t        testing.TB
	api      reputationv1.ReputationServiceClient
	addr     string
	js       jetstream.JetStream
	pool     *pgxpool.Pool
	svc      *app.Service
	stopCons func()
}

func start(t testing.TB) *harness {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
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
	svc := &app.Service{Store: postgres.NewStore(pool), Policy: domain.DefaultPolicy(), Log: log, Now: time.Now}
	h := &harness{t: t, js: ns.JS, pool: pool, svc: svc}
	h.startConsumer()

	relay := &outbox.Relay{Pool: pool, JS: ns.JS, Schema: postgres.Schema, Stream: events.ReputationStream, Log: log, Poll: 100 * time.Millisecond}
	relayDone := make(chan struct{})
	go func() { defer close(relayDone); _ = relay.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-relayDone })

	srv := grpcserver.New(log, identity.UnaryServerInterceptor(identity.DevVerifier(identity.DevSecret)))
	reputationv1.RegisterReputationServiceServer(srv.Server, grpcapi.New(svc, log))
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	served := make(chan struct{})
	go func() { defer close(served); _ = srv.ServeListener(ctx, lis) }()
	t.Cleanup(func() { cancel(); <-served })
	conn, err := grpc.NewClient(lis.Addr().String(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	h.api = reputationv1.NewReputationServiceClient(conn)
	h.addr = lis.Addr().String()
	return h
}

// as is a context whose calls carry a token of p.
func (h *harness) as(p identity.Principal) context.Context {
	tok, err := identity.DevToken(identity.DevSecret, p, time.Hour, time.Now())
	if err != nil {
		h.t.Fatal(err)
	}
	return metadata.AppendToOutgoingContext(context.Background(), "authorization", "Bearer "+tok)
}

// reader is a mentor reading reputations and histories, as any mentor may.
var reader = identity.Principal{Subject: "mentor-reader", Role: identity.RoleMentor}

// startConsumer runs the booking and payments consumers until stopConsumer
// or the test ends.
func (h *harness) startConsumer() {
	ctx, cancel := context.WithCancel(context.Background())
	cs := []*consumer.Consumer{
		eventapi.BookingsConsumer(h.svc).With(h.pool, h.js, h.svc.Log),
		eventapi.PaymentsConsumer(h.svc).With(h.pool, h.js, h.svc.Log),
	}
	var wg sync.WaitGroup
	for _, c := range cs {
		c.BackOff = []time.Duration{50 * time.Millisecond}
		wg.Add(1)
		go func() { defer wg.Done(); _ = c.Run(ctx) }()
	}
	stopped := false
	h.stopCons = func() {
		if !stopped {
			stopped = true
			cancel()
			wg.Wait()
		}
	}
	h.t.Cleanup(h.stopCons)
}

// booking builds successive snapshots of one booking, as booking's workflow
// would publish them.
type booking struct {
	h    *harness
	b    *bookingv1.Booking
	last events.Event
}

// t0 is when the test bookings were requested: a month ago, so that their
// late changes fall inside the rolling window that ends now.
var t0 = time.Now().UTC().Truncate(time.Minute).Add(-30 * 24 * time.Hour)

func (h *harness) newBooking(id, mentor, mentee string, start time.Time) *booking {
	return &booking{h: h, b: &bookingv1.Booking{
		Id: id, MentorId: mentor, MenteeId: mentee, OfferingId: "paid-60",
		StartTime: timestamppb.New(start), EndTime: timestamppb.New(start.Add(time.Hour)),
		CreateTime: timestamppb.New(t0), Price: &bookingv1.Money{Currency: "EUR", AmountMinor: 5000},
		Refunded: &bookingv1.Money{Currency: "EUR"}, OfferingKind: bookingv1.OfferingKind_OFFERING_KIND_PAID,
		PaymentMethod: bookingv1.PaymentMethod_PAYMENT_METHOD_CARD,
	}}
}

// emit moves the booking to its next version with change applied and
// publishes the event, with the event id as Nats-Msg-Id.
func (k *booking) emit(subject string, at time.Time, role bookingv1.Role, change func(*bookingv1.Booking)) events.Event {
	k.h.t.Helper()
	k.b.Version++
	k.b.UpdateTime = timestamppb.New(at)
	if change != nil {
		change(k.b)
	}
	ev, err := events.New(uuid.New(), subject, "booking", at, &bookingv1.BookingEvent{Booking: k.b, ActorRole: role, ActorId: k.b.GetMentorId()})
	if err != nil {
		k.h.t.Fatal(err)
	}
	k.h.publish(ev, ev.ID.String())
	k.last = ev
	return ev
}

func (h *harness) publish(ev events.Event, msgID string) {
	h.t.Helper()
	body, err := json.Marshal(ev)
	if err != nil {
		h.t.Fatal(err)
	}
	msg := nats.NewMsg(ev.Type)
	msg.Data = body
	if _, err := h.js.PublishMsg(context.Background(), msg, jetstream.WithMsgID(msgID)); err != nil {
		h.t.Fatalf("publish %s: %v", ev.Type, err)
	}
}

func (k *booking) request() *booking {
	k.emit("booking.requested", t0, bookingv1.Role_ROLE_MENTEE, func(b *bookingv1.Booking) {
		b.Status = bookingv1.BookingStatus_BOOKING_STATUS_PENDING
	})
	return k
}

func (k *booking) approve(after time.Duration) *booking {
	k.emit("booking.approved", t0.Add(after), bookingv1.Role_ROLE_MENTOR, func(b *bookingv1.Booking) {
		b.Status = bookingv1.BookingStatus_BOOKING_STATUS_CONFIRMED
		b.PaymentStatus = bookingv1.PaymentStatus_PAYMENT_STATUS_PAID
		b.FirstResponseTime = timestamppb.New(t0.Add(after))
	})
	return k
}

func (k *booking) reject(after time.Duration) *booking {
	k.emit("booking.rejected", t0.Add(after), bookingv1.Role_ROLE_MENTOR, func(b *bookingv1.Booking) {
		b.Status = bookingv1.BookingStatus_BOOKING_STATUS_REJECTED
		b.FirstResponseTime = timestamppb.New(t0.Add(after))
		b.Outcome = &bookingv1.Outcome{EndedBy: bookingv1.Role_ROLE_MENTOR, Reason: "schedule conflict", EndTime: timestamppb.New(t0.Add(after))}
	})
	return k
}

func (k *booking) expire(at time.Time) *booking {
	k.emit("booking.expired", at, bookingv1.Role_ROLE_SYSTEM, func(b *bookingv1.Booking) {
		b.Status = bookingv1.BookingStatus_BOOKING_STATUS_EXPIRED
		b.Outcome = &bookingv1.Outcome{EndedBy: bookingv1.Role_ROLE_SYSTEM, EndTime: timestamppb.New(at)}
	})
	return k
}

// abandonAuthentication is a card request whose mentee never authenticated
// the card (3-D Secure): it expires, ended by the mentee, before the mentor
// ever saw it.
func (k *booking) abandonAuthentication(at time.Time) *booking {
	k.emit("booking.awaiting_authentication", t0, bookingv1.Role_ROLE_MENTEE, func(b *bookingv1.Booking) {
		b.Status = bookingv1.BookingStatus_BOOKING_STATUS_AWAITING_AUTHENTICATION
	})
	k.emit("booking.expired", at, bookingv1.Role_ROLE_SYSTEM, func(b *bookingv1.Booking) {
		b.Status = bookingv1.BookingStatus_BOOKING_STATUS_EXPIRED
		b.Outcome = &bookingv1.Outcome{EndedBy: bookingv1.Role_ROLE_MENTEE, EndTime: timestamppb.New(at)}
	})
	return k
}

func (k *booking) cancel(by bookingv1.Role, at time.Time) *booking {
	k.emit("booking.cancelled", at, by, func(b *bookingv1.Booking) {
		b.Status = bookingv1.BookingStatus_BOOKING_STATUS_CANCELLED
		b.PaymentStatus = bookingv1.PaymentStatus_PAYMENT_STATUS_REFUNDED
		b.Refunded = &bookingv1.Money{Currency: "EUR", AmountMinor: b.GetPrice().GetAmountMinor()}
		b.Outcome = &bookingv1.Outcome{EndedBy: by, Reason: "something came up", EndTime: timestamppb.New(at)}
	})
	return k
}

func (k *booking) reschedule(proposedBy bookingv1.Role, at, newStart time.Time) *booking {
	k.emit("booking.proposed", at.Add(-time.Minute), proposedBy, func(b *bookingv1.Booking) {
		b.Status = bookingv1.BookingStatus_BOOKING_STATUS_NEGOTIATING
		b.Proposal = &bookingv1.Proposal{StartTime: timestamppb.New(newStart), ProposedBy: proposedBy}
	})
	accepter := bookingv1.Role_ROLE_MENTEE
	if proposedBy == bookingv1.Role_ROLE_MENTEE {
		accepter = bookingv1.Role_ROLE_MENTOR
	}
	k.emit("booking.rescheduled", at, accepter, func(b *bookingv1.Booking) {
		b.Status = bookingv1.BookingStatus_BOOKING_STATUS_CONFIRMED
		b.StartTime = timestamppb.New(newStart)
		b.EndTime = timestamppb.New(newStart.Add(time.Hour))
		b.Proposal = nil
	})
	return k
}

func (k *booking) finish(status bookingv1.BookingStatus, refunded int64) *booking {
	at := k.b.GetStartTime().AsTime().Add(2 * time.Hour)
	k.emit("booking.session_ended", k.b.GetEndTime().AsTime(), bookingv1.Role_ROLE_SYSTEM, func(b *bookingv1.Booking) {
		b.Status = bookingv1.BookingStatus_BOOKING_STATUS_PENDING_CONFIRMATION
	})
	subject := "booking.completed"
	if status == bookingv1.BookingStatus_BOOKING_STATUS_NO_SHOW {
		subject = "booking.no_show"
	}
	k.emit(subject, at, bookingv1.Role_ROLE_MENTOR, func(b *bookingv1.Booking) {
		b.Status = status
		b.Refunded = &bookingv1.Money{Currency: "EUR", AmountMinor: refunded}
		b.Outcome = &bookingv1.Outcome{EndedBy: bookingv1.Role_ROLE_MENTOR, EndTime: timestamppb.New(at)}
	})
	return k
}

// settle waits until the consumers have handled every published event
// and the relay has published every outbox row.
func (h *harness) settle() {
	h.t.Helper()
	ctx := context.Background()
	deadline := time.Now().Add(15 * time.Second)
	for {
		var unpublished int
		err := h.pool.QueryRow(ctx, `SELECT count(*) FROM outbox WHERE published_at IS NULL`).Scan(&unpublished)
		if err != nil {
			h.t.Fatal(err)
		}
		idle, cerr := true, error(nil)
		for _, c := range []struct{ stream, durable string }{
			{events.BookingStream.Name, eventapi.BookingsDurable}, {events.PaymentsStream.Name, eventapi.PaymentsDurable},
		} {
			cons, err := h.js.Consumer(ctx, c.stream, c.durable)
			if err != nil {
				idle, cerr = false, err
				continue
			}
			info, err := cons.Info(ctx)
			if err != nil || info.NumPending != 0 || info.NumAckPending != 0 || info.NumRedelivered != 0 {
				idle = false
			}
		}
		if idle && unpublished == 0 {
			return
		}
		if time.Now().After(deadline) {
			h.t.Fatalf("events not settled: consumer %v, %d unpublished", cerr, unpublished)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (h *harness) reputation(mentor string) *reputationv1.MentorReputation {
	h.t.Helper()
	r, err := h.api.GetMentorReputation(h.as(reader), &reputationv1.GetMentorReputationRequest{MentorId: mentor})
	if err != nil {
		h.t.Fatalf("reputation of %s: %v", mentor, err)
	}
	return r.GetReputation()
}

func (h *harness) history(mentee string) *reputationv1.MenteeHistory {
	h.t.Helper()
	r, err := h.api.GetMenteeHistory(h.as(reader), &reputationv1.GetMenteeHistoryRequest{MenteeId: mentee})
	if err != nil {
		h.t.Fatalf("history of %s: %v", mentee, err)
	}
	return r.GetHistory()
}

// standingEvents reads every mentor.standing_changed event on the REPUTATION
// stream.
func (h *harness) standingEvents() []*reputationv1.MentorStandingChanged {
	h.t.Helper()
	ctx := context.Background()
	st, err := h.js.Stream(ctx, events.ReputationStream.Name)
	if errors.Is(err, jetstream.ErrStreamNotFound) {
		return nil
	}
	if err != nil {
		h.t.Fatal(err)
	}
	info, err := st.Info(ctx)
	if err != nil {
		h.t.Fatal(err)
	}
	var out []*reputationv1.MentorStandingChanged
	for seq := info.State.FirstSeq; seq <= info.State.LastSeq && info.State.Msgs > 0; seq++ {
		m, err := st.GetMsg(ctx, seq)
		if err != nil {
			h.t.Fatal(err)
		}
		ev, err := events.Parse(m.Data)
		if err != nil {
			h.t.Fatal(err)
		}
		if events.TypeOf[reputationv1.EventType](ev) != reputationv1.EventType_EVENT_TYPE_STANDING_CHANGED {
			h.t.Fatalf("unexpected %s on the REPUTATION stream", ev.Type)
		}
		var sc reputationv1.MentorStandingChanged
		if err := ev.Decode(&sc); err != nil {
			h.t.Fatal(err)
		}
		out = append(out, &sc)
	}
	return out
}
