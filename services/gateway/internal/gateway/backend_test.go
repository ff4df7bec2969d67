package gateway

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/metadata"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"

	bookingv1 "github.com/bookwell/bookwell/gen/go/bookwell/booking/v1"
	notificationsv1 "github.com/bookwell/bookwell/gen/go/bookwell/notifications/v1"
	paymentsv1 "github.com/bookwell/bookwell/gen/go/bookwell/payments/v1"
	reputationv1 "github.com/bookwell/bookwell/gen/go/bookwell/reputation/v1"
	schedulingv1 "github.com/bookwell/bookwell/gen/go/bookwell/scheduling/v1"
	"github.com/bookwell/bookwell/pkg/config"
	"github.com/bookwell/bookwell/pkg/identity"
	"github.com/bookwell/bookwell/pkg/pgdb"
	"github.com/bookwell/bookwell/pkg/pgtest"
	"github.com/bookwell/bookwell/services/gateway/internal/idempotency"
)

// backend is one in-process gRPC server registering the real generated
// service interfaces of all five services. It records every call that
// reaches it and answers with respond, or with an empty response.
type backend struct {
	mu      sync.Mutex
	calls   []call
	respond func(ctx context.Context, method string, req proto.Message) (proto.Message, error)
}

type call struct {
	method         string
	authorization  string
	idempotencyKey string
	req            proto.Message
}

func (b *backend) intercept(ctx context.Context, req any, info *grpc.UnaryServerInfo, _ grpc.UnaryHandler) (any, error) {
	md, _ := metadata.FromIncomingContext(ctx)
	auth := ""
	if v := md.Get("authorization"); len(v) > 0 {
		auth = v[0]
	}
	b.mu.Lock()
	key := ""
	if v := md.Get("idempotency-key"); len(v) > 0 {
		key = v[0]
	}
	b.calls = append(b.calls, call{method: info.FullMethod, authorization: auth, idempotencyKey: key, req: req.(proto.Message)})
	respond := b.respond
	b.mu.Unlock()
	if respond != nil {
		return respond(ctx, info.FullMethod, req.(proto.Message))
	}
	return emptyResponse(info.FullMethod)
}

// emptyResponse is a zero value of the method's response type.
func emptyResponse(fullMethod string) (proto.Message, error) {
	svc, m, _ := strings.Cut(strings.TrimPrefix(fullMethod, "/"), "/")
	d, err := protoregistry.GlobalFiles.FindDescriptorByName(protoreflect.FullName(svc))
	if err != nil {
		return nil, err
	}
	md := d.(protoreflect.ServiceDescriptor).Methods().ByName(protoreflect.Name(m))
	mt, err := protoregistry.GlobalTypes.FindMessageByName(md.Output().FullName())
	if err != nil {
		return nil, err
	}
	return mt.New().Interface(), nil
}

func (b *backend) Calls() []call {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]call(nil), b.calls...)
}

func (b *backend) reset() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.calls = nil
}

func (b *backend) setRespond(f func(ctx context.Context, method string, req proto.Message) (proto.Message, error)) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.respond = f
}

// start serves the backend on a free port and returns its address.
func (b *backend) start(t testing.TB) string {
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := grpc.NewServer(grpc.UnaryInterceptor(b.intercept))
	bookingv1.RegisterBookingServiceServer(srv, bookingv1.UnimplementedBookingServiceServer{})
	bookingv1.RegisterActionLinkServiceServer(srv, bookingv1.UnimplementedActionLinkServiceServer{})
	schedulingv1.RegisterSchedulingServiceServer(srv, schedulingv1.UnimplementedSchedulingServiceServer{})
	schedulingv1.RegisterExternalCalendarServiceServer(srv, schedulingv1.UnimplementedExternalCalendarServiceServer{})
	paymentsv1.RegisterPaymentsServiceServer(srv, paymentsv1.UnimplementedPaymentsServiceServer{})
	notificationsv1.RegisterNotificationServiceServer(srv, notificationsv1.UnimplementedNotificationServiceServer{})
	reputationv1.RegisterReputationServiceServer(srv, reputationv1.UnimplementedReputationServiceServer{})
	go func() { _ = srv.Serve(lis) }()
	t.Cleanup(srv.Stop)
	return lis.Addr().String()
}

// newGateway is the real gateway handler in front of a fresh backend, with
// its keys in a fresh database.
func newGateway(t testing.TB, configure func(*Config)) (http.Handler, *backend, *idempotency.Store) {
	t.Helper()
	b := &backend{}
	addr := b.start(t)
	var c Config
	if err := config.Load(&c); err != nil {
		t.Fatal(err)
	}
	c.BookingAddr, c.SchedulingAddr, c.PaymentsAddr, c.NotificationsAddr, c.ReputationAddr = addr, addr, addr, addr, addr
	if configure != nil {
		configure(&c)
	}
	ctx := context.Background()
	pool, err := pgdb.Open(ctx, pgtest.New(t), idempotency.Schema, idempotency.Migrations())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	h, err := New(ctx, c, identity.DevVerifier(identity.DevSecret), slog.New(slog.DiscardHandler), pool)
	if err != nil {
		t.Fatal(err)
	}
	return h, b, c.Store(pool)
}

func token(t testing.TB, sub string, role identity.Role) string {
	t.Helper()
	tok, err := identity.Mint(identity.DevSecret, identity.Principal{Subject: sub, Role: role}, time.Hour, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// answer is a recorded HTTP response.
type answer struct {
	status int
	header http.Header
	body   []byte
}

// reason is the ErrorInfo reason of a google.rpc.Status body, or "".
func (a answer) reason() string {
	var st struct {
		Details []struct {
			Type   string `json:"@type"`
			Reason string `json:"reason"`
		} `json:"details"`
	}
	_ = json.Unmarshal(a.body, &st)
	for _, d := range st.Details {
		if d.Type == "type.googleapis.com/google.rpc.ErrorInfo" {
			return d.Reason
		}
	}
	return ""
}

// do sends a request through h; headers are name, value pairs.
func do(h http.Handler, method, path, tok, body string, headers ...string) answer {
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	r := httptest.NewRequest(method, path, rd)
	if tok != "" {
		r.Header.Set("Authorization", "Bearer "+tok)
	}
	if body != "" {
		r.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(headers); i += 2 {
		r.Header.Set(headers[i], headers[i+1])
		if headers[i] == "Transfer-Encoding" {
			r.ContentLength = -1 // as a chunked body arrives: no length known
		}
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return answer{status: w.Code, header: w.Header(), body: w.Body.Bytes()}
}

// wantError checks an answer is a google.rpc.Status with status and reason.
func wantError(t *testing.T, a answer, status int, reason string) {
	t.Helper()
	if a.status != status || a.reason() != reason || !strings.HasPrefix(a.header.Get("Content-Type"), "application/json") {
		t.Fatalf("got %d %s %s; want %d with reason %s", a.status, a.header.Get("Content-Type"), a.body, status, reason)
	}
}
