package cluster_test

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/bookwell/bookwell/deploy/cluster"
)

func testLog(t *testing.T) *slog.Logger {
	return slog.New(slog.NewTextHandler(testWriter{t}, nil))
}

type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

// TestNATSClusterSurvivesANode: an R3 stream on three nodes keeps taking
// messages while one node is dead, and the node catches up when it is back.
func TestNATSClusterSurvivesANode(t *testing.T) {
	if testing.Short() {
		t.Skip("runs three nats-server processes")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	c, err := cluster.StartNATS(ctx, cluster.NATSOptions{Dir: t.TempDir(), Log: testLog(t)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Stop)
	nc, err := nats.Connect(c.URL(), nats.MaxReconnects(-1), nats.ReconnectWait(100*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := js.CreateStream(ctx, jetstream.StreamConfig{Name: "T", Subjects: []string{"t.>"}, Replicas: 3, Storage: jetstream.FileStorage}); err != nil {
		t.Fatal(err)
	}
	publish := func(from, to int) {
		for i := from; i < to; i++ {
			for {
				// Each try has its own deadline: a publish sent while the
				// client is moving to another node can lose its reply, and
				// waiting for it on ctx would wait out the whole test. The
				// message id makes the retry safe.
				try, cancelTry := context.WithTimeout(ctx, 2*time.Second)
				_, err := js.Publish(try, "t.x", []byte(fmt.Sprint(i)), jetstream.WithMsgID(fmt.Sprint(i)))
				cancelTry()
				if err == nil {
					break
				}
				if ctx.Err() != nil {
					t.Fatalf("publish %d: %v", i, err)
				}
				time.Sleep(100 * time.Millisecond) // a leader election in progress
			}
		}
	}
	publish(0, 100)
	// Kill the node the client is connected to, the hardest case for it.
	victim := nodeOf(t, c, nc.ConnectedUrl())
	if err := c.Kill(victim); err != nil {
		t.Fatal(err)
	}
	publish(100, 200)
	if err := c.Start(ctx, victim); err != nil {
		t.Fatal(err)
	}
	info, err := c.StreamInfo(ctx, "T")
	if err != nil {
		t.Fatal(err)
	}
	if info.State.Msgs != 200 {
		t.Fatalf("stream has %d messages, want 200", info.State.Msgs)
	}
	if len(info.Cluster.Replicas) != 2 {
		t.Fatalf("replicas besides the leader: %d, want 2", len(info.Cluster.Replicas))
	}
	for _, r := range info.Cluster.Replicas {
		if !r.Current || r.Offline {
			t.Errorf("replica %s is not current after the restart: %+v", r.Name, r)
		}
	}
}

func nodeOf(t *testing.T, c *cluster.NATS, url string) string {
	for i, u := range strings.Split(c.URL(), ",") {
		if u == url || strings.TrimPrefix(u, "nats://") == strings.TrimPrefix(url, "nats://") {
			return c.Names()[i]
		}
	}
	t.Fatalf("connected to %s, not a node of %s", url, c.URL())
	return ""
}
