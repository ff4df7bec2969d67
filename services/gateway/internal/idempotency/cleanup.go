package idempotency

import (
	"context"
	"log/slog"
	"time"
)

// RunCleanup deletes expired keys every interval until ctx ends. Expired
// keys are already ignored when read; this only keeps the table small.
func (s *Store) RunCleanup(ctx context.Context, every time.Duration, log *slog.Logger) error {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		n, err := s.DeleteExpired(ctx)
		switch {
		case err != nil && ctx.Err() == nil:
			log.WarnContext(ctx, "idempotency key cleanup", "err", err)
		case n > 0:
			log.InfoContext(ctx, "expired idempotency keys deleted", "count", n)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}
