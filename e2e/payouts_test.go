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
