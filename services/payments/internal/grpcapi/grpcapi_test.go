package grpcapi_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"sort"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/nats-io/nats.go/jetstream"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	bookingv1 "github.com/bookwell/bookwell/gen/go/bookwell/booking/v1"
	paymentsv1 "github.com/bookwell/bookwell/gen/go/bookwell/payments/v1"
	"github.com/bookwell/bookwell/pkg/events"
	"github.com/bookwell/bookwell/pkg/grpcserver"
	"github.com/bookwell/bookwell/pkg/identity"
	"github.com/bookwell/bookwell/pkg/natstest"
	"github.com/bookwell/bookwell/pkg/outbox"
	"github.com/bookwell/bookwell/pkg/pgdb"
	"github.com/bookwell/bookwell/pkg/pgtest"
	"github.com/bookwell/bookwell/services/payments/internal/app"
	"github.com/bookwell/bookwell/services/payments/internal/domain"
	"github.com/bookwell/bookwell/services/payments/internal/eventapi"
	"github.com/bookwell/bookwell/services/payments/internal/grpcapi"
	"github.com/bookwell/bookwell/services/payments/internal/postgres"
	"github.com/bookwell/bookwell/services/payments/internal/simcard"
)

// as authenticates calls as one user.
func as(sub string, r identity.Role) credentials.PerRPCCredentials {
	return identity.Credentials{Secret: identity.DevSecret, Principal: identity.Principal{Subject: sub, Role: r}}
}

// dial returns a client of addr whose calls carry creds' token (none when
// creds is nil).
func dial(t *testing.T, addr string, creds credentials.PerRPCCredentials) paymentsv1.PaymentsServiceClient {
	t.Helper()
	opts := []grpc.DialOption{grpc.WithTransportCredentials(insecure.NewCredentials())}
	if creds != nil {
		opts = append(opts, grpc.WithPerRPCCredentials(creds))
	}
	conn, err := grpc.NewClient(addr, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return paymentsv1.NewPaymentsServiceClient(conn)
}

// serve runs the payments gRPC server, with the identity check every service
// has, the consumer of continuation decisions, and its outbox relay against a fresh database and a JetStream server,
// as paymentsd does; it returns the server's address.
func serve(t *testing.T) (string, jetstream.JetStream) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	url := pgtest.New(t)
	pool, err := postgres.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	sim, err := pgdb.Open(ctx, url, postgres.Schema, simcard.Migrations())
	if err != nil {
		t.Fatal(err)
	}
	ns := natstest.New(t)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	svc := &app.Service{Store: &postgres.Store{Pool: pool}, Provider: &simcard.Processor{Pool: sim}, Policy: domain.DefaultPolicy(), Log: log}
	srv := grpcserver.New(log, identity.UnaryServerInterceptor(identity.DevVerifier(identity.DevSecret)))
	paymentsv1.RegisterPaymentsServiceServer(srv, grpcapi.New(svc, log))
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{}, 3)
	go func() { _ = srv.ServeListener(ctx, lis); done <- struct{}{} }()
	go func() { _ = eventapi.ContinuationsConsumer(svc).With(pool, ns.JS, log).Run(ctx); done <- struct{}{} }()
	relay := &outbox.Relay{Pool: pool, JS: ns.JS, Schema: postgres.Schema, Stream: events.PaymentsStream, Log: log, Poll: 100 * time.Millisecond}
	go func() { _ = relay.Run(ctx); done <- struct{}{} }()
	t.Cleanup(func() {
		cancel()
		<-done
		<-done
		<-done
		pool.Close()
		sim.Close()
	})
	return lis.Addr().String(), ns.JS
}

