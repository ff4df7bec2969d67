package grpcapi_test

import (
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"google.golang.org/protobuf/types/known/durationpb"

	bookingv1 "github.com/bookwell/bookwell/gen/go/bookwell/booking/v1"
	reputationv1 "github.com/bookwell/bookwell/gen/go/bookwell/reputation/v1"
	"github.com/bookwell/bookwell/pkg/events"
)

// publishPolicy publishes version v of the marketplace policy with the given
// standing rules, as booking would.
func (h *harness) publishPolicy(v int64, flag, deactivate, lateLimit int32, lateWindow, latePeriod time.Duration) {
	h.t.Helper()
	ev, err := events.Wrap(uuid.New(), bookingv1.EventType_EVENT_TYPE_MARKETPLACE_POLICY_CHANGED, time.Now(),
		&bookingv1.MarketplacePolicyChanged{Policy: &bookingv1.MarketplacePolicy{
			Version: v, FlagStreak: flag, DeactivateStreak: deactivate, LateChangeLimit: lateLimit,
			LateChangeWindow: durationpb.New(lateWindow), LateChangePeriod: durationpb.New(latePeriod),
		}})
	if err != nil {
		h.t.Fatal(err)
	}
	h.publish(ev, ev.ID.String())
}

func (h *harness) policyVersion() int64 {
	h.t.Helper()
	r, _, err := h.svc.Store.StandingRules(h.t.Context())
	if err != nil {
		h.t.Fatal(err)
	}
	return r.Version
}

// The standing rules of the newest marketplace policy booking announced
// replace the environment's; an older or repeated version changes nothing.
func TestMarketplacePolicyStandingRules(t *testing.T) {
	h := start(t)
	day := 24 * time.Hour
	want := func(mentorID string, st reputationv1.Standing, reason string) {
		t.Helper()
		r := h.reputation(mentorID)
		if r.GetStanding() != st || !strings.Contains(r.GetStandingReason(), reason) {
			t.Fatalf("%s: standing %v (%q); want %v (%q)", mentorID, r.GetStanding(), r.GetStandingReason(), st, reason)
		}
	}
	// The environment's policy (flagged at 3): two cancellations leave a
	// mentor active.
	cancelledByMentor(h, "e-1", "mentor-env", t0.Add(day))
	cancelledByMentor(h, "e-2", "mentor-env", t0.Add(2*day))
	h.settle()
	want("mentor-env", reputationv1.Standing_STANDING_ACTIVE, "") // streak 2

	// Version 2: flagged at 2, deactivated at 4; no late change tolerated,
	// late meaning within 3 days.
	h.publishPolicy(2, 2, 4, 0, 3*day, 90*day)
	h.settle()
	cancelledByMentor(h, "p-1", "mentor-pol", t0.Add(day))
	cancelledByMentor(h, "p-2", "mentor-pol", t0.Add(2*day))
	h.settle()
	want("mentor-pol", reputationv1.Standing_STANDING_FLAGGED, "flagged at 2, deactivated at 4")
	// The verdict of mentor-env's next event uses version 2 too.
	cancelledByMentor(h, "e-3", "mentor-env", t0.Add(3*day))
	h.settle()
	want("mentor-env", reputationv1.Standing_STANDING_FLAGGED, "flagged at 2")

	// One late cancellation (2 days before the session) suspends.
	h.newBooking("l-1", "mentor-late", "mentee-bo", t0.Add(10*day)).request().approve(time.Hour).cancel(mentor, t0.Add(8*day))
	h.settle()
	want("mentor-late", reputationv1.Standing_STANDING_SUSPENDED, "more than 0 suspends")

	// An older version and version 2 again with other values arrive late:
	// handled, ignored.
	h.publishPolicy(1, 1, 2, 5, day, 90*day)
	h.publishPolicy(2, 1, 2, 5, day, 90*day)
	h.settle()
	if v := h.policyVersion(); v != 2 {
		t.Fatalf("policy version = %d after an older and a repeated version; want 2", v)
	}
	cancelledByMentor(h, "o-1", "mentor-one", t0.Add(day))
	h.newBooking("o-2", "mentor-two", "mentee-bo", t0.Add(10*day)).request().approve(time.Hour).cancel(mentor, t0.Add(8*day))
	h.settle()
	want("mentor-one", reputationv1.Standing_STANDING_ACTIVE, "") // streak 1 under version 2, not flagged at 1
	want("mentor-two", reputationv1.Standing_STANDING_SUSPENDED, "more than 0 suspends")

	// Version 3: late means within 1 day; 2 days before is no longer late.
	h.publishPolicy(3, 2, 4, 0, day, 90*day)
	h.settle()
	h.newBooking("n-1", "mentor-new", "mentee-bo", t0.Add(10*day)).request().approve(time.Hour).cancel(mentor, t0.Add(8*day))
	h.settle()
	if r := h.reputation("mentor-new"); r.GetStanding() != reputationv1.Standing_STANDING_ACTIVE || r.GetFigures().GetLateCancellationCount() != 0 {
		t.Fatalf("a cancellation 2 days ahead under a 1-day window: standing %v, %d late; want ACTIVE, 0", r.GetStanding(), r.GetFigures().GetLateCancellationCount())
	}
}
