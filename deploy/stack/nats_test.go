package stack_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/bookwell/bookwell/deploy/stack"
)

func TestEmbeddedNATSKeepsStreamsAcrossRestarts(t *testing.T) {
	store := filepath.Join(t.TempDir(), "nats")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	srv, err := stack.StartNATS(store, server.RANDOM_PORT)
	if err != nil {
		t.Fatal(err)
	}
	nc, err := nats.Connect(srv.ClientURL())
	if err != nil {
		t.Fatal(err)
	}
	js, _ := jetstream.New(nc)
	if _, err := js.CreateStream(ctx, jetstream.StreamConfig{Name: "BOOKINGS", Subjects: []string{"booking.>"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := js.Publish(ctx, "booking.requested", []byte("b-1"), jetstream.WithMsgID("ev-1")); err != nil {
		t.Fatal(err)
	}
	nc.Close()
	srv.Shutdown()
	srv.WaitForShutdown()

	srv, err = stack.StartNATS(store, server.RANDOM_PORT)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { srv.Shutdown(); srv.WaitForShutdown() }()
	nc, err = nats.Connect(srv.ClientURL())
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js, _ = jetstream.New(nc)
	s, err := js.Stream(ctx, "BOOKINGS")
	if err != nil {
		t.Fatalf("stream lost across a restart: %v", err)
	}
	msg, err := s.GetLastMsgForSubject(ctx, "booking.requested")
	if err != nil {
		t.Fatalf("message lost across a restart: %v", err)
	}
	if string(msg.Data) != "b-1" {
		t.Errorf("got %q, want b-1", msg.Data)
	}
}

func TestNATSTakesNATS_URLWhenItHasJetStream(t *testing.T) {
	srv, err := stack.StartNATS(t.TempDir(), server.RANDOM_PORT)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { srv.Shutdown(); srv.WaitForShutdown() }()
	t.Setenv("NATS_URL", srv.ClientURL())
	u, stop, err := stack.NATS(context.Background(), t.TempDir(), testLog(t))
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	if u != srv.ClientURL() {
		t.Errorf("got %s, want NATS_URL %s", u, srv.ClientURL())
	}
}

func TestNATSRefusesNATS_URLWithoutJetStream(t *testing.T) {
	plain, err := server.NewServer(&server.Options{Host: "127.0.0.1", Port: server.RANDOM_PORT, NoSigs: true})
	if err != nil {
		t.Fatal(err)
	}
	plain.Start()
	defer func() { plain.Shutdown(); plain.WaitForShutdown() }()
	if !plain.ReadyForConnections(10 * time.Second) {
		t.Fatal("plain server not ready")
	}
	t.Setenv("NATS_URL", plain.ClientURL())
	if _, _, err := stack.NATS(context.Background(), t.TempDir(), testLog(t)); err == nil {
		t.Fatal("a server without JetStream was accepted")
	}
}
