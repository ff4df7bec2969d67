package grpcapi_test

import (
	"fmt"
	"testing"
	"time"
)

// BenchmarkProjectBookingEvents measures events per second through the whole
// path: JetStream, the idempotent consumer, the projection and the standing
// evaluation in Postgres. Each op is one booking event; bookings are spread
// over 50 mentors, each with a history that grows as the benchmark runs.
func BenchmarkProjectBookingEvents(b *testing.B) {
	h := start(b)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		k := h.newBooking(fmt.Sprintf("bench-%d", i), fmt.Sprintf("mentor-%d", i%50), "mentee-ada", t0.Add(20*24*time.Hour))
		k.request()
	}
	h.settle()
}
