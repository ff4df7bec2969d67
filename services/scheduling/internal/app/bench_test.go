package app_test

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/bookwell/bookwell/services/scheduling/internal/domain"
)

// BenchmarkSlots is ListSlots' use case over a 14-day horizon with 50
// reservations held: reading offering, standing, availability and busy
// sessions from Postgres, then computing.
func BenchmarkSlots(b *testing.B) {
	s := newService(b)
	ctx := admin
	openEveryDay(b, s, "m1", "Europe/London", 10*time.Minute)
	o := createOffering(b, s, "m1", domain.KindPaid, 1)
	held := 0
	for i := 0; held < 50; i++ {
		start := at(2+i%14, 8+i%11, 0)
		if _, err := s.Hold(ctx, hold(fmt.Sprint("b", i), "m1", o.ID, "x", start)); err == nil {
			held++
		}
	}
	var n int
	for b.Loop() {
		slots, err := s.Slots(ctx, "m1", o.ID, now, now.Add(14*24*time.Hour))
		if err != nil {
			b.Fatal(err)
		}
		n = len(slots)
	}
	b.ReportMetric(float64(n), "slots")
}

// BenchmarkHoldContended times rounds in which 8 holds for different bookings
// race for one free one-to-one slot: one wins, seven get SLOT_TAKEN.
func BenchmarkHoldContended(b *testing.B) {
	const racers = 8
	const perMentor = 2000 // hourly slots within the 90-day horizon
	s := newService(b)
	ctx := admin
	var offering string
	i := 0
	for b.Loop() {
		if i%perMentor == 0 {
			b.StopTimer()
			m := fmt.Sprint("m", i/perMentor)
			openAllDay(b, s, m, "UTC")
			offering = createOffering(b, s, m, domain.KindPaid, 1).ID
			b.StartTimer()
		}
		mentor := fmt.Sprint("m", i/perMentor)
		start := at(2, 0, 0).Add(time.Duration(i%perMentor) * time.Hour)
		var wg sync.WaitGroup
		var mu sync.Mutex
		won := 0
		for r := range racers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := s.Hold(ctx, hold(fmt.Sprintf("b%d-%d", i, r), mentor, offering, fmt.Sprint("x", r), start))
				if err == nil {
					mu.Lock()
					won++
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		if won != 1 {
			b.Fatalf("round %d: %d holds won", i, won)
		}
		i++
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(i*racers), "ns/hold")
}
