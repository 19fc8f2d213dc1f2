package workspace

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strconv"
	"testing"
)

// benchPages pre-encodes the pages of n snapshots, MaxSnapshotsLimit
// items each, as the API would send them.
func benchPages(n int) [][]byte {
	var pages [][]byte
	for from := 0; ; from += MaxSnapshotsLimit {
		to := min(from+MaxSnapshotsLimit, n)
		items := make([]json.RawMessage, 0, to-from)
		for i := from; i < to; i++ {
			items = append(items, json.RawMessage(fmt.Sprintf(`{"snapshot_id":"0b5a1c2d-%08d-4e5f-9a8b-7c6d5e4f3a2b","snapshot_name":"auto-snapshot-%d",`+
				`"desktop_id":"9f8e7d6c-%08d-4b3a-8f7e-6d5c4b3a2f1e","desktop_name":"desk-%05d","desktop_sid":"S-1-5-21-%d",`+
				`"desktop_pool_id":"pool-00042","is_system_disk":%t,"status":"create_success","process":%s,`+
				`"description":"nightly snapshot of desk-%05d","create_time":"2024-03-01T02:00:00Z","create_type":"AUTO",`+
				`"last_restore_time":"","restore_fail_reason":""}`,
				i, i, i, i, i, i%2 == 0, []string{"null", "100"}[i%2], i)))
		}
		body, err := json.Marshal(map[string]any{"desktop_snapshots": items, "total_count": n})
		if err != nil {
			panic(err)
		}
		pages = append(pages, body)
		if to >= n {
			break
		}
	}
	return pages
}

// benchServer serves pre-encoded pages; it checks that every request
// asks for full pages.
func benchServer(b *testing.B, pages [][]byte) *httptest.Server {
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		offset, _ := strconv.Atoi(q.Get("offset"))
		if q.Get("limit") != strconv.Itoa(MaxSnapshotsLimit) || offset%MaxSnapshotsLimit != 0 || offset/MaxSnapshotsLimit >= len(pages) {
			b.Errorf("unexpected query %q", r.URL.RawQuery)
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(pages[offset/MaxSnapshotsLimit])
	}))
}

// BenchmarkSnapshotsAll ranges over 1,000 to 100,000 snapshots served on
// loopback, one page at a time (conc=1) and with the default
// WithConcurrency's pages ahead. B/item (all bytes allocated in the
// process, the loopback server's included, per snapshot) stays flat;
// peak-live-B is the largest growth of the live heap (measured after a
// forced GC in the middle of every page, in one extra untimed pass) over
// the heap before ranging; page-B is the live heap one decoded page of
// 1,000 holds, and peak-pages their ratio: at most the pages held
// (WithConcurrency, the one being yielded included) plus the ids
// remembered, which ids-B estimates (16-byte keys in a map: about 40 B an
// id).
//
//	go test -run '^$' -bench BenchmarkSnapshotsAll -benchmem -benchtime 3x .
func BenchmarkSnapshotsAll(b *testing.B) {
	for _, n := range []int{1_000, 10_000, 100_000} {
		pages := benchPages(n)
		srv := benchServer(b, pages)
		for _, conc := range []int{1, defaultConcurrency} {
			c, err := NewClient(WithEndpoint(srv.URL), WithProjectID(testProjectID), WithToken(testToken), WithRetryPolicy(RetryPolicy{MaxAttempts: 1}), WithConcurrency(conc))
			if err != nil {
				b.Fatal(err)
			}
			b.Run(fmt.Sprintf("items=%d/conc=%d", n, conc), func(b *testing.B) {
				ctx := context.Background()
				b.ReportAllocs()
				// One untimed range first, so that what the client keeps
				// between calls (connections, pooled buffers) is in place.
				benchRange(b, c.Snapshots.All(ctx, nil), nil)
				var before, after runtime.MemStats
				runtime.ReadMemStats(&before)
				b.ResetTimer()
				for i := 0; i < b.N; i++ {
					if got := benchRange(b, c.Snapshots.All(ctx, nil), nil); got != n {
						b.Fatalf("got %d snapshots, want %d", got, n)
					}
				}
				b.StopTimer()
				runtime.ReadMemStats(&after)
				b.ReportMetric(float64(after.TotalAlloc-before.TotalAlloc)/float64(b.N)/float64(n), "B/item")
				peak, page := benchPeakLive(b, c, n), benchPageLive(b, c)
				b.ReportMetric(float64(peak), "peak-live-B")
				b.ReportMetric(float64(page), "page-B")
				b.ReportMetric(float64(peak)/float64(page), "peak-pages")
				b.ReportMetric(float64(40*n), "ids-B")
			})
			c.core.pipe.CloseIdleConnections()
		}
		srv.Close()
	}
}

// benchPageLive is the live heap that one page of snapshots, as List
// returns it, holds.
func benchPageLive(b *testing.B, c *Client) uint64 {
	var ms runtime.MemStats
	liveHeap := func() uint64 {
		runtime.GC()
		runtime.GC()
		runtime.ReadMemStats(&ms)
		return ms.HeapAlloc
	}
	base := liveHeap()
	p, err := c.Snapshots.List(context.Background(), &ListSnapshotsOptions{Limit: MaxSnapshotsLimit})
	if err != nil {
		b.Fatal(err)
	}
	held := liveHeap()
	runtime.KeepAlive(p)
	return held - base
}

// benchRange counts the snapshots of seq, calling sample (if not nil)
// after every item.
func benchRange(b *testing.B, seq func(func(Snapshot, error) bool), sample func(i int)) int {
	n := 0
	for s, err := range seq {
		if err != nil {
			b.Fatal(err)
		}
		if s.ID == "" {
			b.Fatal("snapshot without id")
		}
		if sample != nil {
			sample(n)
		}
		n++
	}
	return n
}

// benchPeakLive ranges once more, forcing GCs in the middle of every
// page, and returns the largest live heap seen over the live heap before
// ranging.
func benchPeakLive(b *testing.B, c *Client, n int) uint64 {
	var ms runtime.MemStats
	liveHeap := func() uint64 {
		// Two collections: the first moves what sync.Pools cache to
		// their victim caches, the second frees it, so pooled buffers
		// count neither in the base nor in a sample.
		runtime.GC()
		runtime.GC()
		runtime.ReadMemStats(&ms)
		return ms.HeapAlloc
	}
	base := liveHeap()
	peak := base
	got := benchRange(b, c.Snapshots.All(context.Background(), nil), func(i int) {
		if i%MaxSnapshotsLimit == MaxSnapshotsLimit/2 {
			peak = max(peak, liveHeap())
		}
	})
	if got != n {
		b.Fatalf("got %d snapshots, want %d", got, n)
	}
	return peak - base
}
