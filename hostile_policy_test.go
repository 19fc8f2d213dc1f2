package workspace

import (
	"context"
	"math"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Issue 11, item 5: any RetryPolicy is safe: no panic (rand.N of an
// overflowed bound), no negative wait, whatever the field values.
func TestHostileRetryPolicyExtremes(t *testing.T) {
	t.Parallel()
	policies := []RetryPolicy{
		{MaxAttempts: 1000, BaseDelay: time.Millisecond, MaxDelay: math.MaxInt64},
		{MaxAttempts: 1000, BaseDelay: math.MaxInt64, MaxDelay: math.MaxInt64},
		{MaxAttempts: math.MaxInt, BaseDelay: time.Hour, MaxDelay: math.MaxInt64},
		{MaxAttempts: 1000, BaseDelay: math.MaxInt64 / 3, MaxDelay: math.MaxInt64 / 2},
		{MaxAttempts: 1000, BaseDelay: 1, MaxDelay: 1},
	}
	for _, p := range policies {
		p := p.withDefaults()
		for n := 1; n <= 1000; n++ {
			var d time.Duration
			require.NotPanics(t, func() { d = p.backoff(n) }, "policy %+v, retry %d", p, n)
			require.GreaterOrEqual(t, d, time.Duration(0), "policy %+v, retry %d", p, n)
			require.LessOrEqual(t, d, p.MaxDelay, "policy %+v, retry %d", p, n)
		}
	}
	// The exponential steps stay exponential up to the cap.
	p := RetryPolicy{BaseDelay: time.Second, MaxDelay: math.MaxInt64}.withDefaults()
	var most time.Duration
	for range 200 {
		most = max(most, p.backoff(31))
	}
	assert.Greater(t, most, time.Duration(1<<30)*time.Second/2, "retry 31 may wait up to 2^30 s")

	// End to end: a server that always answers 503 and a policy with every
	// field at its largest; the call ends with its context, no panic.
	var arrivals atomic.Int32
	srv := relServer(t, func(w http.ResponseWriter, r *http.Request) {
		arrivals.Add(1)
		relErrorJSON(w, 503, "")
	})
	for _, pol := range []RetryPolicy{
		{MaxAttempts: math.MaxInt, BaseDelay: math.MaxInt64, MaxDelay: math.MaxInt64},
		{MaxAttempts: 1000, BaseDelay: time.Nanosecond, MaxDelay: math.MaxInt64},
	} {
		c := relClient(t, srv.URL, WithRetryPolicy(pol))
		ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
		start := time.Now()
		require.NotPanics(t, func() {
			_, err := c.DesktopPools.GetInconsistentStatistics(ctx, "pool-1")
			assert.Error(t, err)
		})
		cancel()
		assert.Less(t, time.Since(start), 3*time.Second, "the call ends with its context")
	}
	assert.Positive(t, arrivals.Load())
}
