package app_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/google/uuid"
	"google.golang.org/protobuf/types/known/durationpb"

	bookingv1 "github.com/bookwell/bookwell/gen/go/bookwell/booking/v1"
	"github.com/bookwell/bookwell/pkg/events"
	"github.com/bookwell/bookwell/pkg/natstest"
	"github.com/bookwell/bookwell/services/scheduling/internal/domain"
	"github.com/bookwell/bookwell/services/scheduling/internal/eventapi"
)

// marketplacePolicy is version v of the marketplace policy with the given
// intro rules (the other fields do not concern scheduling).
func marketplacePolicy(v int64, length, notice, horizon time.Duration, quota int32, onePerMentor bool) *bookingv1.MarketplacePolicy {
	return &bookingv1.MarketplacePolicy{
		Version: v, IntroLength: durationpb.New(length), IntroMinNotice: durationpb.New(notice),
		IntroHorizon: durationpb.New(horizon), IntroMonthlyQuota: quota, IntroOnePerMentor: onePerMentor,
	}
}

func publishPolicy(t *testing.T, ns *natstest.Server, p *bookingv1.MarketplacePolicy) {
	t.Helper()
	ev, err := events.Wrap(uuid.New(), bookingv1.EventType_EVENT_TYPE_MARKETPLACE_POLICY_CHANGED, time.Now(),
		&bookingv1.MarketplacePolicyChanged{Policy: p})
	if err != nil {
		t.Fatal(err)
	}
	body, _ := json.Marshal(ev)
	if _, err := ns.JS.Publish(context.Background(), ev.Type, body); err != nil {
		t.Fatal(err)
	}
}

