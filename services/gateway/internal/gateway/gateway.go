// Package gateway is bookwell's REST edge: grpc-gateway routes to every
// service's gRPC API, the merged OpenAPI document, and a health check.
package gateway

import (
	"context"
	"fmt"
	"net/http"

	"github.com/grpc-ecosystem/grpc-gateway/v2/runtime"
	// Error details (ErrorInfo, BadRequest) must be known to marshal them.
	_ "google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/bookwell/bookwell/gen"
	bookingv1 "github.com/bookwell/bookwell/gen/go/bookwell/booking/v1"
	notificationsv1 "github.com/bookwell/bookwell/gen/go/bookwell/notifications/v1"
	paymentsv1 "github.com/bookwell/bookwell/gen/go/bookwell/payments/v1"
	reputationv1 "github.com/bookwell/bookwell/gen/go/bookwell/reputation/v1"
	schedulingv1 "github.com/bookwell/bookwell/gen/go/bookwell/scheduling/v1"
)

// Config says where each service's gRPC API is.
type Config struct {
	HTTPAddr          string `env:"GATEWAY_HTTP_ADDR" envDefault:":8080"`
	BookingAddr       string `env:"BOOKING_GRPC_ADDR" envDefault:"127.0.0.1:9091"`
	SchedulingAddr    string `env:"SCHEDULING_GRPC_ADDR" envDefault:"127.0.0.1:9092"`
	PaymentsAddr      string `env:"PAYMENTS_GRPC_ADDR" envDefault:"127.0.0.1:9093"`
	NotificationsAddr string `env:"NOTIFICATIONS_GRPC_ADDR" envDefault:"127.0.0.1:9094"`
	ReputationAddr    string `env:"REPUTATION_GRPC_ADDR" envDefault:"127.0.0.1:9095"`
}

// New returns the gateway's handler. Connections to the services are made
// lazily and re-established by gRPC when a service restarts.
func New(ctx context.Context, c Config) (http.Handler, error) {
	mux := runtime.NewServeMux(
		runtime.WithMarshalerOption(runtime.MIMEWildcard, &runtime.JSONPb{
			MarshalOptions:   protojson.MarshalOptions{EmitUnpopulated: false},
			UnmarshalOptions: protojson.UnmarshalOptions{DiscardUnknown: false},
		}),
	)
	opts := []grpc.DialOption{grpc.WithTransportCredentials(insecure.NewCredentials())}
	for _, r := range []struct {
		name, addr string
		register   func(context.Context, *runtime.ServeMux, string, []grpc.DialOption) error
	}{
		{"booking", c.BookingAddr, bookingv1.RegisterBookingServiceHandlerFromEndpoint},
		{"scheduling", c.SchedulingAddr, schedulingv1.RegisterSchedulingServiceHandlerFromEndpoint},
		{"payments", c.PaymentsAddr, paymentsv1.RegisterPaymentsServiceHandlerFromEndpoint},
		{"notifications", c.NotificationsAddr, notificationsv1.RegisterNotificationServiceHandlerFromEndpoint},
		{"reputation", c.ReputationAddr, reputationv1.RegisterReputationServiceHandlerFromEndpoint},
	} {
		if err := r.register(ctx, mux, r.addr, opts); err != nil {
			return nil, fmt.Errorf("%s routes: %w", r.name, err)
		}
	}

	root := http.NewServeMux()
	root.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		_, _ = w.Write([]byte("ok\n"))
	})
	root.HandleFunc("GET /openapi.json", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(gen.OpenAPI)
	})
	root.Handle("/", mux)
	return root, nil
}
