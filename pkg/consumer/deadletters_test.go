package consumer_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"google.golang.org/protobuf/types/known/wrapperspb"

	"github.com/bookwell/bookwell/pkg/consumer"
	"github.com/bookwell/bookwell/pkg/events"
	"github.com/bookwell/bookwell/pkg/identity"
	"github.com/bookwell/bookwell/pkg/natstest"
	"github.com/bookwell/bookwell/pkg/pgdb"
	"github.com/bookwell/bookwell/pkg/pgtest"
)

var admin = identity.Principal{Subject: "admin-1", Role: identity.RoleAdmin}

func TestADeadLetterIsListedAndRedrivenOnceWhenTheCauseIsFixed(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pool := openPool(t, ctx)
	ns := natstest.New(t)

	var broken atomic.Bool
	broken.Store(true)
	c := consumer.Consumer{
		Stream: stream, Durable: "test-consumer", MaxDeliver: 2, BackOff: []time.Duration{20 * time.Millisecond},
		Handle: func(ctx context.Context, tx pgx.Tx, ev events.Event) error {
			if broken.Load() {
				return errors.New("mentor address book is down")
			}
			var s wrapperspb.StringValue
			if err := ev.Decode(&s); err != nil {
				return err
			}
			_, err := tx.Exec(ctx, `INSERT INTO seen VALUES ($1, $2)`, ev.ID, s.GetValue())
			return err
		},
	}
	run := c.With(pool, ns.JS, slog.New(slog.NewTextHandler(io.Discard, nil)))
	done := make(chan struct{})
	go func() { defer close(done); _ = run.Run(ctx) }()
	defer func() { cancel(); <-done }()
	waitStream(t, ns.JS)

	ev := mustEvent(t, "hello")
	body, _ := json.Marshal(ev)
	if _, err := ns.JS.Publish(ctx, ev.Type, body); err != nil {
		t.Fatal(err)
	}
	if _, err := ns.JS.Publish(ctx, "test.garbage", []byte("{not json")); err != nil {
		t.Fatal(err)
	}

	dls := consumer.DeadLetters{Pool: pool, Consumers: []consumer.Consumer{c}}
	asAdmin := identity.With(ctx, admin)
	var list []consumer.DeadLetter
	deadline := time.Now().Add(15 * time.Second)
	for len(list) < 2 && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
		var err error
		if list, err = dls.List(asAdmin, false, 0); err != nil {
			t.Fatal(err)
		}
	}
	if len(list) != 2 {
		t.Fatalf("dead letters %+v, want the failing event and the garbage", list)
	}
	var failing, garbage consumer.DeadLetter
	for _, x := range list {
		if x.EventID == ev.ID {
			failing = x
		} else {
			garbage = x
		}
	}
	if failing.Reason != "mentor address book is down" || failing.Subject != "test.happened" || failing.Consumer != "test-consumer" {
		t.Fatalf("failing event's dead letter %+v", failing)
	}

	// Only an admin lists or redrives.
	mentor := identity.With(ctx, identity.Principal{Subject: "mentor-1", Role: identity.RoleMentor})
	if _, err := dls.List(mentor, false, 0); !errors.Is(err, identity.ErrNotAllowedForRole) {
		t.Fatalf("a mentor listing dead letters: %v", err)
	}
	if _, err := dls.Redrive(mentor, failing.ID.String()); !errors.Is(err, identity.ErrNotAllowedForRole) {
		t.Fatalf("a mentor redriving: %v", err)
	}

	// While the cause is not fixed, a redrive fails, says why, and the
	// event stays dead.
	if _, err := dls.Redrive(asAdmin, failing.ID.String()); !errors.Is(err, consumer.ErrStillFails) {
		t.Fatalf("redrive of a still failing event: %v", err)
	}
	if _, err := dls.Redrive(asAdmin, garbage.ID.String()); !errors.Is(err, consumer.ErrStillFails) {
		t.Fatalf("redrive of garbage: %v", err)
	}
	if n := count(t, pool, `SELECT count(*) FROM seen`); n != 0 {
		t.Fatalf("handled %d", n)
	}

	// Fixed: the redrive handles it, once however often it is asked.
	broken.Store(false)
	for range 3 {
		got, err := dls.Redrive(asAdmin, failing.ID.String())
		if err != nil {
			t.Fatal(err)
		}
		if got.RedrivenAt.IsZero() || got.RedrivenBy != "admin-1" {
			t.Fatalf("redriven %+v", got)
		}
	}
	if n := count(t, pool, `SELECT count(*) FROM seen WHERE text = 'hello'`); n != 1 {
		t.Fatalf("handled %d times, want once", n)
	}
	if list, _ := dls.List(asAdmin, false, 0); len(list) != 1 || list[0].ID != garbage.ID {
		t.Fatalf("still dead %+v, want the garbage only", list)
	}
	if list, _ := dls.List(asAdmin, true, 0); len(list) != 2 {
		t.Fatalf("with the redriven: %+v", list)
	}
	if _, err := dls.Redrive(asAdmin, "00000000-0000-0000-0000-000000000001"); !errors.Is(err, consumer.ErrDeadLetterNotFound) {
		t.Fatalf("unknown dead letter: %v", err)
	}
}

func TestRetentionForgetsOnlyEventsHandledLongAgo(t *testing.T) {
	ctx := context.Background()
	pool := openPool(t, ctx)
	now := time.Now()
	old, recent, other := mustEvent(t, "old"), mustEvent(t, "recent"), mustEvent(t, "other consumer")
	for _, x := range []struct {
		durable string
		ev      events.Event
		at      time.Time
	}{{"test-consumer", old, now.Add(-50 * 24 * time.Hour)}, {"test-consumer", recent, now.Add(-time.Hour)}, {"another", other, now.Add(-50 * 24 * time.Hour)}} {
		if _, err := pool.Exec(ctx, `INSERT INTO processed_events (consumer, event_id, processed_at) VALUES ($1, $2, $3)`, x.durable, x.ev.ID, x.at); err != nil {
			t.Fatal(err)
		}
	}
	n, err := consumer.DeleteHandledBefore(ctx, pool, "test-consumer", now.Add(-45*24*time.Hour))
	if err != nil || n != 1 {
		t.Fatalf("deleted %d (%v), want 1", n, err)
	}
	if n := count(t, pool, `SELECT count(*) FROM processed_events WHERE consumer = 'test-consumer'`); n != 1 {
		t.Fatalf("test-consumer remembers %d, want the recent one", n)
	}
	if n := count(t, pool, `SELECT count(*) FROM processed_events WHERE consumer = 'another'`); n != 1 {
		t.Fatal("another consumer's ids were deleted")
	}
}

func openPool(t *testing.T, ctx context.Context) *pgxpool.Pool {
	t.Helper()
	pool, err := pgdb.Open(ctx, pgtest.New(t), "svc", consumer.Migrations())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	if _, err := pool.Exec(ctx, schema); err != nil {
		t.Fatal(err)
	}
	return pool
}

func count(t *testing.T, pool *pgxpool.Pool, sql string) int {
	t.Helper()
	var n int
	if err := pool.QueryRow(context.Background(), sql).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
