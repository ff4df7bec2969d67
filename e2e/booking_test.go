package e2e

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"go.temporal.io/api/workflowservice/v1"

	"github.com/bookwell/bookwell/pkg/identity"
)

// TestBookings runs the lifecycle's paths through the whole stack. The
// subtests share one running bookwell and run in parallel; each uses its own
// mentor and mentees.
func TestBookings(t *testing.T) {
	t.Parallel() // its group booking waits a minute for the session to start
	w := start(t)
	day := 24 * time.Hour
	// A start time a few days ahead, on the minute.
	ahead := func(d time.Duration) time.Time { return time.Now().Add(d).Truncate(time.Minute) }

	t.Run("request then approve: confirmed, charged, announced, findable", func(t *testing.T) {
		t.Parallel()
		mentor, offering := w.mentorWithOffering(t, "mentor-grace", paidOffering(60, 1))
		mentee := w.user(t, "mentee-ada", identity.RoleMentee)
		created := mentee.book(mentor.id, offering, ahead(3*day), map[string]any{"message": "Help with Go tests"})
		id := str(created, "booking.id")
		if got := str(created, "booking.status"); got != "BOOKING_STATUS_PENDING" {
			t.Fatalf("created status %s", got)
		}
		if got := str(created, "booking.paymentStatus"); got != "PAYMENT_STATUS_AUTHORIZED" {
			t.Fatalf("a card request is authorized, not charged: %s", got)
		}
		// The mentor sees the request with the pending view; the mentee does not.
		view := mentor.ok("GET", "/v1/bookings/"+id, nil)
		if get(view, "pendingView.timeStillFree") != true || len(get(view, "pendingView.requestedTimesMentorLocal").([]any)) != 1 {
			t.Fatalf("pending view = %v", get(view, "pendingView"))
		}
		if get(mentee.ok("GET", "/v1/bookings/"+id, nil), "pendingView") != nil {
			t.Fatal("the mentee must not see the mentor's pending view")
		}
		// Someone else's booking does not exist for them.
		w.user(t, "mentee-eve", identity.RoleMentee).refused("GET", "/v1/bookings/"+id, nil, http.StatusNotFound, "BOOKING_NOT_FOUND")
		w.user(t, "mentor-other", identity.RoleMentor).refused("POST", "/v1/bookings/"+id+":approve", map[string]any{}, http.StatusNotFound, "")
		mentee.refused("POST", "/v1/bookings/"+id+":approve", map[string]any{}, http.StatusForbidden, "NOT_ALLOWED_FOR_ROLE")

		approved := mentor.ok("POST", "/v1/bookings/"+id+":approve", map[string]any{})
		if str(approved, "booking.status") != "BOOKING_STATUS_CONFIRMED" || str(approved, "booking.paymentStatus") != "PAYMENT_STATUS_PAID" {
			t.Fatalf("approved = %s / %s", str(approved, "booking.status"), str(approved, "booking.paymentStatus"))
		}
		if !strings.HasPrefix(str(approved, "booking.meetingUrl"), "https://") || str(approved, "booking.calendarLinks.google") == "" {
			t.Fatalf("approval must create the meeting and calendar links: %v", get(approved, "booking"))
		}
		// The calendar entry's description shows the meeting link once.
		if g, err := url.Parse(str(approved, "booking.calendarLinks.google")); err != nil ||
			strings.Count(g.Query().Get("details"), str(approved, "booking.meetingUrl")) != 1 {
			t.Fatalf("the Google link's description must hold the meeting link once: %v %q", err, g.Query().Get("details"))
		}
		got := mentee.ok("GET", "/v1/bookings/"+id, nil)
		if str(got, "booking.status") != "BOOKING_STATUS_CONFIRMED" {
			t.Fatalf("read after approve: %s", str(got, "booking.status"))
		}
		mentor.refused("POST", "/v1/bookings/"+id+":approve", map[string]any{}, http.StatusConflict, "WRONG_STATE")

		if evs := w.eventsOf(t, id, 2); !slices.Equal(evs, []string{"booking.requested", "booking.approved"}) {
			t.Fatalf("events = %v", evs)
		}
		// The money moved once: the payment is captured for the whole price.
		pay := mentor.ok("GET", "/v1/bookings/"+id+"/payment", nil)
		if fmt.Sprint(get(pay, "payment.capturedAmount")) != "5000" {
			t.Fatalf("payment = %v", get(pay, "payment"))
		}
		// An operator finds it in Temporal by status, mentor and mentee.
		q := "BookingStatus = 'CONFIRMED' AND MentorId = 'mentor-grace' AND MenteeId = 'mentee-ada'"
		eventually(t, 10*time.Second, "workflow visible by "+q, func() bool {
			r, err := w.temporal.ListWorkflow(context.Background(), &workflowservice.ListWorkflowExecutionsRequest{Query: q})
			return err == nil && len(r.GetExecutions()) == 1
		})
	})

	t.Run("the same slot cannot be booked twice", func(t *testing.T) {
		t.Parallel()
		mentor, offering := w.mentorWithOffering(t, "mentor-hopper", paidOffering(60, 1))
		at := ahead(4 * day)
		w.user(t, "mentee-1", identity.RoleMentee).book(mentor.id, offering, at, nil)
		r := w.user(t, "mentee-2", identity.RoleMentee).call("POST", "/v1/bookings", map[string]any{
			"booking":   map[string]any{"mentorId": mentor.id, "offeringId": offering, "startTime": at.UTC().Format(time.RFC3339), "paymentMethod": "PAYMENT_METHOD_CARD"},
			"cardToken": "4242424242424242"})
		if r.status != http.StatusConflict || !strings.Contains(string(r.raw), "SLOT_TAKEN") {
			t.Fatalf("second request for the same slot: %d %s", r.status, r.raw)
		}
	})

	t.Run("reject with a reason releases the slot and the card hold", func(t *testing.T) {
		t.Parallel()
		mentor, offering := w.mentorWithOffering(t, "mentor-lamport", paidOffering(60, 1))
		mentee := w.user(t, "mentee-bob", identity.RoleMentee)
		at := ahead(5 * day)
		id := str(mentee.book(mentor.id, offering, at, nil), "booking.id")
		mentor.refused("POST", "/v1/bookings/"+id+":reject", map[string]any{"reason": " "}, http.StatusBadRequest, "INVALID_ARGUMENT")
		rejected := mentor.ok("POST", "/v1/bookings/"+id+":reject", map[string]any{"reason": "Outside my expertise"})
		if str(rejected, "booking.status") != "BOOKING_STATUS_REJECTED" || str(rejected, "booking.outcome.reason") != "Outside my expertise" {
			t.Fatalf("rejected = %v", get(rejected, "booking"))
		}
		pay := mentor.ok("GET", "/v1/bookings/"+id+"/payment", nil)
		if str(pay, "payment.status") != "PAYMENT_STATUS_VOIDED" || get(pay, "payment.capturedAmount") != nil {
			t.Fatalf("a rejected request must never be charged: %v", get(pay, "payment"))
		}
		// The slot is free again.
		w.user(t, "mentee-carol", identity.RoleMentee).book(mentor.id, offering, at, nil)
	})

	t.Run("two rounds of negotiation end confirmed at the accepted time", func(t *testing.T) {
		t.Parallel()
		mentor, offering := w.mentorWithOffering(t, "mentor-liskov", paidOffering(60, 1))
		mentee := w.user(t, "mentee-dan", identity.RoleMentee)
		at := ahead(6 * day)
		id := str(mentee.book(mentor.id, offering, at, nil), "booking.id")
		p1 := mentor.ok("POST", "/v1/bookings/"+id+":propose", map[string]any{"startTime": at.Add(day).UTC().Format(time.RFC3339), "note": "Next day?"})
		if str(p1, "booking.status") != "BOOKING_STATUS_NEGOTIATING" {
			t.Fatalf("after proposal: %s", str(p1, "booking.status"))
		}
		mentor.refused("POST", "/v1/bookings/"+id+":accept", map[string]any{}, http.StatusConflict, "NOT_YOUR_TURN")
		final := at.Add(day + 2*time.Hour)
		mentee.ok("POST", "/v1/bookings/"+id+":propose", map[string]any{"startTime": final.UTC().Format(time.RFC3339)})
		accepted := mentor.ok("POST", "/v1/bookings/"+id+":accept", map[string]any{})
		if str(accepted, "booking.status") != "BOOKING_STATUS_CONFIRMED" || str(accepted, "booking.startTime") != final.UTC().Format(time.RFC3339) {
			t.Fatalf("accepted = %s at %s", str(accepted, "booking.status"), str(accepted, "booking.startTime"))
		}
		if evs := w.eventsOf(t, id, 4); !slices.Equal(evs, []string{"booking.requested", "booking.proposed", "booking.proposed", "booking.approved"}) {
			t.Fatalf("events = %v", evs)
		}
	})

	t.Run("an unanswered request expires and the hold is released", func(t *testing.T) {
		t.Parallel()
		mentor, offering := w.mentorWithOffering(t, "mentor-hamilton", paidOffering(60, 1))
		mentor.ok("PATCH", "/v1/mentors/"+mentor.id+"/bookingSettings", map[string]any{"approvalWindow": "3s", "reminderAfter": "1s"})
		mentee := w.user(t, "mentee-eve", identity.RoleMentee)
		id := str(mentee.book(mentor.id, offering, ahead(7*day), nil), "booking.id")
		eventually(t, 20*time.Second, "the request expired", func() bool {
			return str(mentee.ok("GET", "/v1/bookings/"+id, nil), "booking.status") == "BOOKING_STATUS_EXPIRED"
		})
		b := mentee.ok("GET", "/v1/bookings/"+id, nil)
		if !strings.Contains(str(b, "booking.outcome.money"), "not charged") {
			t.Fatalf("expiry outcome = %v", get(b, "booking.outcome"))
		}
		if evs := w.eventsOf(t, id, 3); !slices.Equal(evs, []string{"booking.requested", "booking.reminder", "booking.expired"}) {
			t.Fatalf("events = %v", evs)
		}
	})

	t.Run("a late mentee cancellation pays the mentor minus commission", func(t *testing.T) {
		t.Parallel()
		mentor, offering := w.mentorWithOffering(t, "mentor-knuth", paidOffering(60, 1))
		mentee := w.user(t, "mentee-fay", identity.RoleMentee)
		id := str(mentee.book(mentor.id, offering, ahead(3*time.Hour), nil), "booking.id")
		mentor.ok("POST", "/v1/bookings/"+id+":approve", map[string]any{})
		cancelled := mentee.ok("POST", "/v1/bookings/"+id+":cancel", map[string]any{"reason": "Something came up"})
		if str(cancelled, "booking.status") != "BOOKING_STATUS_CANCELLED" || get(cancelled, "booking.outcome.late") != true {
			t.Fatalf("cancelled = %v", get(cancelled, "booking"))
		}
		pay := mentor.ok("GET", "/v1/bookings/"+id+"/payment", nil)
		if str(pay, "payment.settlement") != "SETTLEMENT_OUTCOME_MENTOR_PAID" || fmt.Sprint(get(pay, "payment.commissionAmount")) != "500" {
			t.Fatalf("payment after late cancellation = %v", get(pay, "payment"))
		}
	})

	t.Run("a group booking is completed with one action", func(t *testing.T) {
		t.Parallel()
		mentor, offering := w.mentorWithOffering(t, "mentor-turing", paidOffering(5, 6))
		at := time.Now().Add(70 * time.Second).Truncate(time.Second)
		group := w.user(t, "mentee-gus", identity.RoleMentee).book(mentor.id, offering, at, map[string]any{
			"partySize": 4, "attendeeNames": []string{"Ann", "Ben", "Cid"}})
		single := w.user(t, "mentee-hal", identity.RoleMentee).book(mentor.id, offering, at, nil)
		if fmt.Sprint(get(group, "booking.price.amountMinor")) != "20000" {
			t.Fatalf("a party of 4 pays for 4 seats: %v", get(group, "booking.price"))
		}
		// Four more seats would overflow the class of six.
		w.user(t, "mentee-ivy", identity.RoleMentee).refused("POST", "/v1/bookings", map[string]any{
			"booking": map[string]any{"mentorId": mentor.id, "offeringId": offering, "startTime": at.UTC().Format(time.RFC3339),
				"paymentMethod": "PAYMENT_METHOD_CARD", "partySize": 2}, "cardToken": "4242424242424242"}, http.StatusConflict, "OVER_CAPACITY")
		for _, b := range []map[string]any{group, single} {
			mentor.ok("POST", "/v1/bookings/"+str(b, "booking.id")+":approve", map[string]any{})
		}
		mentor.refused("POST", "/v1/bookings/"+str(single, "booking.id")+":complete", map[string]any{}, http.StatusConflict, "SESSION_NOT_STARTED")
		time.Sleep(time.Until(at) + 500*time.Millisecond)
		mentor.ok("POST", "/v1/bookings/"+str(single, "booking.id")+":markNoShow", map[string]any{})
		done := mentor.ok("POST", "/v1/sessions/"+str(group, "booking.sessionId")+":completeAll", map[string]any{})
		statuses := map[string]string{}
		for _, b := range get(done, "bookings").([]any) {
			bm := b.(map[string]any)
			statuses[bm["id"].(string)] = bm["status"].(string)
		}
		if statuses[str(group, "booking.id")] != "BOOKING_STATUS_COMPLETED" || statuses[str(single, "booking.id")] != "BOOKING_STATUS_NO_SHOW" {
			t.Fatalf("after complete-all: %v", statuses)
		}
	})

	t.Run("bad input is refused with field violations and books nothing", func(t *testing.T) {
		t.Parallel()
		mentee := w.user(t, "mentee-jo", identity.RoleMentee)
		r := mentee.refused("POST", "/v1/bookings", map[string]any{"booking": map[string]any{"offeringId": "x",
			"startTime": "2001-01-01T00:00:00Z", "menteeEmail": "not-an-email"}}, http.StatusBadRequest, "INVALID_ARGUMENT")
		for _, f := range []string{"mentor_id", "start_time", "mentee_email"} {
			if !strings.Contains(string(r.raw), `"field":"`+f+`"`) {
				t.Errorf("no violation for %s in %s", f, r.raw)
			}
		}
		if list := mentee.ok("GET", "/v1/bookings", nil); len(list) != 0 && get(list, "bookings") != nil {
			t.Fatalf("a refused request booked something: %v", list)
		}
		anon := user{t: t, w: w, id: "anonymous"}
		anon.refused("GET", "/v1/bookings", nil, http.StatusUnauthorized, "UNAUTHENTICATED")
	})
}
