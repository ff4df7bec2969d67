package grpcapi_test

import (
	"context"
	"math"
	"testing"
	"time"

	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"

	bookingv1 "github.com/bookwell/bookwell/gen/go/bookwell/booking/v1"
	reputationv1 "github.com/bookwell/bookwell/gen/go/bookwell/reputation/v1"
	"github.com/bookwell/bookwell/pkg/identity"
	"github.com/bookwell/bookwell/services/reputation/internal/eventapi"
)

const (
	completed = bookingv1.BookingStatus_BOOKING_STATUS_COMPLETED
	noShow    = bookingv1.BookingStatus_BOOKING_STATUS_NO_SHOW
)

// publishHistory publishes a month of mentor-kim's bookings, a flagged
// mentor-grace and a mentee's after-start cancellation.
func publishHistory(h *harness) {
	day := 24 * time.Hour
	start := t0.Add(10 * day)
	h.newBooking("k-1", "mentor-kim", "mentee-ada", start).request().approve(30*time.Minute).finish(completed, 0)
	h.newBooking("k-2", "mentor-kim", "mentee-ada", start.Add(day)).request().approve(time.Hour).finish(noShow, 2000)
	h.newBooking("k-3", "mentor-kim", "mentee-bo", start.Add(2*day)).request().approve(2*time.Hour).finish(completed, 0)
	h.newBooking("k-4", "mentor-kim", "mentee-bo", start).request().reject(5 * time.Hour)
	h.newBooking("k-5", "mentor-kim", "mentee-bo", start.Add(20*day)).request().approve(10 * time.Hour)
	h.newBooking("k-6", "mentor-kim", "mentee-bo", start).request().expire(t0.Add(7 * day))
	h.newBooking("k-7", "mentor-kim", "mentee-bo", start).request().cancel(mentee, t0.Add(time.Hour))
	// A card never authenticated: never the mentor's to answer.
	h.newBooking("k-9", "mentor-kim", "mentee-bo", start.Add(3*day)).abandonAuthentication(t0.Add(15 * time.Minute))
	// mentee-cy calls a session off half an hour after it should have begun.
	h.newBooking("k-8", "mentor-kim", "mentee-cy", t0.Add(2*day)).request().approve(time.Hour).cancel(mentee, t0.Add(2*day+30*time.Minute))
	for i, id := range []string{"g-1", "g-2", "g-3"} {
		cancelledByMentor(h, id, "mentor-grace", t0.Add(time.Duration(i+1)*day))
	}
	h.settle()
}

// review writes a review as the mentee menteeID (as an admin who names no
// mentee when it is empty).
func review(h *harness, booking, menteeID string, rating int32, text string) (*reputationv1.Review, error) {
	who := identity.Principal{Subject: menteeID, Role: identity.RoleMentee}
	if menteeID == "" {
		who = identity.Principal{Subject: "support", Role: identity.RoleAdmin}
	}
	r, err := h.api.CreateReview(h.as(who), &reputationv1.CreateReviewRequest{
		BookingId: booking, Review: &reputationv1.Review{MenteeId: menteeID, Rating: rating, Text: text},
	})
	return r.GetReview(), err
}

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

