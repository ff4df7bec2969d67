package retention_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bookwell/bookwell/pkg/retention"
)

func TestAJobDeletesWhatIsOlderThanItKeepsOnEachTickAndSurvivesFailures(t *testing.T) {
	now := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	var runs atomic.Int32
	cutoffs := make(chan time.Time, 10)
	ctx, cancel := context.WithCancel(context.Background())
	j := retention.Job{
		Name: "rows", Keep: 7 * 24 * time.Hour, Every: 10 * time.Millisecond,
		Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Now: func() time.Time { return now },
		Delete: func(_ context.Context, before time.Time) (int64, error) {
			cutoffs <- before
			if runs.Add(1) == 1 {
				return 0, errors.New("database away")
			}
			if runs.Load() == 3 {
				cancel()
			}
			return 1, nil
		},
	}
	if err := j.Run(ctx); err != nil {
		t.Fatal(err)
	}
	if runs.Load() != 3 {
		t.Fatalf("ran %d times, want 3 (a failure does not stop it)", runs.Load())
	}
	if got := <-cutoffs; !got.Equal(now.Add(-7 * 24 * time.Hour)) {
		t.Fatalf("deleted before %v, want 7 days before now", got)
	}
}

func TestAJobThatKeepsForeverDeletesNothing(t *testing.T) {
	j := retention.Job{Keep: 0, Delete: func(context.Context, time.Time) (int64, error) {
		t.Fatal("deleted")
		return 0, nil
	}}
	if err := j.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
}
