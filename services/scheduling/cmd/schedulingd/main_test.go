package main

import (
	"context"
	"net"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/status"

	schedulingv1 "github.com/bookwell/bookwell/gen/go/bookwell/scheduling/v1"
	"github.com/bookwell/bookwell/pkg/identity"
	"github.com/bookwell/bookwell/pkg/natstest"
	"github.com/bookwell/bookwell/pkg/pgtest"
	"github.com/bookwell/bookwell/pkg/service"
)

// The binary starts against real Postgres and NATS, serves gRPC on its
// address, and stops cleanly when its context ends.
func TestRun(t *testing.T) {
	ns := natstest.New(t)
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := lis.Addr().String()
	lis.Close()
	t.Setenv("DATABASE_URL", pgtest.New(t))
	t.Setenv("NATS_URL", ns.URL)
	t.Setenv("NATS_STREAM_REPLICAS", "1") // one server
	t.Setenv("SCHEDULING_GRPC_ADDR", addr)
	t.Setenv("LOG_LEVEL", "error")
	t.Setenv("BOOKWELL_DEV", "true")

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- service.Run(ctx, "schedulingd", config{}, build) }()

	// Calls need a token, as a service's would.
	conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithPerRPCCredentials(identity.ServiceCredentials{Key: identity.DevServiceKey("test")}))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	deadline := time.Now().Add(20 * time.Second)
	for {
		cctx, ccancel := context.WithTimeout(ctx, time.Second)
		resp, err := healthpb.NewHealthClient(conn).Check(cctx, &healthpb.HealthCheckRequest{})
		ccancel()
		if err == nil && resp.GetStatus() == healthpb.HealthCheckResponse_SERVING {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("not serving after 20s: %v", err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	client := schedulingv1.NewSchedulingServiceClient(conn)
	create := &schedulingv1.CreateOfferingRequest{MentorId: "m1", Offering: &schedulingv1.Offering{
		Name: "Intro", Kind: schedulingv1.OfferingKind_OFFERING_KIND_INTRO, DurationMinutes: 20, Capacity: 1}}
	// A service may not write a mentor's offerings; the mentor may.
	if _, err := client.CreateOffering(ctx, create); status.Code(err) != codes.PermissionDenied {
		t.Fatalf("create offering as a service: %v, want PERMISSION_DENIED", err)
	}
	asMentor, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithPerRPCCredentials(identity.Credentials{Secret: identity.DevSecret, Principal: identity.Principal{Subject: "m1", Role: identity.RoleMentor}}))
	if err != nil {
		t.Fatal(err)
	}
	defer asMentor.Close()
	o, err := schedulingv1.NewSchedulingServiceClient(asMentor).CreateOffering(ctx, create)
	if err != nil || o.GetOffering().GetId() == "" {
		t.Fatalf("create offering: %v", err)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("run: %v", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("run did not stop")
	}
}
