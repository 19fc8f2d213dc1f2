package workspace

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A call tells its context when its answer is in hand: a 2xx body read
// whole, once, before it is decoded (a body that does not decode too: it
// is final), and never for an answer that may still be retried or failed.
func TestCallSaysWhenItsAnswerIsInHand(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name    string
		status  int
		body    string
		want    int32
		wantErr bool
	}{
		{"200", http.StatusOK, `{"desktop_pool_id":"p","desktop_num":3}`, 1, false},
		{"200 that does not decode", http.StatusOK, `<html>gateway</html>`, 1, true},
		{"500", http.StatusInternalServerError, "", 0, true},
		{"404", http.StatusNotFound, "", 0, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, mux := setup(t)
			var served atomic.Int32
			mux.handle("/desktop-pools/p/inconsistent-statics", func(w http.ResponseWriter, r *http.Request) {
				served.Add(1)
				if tt.status >= 300 {
					writeAPIError(w, tt.status, "")
					return
				}
				writeJSON(w, tt.status, tt.body)
			})
			c := mux.client(t)
			var calls, servedBefore atomic.Int32
			ctx := withAnswered(context.Background(), func() {
				calls.Add(1)
				servedBefore.Store(served.Load())
			})
			_, err := c.DesktopPools.GetInconsistentStatistics(ctx, "p")
			if tt.wantErr {
				require.Error(t, err)
				var de *DecodeError
				assert.Equal(t, tt.want == 1, errors.As(err, &de), "only an answer in hand fails to decode")
			} else {
				require.NoError(t, err)
			}
			assert.Equal(t, tt.want, calls.Load())
			if tt.want > 0 {
				assert.EqualValues(t, 1, servedBefore.Load(), "after the answer came")
			}
		})
	}
}

// Without a function in the context, answered does nothing.
func TestAnsweredWithoutAFunction(t *testing.T) {
	t.Parallel()
	assert.NotPanics(t, func() { answered(context.Background()) })
}

// A 2xx body the connection cuts off is not an answer in hand: the hook
// does not fire for it, the read is sent again, and the hook fires once,
// for the whole body of the attempt that follows; a 5xx before it does
// not fire it either.
func TestAnsweredNotForACutBodyNorA5xx(t *testing.T) {
	t.Parallel()
	const whole = `{"product_id":1,"image_id":2,"disk_num":3,"disk_size":4}`
	for _, tt := range []struct {
		name  string
		first func(w http.ResponseWriter)
	}{
		{"body cut mid-way", func(w http.ResponseWriter) {
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("Content-Length", strconv.Itoa(len(whole)))
			w.WriteHeader(http.StatusOK)
			_, _ = io.WriteString(w, whole[:len(whole)/2])
			w.(http.Flusher).Flush()
			panic(http.ErrAbortHandler) // the connection closes mid-body
		}},
		{"503", func(w http.ResponseWriter) { writeAPIError(w, http.StatusServiceUnavailable, "") }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, mux := setup(t)
			var served atomic.Int32
			mux.handle("/desktop-pools/p/inconsistent-statics", func(w http.ResponseWriter, r *http.Request) {
				if served.Add(1) == 1 {
					tt.first(w)
					return
				}
				writeJSON(w, http.StatusOK, whole)
			})
			c := mux.client(t, WithRetryPolicy(RetryPolicy{MaxAttempts: 3, BaseDelay: time.Millisecond, MaxDelay: 2 * time.Millisecond}))
			var calls, servedBefore atomic.Int32
			ctx := withAnswered(testContext(t), func() {
				calls.Add(1)
				servedBefore.Store(served.Load())
			})
			st, err := c.DesktopPools.GetInconsistentStatistics(ctx, "p")
			require.NoError(t, err)
			assert.Equal(t, 3, st.DiskNum)
			assert.EqualValues(t, 2, served.Load(), "sent again")
			assert.EqualValues(t, 1, calls.Load(), "the hook fires once")
			assert.EqualValues(t, 2, servedBefore.Load(), "for the whole body only")
		})
	}
}

// CheckImages' chunks whose bodies are cut off, or that fail with a 5xx,
// keep their place among the requests in flight while they are sent
// again: never more than WithConcurrency chunks at the server at once, and
// the answer is complete and in order.
func TestCheckImagesRetriedChunksKeepTheirPlace(t *testing.T) {
	t.Parallel()
	for _, conc := range []int{2, 8} {
		t.Run(fmt.Sprintf("concurrency %d", conc), func(t *testing.T) {
			t.Parallel()
			var mu sync.Mutex
			tries := map[string]int{}
			srv := &checkImagesServer{}
			srv.hook = func(w http.ResponseWriter, r *http.Request, asked []string) bool {
				mu.Lock()
				tries[asked[0]]++
				n := tries[asked[0]]
				mu.Unlock()
				var b strings.Builder
				b.WriteString(`{"image_infos":[`)
				for k, id := range asked {
					if k > 0 {
						b.WriteByte(',')
					}
					fmt.Fprintf(&b, `{"desktop_id":%q,"image_id":"img-%s"}`, id, id)
				}
				b.WriteString(`]}`)
				switch n {
				case 1: // the body cut mid-way
					w.Header().Set("Content-Length", strconv.Itoa(b.Len()))
					w.WriteHeader(http.StatusOK)
					_, _ = io.WriteString(w, b.String()[:b.Len()/2])
					w.(http.Flusher).Flush()
					panic(http.ErrAbortHandler)
				case 2:
					writeAPIError(w, http.StatusInternalServerError, "")
				default:
					writeJSON(w, http.StatusOK, b.String())
				}
				return true
			}
			_, mux := setup(t)
			mux.handle("/desktops/check-images", srv.serve)
			c := mux.client(t, WithConcurrency(conc), WithRetryPolicy(RetryPolicy{MaxAttempts: 3, BaseDelay: time.Millisecond, MaxDelay: 2 * time.Millisecond}))
			ids := make([]string, 4*MaxCheckImagesDesktops+1)
			for i := range ids {
				ids[i] = fmt.Sprintf("d-%05d", i)
			}
			got, err := c.Desktops.CheckImages(testContext(t), ids)
			require.NoError(t, err)
			require.Len(t, got, len(ids))
			for i, g := range got {
				require.Equal(t, ids[i], g.DesktopID)
			}
			assert.EqualValues(t, 3*5, srv.requests.Load(), "each chunk tried three times")
			assert.LessOrEqual(t, srv.maxInFlight.Load(), int32(conc))
		})
	}
}
