package e2e

import (
	"context"
	"encoding/hex"
	"fmt"
	"net"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	collectortrace "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"
	"google.golang.org/grpc"

	"github.com/bookwell/bookwell/pkg/identity"
)

// otlpReceiver is an OTLP/gRPC trace collector that keeps every span it is
// sent, as the processes export them (OTEL_EXPORTER_OTLP_ENDPOINT).
type otlpReceiver struct {
	collectortrace.UnimplementedTraceServiceServer
	addr string

	mu    sync.Mutex
	spans []span
}

// span is one received span, flattened.
type span struct {
	service, name, traceID, spanID, parentID string
	kind                                     tracepb.Span_SpanKind
	attrs                                    map[string]string
}

func newOTLPReceiver(t testing.TB) *otlpReceiver {
	t.Helper()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	r := &otlpReceiver{addr: lis.Addr().String()}
	srv := grpc.NewServer()
	collectortrace.RegisterTraceServiceServer(srv, r)
	go func() { _ = srv.Serve(lis) }()
	t.Cleanup(srv.Stop)
	return r
}

func (r *otlpReceiver) Export(_ context.Context, req *collectortrace.ExportTraceServiceRequest) (*collectortrace.ExportTraceServiceResponse, error) {
	var got []span
	for _, rs := range req.GetResourceSpans() {
		service := ""
		for _, kv := range rs.GetResource().GetAttributes() {
			if kv.GetKey() == "service.name" {
				service = kv.GetValue().GetStringValue()
			}
		}
		for _, ss := range rs.GetScopeSpans() {
			for _, sp := range ss.GetSpans() {
				s := span{service: service, name: sp.GetName(), kind: sp.GetKind(), attrs: map[string]string{},
					traceID: hex.EncodeToString(sp.GetTraceId()), spanID: hex.EncodeToString(sp.GetSpanId()),
					parentID: hex.EncodeToString(sp.GetParentSpanId())}
				for _, kv := range sp.GetAttributes() {
					s.attrs[kv.GetKey()] = fmt.Sprint(kv.GetValue().GetStringValue(), kv.GetValue().GetIntValue())
					if v := kv.GetValue().GetStringValue(); v != "" {
						s.attrs[kv.GetKey()] = v
					}
				}
				got = append(got, s)
			}
		}
	}
	r.mu.Lock()
	r.spans = append(r.spans, got...)
	r.mu.Unlock()
	return &collectortrace.ExportTraceServiceResponse{}, nil
}

// all returns the spans received so far.
func (r *otlpReceiver) all() []span {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.spans)
}

// trace returns the spans of one trace.
func (r *otlpReceiver) trace(id string) []span {
	var out []span
	for _, s := range r.all() {
		if s.traceID == id {
			out = append(out, s)
		}
	}
	return out
}

// tracedEnv is the environment that has every process export its spans to r
// without delay.
func (r *otlpReceiver) tracedEnv() map[string]string {
	return map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://" + r.addr, "OTEL_BSP_SCHEDULE_DELAY": "100"}
}

// describe lists a trace's spans for a failure message, by service.
func describe(spans []span) string {
	var lines []string
	for _, s := range spans {
		extra := ""
		if g := s.attrs["messaging.consumer.group.name"]; g != "" {
			extra = " [" + g + "]"
		}
		if s.attrs["db.system"] != "" || s.attrs["db.system.name"] != "" {
			extra = " [db]"
		}
		lines = append(lines, fmt.Sprintf("%s: %s%s", s.service, s.name, extra))
	}
	sort.Strings(lines)
	return strings.Join(slices.Compact(lines), "\n")
}

