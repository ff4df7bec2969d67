package domain

import (
	"slices"
	"time"
)

// Busy is a session already in a mentor's calendar: held or confirmed seats.
type Busy struct {
	OfferingID string
	Start      time.Time
	Block      Interval // the session and the buffer after it
	SeatsTaken int
	Capacity   int
}

// Slot is a free time for one session of an offering.
type Slot struct {
	Start, End time.Time
	SeatsLeft  int
}

// FreeSlots lists the slots of o that start in [from, to) and could be held
// at now: inside the availability windows, after the notice, within the
// horizon, outside away mode, and clear of busy sessions including the
// buffer. Candidates start at each window's start and repeat every duration
// plus buffer. A class session with seats left is offered at its own time.
func FreeSlots(p Policy, o Offering, a *Availability, busy []Busy, from, to, now time.Time) []Slot {
	notice, horizon := p.Window(o, *a)
	earliest, latest := now.Add(notice), now.Add(horizon)
	if a.AwayAt(now) {
		return nil
	}
	busy = slices.Clone(busy)
	slices.SortFunc(busy, func(x, y Busy) int { return x.Block.Start.Compare(y.Block.Start) })
	step := o.Duration + a.Buffer
	var out []Slot
	// Candidates come in time order (windows are sorted and disjoint), so
	// busy sessions that ended before a candidate can be skipped for good.
	lo := 0
	for _, w := range a.Windows(from, to) {
		for s := w.Start; !s.Add(o.Duration).After(w.End); s = s.Add(step) {
			if s.Before(from) || !s.Before(to) || s.Before(earliest) || s.After(latest) || a.AwayAt(s) {
				continue
			}
			for lo < len(busy) && !busy[lo].Block.End.After(s) {
				lo++
			}
			if seats, ok := seatsLeft(o, Interval{s, s.Add(o.Duration + a.Buffer)}, busy[lo:]); ok {
				out = append(out, Slot{Start: s, End: s.Add(o.Duration), SeatsLeft: seats})
			}
		}
	}
	return out
}

// seatsLeft reports the seats free for a session of o occupying block, and
// whether it can be held at all. busy is sorted by block start.
func seatsLeft(o Offering, block Interval, busy []Busy) (int, bool) {
	seats := o.Capacity
	for _, b := range busy {
		if !b.Block.Start.Before(block.End) {
			break // this and every later block start after ours ends
		}
		if !b.Block.Overlaps(block) {
			continue
		}
		if b.OfferingID == o.ID && b.Start.Equal(block.Start) && o.Capacity > 1 {
			seats = b.Capacity - b.SeatsTaken
			if seats <= 0 {
				return 0, false
			}
			continue
		}
		return 0, false
	}
	return seats, true
}