// approve publishes, as the booking context does, that mentor approved
// continuation with mentee after an intro session, and waits until the
// payments service has consumed it.
func approve(t *testing.T, js jetstream.JetStream, mentor, mentee string) {
	t.Helper()
	ctx := context.Background()
	ev, err := events.Wrap(uuid.NewSHA1(uuid.NameSpaceURL, []byte("intro|"+mentor+"|"+mentee)), bookingv1.EventType_EVENT_TYPE_CONTINUATION_DECIDED, time.Now(),
		&bookingv1.BookingEvent{Booking: &bookingv1.Booking{Id: "intro-" + mentee, MentorId: mentor, MenteeId: mentee,
			OfferingKind: bookingv1.OfferingKind_OFFERING_KIND_INTRO, Continuation: bookingv1.Continuation_CONTINUATION_APPROVED}})
	if err != nil {
		t.Fatal(err)
	}
	body, _ := json.Marshal(ev)
	if _, err := events.Ensure(ctx, js, events.BookingStream); err != nil {
		t.Fatal(err)
	}
	ack, err := js.Publish(ctx, ev.Type, body, jetstream.WithMsgID(ev.ID.String()))
	if err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if c, err := js.Consumer(ctx, events.BookingStream.Name, eventapi.ContinuationsDurable); err == nil {
			if info, err := c.Info(ctx); err == nil && info.AckFloor.Stream >= ack.Sequence {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("the continuation of %s with %s was not consumed", mentor, mentee)
		}
	}
}

func code(err error) codes.Code { return status.Code(err) }

