package stack

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// LocalNATSURL is a NATS server on the usual local port.
const LocalNATSURL = "nats://127.0.0.1:4222"

// NATS returns the URL of a NATS server with JetStream and a function that
// stops whatever was started for it. It uses NATS_URL if set; else the server
// on 127.0.0.1:4222 if it answers and has JetStream; else it runs one in this
// process, storing streams in <stateDir>/nats, on port 4222 (or a free port
// when 4222 is taken).
func NATS(ctx context.Context, stateDir string, log *slog.Logger) (string, func(), error) {
	if u := os.Getenv("NATS_URL"); u != "" {
		if err := pingJetStream(ctx, u); err != nil {
			return "", nil, fmt.Errorf("nats: NATS_URL %s: %w", u, err)
		}
		log.Info("nats: using NATS_URL", "url", u)
		return u, func() {}, nil
	}
	if err := pingJetStream(ctx, LocalNATSURL); err == nil {
		log.Info("nats: using the server on 127.0.0.1:4222")
		return LocalNATSURL, func() {}, nil
	} else if dialable("127.0.0.1:4222") {
		log.Info("nats: the server on 127.0.0.1:4222 is not usable, starting one on another port", "reason", err)
	}
	port, err := preferredPort(4222)
	if err != nil {
		return "", nil, err
	}
	srv, err := StartNATS(filepath.Join(stateDir, "nats"), port)
	if err != nil {
		return "", nil, err
	}
	log.Info("nats: started JetStream in process", "url", srv.ClientURL(), "store", filepath.Join(stateDir, "nats"))
	return srv.ClientURL(), func() {
		srv.Shutdown()
		srv.WaitForShutdown()
		log.Info("nats: stopped")
	}, nil
}

// StartNATS runs a NATS server with JetStream in this process on
// 127.0.0.1:port (server.RANDOM_PORT for any), storing streams in storeDir.
// Stop it with Shutdown then WaitForShutdown.
func StartNATS(storeDir string, port int) (*server.Server, error) {
	srv, err := server.NewServer(&server.Options{
		Host:      "127.0.0.1",
		Port:      port,
		JetStream: true,
		StoreDir:  storeDir,
		NoSigs:    true,
	})
	if err != nil {
		return nil, fmt.Errorf("nats: %w", err)
	}
	srv.Start()
	if !srv.ReadyForConnections(10 * time.Second) {
		srv.Shutdown()
		return nil, fmt.Errorf("nats: server on port %d not ready after 10s", port)
	}
	return srv, nil
}

// pingJetStream connects to u and asks for the JetStream account info, which
// fails when the server runs without JetStream.
func pingJetStream(ctx context.Context, u string) error {
	nc, err := nats.Connect(u, nats.Timeout(time.Second), nats.NoReconnect())
	if err != nil {
		return err
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	if _, err := js.AccountInfo(ctx); err != nil {
		return fmt.Errorf("no JetStream: %w", err)
	}
	return nil
}
