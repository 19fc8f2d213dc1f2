package workspace

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"strconv"
	"strings"
	"sync"
	"testing"
	"testing/iotest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hwcloud-go/workspace/internal/testserver"
	"github.com/hwcloud-go/workspace/internal/wire"
)

// TestDecodeBodyFastAndFallback checks the wiring: the fast path's result
// and the fallback's are what encoding/json gives, and errors are still
// encoding/json's.
func TestDecodeBodyFastAndFallback(t *testing.T) {
	t.Parallel()
	for _, body := range []string{
		goldenString(t, "snapshots-list.json"),
		`{"total_count":1,"desktop_snapshots":[{"snapshot_name":"a\u00e9b"}]}`,  // fallback: escape
		`{"total_count":1,"desktop_snapshots":[{"snapshot_id":"a"}],"x":1e400}`, // fallback after a full list
	} {
		var got, want wire.SnapshotPage
		require.NoError(t, decodeBody(strings.NewReader(body), &got), body)
		require.NoError(t, json.Unmarshal([]byte(body), &want))
		assert.Equal(t, want, got, body)
	}
	var got wire.SnapshotPage
	err := decodeBody(strings.NewReader(`{"total_count":"1"}`), &got)
	var te *json.UnmarshalTypeError
	assert.ErrorAs(t, err, &te)

	tasks := goldenString(t, "script-execution-tasks.json")
	var gotTasks, want wire.TaskPage
	require.NoError(t, decodeBody(strings.NewReader(tasks), &gotTasks))
	require.NoError(t, json.Unmarshal([]byte(tasks), &want))
	assert.Equal(t, want, gotTasks)
}

// TestDecodeBodyErrors pins the errors of bodies that are not one JSON
// value of the right shape.
func TestDecodeBodyErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, body, want string
	}{
		{"empty", ``, "empty body"},
		{"white space", " \r\n\t", "empty body"},
		{"null", ` null`, "null body"},
		{"trailing value", `{"total_count":1} x`, "unexpected data after the JSON value"},
		{"two values", `{} {}`, "unexpected data after the JSON value"},
		{"html", `<html></html>`, "invalid character '<' looking for beginning of value"},
		{"bad inside", `{"total_count":x}`, "invalid character 'x' looking for beginning of value"},
		{"wrong type", `{"total_count":"1"}`, "json: cannot unmarshal string into Go struct field SnapshotPage.total_count of type int"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var got wire.SnapshotPage
			err := decodeBody(strings.NewReader(tt.body), &got)
			require.Error(t, err)
			assert.Equal(t, tt.want, err.Error())
		})
	}

	t.Run("read error", func(t *testing.T) {
		t.Parallel()
		boom := errors.New("boom")
		var got wire.SnapshotPage
		err := decodeBody(iotest.TimeoutReader(iotest.OneByteReader(strings.NewReader(`{}`))), &got)
		assert.ErrorIs(t, err, iotest.ErrTimeout, "a read error part way")
		err = decodeBody(iotest.ErrReader(boom), &got)
		assert.ErrorIs(t, err, boom)
	})
}

// TestDecodeSizedBody checks that the size hint of decodeSized (a
// response's Content-Length) only sizes the buffer: a missing, short,
// long or absurd hint decodes the same, and errors stay as they were.
func TestDecodeSizedBody(t *testing.T) {
	t.Parallel()
	body := []byte(goldenString(t, "snapshots-list.json"))
	var want wire.SnapshotPage
	require.NoError(t, json.Unmarshal(body, &want))
	n := int64(len(body))
	for _, size := range []int64{-1, 0, 10, n - 1, n, n + 1, 2 * n, maxPooledBody + 1, 1 << 62} {
		var got wire.SnapshotPage
		require.NoError(t, decodeSized(bytes.NewReader(body), size, &got), "size %d", size)
		assert.Equal(t, want, got, "size %d", size)
	}
	var got wire.SnapshotPage
	err := decodeSized(strings.NewReader(`{"total_count":1} x`), 20, &got)
	require.Error(t, err)
	assert.Equal(t, "unexpected data after the JSON value", err.Error())
}

// TestDecodeCapacityBounded checks that braces inside strings cannot make
// a list's capacity guess allocate more than the largest page.
func TestDecodeCapacityBounded(t *testing.T) {
	t.Parallel()
	body := `{"desktop_snapshots":[{}],"x":"` + strings.Repeat("{", 1<<20) + `"}`
	var p wire.SnapshotPage
	require.NoError(t, decodeBody(strings.NewReader(body), &p))
	require.Len(t, p.Snapshots, 1)
	assert.LessOrEqual(t, cap(p.Snapshots), MaxSnapshotsLimit)
	tasks := `{"script_execution_tasks":[{}],"x":"` + strings.Repeat("{", 1<<20) + `"}`
	var q wire.TaskPage
	require.NoError(t, decodeBody(strings.NewReader(tasks), &q))
	require.Len(t, q.Tasks, 1)
	assert.LessOrEqual(t, cap(q.Tasks), MaxScriptTasksLimit)
}

