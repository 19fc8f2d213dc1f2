package workspacetest

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A wait ends no earlier than asked, many at once too (more than
// maxPreciseSleepers: the rest wait on a timer), and reports true.
func TestSleepContextNeverEarly(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name string
		d    time.Duration
		n    int
	}{
		{"shorter than the precise window", 500 * time.Microsecond, 1},
		{"longer", 5 * time.Millisecond, 1},
		{"eight at once", 5 * time.Millisecond, 8},
		{"more than the precise sleepers", 3 * time.Millisecond, maxPreciseSleepers + 16},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := httptest.NewRequest("GET", "/", nil)
			var wg sync.WaitGroup
			took := make([]time.Duration, tt.n)
			oks := make([]bool, tt.n)
			for i := range tt.n {
				wg.Add(1)
				go func() {
					defer wg.Done()
					start := time.Now()
					oks[i] = sleepContext(r, tt.d)
					took[i] = time.Since(start)
				}()
			}
			wg.Wait()
			for i := range tt.n {
				assert.True(t, oks[i])
				assert.GreaterOrEqual(t, took[i], tt.d, "never early")
			}
		})
	}
}

// A client that goes away ends the wait at once, on the timer's part,
// with false.
func TestSleepContextClientGone(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	r := httptest.NewRequest("GET", "/", nil).WithContext(ctx)
	time.AfterFunc(5*time.Millisecond, cancel)
	start := time.Now()
	ok := sleepContext(r, time.Minute)
	assert.False(t, ok)
	assert.Less(t, time.Since(start), 10*time.Second)
}

// A gone client is not answered after a short wait either.
func TestSleepContextClientGoneBeforeShortWait(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	r := (&http.Request{}).WithContext(ctx)
	require.Error(t, r.Context().Err())
	assert.False(t, sleepContext(r, time.Millisecond))
	assert.True(t, sleepContext(r, 0), "no wait: nothing to end early")
}

// Two hundred waits at once, far more than the threads that may sleep,
// half of them for a client that goes away: those end with false, the
// others no earlier than asked with true, and no sleeper is left counted.
func TestSleepContextManyAtOnceSomeGone(t *testing.T) {
	t.Parallel()
	const n, d = 200, 3 * time.Millisecond
	ctx, cancel := context.WithCancel(context.Background())
	gone := httptest.NewRequest("GET", "/", nil).WithContext(ctx)
	kept := httptest.NewRequest("GET", "/", nil)
	var wg sync.WaitGroup
	took := make([]time.Duration, n)
	oks := make([]bool, n)
	start := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			t0 := time.Now()
			if i%2 == 1 {
				oks[i] = sleepContext(gone, time.Minute)
			} else {
				oks[i] = sleepContext(kept, d)
			}
			took[i] = time.Since(t0)
		}()
	}
	close(start)
	cancel()
	wg.Wait()
	for i := range n {
		if i%2 == 1 {
			assert.False(t, oks[i], "gone client %d", i)
			assert.Less(t, took[i], 30*time.Second)
		} else {
			assert.True(t, oks[i])
			assert.GreaterOrEqual(t, took[i], d, "never early")
		}
	}
	// The count is shared with the other tests' waits: it comes back to
	// zero once theirs end too.
	assert.Eventually(t, func() bool { return preciseSleepers.Load() == 0 }, 5*time.Second, 100*time.Microsecond, "every sleeper uncounted")
}

// Waits of every length around the precise window (shorter, equal, just
// longer) end no earlier than asked.
func TestSleepContextAroundThePreciseWindow(t *testing.T) {
	t.Parallel()
	r := httptest.NewRequest("GET", "/", nil)
	for _, d := range []time.Duration{time.Nanosecond, time.Microsecond, preciseWindow - time.Microsecond, preciseWindow, preciseWindow + time.Microsecond, preciseWindow + 300*time.Microsecond} {
		t0 := time.Now()
		require.True(t, sleepContext(r, d))
		assert.GreaterOrEqual(t, time.Since(t0), d, "%v", d)
	}
}
