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

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/nats-io/nats.go/jetstream"
	"google.golang.org/protobuf/types/known/wrapperspb"

	"github.com/bookwell/bookwell/pkg/consumer"
	"github.com/bookwell/bookwell/pkg/events"
	"github.com/bookwell/bookwell/pkg/natstest"
	"github.com/bookwell/bookwell/pkg/pgdb"
	"github.com/bookwell/bookwell/pkg/pgtest"
)

var stream = events.Stream{Name: "TEST", Subjects: []string{"test.>"}}

// handled counts, in Postgres, the events the handler saw: a row per call.
const schema = `CREATE TABLE IF NOT EXISTS seen (event_id uuid NOT NULL, text text NOT NULL)`

func TestEachEventIsHandledOnceAndFailuresAreRetriedThenDeadLettered(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pool, err := pgdb.Open(ctx, pgtest.New(t), "svc", consumer.Migrations())
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	if _, err := pool.Exec(ctx, schema); err != nil {
		t.Fatal(err)
	}
	ns := natstest.New(t)

	var flaky atomic.Int32
	c := &consumer.Consumer{
		Pool: pool, JS: ns.JS, Stream: stream, Durable: "test-consumer",
		Log:        slog.New(slog.NewTextHandler(io.Discard, nil)),
		MaxDeliver: 3,
		BackOff:    []time.Duration{50 * time.Millisecond},
		Handle: func(ctx context.Context, tx pgx.Tx, ev events.Event) error {
			var s wrapperspb.StringValue
			if err := ev.Decode(&s); err != nil {
				return err
			}
			switch s.GetValue() {
			case "fails once":
				if flaky.Add(1) == 1 {
					return errors.New("database hiccup")
				}
			case "always fails":
				return errors.New("cannot ever work")
			}
			_, err := tx.Exec(ctx, `INSERT INTO seen VALUES ($1, $2)`, ev.ID, s.GetValue())
			return err
		},
	}
	done := make(chan struct{})
	go func() { defer close(done); _ = c.Run(ctx) }()
	defer func() { cancel(); <-done }()

	publish := func(ev events.Event, withMsgID bool) {
		t.Helper()
		body, _ := json.Marshal(ev)
		var opts []jetstream.PublishOpt
		if withMsgID {
			opts = append(opts, jetstream.WithMsgID(ev.ID.String()))
		}
		if _, err := ns.JS.Publish(ctx, ev.Type, body, opts...); err != nil {
			t.Fatal(err)
		}
	}
	waitStream(t, ns.JS)
	once := mustEvent(t, "hello")
	publish(once, true)
	// The same event again, without a message id so JetStream cannot drop
	// it: the consumer must recognise it.
	publish(once, false)
	publish(mustEvent(t, "fails once"), true)
	publish(mustEvent(t, "always fails"), true)
	if _, err := ns.JS.Publish(ctx, "test.garbage", []byte("{not json")); err != nil {
		t.Fatal(err)
	}

	// Both the poison event and the malformed message reach the dead letters.
	dl := collect(t, ns.JS, consumer.DeadLetterSubject("test-consumer"), 2)
	reasons := map[string]bool{}
	for _, m := range dl {
		reasons[m.Headers().Get("Bookwell-Original-Subject")] = true
		if m.Headers().Get("Bookwell-Reason") == "" {
			t.Errorf("dead letter without a reason")
		}
	}
	if !reasons["test.happened"] || !reasons["test.garbage"] {
		t.Fatalf("dead letters from %v", reasons)
	}

	// The event that failed once is handled on its redelivery.
	deadline := time.Now().Add(10 * time.Second)
	for n := 0; n == 0 && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		_ = pool.QueryRow(ctx, `SELECT count(*) FROM seen WHERE text = 'fails once'`).Scan(&n)
	}
	rows, err := pool.Query(ctx, `SELECT text, count(*) FROM seen GROUP BY text`)
	if err != nil {
		t.Fatal(err)
	}
	got, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (struct {
		Text string
		N    int
	}, error) {
		var x struct {
			Text string
			N    int
		}
		return x, r.Scan(&x.Text, &x.N)
	})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]int{"hello": 1, "fails once": 1}
	if len(got) != len(want) {
		t.Fatalf("handled %v, want %v", got, want)
	}
	for _, g := range got {
		if want[g.Text] != g.N {
			t.Fatalf("handled %v, want %v", got, want)
		}
	}
}

func mustEvent(t *testing.T, text string) events.Event {
	ev, err := events.New(uuid.New(), "test.happened", "test", time.Now(), wrapperspb.String(text))
	if err != nil {
		t.Fatal(err)
	}
	return ev
}

func waitStream(t *testing.T, js jetstream.JetStream) {
	deadline := time.Now().Add(10 * time.Second)
	for {
		if _, err := js.Stream(context.Background(), stream.Name); err == nil {
			if _, err := js.Consumer(context.Background(), stream.Name, "test-consumer"); err == nil {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatal("consumer never started")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func collect(t *testing.T, js jetstream.JetStream, subject string, n int) []jetstream.Msg {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	cons, err := js.OrderedConsumer(ctx, events.DeadLetterStream.Name, jetstream.OrderedConsumerConfig{FilterSubjects: []string{subject}})
	if err != nil {
		t.Fatal(err)
	}
	var out []jetstream.Msg
	for len(out) < n {
		m, err := cons.Next(jetstream.FetchMaxWait(15 * time.Second))
		if err != nil {
			t.Fatalf("after %d dead letters: %v", len(out), err)
		}
		out = append(out, m)
	}
	return out
}
