package domain

import (
	"fmt"
	"testing"
	"time"
)

// BenchmarkFreeSlots computes the slots of a 14-day horizon (08:00-20:00
// every day in Europe/London, 30-minute sessions, 10-minute buffer) around 50
// existing sessions.
func BenchmarkFreeSlots(b *testing.B) {
	a := &Availability{TimeZone: "Europe/London", Buffer: 10 * time.Minute}
	for d := time.Sunday; d <= time.Saturday; d++ {
		a.Weekly = append(a.Weekly, WeeklyHours{Day: d, Start: 8 * 60, End: 20 * 60})
	}
	a.Exceptions = []DateException{{Date: "2026-06-10", Kind: ExceptionBlocked}}
	o := Offering{ID: "o", Kind: KindPaid, Duration: 30 * time.Minute, Capacity: 1}
	now := time.Date(2026, 6, 1, 6, 0, 0, 0, time.UTC)
	from, to := now, now.Add(14*24*time.Hour)
	var busy []Busy
	for i := range 50 {
		s := time.Date(2026, 6, 2+i%14, 8+i%11, 0, 0, 0, time.UTC)
		busy = append(busy, Busy{OfferingID: fmt.Sprint("x", i), Start: s, Block: Interval{s, s.Add(40 * time.Minute)}, SeatsTaken: 1, Capacity: 1})
	}
	p := DefaultPolicy()
	p.PaidMinNotice = 0
	n := len(FreeSlots(p, o, a, busy, from, to, now))
	b.ReportAllocs()
	for b.Loop() {
		FreeSlots(p, o, a, busy, from, to, now)
	}
	b.ReportMetric(float64(n), "slots")
}