func TestWorkflowCallsOverGRPCAndEvents(t *testing.T) {
	addr, js := serve(t)
	c := dial(t, addr, identity.ServiceCredentials{Key: identity.DevServiceKey("booking-worker")})
	ctx := context.Background()
	auth := &paymentsv1.AuthorizePaymentRequest{
		BookingId: "b1", MenteeId: "me", MentorId: "mo", Amount: 20000, Currency: "USD",
		Method: paymentsv1.PaymentMethod_PAYMENT_METHOD_CARD, Card: simcard.CardSuccess, IdempotencyKey: "wf-b1-auth",
	}
	r1, err := c.AuthorizePayment(ctx, auth)
	if err != nil {
		t.Fatal(err)
	}
	r2, err := c.AuthorizePayment(ctx, auth) // an activity retry
	if err != nil || r2.GetPayment().GetCreateTime().AsTime() != r1.GetPayment().GetCreateTime().AsTime() {
		t.Fatalf("retry: %v %v", r2, err)
	}
	if r1.GetPayment().GetStatus() != paymentsv1.PaymentStatus_PAYMENT_STATUS_AUTHORIZED {
		t.Fatalf("status %s", r1.GetPayment().GetStatus())
	}
	if _, err := c.CapturePayment(ctx, &paymentsv1.CapturePaymentRequest{BookingId: "b1", IdempotencyKey: "wf-b1-cap"}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.RefundPayment(ctx, &paymentsv1.RefundPaymentRequest{BookingId: "b1", Amount: 5000, Note: "shorter session", IdempotencyKey: "wf-b1-ref"}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.ReleasePayout(ctx, &paymentsv1.ReleasePayoutRequest{BookingId: "b1", IdempotencyKey: "wf-b1-rel"}); err != nil {
		t.Fatal(err)
	}
	got, err := c.GetPayment(ctx, &paymentsv1.GetPaymentRequest{BookingId: "b1"})
	if err != nil || got.GetPayment().GetRefundedAmount() != 5000 || got.GetPayment().GetRefunds()[0].GetNote() != "shorter session" ||
		got.GetPayment().GetCommissionAmount() != 1500 || !got.GetPayment().GetPayoutReleased() {
		t.Fatalf("payment %v %v", got, err)
	}
	bal, err := dial(t, addr, as("mo", identity.RoleMentor)).GetMentorBalance(ctx, &paymentsv1.GetMentorBalanceRequest{MentorId: "mo"})
	if err != nil || len(bal.GetBalances()) != 1 || bal.GetBalances()[0].GetPayableAmount() != 13500 {
		t.Fatalf("balance %v %v", bal, err)
	}

	// Manual payment, and a cancellation that voids it.
	if _, err := c.AuthorizePayment(ctx, &paymentsv1.AuthorizePaymentRequest{
		BookingId: "b2", MenteeId: "me", MentorId: "mo", Amount: 3000, Currency: "GBP",
		Method: paymentsv1.PaymentMethod_PAYMENT_METHOD_PAYPAL, IdempotencyKey: "wf-b2-auth",
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.MarkPaid(ctx, &paymentsv1.MarkPaidRequest{BookingId: "b2", ActorId: "someone", IdempotencyKey: "x"}); code(err) != codes.PermissionDenied {
		t.Fatalf("mark paid by another: %v", err)
	}
	if _, err := c.MarkPaid(ctx, &paymentsv1.MarkPaidRequest{BookingId: "b2", ActorId: "mo", IdempotencyKey: "wf-b2-paid"}); err != nil {
		t.Fatal(err)
	}
	start := time.Date(2030, 1, 1, 10, 0, 0, 0, time.UTC)
	st, err := c.SettleCancellation(ctx, &paymentsv1.SettleCancellationRequest{
		BookingId: "b2", CancelledBy: paymentsv1.CancelledBy_CANCELLED_BY_MENTOR,
		SessionStartTime: timestamppb.New(start), CancelTime: timestamppb.New(start.Add(-time.Hour)), IdempotencyKey: "wf-b2-settle",
	})
	if err != nil || st.GetPayment().GetSettlement() != paymentsv1.SettlementOutcome_SETTLEMENT_OUTCOME_MANUAL_REFUND_DUE {
		t.Fatalf("settle: %v %v", st, err)
	}

	// Bad input maps to the right codes.
	for name, c := range map[string]struct {
		err  error
		want codes.Code
	}{
		"zero amount": {func() error {
			_, err := c.AuthorizePayment(ctx, &paymentsv1.AuthorizePaymentRequest{BookingId: "b3", MenteeId: "me", MentorId: "mo", Currency: "USD",
				Method: paymentsv1.PaymentMethod_PAYMENT_METHOD_CASH, IdempotencyKey: "k3"})
			return err
		}(), codes.InvalidArgument},
		"over-refund": {func() error {
			_, err := c.RefundPayment(ctx, &paymentsv1.RefundPaymentRequest{BookingId: "b1", Amount: 15001, IdempotencyKey: "k4"})
			return err
		}(), codes.InvalidArgument},
		"declined": {func() error {
			_, err := c.AuthorizePayment(ctx, &paymentsv1.AuthorizePaymentRequest{BookingId: "b5", MenteeId: "me", MentorId: "mo", Amount: 100, Currency: "USD",
				Method: paymentsv1.PaymentMethod_PAYMENT_METHOD_CARD, Card: simcard.CardDeclined, IdempotencyKey: "k5"})
			return err
		}(), codes.InvalidArgument},
		"no such payment": {func() error {
			_, err := c.GetPayment(ctx, &paymentsv1.GetPaymentRequest{BookingId: "nope"})
			return err
		}(), codes.NotFound},
		"wrong state": {func() error {
			_, err := c.CapturePayment(ctx, &paymentsv1.CapturePaymentRequest{BookingId: "b1", IdempotencyKey: "k6"})
			return err
		}(), codes.Aborted},
	} {
		if code(c.err) != c.want {
			t.Errorf("%s: %v, want %s", name, c.err, c.want)
		}
	}

	// The facts reach the PAYMENTS stream once each.
	want := []string{"payment.authorized", "payment.captured", "payment.marked_paid", "payment.refunded", "payout.due"}
	var subjects []string
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		s, err := js.Stream(ctx, events.PaymentsStream.Name)
		if err == nil {
			info, err := s.Info(ctx)
			if err == nil && info.State.Msgs >= uint64(len(want)) {
				subjects = readSubjects(t, ctx, s, int(info.State.Msgs))
				break
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	sort.Strings(subjects)
	if len(subjects) != len(want) {
		t.Fatalf("events %v, want %v", subjects, want)
	}
	for i := range want {
		if subjects[i] != want[i] {
			t.Fatalf("events %v, want %v", subjects, want)
		}
	}
}

func readSubjects(t *testing.T, ctx context.Context, s jetstream.Stream, n int) []string {
	t.Helper()
	var out []string
	for seq := uint64(1); len(out) < n; seq++ {
		m, err := s.GetMsg(ctx, seq)
		if err != nil {
			t.Fatal(err)
		}
		ev, err := events.Parse(m.Data)
		if err != nil || ev.Type != m.Subject || ev.Source != "payments" {
			t.Fatalf("event %s: %+v %v", m.Subject, ev, err)
		}
		out = append(out, m.Subject)
	}
	return out
}

// TestBundleEventsReachThePaymentsStream: buying and cancelling a bundle are
// published on the PAYMENTS stream (its subjects are payment.> and payout.>),
// once each, retries included.
func TestBundleEventsReachThePaymentsStream(t *testing.T) {
	addr, js := serve(t)
	ctx := context.Background()
	approve(t, js, "mo", "me")
	buy := &paymentsv1.CreateBundleRequest{MenteeId: "me", MentorId: "mo", Sessions: 4, SessionPrice: 2500, Currency: "EUR",
		Card: simcard.CardSuccess, IdempotencyKey: "bundle-1"}
	mentee := dial(t, addr, as("me", identity.RoleMentee))
	b, err := mentee.CreateBundle(ctx, buy)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := mentee.CreateBundle(ctx, buy); err != nil { // a retry
		t.Fatal(err)
	}
	svc := dial(t, addr, identity.ServiceCredentials{Key: identity.DevServiceKey("booking-worker")})
	for i := 0; i < 2; i++ { // and a retried cancellation
		if _, err := svc.CancelBundle(ctx, &paymentsv1.CancelBundleRequest{BundleId: b.GetBundle().GetId(), IdempotencyKey: "cancel-1"}); err != nil {
			t.Fatal(err)
		}
	}
	var msgs []*jetstream.RawStreamMsg
	for deadline := time.Now().Add(10 * time.Second); len(msgs) < 2 && time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		msgs = nil
		if s, err := js.Stream(ctx, events.PaymentsStream.Name); err == nil {
			for seq := uint64(1); ; seq++ {
				m, err := s.GetMsg(ctx, seq)
				if err != nil {
					break
				}
				msgs = append(msgs, m)
			}
		}
	}
	time.Sleep(300 * time.Millisecond) // give a duplicate the time to show up
	s, err := js.Stream(ctx, events.PaymentsStream.Name)
	if err != nil {
		t.Fatal(err)
	}
	if info, err := s.Info(ctx); err != nil || info.State.Msgs != 2 || len(msgs) != 2 {
		t.Fatalf("stream holds %v messages (%v), want 2", info.State.Msgs, err)
	}
	if msgs[0].Subject != "payment.bundle_purchased" || msgs[1].Subject != "payment.bundle_cancelled" {
		t.Fatalf("subjects %s, %s", msgs[0].Subject, msgs[1].Subject)
	}
	var bought paymentsv1.BundlePurchased
	var cancelled paymentsv1.BundleCancelled
	for i, into := range []proto.Message{&bought, &cancelled} {
		ev, err := events.Parse(msgs[i].Data)
		if err != nil || ev.Decode(into) != nil {
			t.Fatalf("event %d: %v", i, err)
		}
	}
	if bought.GetBundle().GetId() != b.GetBundle().GetId() || bought.GetBundle().GetSessionsTotal() != 4 ||
		cancelled.GetBundle().GetStatus() != paymentsv1.BundleStatus_BUNDLE_STATUS_CANCELLED || cancelled.GetBundle().GetRefundedAmount() != 10000 {
		t.Fatalf("bought %v, cancelled %v", &bought, &cancelled)
	}
}