// TestDecodeErrorSaysWhatCame checks that a 2xx that arrived whole and is
// not the operation's JSON is a *DecodeError naming what came.
func TestDecodeErrorSaysWhatCame(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, contentType, body, want string
	}{
		{"html page", "text/html; charset=utf-8", "<!DOCTYPE html><html><body>502</body></html>", "an HTML page (text/html)"},
		{"html without a type", "", "<html><body>x</body></html>", "an HTML page"},
		{"empty", "application/json", "", "an empty body"},
		{"plain text", "text/plain", "upstream timed out", "a body of type text/plain"},
		{"null", "application/json", "null", "application/json"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, mux := setup(t, WithRetryPolicy(fastRetries))
			mux.handle("/desktop-pools/pool-1/inconsistent-statics", func(w http.ResponseWriter, _ *http.Request) {
				w.Header()["Content-Type"] = []string{tt.contentType}
				_, _ = io.WriteString(w, tt.body)
			})
			_, err := c.DesktopPools.GetInconsistentStatistics(context.Background(), "pool-1")
			de := errorAs[*DecodeError](t, err)
			assert.Equal(t, 200, de.StatusCode)
			assert.Contains(t, err.Error(), tt.want)
			assert.Equal(t, 1, mux.requests(), "a body that arrived whole is not retried")
		})
	}
}

// A decoded 2xx body is closed without a drain: whatever its framing
// (Content-Length, chunked, gzip with either, trailing white space) the
// decoder has read it to its end, so the connection is kept and every
// call here uses the first one. A 204 or empty 200 to Do with out nil
// too; a 2xx with trailing data is a DecodeError and still leaves the
// connection usable.
func TestDecodedBodyKeepsConnection(t *testing.T) {
	t.Parallel()
	body := `{"product_id": 1, "image_id": 2, "disk_num": 3, "disk_size": 4}`
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	_, _ = zw.Write([]byte(body + "\n \n"))
	require.NoError(t, zw.Close())
	chunk := func(s string) string { return fmt.Sprintf("%x\r\n%s\r\n", len(s), s) }
	answers := map[string]string{
		"/p-cl/":       rawH1OK,
		"/p-chunked/":  "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + chunk(body[:10]) + chunk(body[10:]) + "0\r\n\r\n",
		"/p-gzip/":     "HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: " + strconv.Itoa(gz.Len()) + "\r\n\r\n" + gz.String(),
		"/p-gzchunk/":  "HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n" + chunk(gz.String()[:7]) + chunk(gz.String()[7:]) + "0\r\n\r\n",
		"/p-space/":    "HTTP/1.1 200 OK\r\nContent-Length: " + strconv.Itoa(len(body)+3) + "\r\n\r\n" + body + " \r\n",
		"/p-trailing/": "HTTP/1.1 200 OK\r\nContent-Length: " + strconv.Itoa(len(body)+3) + "\r\n\r\n" + body + " {}",
	}
	srv := testserver.NewH1(t, func(r *testserver.H1Request) testserver.H1Reply {
		for k, v := range answers {
			if strings.Contains(r.Head, k) {
				return testserver.H1Reply{Raw: v}
			}
		}
		if strings.Contains(r.Head, "/do-204") {
			return testserver.H1Reply{Raw: "HTTP/1.1 204 No Content\r\n\r\n"}
		}
		return testserver.H1Reply{Raw: "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"}
	})
	c := clientFor(t, srv.URL)
	t.Cleanup(func() { closeIdle(c) })
	ctx := context.Background()
	for _, id := range []string{"p-cl", "p-chunked", "p-gzip", "p-gzchunk", "p-space", "p-trailing", "p-cl"} {
		st, err := c.DesktopPools.GetInconsistentStatistics(ctx, id)
		if id == "p-trailing" {
			var de *DecodeError
			require.ErrorAs(t, err, &de, id)
			continue
		}
		require.NoError(t, err, id)
		assert.Equal(t, 4, st.DiskSize, id)
	}
	require.NoError(t, c.Do(ctx, http.MethodDelete, "/do-204", nil, nil, nil))
	require.NoError(t, c.Do(ctx, http.MethodDelete, "/do-empty", nil, nil, nil))
	var out map[string]any
	var de *DecodeError
	require.ErrorAs(t, c.Do(ctx, http.MethodGet, "/do-204", nil, nil, &out), &de)
	_, err := c.DesktopPools.GetInconsistentStatistics(ctx, "p-cl")
	require.NoError(t, err)
	conns := srv.Conns()
	assert.Equal(t, 1, conns, "connections")
}

