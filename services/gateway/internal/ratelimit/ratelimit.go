// Package ratelimit keeps one token bucket (golang.org/x/time/rate) per
// caller, in memory, with a bounded number of callers: a bucket idle long
// enough to have refilled is dropped (no goroutine: the sweep runs lazily on
// a call), so forgetting it loses nothing.
package ratelimit

import (
	"math"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Limiter hands out one bucket per key.
type Limiter struct {
	limit   rate.Limit
	burst   int
	idle    time.Duration // a bucket unused this long is full again: dropped on the next sweep
	maxKeys int
	now     func() time.Time

	mu        sync.Mutex
	buckets   map[string]*bucket
	lastSweep time.Time
}

type bucket struct {
	lim      *rate.Limiter
	lastSeen time.Time
}

// overflowKey is the one bucket shared by every caller that arrives while
// the map is full of active callers.
const overflowKey = "\x00overflow"

// New returns a limiter allowing rps requests a second per key, in bursts of
// up to burst, tracking at most maxKeys keys at once.
func New(rps float64, burst, maxKeys int) *Limiter {
	if burst < 1 {
		burst = 1
	}
	refill := time.Duration(float64(burst) / rps * float64(time.Second))
	if rps <= 0 || refill <= 0 || refill > time.Hour {
		refill = time.Hour
	}
	return &Limiter{
		limit: rate.Limit(rps), burst: burst,
		idle:    refill + time.Minute,
		maxKeys: maxKeys,
		now:     time.Now,
		buckets: map[string]*bucket{},
	}
}

// Allow takes one token from key's bucket. When there is none it says how
// long until there is.
func (l *Limiter) Allow(key string) (ok bool, retryAfter time.Duration) {
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	if now.Sub(l.lastSweep) >= l.idle {
		l.sweep(now)
	}
	b, found := l.buckets[key]
	if !found {
		if len(l.buckets) >= l.maxKeys {
			l.sweep(now)
		}
		if len(l.buckets) >= l.maxKeys {
			key = overflowKey
			b = l.buckets[key]
		}
		if b == nil {
			b = &bucket{lim: rate.NewLimiter(l.limit, l.burst)}
			l.buckets[key] = b
		}
	}
	b.lastSeen = now
	r := b.lim.ReserveN(now, 1)
	if !r.OK() {
		return false, l.idle
	}
	if d := r.DelayFrom(now); d > 0 {
		r.CancelAt(now)
		return false, d
	}
	return true, 0
}

// RetryAfterSeconds is d rounded up to whole seconds, at least 1, for a
// Retry-After header.
func RetryAfterSeconds(d time.Duration) int {
	return max(1, int(math.Ceil(d.Seconds())))
}

// Len is the number of buckets held.
func (l *Limiter) Len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.buckets)
}

func (l *Limiter) sweep(now time.Time) {
	for k, b := range l.buckets {
		if now.Sub(b.lastSeen) >= l.idle {
			delete(l.buckets, k)
		}
	}
	l.lastSweep = now
}