func TestMentorFiguresAndMenteeHistory(t *testing.T) {
	h := start(t)
	publishHistory(h)
	if _, err := review(h, "k-1", "mentee-ada", 4, "Clear and patient."); err != nil {
		t.Fatal(err)
	}
	if _, err := review(h, "k-3", "mentee-bo", 5, ""); err != nil {
		t.Fatal(err)
	}
	f := h.reputation("mentor-kim").GetFigures()
	// Answers after 30m, 1h, 2h, 5h (reject), 10h, 1h (k-8); k-6 expired
	// unanswered; k-7 was withdrawn before an answer.
	checks := []struct {
		name      string
		got, want float64
	}{
		{"approved", float64(f.GetApprovedCount()), 5},
		{"decided", float64(f.GetDecidedCount()), 6},
		{"approval rate", f.GetApprovalRate(), 5.0 / 6},
		{"answered", float64(f.GetAnsweredCount()), 6},
		{"median response (h)", f.GetMedianResponseTime().AsDuration().Hours(), 1.5},
		{"p90 response (h)", f.GetP90ResponseTime().AsDuration().Hours(), 7.5},
		{"within 3h share", f.GetAnsweredWithinTargetShare(), 4.0 / 7},
		{"completed", float64(f.GetCompletedCount()), 2},
		{"no-shows", float64(f.GetNoShowCount()), 1},
		{"no-show rate", f.GetNoShowRate(), 1.0 / 3},
		{"streak", float64(f.GetCancellationStreak()), 0},
		{"average rating", f.GetAverageRating(), 4.5},
		{"reviews", float64(f.GetReviewCount()), 2},
	}
	for _, c := range checks {
		if !near(c.got, c.want) {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}

	ada := h.history("mentee-ada")
	if ada.GetPriorSessionCount() != 1 || ada.GetNoShowCount() != 1 || ada.GetAverageRatingGiven() != 4 ||
		len(ada.GetTotalSpend()) != 1 || ada.GetTotalSpend()[0].GetAmountMinor() != 8000 || ada.GetTotalSpend()[0].GetCurrency() != "EUR" {
		t.Errorf("mentee-ada history = %v; want 1 session, 1 no-show, rating 4 given, EUR 80.00 spent (50 + 50 − 20 refunded)", ada)
	}
	if cy := h.history("mentee-cy"); cy.GetMentorNoShowComplaintCount() != 1 || cy.GetPriorSessionCount() != 0 {
		t.Errorf("mentee-cy history = %v; want one mentor no-show complaint, no sessions", cy)
	}
	if nobody := h.history("mentee-nobody"); nobody.GetPriorSessionCount() != 0 || len(nobody.GetTotalSpend()) != 0 {
		t.Errorf("unknown mentee's history = %v, want empty", nobody)
	}
}

func TestRebuildGivesTheSameFigures(t *testing.T) {
	h := start(t)
	publishHistory(h)
	if _, err := review(h, "k-1", "mentee-ada", 4, "Clear and patient."); err != nil {
		t.Fatal(err)
	}
	before := map[string]proto.Message{
		"kim":   h.reputation("mentor-kim"),
		"grace": h.reputation("mentor-grace"),
		"ada":   h.history("mentee-ada"),
		"bo":    h.history("mentee-bo"),
		"cy":    h.history("mentee-cy"),
	}
	standing := len(h.standingEvents())
	if standing != 1 {
		t.Fatalf("standing events before rebuild = %d, want 1 (mentor-grace flagged)", standing)
	}

	h.stopCons()
	if err := eventapi.Rebuild(context.Background(), h.svc, h.js); err != nil {
		t.Fatalf("rebuild: %v", err)
	}
	if r := h.reputation("mentor-kim"); r.GetFigures().GetApprovedCount() != 0 || r.GetFigures().GetReviewCount() != 1 {
		t.Fatalf("after truncation: %d approved, %d reviews; want 0 (projection emptied) and 1 (reviews kept)",
			r.GetFigures().GetApprovedCount(), r.GetFigures().GetReviewCount())
	}
	h.startConsumer()
	h.settle()
	after := map[string]proto.Message{
		"kim":   h.reputation("mentor-kim"),
		"grace": h.reputation("mentor-grace"),
		"ada":   h.history("mentee-ada"),
		"bo":    h.history("mentee-bo"),
		"cy":    h.history("mentee-cy"),
	}
	for k := range before {
		if !proto.Equal(before[k], after[k]) {
			t.Errorf("%s after rebuild:\n%v\nbefore:\n%v", k, after[k], before[k])
		}
	}
	if n := len(h.standingEvents()); n != standing {
		t.Errorf("standing events after rebuild = %d, want %d: a rebuild must not publish changes again", n, standing)
	}
}

// A mentor who answers within a second has a response time in
// milliseconds, not "0s".
func TestAnswersWithinASecondShowTheirMilliseconds(t *testing.T) {
	h := start(t)
	start := t0.Add(10 * 24 * time.Hour)
	h.newBooking("q-1", "mentor-quick", "mentee-ada", start).request().approve(850 * time.Millisecond)
	h.newBooking("q-2", "mentor-quick", "mentee-bo", start.Add(time.Hour)).request().approve(900 * time.Millisecond)
	h.newBooking("q-3", "mentor-quick", "mentee-cy", start.Add(2*time.Hour)).request().reject(800 * time.Millisecond)
	h.settle()
	f := h.reputation("mentor-quick").GetFigures()
	if got := f.GetMedianResponseTime().AsDuration(); got != 850*time.Millisecond {
		t.Errorf("median response %v, want 850ms", got)
	}
	if got := f.GetP90ResponseTime().AsDuration(); got != 890*time.Millisecond {
		t.Errorf("p90 response %v, want 890ms", got)
	}
	// What REST shows.
	if js, _ := protojson.Marshal(f.GetMedianResponseTime()); string(js) != `"0.850s"` {
		t.Errorf("median response over REST %s, want \"0.850s\"", js)
	}
}
