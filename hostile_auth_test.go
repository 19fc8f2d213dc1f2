package workspace

import (
	"context"
	"fmt"
	"net/http"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// hsInvalidator is a TokenSource that hands out a new token after each
// Invalidate.
type hsInvalidator struct {
	gen         atomic.Int32
	invalidated atomic.Int32
}

func (s *hsInvalidator) Token(context.Context) (string, error) {
	return fmt.Sprintf("hs-token-%d", s.gen.Load()), nil
}

func (s *hsInvalidator) Invalidate(string) {
	s.invalidated.Add(1)
	s.gen.Add(1)
}

// Issue 11, item 13: a 401 on batch-delete (refused before processing) is
// tried again once with a fresh token, never more, whatever follows.
func TestHostileBatchDelete401OneRefresh(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name     string
		statuses []int // answers in turn; the last repeats
		arrivals int32
	}{
		{"401 always", []int{401}, 2},
		{"401, 429, 401", []int{401, 429, 401}, 3},
		{"401, 401, 429", []int{401, 401, 429}, 2},
		{"429, 401, 401", []int{429, 401, 401}, 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var arrivals atomic.Int32
			srv := relServer(t, func(w http.ResponseWriter, r *http.Request) {
				n := int(arrivals.Add(1))
				relErrorJSON(w, tc.statuses[min(n, len(tc.statuses))-1], "")
			})
			src := &hsInvalidator{}
			c, err := NewClient(WithEndpoint(srv.URL), WithProjectID(relProject), WithTokenSource(src),
				WithRetryPolicy(RetryPolicy{MaxAttempts: 10, BaseDelay: 1, MaxDelay: 1}))
			require.NoError(t, err)
			req := &BatchDeleteVolumesRequest{Volumes: []VolumeInfo{{ID: "v", Type: "SSD", Size: 20}}}
			_, err = c.DesktopPools.BatchDeleteVolumes(context.Background(), "pool-1", req)
			require.Error(t, err)
			assert.ErrorIs(t, err, ErrUnauthorized)
			assert.Equal(t, tc.arrivals, arrivals.Load())
			assert.EqualValues(t, 1, src.invalidated.Load(), "one fresh token")
		})
	}
}