// TestOneTracePerBooking creates and approves a booking through REST with
// every process exporting spans, and finds the booking as one trace: the
// gateway's request, bookingd, the workflow and its activities (the approval's
// too, sent in a request of its own), scheduling, payments, Postgres, each
// consumer of the events it caused and the emails sent. Every process's
// /metrics moves meanwhile, and every metric the alerting rules and the
// dashboard in deploy/observability name is one that a process exports. The
// runbook's SQL runs against the stack's database.
func TestOneTracePerBooking(t *testing.T) {
	recv := newOTLPReceiver(t)
	w := start(t, recv.tracedEnv())
	mentor, offering := w.mentorWithOffering(t, "mentor-traced", paidOffering(60, 1))
	mentee := w.user(t, "mentee-traced", identity.RoleMentee)
	before := w.scrapeAll(t)
	id := str(mentee.book(mentor.id, offering, time.Now().Add(72*time.Hour).Truncate(time.Hour), nil), "booking.id")
	mentor.ok("POST", "/v1/bookings/"+id+":approve", map[string]any{})

	after := w.checkMoved(t, before, []moved{
		{"gatewayd", "bookwell_http_requests_total", []string{`route="/v1/bookings"`, `method="POST"`, `code="200"`}},
		{"gatewayd", "bookwell_http_request_duration_seconds_count", []string{`route="/v1/bookings/{id}:approve"`}},
		{"gatewayd", "grpc_client_handled_total", []string{`grpc_method="CreateBooking"`, `grpc_code="OK"`}},
		{"bookingd", "grpc_server_handled_total", []string{`grpc_method="CreateBooking"`, `grpc_code="OK"`}},
		{"bookingd", "grpc_server_handling_seconds_count", []string{`grpc_method="ApproveBooking"`}},
		{"bookingd", "bookwell_outbox_published_events_total", []string{`schema="booking"`}},
		{"bookingd", "bookwell_bookings", []string{`status="CONFIRMED"`}},
		{"bookingd", "temporal_request", nil},
		{"booking-worker", "temporal_local_activity_execution_latency_seconds_count", nil},
		{"booking-worker", "temporal_request", nil},
		{"booking-worker", "temporal_workflow_task_execution_latency_seconds_count", nil},
		{"booking-worker", "grpc_client_handled_total", []string{`grpc_service="bookwell.payments.v1.PaymentsService"`}},
		{"schedulingd", "grpc_server_handled_total", []string{`grpc_service="bookwell.scheduling.v1.SchedulingService"`}},
		{"paymentsd", "grpc_server_handled_total", []string{`grpc_service="bookwell.payments.v1.PaymentsService"`}},
		{"paymentsd", "bookwell_outbox_published_events_total", []string{`schema="payments"`}},
		{"notificationsd", "bookwell_consumer_events_handled_total", []string{`consumer="notifications-booking"`}},
		{"notificationsd", "bookwell_email_deliveries_total", []string{`result="sent"`}},
		{"notificationsd", "bookwell_emails", []string{`status="sent"`}},
		{"reputationd", "bookwell_consumer_events_handled_total", []string{`consumer="reputation-bookings"`}},
		{"consoled", "process_cpu_seconds_total", nil},
	})
	for _, name := range []string{"bookwell_outbox_oldest_unpublished_age_seconds", "bookwell_consumer_lag_messages", "bookwell_consumer_dead_letters"} {
		if !after["reputationd"].names()[name] {
			t.Errorf("reputationd does not export %s", name)
		}
	}
	checkRulesAndDashboard(t, after)

	// The trace begins with the gateway's span of the creating request.
	var traceID string
	for deadline := time.Now().Add(20 * time.Second); traceID == ""; time.Sleep(200 * time.Millisecond) {
		for _, s := range recv.all() {
			if s.service == "gatewayd" && s.name == "POST /v1/bookings" && s.kind == tracepb.Span_SPAN_KIND_SERVER {
				traceID = s.traceID
			}
		}
		if traceID == "" && time.Now().After(deadline) {
			t.Fatalf("no span of the gateway's POST /v1/bookings; received:\n%s", describe(recv.all()))
		}
	}

	type want struct {
		what string
		ok   func(span) bool
	}
	named := func(service, name string) func(span) bool {
		return func(s span) bool { return s.service == service && s.name == name }
	}
	prefixed := func(service, prefix string) func(span) bool {
		return func(s span) bool { return s.service == service && strings.HasPrefix(s.name, prefix) }
	}
	server := func(service string) func(span) bool {
		return func(s span) bool { return s.service == service && s.kind == tracepb.Span_SPAN_KIND_SERVER }
	}
	consumed := func(service, group, subject string) func(span) bool {
		return func(s span) bool {
			return s.service == service && s.attrs["messaging.consumer.group.name"] == group && s.name == "process "+subject
		}
	}
	wants := []want{
		{"the gateway's request", named("gatewayd", "POST /v1/bookings")},
		{"bookingd's gRPC server", named("bookingd", "bookwell.booking.v1.BookingService/CreateBooking")},
		{"bookingd starting the workflow", prefixed("bookingd", "UpdateWithStartWorkflow:")},
		{"the workflow's create update", named("booking-worker", "HandleUpdate:create")},
		{"an activity of the request", prefixed("booking-worker", "RunActivity:HoldSlot")},
		{"the approval joining the booking's trace", named("bookingd", "booking approve")},
		{"the workflow's approve update", named("booking-worker", "HandleUpdate:approve")},
		{"an activity of the approval", prefixed("booking-worker", "RunActivity:CapturePayment")},
		{"scheduling's gRPC server", server("schedulingd")},
		{"payments' gRPC server", server("paymentsd")},
		{"a Postgres query", func(s span) bool {
			return s.attrs["db.system"] == "postgresql" || s.attrs["db.system.name"] == "postgresql"
		}},
		{"the relay publishing booking.approved", named("bookingd", "publish booking.approved")},
		{"notifications handling booking.requested", consumed("notificationsd", "notifications-booking", "booking.requested")},
		{"notifications handling booking.approved", consumed("notificationsd", "notifications-booking", "booking.approved")},
		{"reputation handling booking.approved", consumed("reputationd", "reputation-bookings", "booking.approved")},
		{"an email sent", named("notificationsd", "send email")},
	}
	var missing []string
	deadline := time.Now().Add(30 * time.Second)
	for {
		spans := recv.trace(traceID)
		missing = missing[:0]
		for _, wt := range wants {
			if !slices.ContainsFunc(spans, wt.ok) {
				missing = append(missing, wt.what)
			}
		}
		if len(missing) == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the booking's trace %s lacks: %s\nit has:\n%s", traceID, strings.Join(missing, "; "), describe(spans))
		}
		time.Sleep(300 * time.Millisecond)
	}
	spans := recv.trace(traceID)
	// One trace, whose only root is the creating request's span.
	roots := 0
	for _, s := range spans {
		if s.parentID == "" {
			roots++
		}
	}
	if roots != 1 {
		t.Errorf("the booking's trace has %d roots, want 1:\n%s", roots, describe(spans))
	}
	// The approval's own request is a trace of its own that names the
	// booking's.
	if !slices.ContainsFunc(recv.all(), func(s span) bool {
		return s.service == "bookingd" && s.traceID != traceID && s.attrs["bookwell.booking.trace_id"] == traceID
	}) {
		t.Errorf("the approval's request does not name the booking's trace")
	}
	t.Logf("the booking's trace %s has %d spans from %d processes", traceID, len(spans), countServices(spans))
	checkRunbookSQL(t, w, id, traceID)
}

func countServices(spans []span) int {
	seen := map[string]bool{}
	for _, s := range spans {
		seen[s.service] = true
	}
	return len(seen)
}
