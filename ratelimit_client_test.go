package workspace

import (
	"context"
	"math"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// okClient is a client with the fast retry policy and opts whose server
// answers every GetInconsistentStatistics and counts.
func okClient(t *testing.T, count *atomic.Int32, opts ...Option) *Client {
	s := &scriptedServer{t: t, op: retryOps[0]}
	c, mux := setup(t, append([]Option{WithRetryPolicy(fastRetries)}, opts...)...)
	mux.handleAny(func(w http.ResponseWriter, r *http.Request) {
		count.Add(1)
		s.ServeHTTP(w, r)
	})
	return c
}

func TestRateLimitSpacesCalls(t *testing.T) {
	t.Parallel()
	var count atomic.Int32
	c := okClient(t, &count, WithRateLimit(50, 1))
	start := time.Now()
	for range 6 {
		require.NoError(t, retryOps[0].call(context.Background(), c))
	}
	elapsed := time.Since(start)
	// The first call is free; five more at 50/s are 20 ms apart.
	assert.GreaterOrEqual(t, elapsed, 95*time.Millisecond)
	assert.Less(t, elapsed, 2*time.Second)
	assert.EqualValues(t, 6, count.Load())
}

func TestRateLimitSharedByGoroutines(t *testing.T) {
	t.Parallel()
	var count atomic.Int32
	c := okClient(t, &count, WithRateLimit(100, 2))
	start := time.Now()
	var wg sync.WaitGroup
	for range 10 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			assert.NoError(t, retryOps[0].call(context.Background(), c))
		}()
	}
	wg.Wait()
	// A burst of two, then eight more at 100/s.
	assert.GreaterOrEqual(t, time.Since(start), 75*time.Millisecond)
	assert.EqualValues(t, 10, count.Load())
}

func TestRateLimitAppliesToRetries(t *testing.T) {
	t.Parallel()
	s := &scriptedServer{t: t, op: retryOps[0], answer: func(n int, w http.ResponseWriter, _ *http.Request) bool {
		if n < 3 {
			writeAPIError(w, 503, "0")
			return true
		}
		return false
	}}
	c, mux := setup(t, WithRetryPolicy(fastRetries), WithRateLimit(20, 1))
	mux.handleAny(s.ServeHTTP)
	start := time.Now()
	require.NoError(t, retryOps[0].call(context.Background(), c))
	// Every attempt takes a token: two waits of 50 ms.
	assert.GreaterOrEqual(t, time.Since(start), 95*time.Millisecond)
	assert.EqualValues(t, 3, s.count.Load())
}

func TestRateLimitWaitHonoursContext(t *testing.T) {
	t.Parallel()
	t.Run("deadline", func(t *testing.T) {
		t.Parallel()
		var count atomic.Int32
		c := okClient(t, &count, WithRateLimit(0.1, 1)) // next token in 10 s
		require.NoError(t, retryOps[0].call(context.Background(), c))
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		defer cancel()
		start := time.Now()
		err := retryOps[0].call(ctx, c)
		require.Error(t, err)
		assert.ErrorIs(t, err, context.DeadlineExceeded)
		assert.Less(t, time.Since(start), 5*time.Second, "the ten-second wait is cut short")
		assert.EqualValues(t, 1, count.Load(), "nothing sent past the limit")
	})
	t.Run("cancel", func(t *testing.T) {
		t.Parallel()
		var count atomic.Int32
		c := okClient(t, &count, WithRateLimit(0.1, 1)) // next token in 10 s
		require.NoError(t, retryOps[0].call(context.Background(), c))
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(30*time.Millisecond, cancel)
		start := time.Now()
		_, err := c.DesktopPools.BatchDeleteVolumes(ctx, "pool-1", deleteRequest)
		require.Error(t, err)
		assert.ErrorIs(t, err, context.Canceled)
		assert.Less(t, time.Since(start), time.Second)
		assert.EqualValues(t, 1, count.Load())
	})
}

func TestRateLimitOptionRejectsBadValues(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		rps   float64
		burst int
	}{{0, 1}, {-1, 1}, {math.NaN(), 1}, {math.Inf(1), 1}, {1, 0}, {1, -3}} {
		_, err := NewClient(WithEndpoint("http://127.0.0.1:1"), WithProjectID(testProjectID), WithToken(testToken),
			WithRateLimit(tt.rps, tt.burst))
		var ve *ValidationError
		assert.ErrorAs(t, err, &ve, "rps %v burst %d", tt.rps, tt.burst)
	}
}
