package workspace

import (
	"context"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Issue 11, item 15: a client-wide retry budget. Under a total outage, 64
// goroutines see attempts per call fall to about 1 once it is spent;
// successes refill it, and retries come back.
func TestHostileRetryBudget(t *testing.T) {
	t.Parallel()
	const workers = 64
	var mode atomic.Int32 // 0: outage (503), 1: healthy, 2: one answer in 5 is 503
	var arrivals, seq atomic.Int64
	srv := relServer(t, func(w http.ResponseWriter, r *http.Request) {
		arrivals.Add(1)
		n := seq.Add(1)
		if m := mode.Load(); m == 0 || m == 2 && n%5 == 0 {
			relErrorJSON(w, 503, "")
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"product_id":1}`))
	})
	c := relClient(t, srv.URL, WithRetryPolicy(RetryPolicy{MaxAttempts: 3, BaseDelay: time.Microsecond, MaxDelay: 10 * time.Microsecond}))
	t.Cleanup(func() { relCloseIdle(c) })

	// phase runs callsEach calls on each of the workers and reports the
	// arrivals per call and the share of calls that succeeded.
	phase := func(callsEach int) (perCall, okShare float64) {
		before := arrivals.Load()
		var ok atomic.Int64
		var wg sync.WaitGroup
		for range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for range callsEach {
					if _, err := c.DesktopPools.GetInconsistentStatistics(context.Background(), "pool-1"); err == nil {
						ok.Add(1)
					}
				}
			}()
		}
		wg.Wait()
		calls := float64(workers * callsEach)
		return float64(arrivals.Load()-before) / calls, float64(ok.Load()) / calls
	}

	mode.Store(0)
	outage1, _ := phase(4)
	outage2, ok2 := phase(8)
	t.Logf("budget: total outage, MaxAttempts 3, first %d calls: %.2f attempts/call; next %d calls: %.2f attempts/call",
		workers*4, outage1, workers*8, outage2)
	assert.Less(t, outage1, 1.5, "the budget (100 retries) is spent within the first calls: (256+100)/256")
	assert.Less(t, outage2, 1.05, "once spent, a failing call is tried once")
	assert.Zero(t, ok2)

	mode.Store(1)
	healthy, okHealthy := phase(5)
	t.Logf("budget: recovery, %d calls: %.2f attempts/call, %.0f%% ok", workers*5, healthy, 100*okHealthy)
	require.Equal(t, 1.0, okHealthy)

	mode.Store(2)
	flaky, okFlaky := phase(8)
	t.Logf("budget: then one answer in 5 is 503, %d calls: %.2f attempts/call, %.1f%% ok", workers*8, flaky, 100*okFlaky)
	assert.Greater(t, flaky, 1.1, "retries are back")
	assert.Greater(t, okFlaky, 0.95)
}
