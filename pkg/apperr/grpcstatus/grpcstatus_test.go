package grpcstatus_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strings"
	"syscall"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/wrapperspb"

	"github.com/bookwell/bookwell/pkg/apperr"
	"github.com/bookwell/bookwell/pkg/apperr/grpcstatus"
	"github.com/bookwell/bookwell/pkg/grpcclient"
	"github.com/bookwell/bookwell/pkg/grpcserver"
	"github.com/bookwell/bookwell/pkg/identity"
)

var errSlotTaken = apperr.New(apperr.KindConflict, "SLOT_TAKEN", "that time is already booked")

// failures are what the test service's handler returns, by request text.
var failures = map[string]error{
	"slot":     fmt.Errorf("hold: %w", errSlotTaken),
	"invalid":  func() error { var v apperr.Violations; v.Add("start_time", "is required"); return v.Err() }(),
	"internal": errors.New("pq: connection to 10.0.0.7 refused"),
	"canceled": context.Canceled,
	"terminated": fmt.Errorf("read booking: %w", &pgconn.PgError{Severity: "FATAL", Code: "57P01",
		Message: "terminating connection due to administrator command"}),
	"refused": fmt.Errorf("read booking: %w", &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}),
}

// serve runs a server of one method, /test.Errors/Fail, that returns the
// failure its request names, and returns a service connection to it.
func serve(t *testing.T, log *slog.Logger) *grpc.ClientConn {
	t.Helper()
	srv := grpcserver.New(log)
	srv.RegisterService(&grpc.ServiceDesc{
		ServiceName: "test.Errors",
		HandlerType: (*any)(nil),
		Methods: []grpc.MethodDesc{{MethodName: "Fail", Handler: func(_ any, ctx context.Context, dec func(any) error, icpt grpc.UnaryServerInterceptor) (any, error) {
			in := new(wrapperspb.StringValue)
			if err := dec(in); err != nil {
				return nil, err
			}
			h := func(ctx context.Context, req any) (any, error) {
				return nil, failures[req.(*wrapperspb.StringValue).GetValue()]
			}
			return icpt(ctx, in, &grpc.UnaryServerInfo{FullMethod: "/test.Errors/Fail"}, h)
		}}},
	}, struct{}{})
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.ServeListener(ctx, lis) }()
	t.Cleanup(func() { cancel(); <-done })
	conn, err := grpcclient.Dial(lis.Addr().String(), identity.DevServiceKey("test"), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}

func call(conn *grpc.ClientConn, what string, opts ...grpc.CallOption) error {
	return conn.Invoke(context.Background(), "/test.Errors/Fail", wrapperspb.String(what), new(wrapperspb.StringValue), opts...)
}

func TestAnApplicationErrorCrossesGRPCAndStillMatchesItsSentinel(t *testing.T) {
	conn := serve(t, slog.New(slog.DiscardHandler))
	err := call(conn, "slot")
	var ae *apperr.Error
	if !errors.Is(err, errSlotTaken) || !errors.As(err, &ae) || ae.Message != "that time is already booked" {
		t.Fatalf("caller got %v; want SLOT_TAKEN with its message", err)
	}
	err = call(conn, "invalid")
	var ve *apperr.ValidationError
	if !errors.Is(err, apperr.Invalid) || !errors.As(err, &ve) || len(ve.Violations) != 1 || ve.Violations[0].Field != "start_time" {
		t.Fatalf("caller got %v; want the start_time violation", err)
	}
}

func TestWhatAClientSeesIsTheStatusTheGatewayMapsToHTTP(t *testing.T) {
	conn := serve(t, slog.New(slog.DiscardHandler))
	var raw error
	// A raw status, as grpc-gateway sees it: the client interceptor of
	// grpcclient runs on the result after this one.
	_ = call(conn, "slot", grpc.OnFinish(func(err error) { raw = err }))
	st := status.Convert(raw)
	if st.Code() != codes.Aborted || st.Message() != "that time is already booked" {
		t.Fatalf("status %v %q; want ABORTED with the message", st.Code(), st.Message())
	}
	var reason, domain string
	for _, d := range st.Details() {
		if info, ok := d.(*errdetails.ErrorInfo); ok {
			reason, domain = info.GetReason(), info.GetDomain()
		}
	}
	if reason != "SLOT_TAKEN" || domain != grpcstatus.Domain {
		t.Fatalf("ErrorInfo %q in %q; want SLOT_TAKEN in %q", reason, domain, grpcstatus.Domain)
	}
}

func TestAnInternalErrorIsLoggedAndNeverLeaked(t *testing.T) {
	var logged bytes.Buffer
	conn := serve(t, slog.New(slog.NewTextHandler(&logged, nil)))
	err := call(conn, "internal")
	if status.Code(err) != codes.Internal || strings.Contains(err.Error(), "10.0.0.7") {
		t.Fatalf("caller got %v; want a bare INTERNAL", err)
	}
	if !strings.Contains(logged.String(), "10.0.0.7") {
		t.Fatalf("the cause was not logged: %s", logged.String())
	}
	if err := call(conn, "canceled"); status.Code(err) != codes.Canceled {
		t.Fatalf("a cancelled handler: %v, want CANCELLED", err)
	}
}

// A database restarting, or a session cut by its administrator, is a reason
// to retry, not a bug: UNAVAILABLE (503 at the gateway), never the cause.
func TestAnUnreachableDependencyIsUnavailable(t *testing.T) {
	conn := serve(t, slog.New(slog.DiscardHandler))
	for _, what := range []string{"terminated", "refused"} {
		err := call(conn, what)
		if status.Code(err) != codes.Unavailable || strings.Contains(err.Error(), "administrator") || strings.Contains(err.Error(), "refused") {
			t.Errorf("%s: caller got %v; want a bare UNAVAILABLE without the cause", what, err)
		}
	}
}

func TestEveryKindHasACode(t *testing.T) {
	for k := apperr.KindInternal; k <= apperr.KindUnavailable; k++ {
		if grpcstatus.Code(k) == codes.OK {
			t.Errorf("kind %d has no gRPC code", k)
		}
		back := grpcstatus.Decode(grpcstatus.Encode(context.Background(), nil, apperr.New(k, "R", "m")))
		var ae *apperr.Error
		if !errors.As(back, &ae) || ae.Kind != k {
			t.Errorf("kind %d came back as %v", k, back)
		}
	}
}
