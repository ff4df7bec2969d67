package e2e

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/nats-io/nats.go/jetstream"

	bookingv1 "github.com/bookwell/bookwell/gen/go/bookwell/booking/v1"
	"github.com/bookwell/bookwell/pkg/events"
	"github.com/bookwell/bookwell/pkg/identity"
)

// approveContinuation publishes, as the booking context does at the end of
// an intro session, that mentor approved continuation with mentee (an intro
// must be booked 48 h ahead, too far for a test to wait for), and waits
// until the payments service lets the mentee buy: buy is called until it is
// not refused with CONTINUATION_REQUIRED, and its answer returned.
func (w *world) approveContinuation(t *testing.T, mentor, mentee string, buy func() response) response {
	t.Helper()
	ctx := context.Background()
	ev, err := events.New(uuid.NewSHA1(uuid.NameSpaceURL, []byte("e2e-intro|"+mentor+"|"+mentee)), "booking.continuation_decided", "booking", time.Now(),
		&bookingv1.BookingEvent{Booking: &bookingv1.Booking{Id: "intro-" + mentee, MentorId: mentor, MenteeId: mentee,
			OfferingKind: bookingv1.OfferingKind_OFFERING_KIND_INTRO, Continuation: bookingv1.Continuation_CONTINUATION_APPROVED},
			ActorRole: bookingv1.Role_ROLE_MENTOR, ActorId: mentor})
	if err != nil {
		t.Fatal(err)
	}
	body, _ := json.Marshal(ev)
	if _, err := events.Ensure(ctx, w.js, events.BookingStream); err != nil {
		t.Fatal(err)
	}
	if _, err := w.js.Publish(ctx, ev.Type, body, jetstream.WithMsgID(ev.ID.String())); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		r := buy()
		if r.status != http.StatusConflict || time.Now().After(deadline) {
			return r
		}
	}
}

// TestCompletedSessionIsPaidOut follows the money of one paid session through
// the real stack: authorized at request, captured at approval, and once the
// mentor marks it completed, a payout of the fee minus 10 % commission is due
// to the mentor, in their payouts and balance.
func TestCompletedSessionIsPaidOut(t *testing.T) {
	t.Parallel() // it waits a minute for the session to start; so does TestBookings
	w := start(t)
	mentor, offering := w.mentorWithOffering(t, "mentor-payout", paidOffering(5, 1))
	mentee := w.user(t, "mentee-payout", identity.RoleMentee)
	at := time.Now().Add(70 * time.Second).Truncate(time.Second)
	id := str(mentee.book(mentor.id, offering, at, nil), "booking.id")
	mentor.ok("POST", "/v1/bookings/"+id+":approve", map[string]any{})
	if got := mentor.ok("GET", "/v1/mentors/"+mentor.id+"/payouts", nil); get(got, "payouts") != nil {
		t.Fatalf("a payout before the session: %v", got)
	}
	time.Sleep(time.Until(at) + 500*time.Millisecond)
	done := mentor.ok("POST", "/v1/bookings/"+id+":complete", map[string]any{})
	if str(done, "booking.status") != "BOOKING_STATUS_COMPLETED" {
		t.Fatalf("completed = %v", get(done, "booking"))
	}
	payouts := asList(get(mentor.ok("GET", "/v1/mentors/"+mentor.id+"/payouts", nil), "payouts"))
	if len(payouts) != 1 || payouts[0]["bookingId"] != id || payouts[0]["amount"] != "4500" || payouts[0]["commissionAmount"] != "500" {
		t.Fatalf("payouts = %v; want one of 45.00 with 5.00 commission", payouts)
	}
	// Nobody else reads them.
	w.user(t, "mentor-nosy", identity.RoleMentor).refused("GET", "/v1/mentors/"+mentor.id+"/payouts", nil, http.StatusForbidden, "")
}
