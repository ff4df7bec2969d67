package app

import (
	"context"
	"time"

	"github.com/bookwell/bookwell/services/booking/internal/domain"
)

// PendingView is what the mentor sees to decide on a request.
type PendingView struct {
	History    *MenteeHistory
	TimeFree   bool
	Conflict   string
	LocalTimes []string
}

// pendingView asks reputation and scheduling; what they cannot answer now is
// left out rather than failing the read.
func (s *Service) pendingView(ctx context.Context, bk *domain.Booking) *PendingView {
	v := &PendingView{TimeFree: true}
	b := bk.Snapshot()
	loc, err := time.LoadLocation(b.MentorTZ)
	if err != nil {
		loc = time.UTC
	}
	times := b.PreferredStarts
	if !b.Start.IsZero() {
		times = []time.Time{b.Start}
	}
	for _, t := range times {
		v.LocalTimes = append(v.LocalTimes, t.In(loc).Format(time.RFC3339))
	}
	if s.lookups.History != nil {
		if h, err := s.lookups.History(ctx, b.MenteeID); err == nil {
			v.History = &h
		}
	}
	if s.lookups.Conflict != nil && !b.Start.IsZero() {
		if c, err := s.lookups.Conflict(ctx, b.ID, b.MentorID, domain.Session{Start: b.Start, End: b.End}); err == nil {
			v.TimeFree, v.Conflict = c == "", c
		}
	}
	return v
}
