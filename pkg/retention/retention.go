// Package retention deletes what a process no longer needs (published outbox
// rows, the ids of events handled long ago) on a schedule, so that tables do
// not grow forever.
package retention

import (
	"context"
	"log/slog"
	"time"
)

// Job deletes, every Every, the rows older than Keep.
type Job struct {
	// Name says what is deleted, in the logs.
	Name string
	// Keep is how long rows are kept; a zero or negative Keep keeps them
	// for ever (Run returns at once).
	Keep time.Duration
	// Every is how often; an hour if zero.
	Every time.Duration
	// Delete deletes the rows older than before and says how many went.
	Delete func(ctx context.Context, before time.Time) (int64, error)
	Log    *slog.Logger
	// Now is the clock; time.Now if nil.
	Now func() time.Time
}

// Run deletes at once, then every Every, until ctx ends. A failure is
// logged and tried again next time: it never stops the process.
func (j Job) Run(ctx context.Context) error {
	if j.Keep <= 0 {
		return nil
	}
	every := j.Every
	if every == 0 {
		every = time.Hour
	}
	now := j.Now
	if now == nil {
		now = time.Now
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		n, err := j.Delete(ctx, now().Add(-j.Keep))
		switch {
		case err != nil && ctx.Err() == nil:
			j.Log.WarnContext(ctx, "retention: delete failed, will try again", "what", j.Name, "err", err)
		case n > 0:
			j.Log.InfoContext(ctx, "retention: deleted", "what", j.Name, "count", n, "older_than", j.Keep)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}
