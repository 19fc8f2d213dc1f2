// Package ratelimit is a small token bucket whose waits honour a context.
package ratelimit

import (
	"context"
	"math"
	"sync"
	"time"
)

// Limiter hands out tokens at a steady rate with a burst allowance. It is
// safe for concurrent use.
type Limiter struct {
	mu     sync.Mutex
	rate   float64 // tokens per second
	burst  float64
	tokens float64
	last   time.Time
	now    func() time.Time
}

// New returns a limiter that allows rps requests per second on average and
// up to burst at once. It starts full.
func New(rps float64, burst int) *Limiter {
	return &Limiter{rate: rps, burst: float64(burst), tokens: float64(burst), now: time.Now}
}

// Wait takes one token, sleeping until one is available or ctx is done. A
// caller whose context ends while waiting gives its reservation back.
func (l *Limiter) Wait(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	delay := l.reserve()
	if delay <= 0 {
		return nil
	}
	t := time.NewTimer(delay)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		l.cancel()
		return ctx.Err()
	}
}

// reserve takes a token (possibly going into debt) and returns how long the
// caller must wait for it.
func (l *Limiter) reserve() time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	if !l.last.IsZero() {
		l.tokens += now.Sub(l.last).Seconds() * l.rate
		if l.tokens > l.burst {
			l.tokens = l.burst
		}
	}
	l.last = now
	l.tokens--
	if l.tokens >= 0 {
		return 0
	}
	// Converting a float64 beyond int64 to a Duration is undefined (and
	// negative on amd64: no wait at all); a wait that long is forever.
	d := -l.tokens / l.rate * float64(time.Second)
	if !(d < math.MaxInt64) {
		return math.MaxInt64
	}
	return time.Duration(d)
}

func (l *Limiter) cancel() {
	l.mu.Lock()
	l.tokens++
	if l.tokens > l.burst {
		l.tokens = l.burst
	}
	l.mu.Unlock()
}
