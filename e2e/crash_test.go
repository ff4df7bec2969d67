package e2e

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/bookwell/bookwell/pkg/events"
	"github.com/bookwell/bookwell/pkg/identity"
)

// TestWorkerKilledDuringApproval kills the booking worker while it carries out
// an approval, then starts it again: the booking ends approved once, charged
// once and announced once.
func TestWorkerKilledDuringApproval(t *testing.T) {
	w := start(t)
	for i, delay := range []time.Duration{0, 40 * time.Millisecond, 120 * time.Millisecond} {
		mentorID := []string{"mentor-crash-a", "mentor-crash-b", "mentor-crash-c"}[i]
		mentor, offering := w.mentorWithOffering(t, mentorID, paidOffering(60, 1))
		mentee := w.user(t, "mentee-crash", identity.RoleMentee)
		id := str(mentee.book(mentor.id, offering, time.Now().Add(time.Duration(3+i)*24*time.Hour).Truncate(time.Minute), nil), "booking.id")

		answered := make(chan response, 1)
		go func() { answered <- mentor.call("POST", "/v1/bookings/"+id+":approve", map[string]any{}) }()
		time.Sleep(delay)
		if err := w.services.Kill("booking-worker"); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Second)
		if err := w.services.Start(context.Background(), "booking-worker"); err != nil {
			t.Fatal(err)
		}
		select {
		case r := <-answered:
			// The call may outlive its deadline while the worker is down;
			// either way the approval must go through exactly once.
			if r.status != http.StatusOK && r.status != http.StatusGatewayTimeout && r.status != http.StatusServiceUnavailable {
				t.Fatalf("approve during the crash: %d %s", r.status, r.raw)
			}
		case <-time.After(90 * time.Second):
			t.Fatal("approve never answered")
		}
		eventually(t, 60*time.Second, "booking confirmed", func() bool {
			return str(mentor.ok("GET", "/v1/bookings/"+id, nil), "booking.status") == "BOOKING_STATUS_CONFIRMED"
		})
		pay := mentor.ok("GET", "/v1/bookings/"+id+"/payment", nil)
		if str(pay, "payment.status") != "PAYMENT_STATUS_PAID" || str(pay, "payment.capturedAmount") != "5000" {
			t.Fatalf("payment = %v", get(pay, "payment"))
		}
		if evs := w.eventsOf(t, id, 2); len(evs) != 2 || evs[1] != "booking.approved" {
			t.Fatalf("booking events = %v; want requested then approved, once each", evs)
		}
		if n := w.count(t, events.PaymentsStream.Name, "payment.captured", id); n != 1 {
			t.Fatalf("payment.captured published %d times", n)
		}
	}
}

// count counts the messages of one subject on a stream that mention id.
func (w *world) count(t *testing.T, stream, subject, id string) int {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	cons, err := w.js.OrderedConsumer(ctx, stream, jetstream.OrderedConsumerConfig{FilterSubjects: []string{subject}})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for {
		msg, err := cons.Next(jetstream.FetchMaxWait(500 * time.Millisecond))
		if err != nil {
			return n
		}
		if ev, err := events.Parse(msg.Data()); err == nil && strings.Contains(string(ev.Data), id) {
			n++
		}
	}
}
