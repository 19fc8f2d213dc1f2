package workspace

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"strconv"
	"strings"
	"testing"
	"time"
)

// mbSnapshotPage encodes a page of snapshots just under max bytes, the
// way the API would send it.
func mbSnapshotPage(max int) (body []byte, n int) {
	body = append(body, `{"desktop_snapshots":[`...)
	for {
		item := fmt.Sprintf(`{"snapshot_id":"0b5a1c2d-%08d-4e5f-9a8b-7c6d5e4f3a2b","snapshot_name":"auto-snapshot-%d",`+
			`"desktop_id":"9f8e7d6c-%08d-4b3a-8f7e-6d5c4b3a2f1e","desktop_name":"desk-%05d","desktop_sid":"S-1-5-21-%d",`+
			`"desktop_pool_id":"pool-00042","is_system_disk":%t,"status":"create_success","process":%s,`+
			`"description":"nightly snapshot of desk-%05d","create_time":"2024-03-01T02:00:00Z","create_type":"AUTO",`+
			`"last_restore_time":"","restore_fail_reason":""}`,
			n, n, n, n, n, n%2 == 0, []string{"null", "100"}[n%2], n)
		tail := `],"total_count":` + strconv.Itoa(n+1) + `}`
		if len(body)+1+len(item)+len(tail) > max {
			return append(body, `],"total_count":`+strconv.Itoa(n)+`}`...), n
		}
		if n > 0 {
			body = append(body, ',')
		}
		body = append(body, item...)
		n++
	}
}

// BenchmarkCallNearSizeLimit makes one call whose success body is just
// under the size limit (maxSuccessBody), served on loopback, and reports
// per byte of body:
//   - peak/body: the largest heap seen during the call over the live heap
//     before it, sampled every 20 µs with the collector at GOGC=10, so that
//     garbage is collected once the heap is 10% over the live data: the
//     heap the call needs at its peak, within about 10%;
//   - alloc/body: all the call allocates (the collector off);
//   - result/body: what the decoded result keeps once the call returns.
//
// Two bodies: "stats" is the small inconsistent-statics answer padded with
// an unknown field, so that the result is tiny and everything else is the
// client's own cost; "snapshots" is one page of that many snapshots (far
// more than the API's 1000), so the result itself is about as large as the
// body. The server sends a Content-Length, except in "stats-chunked". It
// writes the pre-encoded body without copying it.
//
//	go test -run '^$' -bench BenchmarkCallNearSizeLimit -benchtime 3x .
func BenchmarkCallNearSizeLimit(b *testing.B) {
	size := maxSuccessBody - 64<<10
	stats := []byte(`{"product_id":1,"image_id":2,"disk_num":3,"disk_size":5,"padding":"` +
		strings.Repeat("x", size-100) + `"}`)
	snaps, n := mbSnapshotPage(size)
	ctx := context.Background()
	getStats := func(c *Client) (any, error) {
		st, err := c.DesktopPools.GetInconsistentStatistics(ctx, "pool-1")
		if err == nil && st.DiskSize != 5 {
			err = fmt.Errorf("disk size %d, want 5", st.DiskSize)
		}
		return st, err
	}
	cases := []struct {
		name    string
		body    []byte
		chunked bool // no Content-Length
		call    func(*Client) (any, error)
	}{
		{"stats", stats, false, getStats},
		{"stats-chunked", stats, true, getStats},
		{"snapshots", snaps, false, func(c *Client) (any, error) {
			p, err := c.Snapshots.List(ctx, nil)
			if err == nil && len(p.Items) != n {
				err = fmt.Errorf("got %d snapshots, want %d", len(p.Items), n)
			}
			return p, err
		}},
	}
	for _, tc := range cases {
		b.Run(tc.name, func(b *testing.B) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				if !tc.chunked {
					w.Header().Set("Content-Length", strconv.Itoa(len(tc.body)))
				}
				_, _ = w.Write(tc.body)
			}))
			defer srv.Close()
			c, err := NewClient(WithEndpoint(srv.URL), WithProjectID(testProjectID), WithToken(testToken), WithRetryPolicy(RetryPolicy{MaxAttempts: 1}))
			if err != nil {
				b.Fatal(err)
			}
			call := func() any {
				out, err := tc.call(c)
				if err != nil {
					b.Fatal(err)
				}
				return out
			}
			call() // connections and pooled buffers in place
			var peak, alloc, result uint64
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				// All it allocates, nothing collected.
				before := mbLiveHeap()
				old := debug.SetGCPercent(-1)
				b.StartTimer()
				out := call()
				b.StopTimer()
				var ms runtime.MemStats
				runtime.ReadMemStats(&ms)
				alloc = max(alloc, ms.HeapAlloc-before)
				debug.SetGCPercent(old)
				result = max(result, mbLiveHeap()-before)
				runtime.KeepAlive(out)
				out = nil

				// The peak, sampled.
				before = mbLiveHeap()
				debug.SetGCPercent(10)
				stop, done := make(chan struct{}), make(chan uint64)
				go mbSampleHeap(stop, done)
				b.StartTimer()
				out = call()
				b.StopTimer()
				close(stop)
				peak = max(peak, <-done-before)
				debug.SetGCPercent(old)
				runtime.KeepAlive(out)
				b.StartTimer()
			}
			b.ReportMetric(float64(len(tc.body)), "body-B")
			b.ReportMetric(float64(peak)/float64(len(tc.body)), "peak/body")
			b.ReportMetric(float64(alloc)/float64(len(tc.body)), "alloc/body")
			b.ReportMetric(float64(result)/float64(len(tc.body)), "result/body")
		})
	}
}

// mbSampleHeap reads the size of the heap's objects (live or not yet
// collected) every 20 µs until stop closes, then sends the largest.
func mbSampleHeap(stop <-chan struct{}, done chan<- uint64) {
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	var peak uint64
	t := time.NewTicker(20 * time.Microsecond)
	defer t.Stop()
	for {
		metrics.Read(sample)
		peak = max(peak, sample[0].Value.Uint64())
		select {
		case <-stop:
			metrics.Read(sample)
			done <- max(peak, sample[0].Value.Uint64())
			return
		case <-t.C:
		}
	}
}

// mbLiveHeap is the live heap after two collections (the first moves
// what sync.Pools cache to their victim caches, the second frees it).
func mbLiveHeap() uint64 {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}
