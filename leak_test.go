package workspace

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The goroutine checks here are not parallel: t.Parallel tests wait until
// every sequential test has finished, so nothing else starts goroutines
// while they count.

// Every answer, whatever its status and body, leaves the connection ready
// for the next call: sequential calls use one connection.
func TestLeakConnectionsReused(t *testing.T) {
	t.Parallel()
	bigHTML := "<html>" + strings.Repeat("gateway trouble ", 2000) + "</html>" // 32 KB
	var n atomic.Int32
	c, mux := setup(t) // no retries
	mux.handleAny(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		k := int(n.Add(1))
		switch k % 10 {
		case 0:
			io.WriteString(w, retryOps[0].answer)
		case 1:
			writeAPIError(w, 404, "")
		case 2:
			w.WriteHeader(500)
			io.WriteString(w, bigHTML)
		case 3:
			writeAPIError(w, 503, "0")
		case 4:
			w.WriteHeader(429)
		case 5:
			io.WriteString(w, bigHTML) // a 200 that does not decode
		case 6:
			io.WriteString(w, retryOps[0].answer+"\n\n   \n")
		case 7:
			io.WriteString(w, `{"product_id":1} {"product_id":2}`) // trailing data
		case 8:
			w.WriteHeader(400)
			io.WriteString(w, `{"error_code":"WKS.0001","error_msg":"`+strings.Repeat("x", 100<<10)+`"}`)
		case 9:
			w.WriteHeader(502) // no body at all
		}
	})
	const calls = 40
	var failures int
	for range calls {
		if _, err := c.DesktopPools.GetInconsistentStatistics(context.Background(), "pool-1"); err != nil {
			failures++
		}
	}
	require.EqualValues(t, calls, n.Load())
	assert.Equal(t, calls*8/10, failures, "the error answers did fail")
	assert.EqualValues(t, 1, mux.conns.Load(), "one keep-alive connection for %d sequential calls", calls)

	// The same holds for the other operations and for retries.
	_, err := c.Desktops.CheckImages(context.Background(), []string{"d-1"})
	assert.Error(t, err)
	_, err = c.DesktopPools.BatchDeleteVolumes(context.Background(), "pool-1", deleteRequest)
	assert.Error(t, err)
	assert.EqualValues(t, 1, mux.conns.Load())
}

func TestLeakConnectionsReusedAcrossRetries(t *testing.T) {
	t.Parallel()
	var n atomic.Int32
	c, mux := setup(t, WithRetryPolicy(fastRetries))
	mux.handleAny(func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1)%3 != 0 {
			w.Header().Set("Retry-After", "0")
			w.WriteHeader(503)
			io.WriteString(w, "<html>busy</html>")
			return
		}
		io.WriteString(w, retryOps[0].answer)
	})
	for range 10 {
		require.NoError(t, retryOps[0].call(context.Background(), c))
	}
	assert.EqualValues(t, 30, n.Load())
	assert.EqualValues(t, 1, mux.conns.Load())
}

// pagedHandler serves total snapshots in pages and counts page requests;
// fail, when positive, makes the page at that offset answer 500.
func pagedHandler(total, fail int, pages *atomic.Int32) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		pages.Add(1)
		offset, _ := strconv.Atoi(r.URL.Query().Get("offset"))
		limit, _ := strconv.Atoi(r.URL.Query().Get("limit"))
		if fail > 0 && offset == fail {
			writeAPIError(w, 500, "")
			return
		}
		var b strings.Builder
		fmt.Fprintf(&b, `{"total_count":%d,"desktop_snapshots":[`, total)
		for i := offset; i < min(offset+limit, total); i++ {
			if i > offset {
				b.WriteByte(',')
			}
			fmt.Fprintf(&b, `{"snapshot_id":"s-%d"}`, i)
		}
		b.WriteString("]}")
		io.WriteString(w, b.String())
	}
}

func TestLeakNoGoroutineLeftBehind(t *testing.T) {
	checkNoLeak(t)
	var n atomic.Int32
	c, mux := setup(t, WithRetryPolicy(fastRetries))
	mux.handleAny(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		switch n.Add(1) % 5 {
		case 1:
			writeAPIError(w, 503, "")
		case 2:
			hijackClose(t, w)
		case 3:
			writeAPIError(w, 404, "")
		default:
			io.WriteString(w, retryOps[0].answer)
		}
	})
	t.Cleanup(func() { closeIdle(c) })
	for range 30 {
		for _, op := range retryOps {
			_ = op.call(context.Background(), c)
		}
	}
	require.Greater(t, n.Load(), int32(90))
}

