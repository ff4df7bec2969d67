package grpcapi_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/timestamppb"

	bookingv1 "github.com/bookwell/bookwell/gen/go/bookwell/booking/v1"
	"github.com/bookwell/bookwell/pkg/events"
	"github.com/bookwell/bookwell/pkg/grpcserver"
	"github.com/bookwell/bookwell/pkg/natstest"
	"github.com/bookwell/bookwell/pkg/outbox"
	"github.com/bookwell/bookwell/pkg/pgdb"
	"github.com/bookwell/bookwell/pkg/pgtest"
	"github.com/bookwell/bookwell/pkg/temporaltest"
	"github.com/bookwell/bookwell/services/booking/internal/app"
	"github.com/bookwell/bookwell/services/booking/internal/grpcapi"
	"github.com/bookwell/bookwell/services/booking/internal/postgres"
	"github.com/bookwell/bookwell/services/booking/internal/workflow"
)

// harness is the booking context on real servers: Postgres, NATS JetStream and
// a Temporal dev server, with the API, the worker and the relay in process.
type harness struct {
	api      bookingv1.BookingServiceClient
	js       jetstream.JetStream
	temporal client.Client
}

func start(t *testing.T) *harness {
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
	ts := temporaltest.New(t, workflow.RegisteredSearchAttributes())
	store := postgres.NewStore(pool)

	w := worker.New(ts.Client, workflow.TaskQueue, worker.Options{})
	workflow.Register(w, &workflow.Activities{Store: store})
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(w.Stop)

	relay := &outbox.Relay{Pool: pool, JS: ns.JS, Schema: postgres.Schema, Stream: events.BookingStream, Log: log}
	relayDone := make(chan struct{})
	go func() { defer close(relayDone); _ = relay.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-relayDone })

	srv := grpcserver.New(log)
	bookingv1.RegisterBookingServiceServer(srv.Server, grpcapi.New(app.New(ts.Client, store, time.Now), log))
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
	return &harness{api: bookingv1.NewBookingServiceClient(conn), js: ns.JS, temporal: ts.Client}
}

func request(mentor string) *bookingv1.Booking {
	start := time.Now().Add(72 * time.Hour).Truncate(time.Minute)
	return &bookingv1.Booking{
		MentorId: mentor, MenteeId: "mentee-ada", OfferingId: "paid-60",
		StartTime: timestamppb.New(start), EndTime: timestamppb.New(start.Add(time.Hour)),
		Message: "I'd like help with my Go service's tests.",
	}
}

func reason(err error) string {
	for _, d := range status.Convert(err).Details() {
		if info, ok := d.(*errdetails.ErrorInfo); ok {
			return info.GetReason()
		}
	}
	return ""
}