// A 2xx answer whose gzip stream is cut short is an error, never a panic
// nor a partial value taken for a whole one; through Do as well.
func TestTruncatedGzipBodyIsAnError(t *testing.T) {
	t.Parallel()
	var full bytes.Buffer
	zw := gzip.NewWriter(&full)
	_, _ = zw.Write([]byte(`{"desktops":[{"desktop_id":"d1","computer_name":"` + string(bytes.Repeat([]byte("x"), 4096)) + `"}],"total_count":1}`))
	require.NoError(t, zw.Close())
	cut := full.Bytes()[:full.Len()/2]
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Encoding", "gzip")
		_, _ = w.Write(cut)
	}))
	t.Cleanup(ts.Close)
	cl := clientFor(t, ts.URL)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	require.NotPanics(t, func() {
		_, err := cl.Snapshots.List(ctx, nil)
		assert.Error(t, err, "List")
		var out map[string]any
		assert.Error(t, cl.Do(ctx, http.MethodGet, "/desktops", nil, nil, &out), "Do GET")
		assert.Error(t, cl.Do(ctx, http.MethodPost, "/desktops", nil, map[string]string{"a": "b"}, &out), "Do POST")
	})
}

// A 2xx body over the limit (maxSuccessBody) stops at the limit, in
// decompressed bytes, with the size error; what a call allocates stays
// within about 1.5x the limit, and 8 such calls at once within 8x.
//
// Not parallel: it counts every byte the process allocates.
func TestSuccessBodyBoundedInSizeAndMemory(t *testing.T) {
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
	srv := bareServer(t, func(w http.ResponseWriter, r *http.Request) {
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
	c := clientFor(t, srv.URL)
	t.Cleanup(func() { closeIdle(c) })

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

// snapshotPageOfSize encodes a page of snapshots just under max bytes, the
// way the API would send it.
func snapshotPageOfSize(max int) (body []byte, n int) {
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
	snaps, n := snapshotPageOfSize(size)
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
				before := liveHeapBytes()
				old := debug.SetGCPercent(-1)
				b.StartTimer()
				out := call()
				b.StopTimer()
				var ms runtime.MemStats
				runtime.ReadMemStats(&ms)
				alloc = max(alloc, ms.HeapAlloc-before)
				debug.SetGCPercent(old)
				result = max(result, liveHeapBytes()-before)
				runtime.KeepAlive(out)
				out = nil

				// The peak, sampled.
				before = liveHeapBytes()
				debug.SetGCPercent(10)
				stop, done := make(chan struct{}), make(chan uint64)
				go sampleHeapPeak(stop, done)
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

// sampleHeapPeak reads the size of the heap's objects (live or not yet
// collected) every 20 µs until stop closes, then sends the largest.
func sampleHeapPeak(stop <-chan struct{}, done chan<- uint64) {
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

// liveHeapBytes is the live heap after two collections (the first moves
// what sync.Pools cache to their victim caches, the second frees it).
func liveHeapBytes() uint64 {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

// A 2xx whose Content-Type echoes a credential: the *DecodeError says what
// came ("a body of type ...") with the credential replaced.
func TestDecodeErrorRedactsEchoedToken(t *testing.T) {
	t.Parallel()
	srv := bareServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/x-"+r.Header.Get("X-Auth-Token"))
		_, _ = io.WriteString(w, "not json")
	})
	c := clientFor(t, srv.URL, WithRetryPolicy(RetryPolicy{MaxAttempts: 1}))
	var out map[string]any
	err := c.Do(testContext(t), http.MethodGet, "/desktops", nil, nil, &out)
	require.Error(t, err)
	var de *DecodeError
	require.ErrorAs(t, err, &de)
	assert.NotContains(t, err.Error(), testToken)
}

// Only the JSON literal null is "null body": a 2xx whose body is "not
// found" (or "nginx: ...") is a *DecodeError that says what came.
func TestBodyStartingWithNNotCalledNull(t *testing.T) {
	t.Parallel()
	srv := bareServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		_, _ = io.WriteString(w, "not found")
	})
	c := clientFor(t, srv.URL)
	var out map[string]any
	err := c.Do(testContext(t), http.MethodGet, "/desktops", nil, nil, &out)
	var de *DecodeError
	require.ErrorAs(t, err, &de)
	assert.NotContains(t, err.Error(), "null body")
}
