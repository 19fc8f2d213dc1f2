package workspace

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Issue 11, item 4: a 2xx body over the limit stops at the limit, in
// decompressed bytes, with the size error; what a call allocates stays
// within about 1.5x the limit, and 8 such calls at once within 8x.
//
// Not parallel: it counts every byte the process allocates.
func TestHostileSuccessBodyBounded(t *testing.T) {
	const limit = maxSuccessBody
	require.GreaterOrEqual(t, limit, 10*400<<10, "ample headroom over the largest legitimate answer (1000 snapshots, about 400 KB)")
	require.LessOrEqual(t, limit, 16<<20)

	// A gzip bomb: 1 MB on the wire, 1 GiB once inflated (Go asks for
	// gzip by itself and inflates it transparently). One member holding 1
	// MiB of zeros, repeated: a gzip stream may be many members.
	var member bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&member, gzip.BestCompression)
	_, _ = zw.Write(make([]byte, 1<<20))
	require.NoError(t, zw.Close())
	bomb := bytes.Repeat(member.Bytes(), 1<<10)
	require.Less(t, len(bomb), 2<<20)

	chunk := []byte(`{"product_id":1,` + strings.Repeat(" ", 64<<10-16))
	srv := relServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if r.URL.Query().Has("limit") { // the snapshot list: the gzip bomb
			w.Header().Set("Content-Encoding", "gzip")
			_, _ = w.Write(bomb)
			return
		}
		// 100 MB, chunked: no Content-Length.
		for range (100 << 20) / len(chunk) {
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
	})
	c := relClient(t, srv.URL)
	t.Cleanup(func() { relCloseIdle(c) })

	calls := map[string]func() error{
		"100 MB chunked": func() error {
			_, err := c.DesktopPools.GetInconsistentStatistics(context.Background(), "pool-1")
			return err
		},
		"1 MB gzip bomb": func() error {
			_, err := c.Snapshots.List(context.Background(), &ListSnapshotsOptions{Limit: 10})
			return err
		},
	}
	allocated := func(f func()) uint64 {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		f()
		runtime.ReadMemStats(&after)
		return after.TotalAlloc - before.TotalAlloc
	}
	for name, call := range calls {
		require.Error(t, call()) // warm up: connections, pools
		var err error
		one := allocated(func() { err = call() })
		var de *DecodeError
		require.ErrorAs(t, err, &de, name)
		assert.Contains(t, err.Error(), "larger than", name)
		assert.LessOrEqual(t, one, uint64(limit)*3/2, "%s: one call allocated %d MB", name, one>>20)

		const n = 8
		errs := make([]error, n)
		eight := allocated(func() {
			var wg sync.WaitGroup
			for i := range n {
				wg.Add(1)
				go func() {
					defer wg.Done()
					errs[i] = call()
				}()
			}
			wg.Wait()
		})
		for _, err := range errs {
			assert.True(t, errors.As(err, &de), "%s: %v", name, err)
		}
		// 8 times the limit, and 1 MiB for 8 new connections and their buffers.
		assert.LessOrEqual(t, eight, uint64(limit)*n+1<<20, "%s: %d calls allocated %d MB", name, n, eight>>20)
		t.Logf("%s: limit %d MiB; one call allocated %.1f MiB (%.2fx), %d at once %.1f MiB (%.2fx)",
			name, limit>>20, float64(one)/(1<<20), float64(one)/limit, n, float64(eight)/(1<<20), float64(eight)/limit)
	}
}
