package grpcapi_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/nats-io/nats.go/jetstream"

	bookingv1 "github.com/bookwell/bookwell/gen/go/bookwell/booking/v1"
	"github.com/bookwell/bookwell/pkg/events"
)

// BenchmarkConsumeBookingEvents measures the consumer end to end: b.N
// booking.approved events (two inbox items, two queued emails with an .ics
// each) published to JetStream, handled and committed to Postgres. The
// sender is not running; email delivery is not part of the figure.
func BenchmarkConsumeBookingEvents(b *testing.B) {
	h := start(b, options{devMail: true, noSender: true})
	bodies := make([][]byte, b.N)
	ids := make([]uuid.UUID, b.N)
	for i := range b.N {
		ids[i] = uuid.New()
		bk := booking()
		ev, err := events.New(ids[i], "booking.approved", "booking", time.Now(), &bookingv1.BookingEvent{Booking: bk, ActorRole: bookingv1.Role_ROLE_MENTOR})
		if err != nil {
			b.Fatal(err)
		}
		if bodies[i], err = json.Marshal(ev); err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	for i := range b.N {
		if _, err := h.js.PublishAsync("booking.approved", bodies[i], jetstream.WithMsgID(ids[i].String())); err != nil {
			b.Fatal(err)
		}
	}
	for {
		var n int
		if err := h.pool.QueryRow(h.ctx, `SELECT count(*) FROM processed_events`).Scan(&n); err != nil {
			b.Fatal(err)
		}
		if n == b.N {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
}