func TestRequestThenApprove(t *testing.T) {
	h := start(t)
	ctx := context.Background()

	created, err := h.api.CreateBooking(ctx, &bookingv1.CreateBookingRequest{Booking: request("mentor-grace"), RequestId: "req-1"})
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	b := created.GetBooking()
	if b.GetStatus() != bookingv1.BookingStatus_BOOKING_STATUS_PENDING || b.GetId() == "" {
		t.Fatalf("created booking = %v, want a PENDING booking with an id", b)
	}

	// A retry of the same request names the same booking and changes nothing.
	again, err := h.api.CreateBooking(ctx, &bookingv1.CreateBookingRequest{Booking: request("mentor-grace"), RequestId: "req-1"})
	if err != nil || again.GetBooking().GetId() != b.GetId() || again.GetBooking().GetVersion() != 1 {
		t.Fatalf("retried create = %v, %v; want booking %s at version 1", again.GetBooking(), err, b.GetId())
	}
	// The same request id for another request is refused.
	other := request("mentor-grace")
	other.OfferingId = "intro-20"
	if _, err := h.api.CreateBooking(ctx, &bookingv1.CreateBookingRequest{Booking: other, RequestId: "req-1"}); status.Code(err) != codes.Aborted || reason(err) != "REQUEST_ID_REUSED" {
		t.Fatalf("reused request id: %v, want ABORTED REQUEST_ID_REUSED", err)
	}

	got, err := h.api.GetBooking(ctx, &bookingv1.GetBookingRequest{Id: b.GetId()})
	if err != nil || got.GetBooking().GetStatus() != bookingv1.BookingStatus_BOOKING_STATUS_PENDING {
		t.Fatalf("get after create = %v, %v", got, err)
	}

	approved, err := h.api.ApproveBooking(ctx, &bookingv1.ApproveBookingRequest{Id: b.GetId()})
	if err != nil {
		t.Fatalf("approve: %v", err)
	}
	if approved.GetBooking().GetStatus() != bookingv1.BookingStatus_BOOKING_STATUS_CONFIRMED {
		t.Fatalf("approved status = %v", approved.GetBooking().GetStatus())
	}
	got, err = h.api.GetBooking(ctx, &bookingv1.GetBookingRequest{Id: b.GetId()})
	if err != nil || got.GetBooking().GetStatus() != bookingv1.BookingStatus_BOOKING_STATUS_CONFIRMED {
		t.Fatalf("get after approve = %v, %v; the read model must show the approval", got, err)
	}
	if _, err := h.api.ApproveBooking(ctx, &bookingv1.ApproveBookingRequest{Id: b.GetId()}); status.Code(err) != codes.Aborted || reason(err) != "WRONG_STATE" {
		t.Fatalf("second approve: %v, want ABORTED WRONG_STATE", err)
	}

	// Each fact is on JetStream exactly once.
	evs := readEvents(t, h.js, 2)
	if evs[0].Type != "booking.requested" || evs[1].Type != "booking.approved" {
		t.Fatalf("events = %s, %s", evs[0].Type, evs[1].Type)
	}
	var ap bookingv1.BookingEvent
	if err := evs[1].Decode(&ap); err != nil || ap.GetBooking().GetId() != b.GetId() ||
		ap.GetActorRole() != bookingv1.Role_ROLE_MENTOR || ap.GetActorId() != "mentor-grace" {
		t.Fatalf("approved payload = %v, %v; want the booking, approved by its mentor", &ap, err)
	}

	// An operator finds the booking in Temporal by status and mentor.
	query := fmt.Sprintf("BookingStatus = 'CONFIRMED' AND MentorId = 'mentor-grace' AND MenteeId = 'mentee-ada'")
	deadline := time.Now().Add(10 * time.Second)
	for {
		resp, err := h.temporal.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{Query: query})
		if err == nil && len(resp.GetExecutions()) == 1 && resp.GetExecutions()[0].GetExecution().GetWorkflowId() == workflow.WorkflowID(b.GetId()) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("workflow not found by %q: %v, %v", query, resp, err)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func TestBadInputIsRefusedAndChangesNothing(t *testing.T) {
	h := start(t)
	ctx := context.Background()
	bad := request("mentor-grace")
	bad.MenteeId = ""
	bad.EndTime = bad.StartTime
	_, err := h.api.CreateBooking(ctx, &bookingv1.CreateBookingRequest{Booking: bad})
	if status.Code(err) != codes.InvalidArgument {
		t.Fatalf("create with bad input: %v, want INVALID_ARGUMENT", err)
	}
	fields := map[string]bool{}
	for _, d := range status.Convert(err).Details() {
		if br, ok := d.(*errdetails.BadRequest); ok {
			for _, v := range br.GetFieldViolations() {
				fields[v.GetField()] = true
			}
		}
	}
	if !fields["mentee_id"] || !fields["end_time"] {
		t.Fatalf("field violations = %v, want mentee_id and end_time", fields)
	}
	if _, err := h.api.GetBooking(ctx, &bookingv1.GetBookingRequest{Id: "not-a-uuid"}); status.Code(err) != codes.NotFound {
		t.Fatalf("get unknown: %v, want NOT_FOUND", err)
	}
	if _, err := h.api.ApproveBooking(ctx, &bookingv1.ApproveBookingRequest{Id: "2b1c4a4e-8f3e-4f8e-9a7b-0c1d2e3f4a5b"}); status.Code(err) != codes.NotFound {
		t.Fatalf("approve unknown: %v, want NOT_FOUND", err)
	}
	resp, err := h.temporal.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{})
	if err != nil || len(resp.GetExecutions()) != 0 {
		t.Fatalf("workflows after refused requests: %v, %v; want none", resp, err)
	}
}

// readEvents reads n events off the BOOKING stream, then checks no more come.
func readEvents(t *testing.T, js jetstream.JetStream, n int) []events.Event {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	cons, err := js.OrderedConsumer(ctx, events.BookingStream.Name, jetstream.OrderedConsumerConfig{})
	if err != nil {
		t.Fatal(err)
	}
	var out []events.Event
	for len(out) < n {
		msg, err := cons.Next(jetstream.FetchMaxWait(5 * time.Second))
		if err != nil {
			t.Fatalf("after %d events: %v", len(out), err)
		}
		ev, err := events.Parse(msg.Data())
		if err != nil {
			t.Fatal(err)
		}
		if msg.Headers().Get("Nats-Msg-Id") != ev.ID.String() {
			t.Fatalf("Nats-Msg-Id %q, event id %s", msg.Headers().Get("Nats-Msg-Id"), ev.ID)
		}
		out = append(out, ev)
	}
	if msg, err := cons.Next(jetstream.FetchMaxWait(500 * time.Millisecond)); err == nil {
		t.Fatalf("unexpected extra event %s", msg.Subject())
	}
	return out
}
