package ratelimit

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestBurstThenSteadyRate(t *testing.T) {
	t.Parallel()
	now := time.Unix(1000, 0)
	l := New(10, 2)
	l.now = func() time.Time { return now }
	assert.Zero(t, l.reserve())
	assert.Zero(t, l.reserve())
	assert.Equal(t, 100*time.Millisecond, l.reserve(), "third token is 1/rps away")
	assert.Equal(t, 200*time.Millisecond, l.reserve())
	now = now.Add(time.Second) // refill, capped at burst
	assert.Zero(t, l.reserve())
}

func TestWaitHonoursContext(t *testing.T) {
	t.Parallel()
	l := New(0.001, 1) // one token, then ~1000 s per token
	require.NoError(t, l.Wait(context.Background()))
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	start := time.Now()
	err := l.Wait(ctx)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Less(t, time.Since(start), 2*time.Second)
	cancelled, cancel2 := context.WithCancel(context.Background())
	cancel2()
	assert.ErrorIs(t, l.Wait(cancelled), context.Canceled)
}

func TestWaitSleepsForToken(t *testing.T) {
	t.Parallel()
	l := New(50, 1)
	// Timed from before the first token: a pause between the two waits
	// (a busy machine) refills part of the second token and shortens the
	// second wait, but never the 20 ms between the two tokens.
	start := time.Now()
	require.NoError(t, l.Wait(context.Background()))
	require.NoError(t, l.Wait(context.Background()))
	assert.GreaterOrEqual(t, time.Since(start), 15*time.Millisecond)
}

// A wait too long for a time.Duration is forever, never none.
func TestTinyRateNeverOverflows(t *testing.T) {
	t.Parallel()
	for _, rps := range []float64{1e-12, 1e-300} {
		l := New(rps, 1)
		require.NoError(t, l.Wait(context.Background()))
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
		err := l.Wait(ctx)
		cancel()
		require.ErrorIs(t, err, context.DeadlineExceeded, "rps %g", rps)
	}
}
