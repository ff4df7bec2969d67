package outbox_test

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/nats-io/nats.go/jetstream"
	"google.golang.org/protobuf/types/known/wrapperspb"

	"github.com/bookwell/bookwell/pkg/events"
	"github.com/bookwell/bookwell/pkg/natstest"
	"github.com/bookwell/bookwell/pkg/outbox"
	"github.com/bookwell/bookwell/pkg/pgdb"
	"github.com/bookwell/bookwell/pkg/pgtest"
)

var stream = events.Stream{Name: "TEST", Subjects: []string{"test.>"}}

func setup(t *testing.T) (*pgxpool.Pool, *natstest.Server) {
	t.Helper()
	pool, err := pgdb.Open(context.Background(), pgtest.New(t), "svc", outbox.Migrations())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	return pool, natstest.New(t)
}

func add(t *testing.T, pool *pgxpool.Pool, evs ...events.Event) {
	t.Helper()
	err := pgx.BeginFunc(context.Background(), pool, func(tx pgx.Tx) error {
		for _, ev := range evs {
			if err := outbox.Add(context.Background(), tx, ev); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func event(t *testing.T, text string) events.Event {
	ev, err := events.New(uuid.New(), "test.happened", "test", time.Now(), wrapperspb.String(text))
	if err != nil {
		t.Fatal(err)
	}
	return ev
}

func runRelay(t *testing.T, pool *pgxpool.Pool, js jetstream.JetStream) (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	r := &outbox.Relay{Pool: pool, JS: js, Schema: "svc", Stream: stream, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Batch: 3}
	go func() { defer close(done); _ = r.Run(ctx) }()
	stopped := false
	stop = func() {
		if !stopped {
			stopped = true
			cancel()
			<-done
		}
	}
	t.Cleanup(stop)
	return stop
}

// waitForMessages waits until the outbox is all published, then checks the
// stream holds exactly n messages.
func waitForMessages(t *testing.T, pool *pgxpool.Pool, js jetstream.JetStream, n uint64) {
	t.Helper()
	ctx := context.Background()
	deadline := time.Now().Add(10 * time.Second)
	for {
		var pending int
		if err := pool.QueryRow(ctx, `SELECT count(*) FROM outbox WHERE published_at IS NULL`).Scan(&pending); err != nil {
			t.Fatal(err)
		}
		if pending == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d events never published", pending)
		}
		time.Sleep(20 * time.Millisecond)
	}
	s, err := js.Stream(ctx, stream.Name)
	if err != nil {
		t.Fatal(err)
	}
	info, err := s.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if info.State.Msgs != n {
		t.Fatalf("stream has %d messages, want %d", info.State.Msgs, n)
	}
}

func TestRelayPublishesEveryEventOnceWithItsID(t *testing.T) {
	pool, ns := setup(t)
	first := event(t, "one")
	// An event added twice (a retried transaction) is stored once.
	add(t, pool, first, event(t, "two"), first)
	runRelay(t, pool, ns.JS)
	// Events added while the relay runs are picked up by notification; more
	// than one batch (3) of them.
	var more []events.Event
	for i := 0; i < 7; i++ {
		more = append(more, event(t, "more"))
	}
	add(t, pool, more...)
	waitForMessages(t, pool, ns.JS, 9)

	msg, err := ns.JS.Stream(context.Background(), stream.Name)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := msg.GetMsg(context.Background(), 1)
	if err != nil {
		t.Fatal(err)
	}
	if raw.Header.Get("Nats-Msg-Id") != first.ID.String() {
		t.Fatalf("Nats-Msg-Id = %q, want the event id %s", raw.Header.Get("Nats-Msg-Id"), first.ID)
	}
}

func TestEventsWrittenWhileRelayIsDownArePublishedWhenItReturns(t *testing.T) {
	pool, ns := setup(t)
	stop := runRelay(t, pool, ns.JS)
	add(t, pool, event(t, "before"))
	waitForMessages(t, pool, ns.JS, 1)
	stop()
	add(t, pool, event(t, "while down"), event(t, "while down"))
	// A row published to JetStream but not marked (the relay died between the
	// two) is published again, and JetStream drops the duplicate by its id.
	if _, err := pool.Exec(context.Background(), `UPDATE outbox SET published_at = NULL`); err != nil {
		t.Fatal(err)
	}
	runRelay(t, pool, ns.JS)
	waitForMessages(t, pool, ns.JS, 3)
}