// Holds apply the intro rules of the newest marketplace policy booking
// announced; before any, the defaults; an older or repeated version changes
// nothing.
func TestMarketplacePolicyIntroRules(t *testing.T) {
	s := newService(t)
	ns := natstest.New(t)
	ctx, cancel := context.WithCancel(admin)
	if _, err := events.Ensure(ctx, ns.JS, events.BookingStream); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		done <- eventapi.PolicyConsumer(s).With(pool(s), ns.JS, slog.New(slog.NewTextHandler(io.Discard, nil))).Run(ctx)
	}()
	t.Cleanup(func() { cancel(); <-done })
	handled := func(n int) func() bool {
		return func() bool {
			return count(t, s, `SELECT count(*) FROM processed_events WHERE consumer = $1`, eventapi.PolicyDurable) == n
		}
	}

	intros := map[string]domain.Offering{}
	for i := 1; i <= 3; i++ {
		m := fmt.Sprintf("m%d", i)
		openAllDay(t, s, m, "UTC")
		intros[m] = createOffering(t, s, m, domain.KindIntro, 1)
	}
	if p, err := s.CurrentPolicy(ctx); err != nil || p != domain.DefaultPolicy() {
		t.Fatalf("policy before any event = %+v, %v; want the defaults", p, err)
	}
	clock := s.Now
	now := clock()

	// Version 2: 30-minute intros, 2 hours to 3 days ahead, 2 a month, more
	// than one per mentor.
	publishPolicy(t, ns, marketplacePolicy(2, 30*time.Minute, 2*time.Hour, 3*24*time.Hour, 2, false))
	waitFor(t, handled(1))
	_, err := s.Hold(ctx, introHold("a1", "m1", intros["m1"].ID, "ann", "UTC", now.Add(time.Hour)))
	wantReason(t, err, "NOTICE_TOO_SHORT")
	_, err = s.Hold(ctx, introHold("a1", "m1", intros["m1"].ID, "ann", "UTC", now.Add(4*24*time.Hour)))
	wantReason(t, err, "BEYOND_HORIZON")
	r, err := s.Hold(ctx, introHold("a1", "m1", intros["m1"].ID, "ann", "UTC", now.Add(3*time.Hour).Truncate(time.Hour)))
	if err != nil || r.End.Sub(r.Start) != 30*time.Minute {
		t.Fatalf("intro 3 hours ahead under version 2 = %+v, %v; want a 30-minute hold", r, err)
	}
	if o, err := s.Offering(ctx, "m1", intros["m1"].ID); err != nil || o.Duration != 30*time.Minute {
		t.Fatalf("intro offering = %+v, %v; want the policy's 30 minutes", o, err)
	}
	// One per mentor is off: a second intro with m1.
	if _, err := s.Hold(ctx, introHold("a2", "m1", intros["m1"].ID, "ann", "UTC", now.Add(6*time.Hour).Truncate(time.Hour))); err != nil {
		t.Fatalf("a second intro with one mentor when one per mentor is off: %v", err)
	}
	// The quota is 2.
	_, err = s.Hold(ctx, introHold("a3", "m2", intros["m2"].ID, "ann", "UTC", now.Add(8*time.Hour).Truncate(time.Hour)))
	wantReason(t, err, "INTRO_QUOTA_EXCEEDED")

	// An older version, and version 2 again with other values, arrive late:
	// both are handled and ignored.
	publishPolicy(t, ns, marketplacePolicy(1, 20*time.Minute, 48*time.Hour, 14*24*time.Hour, 3, true))
	publishPolicy(t, ns, marketplacePolicy(2, 20*time.Minute, 48*time.Hour, 14*24*time.Hour, 9, true))
	waitFor(t, handled(3))
	if p, _ := s.CurrentPolicy(ctx); p.IntroMinNotice != 2*time.Hour || p.IntroMonthlyQuota != 2 || p.IntroOnePerMentor {
		t.Fatalf("policy after an older and a repeated version = %+v; want version 2's first values", p)
	}
	_, err = s.Hold(ctx, introHold("a3", "m2", intros["m2"].ID, "ann", "UTC", now.Add(8*time.Hour).Truncate(time.Hour)))
	wantReason(t, err, "INTRO_QUOTA_EXCEEDED")

	// Version 3: no quota, one per mentor again.
	publishPolicy(t, ns, marketplacePolicy(3, 30*time.Minute, 2*time.Hour, 3*24*time.Hour, 0, true))
	waitFor(t, handled(4))
	_, err = s.Hold(ctx, introHold("a3", "m1", intros["m1"].ID, "ann", "UTC", now.Add(8*time.Hour).Truncate(time.Hour)))
	wantReason(t, err, "INTRO_ALREADY_USED")
	if _, err := s.Hold(ctx, introHold("a3", "m2", intros["m2"].ID, "ann", "UTC", now.Add(8*time.Hour).Truncate(time.Hour))); err != nil {
		t.Fatalf("a third intro this month with no quota: %v", err)
	}
	// The 30-minute hold made under version 2 keeps its length when moved.
	moved, err := s.Move(ctx, "a1", now.Add(10*time.Hour).Truncate(time.Hour))
	if err != nil || moved.End.Sub(moved.Start) != 30*time.Minute {
		t.Fatalf("moved intro = %+v, %v", moved, err)
	}
}

// One intro per mentor holds under concurrency without a unique index: one
// mentee racing for 5 intros with one mentor gets one.
func TestOneIntroPerMentorUnderConcurrency(t *testing.T) {
	s := newService(t)
	ctx := admin
	openEveryDay(t, s, "m1", "UTC", 0)
	o := createOffering(t, s, "m1", domain.KindIntro, 1)
	ok, reasons := holdConcurrently(t, 5, func(i int) error {
		_, err := s.Hold(ctx, introHold(fmt.Sprintf("b%d", i), "m1", o.ID, "ann", "UTC", at(4, 10+i, 0)))
		return err
	})
	if ok != 1 || reasons["INTRO_ALREADY_USED"] != 4 {
		t.Fatalf("%d intros held, failures %v; want 1 and 4 × INTRO_ALREADY_USED", ok, reasons)
	}
}