func TestLeakCancelledWaits(t *testing.T) {
	checkNoLeak(t)
	blocked := make(chan struct{}, 16)
	slow := RetryPolicy{MaxAttempts: 5, BaseDelay: time.Minute, MaxDelay: time.Minute}
	c, mux := setup(t, WithRetryPolicy(slow))
	mux.handleAny(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Query().Get("snapshot_name") {
		case "block": // answer only when the client gives up
			blocked <- struct{}{}
			<-r.Context().Done()
			return
		}
		writeAPIError(w, 503, "60")
	})
	limited := mux.client(t, WithRetryPolicy(slow), WithRateLimit(0.01, 1))
	t.Cleanup(func() { closeIdle(c); closeIdle(limited) })

	// Back-off cut short.
	for range 5 {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
		_, err := c.Snapshots.List(ctx, nil)
		cancel()
		require.ErrorIs(t, err, context.DeadlineExceeded)
	}
	// Attempt cut short while the server holds the answer.
	for range 5 {
		ctx, cancel := context.WithCancel(context.Background())
		go func() { <-blocked; cancel() }()
		_, err := c.Snapshots.List(ctx, &ListSnapshotsOptions{SnapshotName: "block"})
		cancel()
		require.ErrorIs(t, err, context.Canceled)
	}
	// Rate-limit wait cut short (the first call takes the only token).
	_, _ = limited.Snapshots.List(timeoutContext(t, 20*time.Millisecond), nil)
	for range 5 {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
		_, err := limited.Snapshots.List(ctx, nil)
		cancel()
		require.ErrorIs(t, err, context.DeadlineExceeded)
	}
	// Jobs.Wait cut short between polls.
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
	defer cancel()
	_, err := c.Jobs.Wait(ctx, "job-1", &WaitOptions{Interval: time.Hour})
	require.Error(t, err)
}

// timeoutContext is a context ending after d, cancelled with the test.
func timeoutContext(t *testing.T, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

// An All broken off, failed or cancelled leaves no goroutine and no
// request behind, one page at a time or with pages fetched ahead.
func TestLeakBrokenOffIterator(t *testing.T) {
	checkNoLeak(t)
	for _, conc := range []int{1, 4} {
		var pages atomic.Int32
		c, mux := setup(t, WithRetryPolicy(fastRetries), WithConcurrency(conc))
		mux.handleAny(pagedHandler(95, 0, &pages))
		t.Cleanup(func() { closeIdle(c) })

		var got int
		for s, err := range c.Snapshots.All(context.Background(), &ListSnapshotsOptions{Limit: 10}) {
			require.NoError(t, err)
			require.Equal(t, fmt.Sprintf("s-%d", got), s.ID)
			got++
			if got == 15 {
				break
			}
		}
		assert.Equal(t, 15, got)
		// Page 2 was in hand: the pages ahead of it, conc-1, were asked for
		// (the last perhaps cancelled before it arrived); none after the
		// break.
		assert.LessOrEqual(t, pages.Load(), int32(1+conc), "concurrency %d: pages asked for", conc)
		assert.GreaterOrEqual(t, pages.Load(), int32(min(2, conc)), "concurrency %d: pages asked for", conc)

		// Ranging again starts over and runs to the end.
		got = 0
		for _, err := range c.Snapshots.All(context.Background(), &ListSnapshotsOptions{Limit: 10}) {
			require.NoError(t, err)
			got++
		}
		assert.Equal(t, 95, got)

		// An error mid-way is yielded once, after the items before it, and
		// ends the sequence.
		var failPages atomic.Int32
		c2, mux2 := setup(t, WithRetryPolicy(RetryPolicy{MaxAttempts: 1}), WithConcurrency(conc))
		mux2.handleAny(pagedHandler(95, 10, &failPages))
		t.Cleanup(func() { closeIdle(c2) })
		var items, errs int
		for _, err := range c2.Snapshots.All(context.Background(), &ListSnapshotsOptions{Limit: 10}) {
			if err != nil {
				errs++
				assert.ErrorIs(t, err, ErrServer)
				continue
			}
			items++
		}
		assert.Equal(t, 10, items)
		assert.Equal(t, 1, errs)
		assert.LessOrEqual(t, failPages.Load(), int32(1+conc), "page 1 and the pages ahead of it")

		// A context cancelled while ranging stops the sequence once the
		// page in hand is finished.
		ctx, cancel := context.WithCancel(context.Background())
		got = 0
		var lastErr error
		for _, err := range c.Snapshots.All(ctx, &ListSnapshotsOptions{Limit: 10}) {
			if err != nil {
				lastErr = err
				break
			}
			got++
			if got == 5 {
				cancel()
			}
		}
		cancel()
		assert.ErrorIs(t, lastErr, context.Canceled)
		assert.Equal(t, 10, got, "the page in hand is finished, the next is not yielded")
	}
}
