package workspace

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A fetch that ignores its context is abandoned at the refresher's bound,
// and the next caller starts a new one.
func TestRefreshDeafToContextAbandonedAtBound(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	var fetches atomic.Int32
	r := &refresher[string]{
		fetch: func(context.Context) (string, time.Time, error) {
			if fetches.Add(1) == 1 {
				<-release // deaf to its context
			}
			return "v", time.Now().Add(time.Hour), nil
		},
		now:     time.Now,
		margin:  func(time.Duration) time.Duration { return time.Minute },
		timeout: 100 * time.Millisecond,
		grace:   time.Second,
	}
	finishesWithin(t, 2*time.Second, func() {
		start := time.Now()
		_, err := r.get(context.Background())
		require.Error(t, err)
		assert.ErrorIs(t, err, context.DeadlineExceeded)
		assert.Less(t, time.Since(start), time.Second)
		v, err := r.get(context.Background())
		require.NoError(t, err)
		assert.Equal(t, "v", v)
	})
	assert.EqualValues(t, 2, fetches.Load())
}
