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

// A lying server cannot make All run forever.
func TestHostileAllBounded(t *testing.T) {
	t.Parallel()
	// A server that ignores offset and claims more with every page.
	var pages atomic.Int32
	srv := bareServer(t, func(w http.ResponseWriter, r *http.Request) {
		n := pages.Add(1)
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"total_count":%d,"desktop_snapshots":[{"snapshot_id":"s-1"},{"snapshot_id":"s-2"}]}`, 10*n)
	})
	c := clientFor(t, srv.URL)
	items := 0
	for _, err := range c.Snapshots.All(context.Background(), &ListSnapshotsOptions{Limit: 2}) {
		require.NoError(t, err)
		items++
		require.Less(t, items, 1000, "All runs on")
	}
	assert.Equal(t, 10, items, "the first page's total_count bounds the listing")
	assert.EqualValues(t, 5, pages.Load())

	// A total_count too large to believe: maxListPages pages, then an error.
	var fetched int
	seq := paginate(context.Background(), 0, 2, func(offset int) (*Page[int], error) {
		fetched++
		return &Page[int]{Items: []int{1, 2}, TotalCount: 1 << 62}, nil
	})
	var got int
	var last error
	for _, err := range seq {
		if err != nil {
			last = err
			break
		}
		got++
	}
	require.Error(t, last)
	assert.Contains(t, last.Error(), "10000 pages")
	assert.Equal(t, maxListPages, fetched)
	assert.Equal(t, 2*maxListPages, got)
}
