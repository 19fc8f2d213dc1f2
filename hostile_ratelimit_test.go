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

// Issue 11, item 9: a tiny rate never overflows into "no limit"; a rate
// whose wait cannot be represented is refused.
func TestHostileTinyRateLimit(t *testing.T) {
	t.Parallel()
	for _, rps := range []float64{1e-12, 1e-300, math.SmallestNonzeroFloat64, 5e-10} {
		_, err := NewClient(WithEndpoint("http://127.0.0.1:1"), WithProjectID(relProject), WithToken(relToken), WithRateLimit(rps, 1))
		var ve *ValidationError
		require.ErrorAs(t, err, &ve, "rps %g", rps)
		assert.Equal(t, "rateLimit.rps", ve.Field)
	}
	for _, tc := range []struct {
		rps   float64
		burst int
	}{{1e-9, 1}, {1e-6, 1}, {0.001, math.MaxInt32}} {
		var arrivals atomic.Int32
		srv := relServer(t, func(w http.ResponseWriter, r *http.Request) {
			arrivals.Add(1)
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(`{"product_id":1}`))
		})
		c := relClient(t, srv.URL, WithRateLimit(tc.rps, tc.burst))
		calls := min(tc.burst, 3) + 2
		for i := range calls {
			wait := 50 * time.Millisecond // beyond the burst: must not get through
			if i < tc.burst {
				wait = 5 * time.Second
			}
			ctx, cancel := context.WithTimeout(context.Background(), wait)
			_, err := c.DesktopPools.GetInconsistentStatistics(ctx, "pool-1")
			cancel()
			if i < tc.burst {
				require.NoError(t, err, "call %d within the burst of %d", i, tc.burst)
			} else {
				require.ErrorIs(t, err, context.DeadlineExceeded, "rps %g: call %d beyond the burst waits", tc.rps, i)
			}
		}
		assert.EqualValues(t, min(tc.burst, calls), arrivals.Load(), "rps %g", tc.rps)
	}
}
