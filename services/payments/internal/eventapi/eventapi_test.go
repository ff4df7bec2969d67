package eventapi_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/nats-io/nats.go/jetstream"

	bookingv1 "github.com/bookwell/bookwell/gen/go/bookwell/booking/v1"
	"github.com/bookwell/bookwell/pkg/events"
	"github.com/bookwell/bookwell/pkg/identity"
	"github.com/bookwell/bookwell/pkg/natstest"
	"github.com/bookwell/bookwell/pkg/pgdb"
	"github.com/bookwell/bookwell/pkg/pgtest"
	"github.com/bookwell/bookwell/services/payments/internal/app"
	"github.com/bookwell/bookwell/services/payments/internal/domain"
	"github.com/bookwell/bookwell/services/payments/internal/eventapi"
	"github.com/bookwell/bookwell/services/payments/internal/postgres"
	"github.com/bookwell/bookwell/services/payments/internal/simcard"
)

// TestBundlesNeedTheMentorsApprovedContinuation runs the consumer as
// paymentsd does, on a real JetStream and Postgres, and publishes the booking
// context's events as it does (envelope, Nats-Msg-Id).
func TestBundlesNeedTheMentorsApprovedContinuation(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	url := pgtest.New(t)
	pool, err := postgres.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	sim, err := pgdb.Open(ctx, url, postgres.Schema, simcard.Migrations())
	if err != nil {
		t.Fatal(err)
	}
	ns := natstest.New(t)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	svc := &app.Service{Store: &postgres.Store{Pool: pool}, Provider: &simcard.Processor{Pool: sim}, Policy: domain.DefaultPolicy(), Log: log}
	c := eventapi.ContinuationsConsumer(svc).With(pool, ns.JS, log)
	c.BackOff = []time.Duration{50 * time.Millisecond}
	done := make(chan struct{})
	go func() { defer close(done); _ = c.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done; pool.Close(); sim.Close() })
	if _, err := events.Ensure(ctx, ns.JS, events.BookingStream); err != nil {
		t.Fatal(err)
	}

	at := time.Date(2030, 1, 1, 10, 0, 0, 0, time.UTC)
	decided := func(booking, mentee string, c bookingv1.Continuation, at time.Time) events.Event {
		t.Helper()
		ev, err := events.Wrap(uuid.NewSHA1(uuid.NameSpaceURL, []byte(booking+c.String())), bookingv1.EventType_EVENT_TYPE_CONTINUATION_DECIDED, at,
			&bookingv1.BookingEvent{
				Booking: &bookingv1.Booking{Id: booking, MentorId: "mo", MenteeId: mentee,
					OfferingKind: bookingv1.OfferingKind_OFFERING_KIND_INTRO, Continuation: c},
				ActorRole: bookingv1.Role_ROLE_MENTOR, ActorId: "mo",
			})
		if err != nil {
			t.Fatal(err)
		}
		return ev
	}
	publish := func(ev events.Event, opts ...jetstream.PublishOpt) {
		t.Helper()
		body, _ := json.Marshal(ev)
		if _, err := ns.JS.Publish(ctx, ev.Type, body, opts...); err != nil {
			t.Fatal(err)
		}
	}
	buy := func(mentee string) error {
		asMentee := identity.With(ctx, identity.Principal{Subject: mentee, Role: identity.RoleMentee})
		_, err := svc.BuyBundle(asMentee, domain.BundleOrder{MenteeID: mentee, MentorID: "mo", Sessions: 2, Price: 1000, Currency: "EUR", Card: simcard.CardSuccess},
			"buy-"+mentee+"-"+time.Now().Format(time.RFC3339Nano))
		return err
	}
	// eventually waits until buy(mentee) gives the wanted answer.
	eventually := func(mentee string, want error) {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for {
			err := buy(mentee)
			if (want == nil && err == nil) || (want != nil && errors.Is(err, want)) {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("buy as %s: %v, want %v", mentee, err, want)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	var entries int64
	ledger := func() int64 {
		t.Helper()
		var n int64
		if err := pool.QueryRow(ctx, `SELECT count(*) FROM ledger_entries`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}

	// Before any decision: refused, no money moves.
	if err := buy("ann"); !errors.Is(err, domain.ErrContinuationRequired) {
		t.Fatalf("buy before a decision: %v", err)
	}
	if ledger() != 0 {
		t.Fatal("a refused bundle moved money")
	}
	// A rejection for bob, an approval for ann: only ann may buy.
	publish(decided("intro-bob", "bob", bookingv1.Continuation_CONTINUATION_REJECTED, at))
	approval := decided("intro-ann", "ann", bookingv1.Continuation_CONTINUATION_APPROVED, at)
	publish(approval, jetstream.WithMsgID(approval.ID.String()))
	eventually("ann", nil)
	if err := buy("bob"); !errors.Is(err, domain.ErrContinuationRequired) {
		t.Fatalf("buy after a rejection: %v", err)
	}
	// A later rejection withdraws ann's approval.
	rejection := decided("intro-ann-2", "ann", bookingv1.Continuation_CONTINUATION_REJECTED, at.Add(time.Hour))
	publish(rejection, jetstream.WithMsgID(rejection.ID.String()))
	eventually("ann", domain.ErrContinuationRequired)
	entries = ledger()
	// The approval redelivered (past JetStream's duplicate check) is
	// recognised and does not restore it.
	publish(approval)
	publish(decided("intro-probe", "probe", bookingv1.Continuation_CONTINUATION_APPROVED, at))
	eventually("probe", nil) // the consumer got past the redelivery
	if err := buy("ann"); !errors.Is(err, domain.ErrContinuationRequired) {
		t.Fatalf("a redelivered approval restored the continuation: %v", err)
	}
	if got := ledger(); got != entries+2 { // only probe's purchase moved money
		t.Fatalf("ledger entries %d, want %d", got, entries+2)
	}
}
