package stack_test

import (
	"context"
	"fmt"
	"os"

	"github.com/bookwell/bookwell/deploy/stack"
)

// An end-to-end test runs the real binaries beside anything else on the
// machine: free ports, its own servers (pgtest, natstest, temporaltest give
// the three URLs), and Kill/Start to crash a service mid-flight.
func ExampleServices() {
	ctx := context.Background()
	env, err := stack.FreeAddrs()
	if err != nil {
		panic(err)
	}
	env["DATABASE_URL"] = "postgres://postgres@127.0.0.1:5432/test_x?sslmode=disable" // pgtest.New(t)
	env["NATS_URL"] = "nats://127.0.0.1:41222"                                        // natstest.New(t).URL
	env["TEMPORAL_ADDRESS"] = "127.0.0.1:41233"                                       // temporaltest.New(t, attrs).HostPort
	dir, _ := os.MkdirTemp("", "e2e")                                                 // t.TempDir()
	s, err := stack.NewServices(stack.ServicesOptions{StateDir: dir, Env: env})
	if err != nil {
		panic(err)
	}
	if err := s.Build(ctx); err != nil {
		panic(err)
	}
	defer s.Stop()
	if err := s.StartAll(ctx); err != nil {
		panic(err)
	}
	fmt.Println("REST on http://" + s.Env()["GATEWAY_HTTP_ADDR"])
	_ = s.Kill("booking-worker")       // a crash...
	_ = s.Start(ctx, "booking-worker") // ...and the restart
}
