package workspace

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/net/http2"

	"github.com/hwcloud-go/workspace/internal/pipeline"
	"github.com/hwcloud-go/workspace/internal/signer"
	"github.com/hwcloud-go/workspace/internal/testserver"
)

func TestRetryStatusMatrix(t *testing.T) {
	t.Parallel()
	retriedReads := []int{429, 500, 502, 503, 504}
	final := []int{400, 401, 403, 404, 409}
	for _, op := range retryOps {
		for _, status := range append(append([]int(nil), retriedReads...), final...) {
			wantRetry := status == 429 || (!op.write && retryableStatus(status))
			t.Run(fmt.Sprintf("%s/%d", op.name, status), func(t *testing.T) {
				t.Parallel()
				s := &scriptedServer{t: t, op: op, answer: func(n int, w http.ResponseWriter, _ *http.Request) bool {
					if n == 1 {
						writeAPIError(w, status, "")
						return true
					}
					return false
				}}
				c, mux := setup(t, WithRetryPolicy(fastRetries))
				mux.handleAny(s.ServeHTTP)
				err := op.call(context.Background(), c)
				if wantRetry {
					require.NoError(t, err)
					assert.EqualValues(t, 2, s.count.Load())
					return
				}
				require.Error(t, err)
				assert.EqualValues(t, 1, s.count.Load(), "a %d must not be retried", status)
				var apiErr *APIError
				require.ErrorAs(t, err, &apiErr)
				assert.Equal(t, status, apiErr.StatusCode)
				assert.Equal(t, fmt.Sprintf("WKS.%d", status), apiErr.Code)
				assert.NotContains(t, err.Error(), "attempts")
			})
		}
	}
}

func TestRetryMaxAttemptsExact(t *testing.T) {
	t.Parallel()
	for _, op := range retryOps {
		for _, max := range []int{1, 2, 3, 5} {
			t.Run(fmt.Sprintf("%s/%d", op.name, max), func(t *testing.T) {
				t.Parallel()
				status := 503
				if op.write {
					status = 429
				}
				s := &scriptedServer{t: t, op: op, answer: func(_ int, w http.ResponseWriter, _ *http.Request) bool {
					writeAPIError(w, status, "")
					return true
				}}
				p := fastRetries
				p.MaxAttempts = max
				c, mux := setup(t, WithRetryPolicy(fastRetries), WithRetryPolicy(p))
				mux.handleAny(s.ServeHTTP)
				err := op.call(context.Background(), c)
				require.Error(t, err)
				assert.EqualValues(t, max, s.count.Load())
				var apiErr *APIError
				require.ErrorAs(t, err, &apiErr, "the error after exhaustion is still an *APIError")
				assert.Equal(t, status, apiErr.StatusCode)
				if max > 1 {
					assert.Contains(t, err.Error(), fmt.Sprintf("after %d attempts", max))
				} else {
					assert.NotContains(t, err.Error(), "attempts")
				}
				assert.True(t, errors.Is(err, ErrServer) || errors.Is(err, ErrThrottled))
			})
		}
	}
}

func TestRetryDefaultMaxAttemptsIsThree(t *testing.T) {
	t.Parallel()
	op := retryOps[0]
	s := &scriptedServer{t: t, op: op, answer: func(_ int, w http.ResponseWriter, _ *http.Request) bool {
		writeAPIError(w, 500, "")
		return true
	}}
	// Zero MaxAttempts means the default; the delays stay small.
	c, mux := setup(t, WithRetryPolicy(fastRetries), WithRetryPolicy(RetryPolicy{BaseDelay: time.Millisecond, MaxDelay: 2 * time.Millisecond}))
	mux.handleAny(s.ServeHTTP)
	require.Error(t, op.call(context.Background(), c))
	assert.EqualValues(t, 3, s.count.Load(), "RetryPolicy.MaxAttempts documents 3")
}

func TestRetryDroppedConnection(t *testing.T) {
	t.Parallel()
	for _, op := range retryOps {
		t.Run(op.name, func(t *testing.T) {
			t.Parallel()
			s := &scriptedServer{t: t, op: op, answer: func(n int, w http.ResponseWriter, _ *http.Request) bool {
				if n == 1 {
					hijackClose(t, w)
					return true
				}
				return false
			}}
			c, mux := setup(t, WithRetryPolicy(fastRetries))
			mux.handleAny(s.ServeHTTP)
			err := op.call(context.Background(), c)
			if !op.write {
				require.NoError(t, err, "a read is retried after a dropped connection")
				assert.EqualValues(t, 2, s.count.Load())
				return
			}
			require.Error(t, err, "a batch-delete that may have landed is not repeated")
			assert.EqualValues(t, 1, s.count.Load())
			var apiErr *APIError
			assert.False(t, errors.As(err, &apiErr))
			assert.Contains(t, err.Error(), "POST "+testPrefix+"/desktop-pools/pool-1/volumes/batch-delete")
		})
	}
}

// A batch-delete dropped on a connection that was reused (kept alive from an
// earlier call) is not repeated either, not even by net/http underneath.
func TestRetryBatchDeleteDroppedOnReusedConnection(t *testing.T) {
	t.Parallel()
	var deletes atomic.Int32
	c, mux := setup(t, WithRetryPolicy(fastRetries))
	mux.handleAny(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/batch-delete") {
			deletes.Add(1)
			hijackClose(t, w)
			return
		}
		io.WriteString(w, retryOps[0].answer)
	})
	require.NoError(t, retryOps[0].call(context.Background(), c))
	_, err := c.DesktopPools.BatchDeleteVolumes(context.Background(), "pool-1", deleteRequest)
	require.Error(t, err)
	assert.EqualValues(t, 1, deletes.Load())
}

// countingTransport counts round trips; the first refuse of them are
// sent to a closed port instead of the request's host.
type countingTransport struct {
	base   http.RoundTripper
	dead   string
	refuse int32
	trips  atomic.Int32
}

func (rt *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	n := rt.trips.Add(1)
	if n <= rt.refuse {
		r = r.Clone(r.Context())
		r.URL.Host = rt.dead
	}
	return rt.base.RoundTrip(r)
}

func TestRetryBatchDeleteWhenDialRefused(t *testing.T) {
	t.Parallel()
	t.Run("then answered", func(t *testing.T) {
		t.Parallel()
		s := &scriptedServer{t: t, op: retryOps[2]}
		tr := &http.Transport{}
		t.Cleanup(tr.CloseIdleConnections)
		rt := &countingTransport{base: tr, dead: deadAddr(t), refuse: 2}
		c, mux := setup(t, WithRetryPolicy(fastRetries), WithHTTPClient(&http.Client{Transport: rt}))
		mux.handleAny(s.ServeHTTP)
		require.NoError(t, retryOps[2].call(context.Background(), c))
		assert.EqualValues(t, 3, rt.trips.Load(), "two refused dials, then the call")
		assert.EqualValues(t, 1, s.count.Load(), "the handler saw the request once")
	})
	t.Run("always refused", func(t *testing.T) {
		t.Parallel()
		tr := &http.Transport{}
		t.Cleanup(tr.CloseIdleConnections)
		rt := &countingTransport{base: tr}
		c, err := NewClient(WithEndpoint("http://"+deadAddr(t)), WithProjectID(testProjectID), WithToken(testToken),
			WithRetryPolicy(fastRetries), WithHTTPClient(&http.Client{Transport: rt}))
		require.NoError(t, err)
		err = retryOps[2].call(context.Background(), c)
		require.Error(t, err)
		assert.EqualValues(t, 3, rt.trips.Load())
		assert.Contains(t, err.Error(), "after 3 attempts")
		var opErr *net.OpError
		require.ErrorAs(t, err, &opErr)
		assert.Equal(t, "dial", opErr.Op)
	})
}

func TestRetryNeverSent(t *testing.T) {
	t.Parallel()
	dial := &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connection refused")}
	read := &net.OpError{Op: "read", Net: "tcp", Err: errors.New("connection reset by peer")}
	tests := []struct {
		name string
		err  error
		want bool // from a transport that reports nothing through httptrace
	}{
		{"dial refused", fmt.Errorf("workspace: x: %w", &url.Error{Op: "Post", URL: "u", Err: dial}), true},
		{"dns", fmt.Errorf("w: %w", &net.DNSError{Err: "no such host", Name: "h", IsNotFound: true}), true},
		{"tls verification", fmt.Errorf("w: %w", &tls.CertificateVerificationError{Err: errors.New("bad")}), true},
		// A record error can come after the handshake, with the request written.
		{"tls record header", fmt.Errorf("w: %w", tls.RecordHeaderError{Msg: "not tls"}), false},
		{"tls alert", fmt.Errorf("w: %w", tls.AlertError(20)), false},
		{"reset", fmt.Errorf("w: %w", read), false},
		{"eof", fmt.Errorf("w: %w", io.EOF), false},
		{"unexpected eof", io.ErrUnexpectedEOF, false},
		{"timeout", context.DeadlineExceeded, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tt.want, pipeline.NeverConnected(tt.err))
			// The guard decides "sent"; the retry decision reads it.
			assert.True(t, shouldRetry(&attemptRecord{err: tt.err, sent: false}, true), "write, not sent")
			assert.False(t, shouldRetry(&attemptRecord{err: tt.err, sent: true}, true), "write, sent")
			assert.True(t, shouldRetry(&attemptRecord{err: tt.err, sent: true}, false), "a read retries any transport error")
		})
	}
}

func TestRetryBackoffFullJitter(t *testing.T) {
	t.Parallel()
	p := RetryPolicy{MaxAttempts: 10, BaseDelay: 10 * time.Millisecond, MaxDelay: 300 * time.Millisecond}.withDefaults()
	for n := 1; n <= 12; n++ {
		ceil := min(p.MaxDelay, p.BaseDelay<<(n-1))
		var lo, hi time.Duration = ceil, 0
		for range 4000 {
			d := p.backoff(n)
			require.GreaterOrEqual(t, d, time.Duration(0))
			require.LessOrEqual(t, d, ceil, "retry %d", n)
			lo, hi = min(lo, d), max(hi, d)
		}
		// Full jitter: the whole range is used, not just a band near the top.
		assert.Less(t, lo, ceil/10, "retry %d: smallest wait", n)
		assert.Greater(t, hi, ceil*9/10, "retry %d: largest wait", n)
	}
	// Far retries neither overflow nor exceed the cap.
	for _, n := range []int{31, 62, 63, 64, 100, 1 << 20} {
		for range 200 {
			d := p.backoff(n)
			require.GreaterOrEqual(t, d, time.Duration(0))
			require.LessOrEqual(t, d, p.MaxDelay)
		}
	}
	// A base above the cap is brought down to it.
	q := RetryPolicy{BaseDelay: time.Hour, MaxDelay: time.Millisecond}.withDefaults()
	assert.Equal(t, time.Millisecond, q.BaseDelay)
	assert.LessOrEqual(t, q.backoff(1), time.Millisecond)
	// Zero values are the defaults the field docs give.
	assert.Equal(t, RetryPolicy{MaxAttempts: 3, BaseDelay: 200 * time.Millisecond, MaxDelay: 10 * time.Second},
		RetryPolicy{}.withDefaults())
}

func TestRetryAfterParsing(t *testing.T) {
	t.Parallel()
	now := time.Date(2025, 3, 4, 5, 6, 7, 0, time.UTC)
	tests := []struct {
		value  string
		want   time.Duration
		wantOK bool
	}{
		{"", 0, false},
		{"0", 0, true},
		{"7", 7 * time.Second, true},
		{" 3 ", 3 * time.Second, true},
		{"-1", 0, false},
		{"1.5", 0, false},
		{"soon", 0, false},
		{"99999999999999", 365 * 24 * time.Hour, true},
		{now.Add(90 * time.Second).Format(http.TimeFormat), 90 * time.Second, true},
		{now.Add(-time.Hour).Format(http.TimeFormat), 0, true},
		{now.Add(2 * time.Second).Format(time.RFC850), 2 * time.Second, true},
	}
	for _, tt := range tests {
		h := http.Header{}
		if tt.value != "" {
			h.Set("Retry-After", tt.value)
		}
		d, ok := retryAfter(h, now)
		assert.Equal(t, tt.wantOK, ok, "%q", tt.value)
		assert.Equal(t, tt.want, d, "%q", tt.value)
	}
}

func TestRetryAfterHonouredAndCapped(t *testing.T) {
	t.Parallel()
	clock := time.Date(2025, 3, 4, 5, 6, 7, 0, time.UTC)
	tests := []struct {
		name       string
		value      string
		maxDelay   time.Duration
		atLeast    time.Duration
		lessThan   time.Duration
		fixedClock bool
	}{
		{"seconds", "1", 5 * time.Second, 950 * time.Millisecond, 3 * time.Second, false},
		{"seconds capped", "30", 100 * time.Millisecond, 90 * time.Millisecond, 900 * time.Millisecond, false},
		{"zero", "0", 5 * time.Second, 0, 500 * time.Millisecond, false},
		{"http date", clock.Add(time.Second).Format(http.TimeFormat), 5 * time.Second, 950 * time.Millisecond, 3 * time.Second, true},
		{"http date capped", clock.Add(time.Hour).Format(http.TimeFormat), 100 * time.Millisecond, 90 * time.Millisecond, 900 * time.Millisecond, true},
		{"http date past", clock.Add(-time.Hour).Format(http.TimeFormat), 5 * time.Second, 0, 500 * time.Millisecond, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := &scriptedServer{t: t, op: retryOps[0], answer: func(n int, w http.ResponseWriter, _ *http.Request) bool {
				if n == 1 {
					writeAPIError(w, 503, tt.value)
					return true
				}
				return false
			}}
			// A base delay far above what is expected shows that Retry-After,
			// not the back-off, set the wait.
			c, mux := setup(t, WithRetryPolicy(fastRetries), WithRetryPolicy(RetryPolicy{MaxAttempts: 2, BaseDelay: tt.maxDelay, MaxDelay: tt.maxDelay}))
			mux.handleAny(s.ServeHTTP)
			if tt.fixedClock {
				c.core.retry.now = func() time.Time { return clock }
			}
			// A cap that fails shows as a deadline, not as a test hanging.
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			start := time.Now()
			require.NoError(t, retryOps[0].call(ctx, c))
			elapsed := time.Since(start)
			assert.EqualValues(t, 2, s.count.Load())
			assert.GreaterOrEqual(t, elapsed, tt.atLeast)
			assert.Less(t, elapsed, tt.lessThan)
		})
	}
}

func TestRetryResignsWithFreshDate(t *testing.T) {
	t.Parallel()
	for _, op := range retryOps {
		t.Run(op.name, func(t *testing.T) {
			t.Parallel()
			var mu sync.Mutex
			var dates, sigs []string
			s := &scriptedServer{t: t, op: op}
			s.answer = func(n int, w http.ResponseWriter, r *http.Request) bool {
				verifySignature(t, recordRequest(r, []byte(op.body)), testAK, testSK)
				assert.Equal(t, testSecurityToken, r.Header.Get("X-Security-Token"))
				assert.Equal(t, testProjectID, r.Header.Get("X-Project-Id"))
				mu.Lock()
				dates = append(dates, r.Header.Get("X-Sdk-Date"))
				sigs = append(sigs, r.Header.Get("Authorization"))
				mu.Unlock()
				if n < 3 {
					writeAPIError(w, 429, "")
					return true
				}
				return false
			}
			c, mux := setup(t, WithAccessKey(testAK, testSK), WithSecurityToken(testSecurityToken), WithRetryPolicy(fastRetries))
			mux.handleAny(s.ServeHTTP)
			clock := &fakeClock{t: time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC), tick: time.Second}
			c.core.retry.now = clock.Now
			require.NoError(t, op.call(context.Background(), c))
			require.EqualValues(t, 3, s.count.Load())
			mu.Lock()
			defer mu.Unlock()
			require.Len(t, dates, 3)
			for i := 1; i < len(dates); i++ {
				assert.Greater(t, dates[i], dates[i-1], "each attempt carries a later X-Sdk-Date")
				assert.NotEqual(t, sigs[i], sigs[i-1], "each attempt is signed anew")
			}
			_, err := time.Parse(signer.DateFormat, dates[0])
			assert.NoError(t, err)
		})
	}
}

func TestRetryContextCancelledDuringBackoff(t *testing.T) {
	t.Parallel()
	arrived := make(chan struct{}, 10)
	s := &scriptedServer{t: t, op: retryOps[0], answer: func(_ int, w http.ResponseWriter, _ *http.Request) bool {
		writeAPIError(w, 503, "60")
		arrived <- struct{}{}
		return true
	}}
	c, mux := setup(t, WithRetryPolicy(fastRetries), WithRetryPolicy(RetryPolicy{MaxAttempts: 5, BaseDelay: time.Minute, MaxDelay: time.Minute}))
	mux.handleAny(s.ServeHTTP)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- retryOps[0].call(ctx, c) }()
	<-arrived
	time.Sleep(20 * time.Millisecond) // into the minute-long back-off
	cancelled := time.Now()
	cancel()
	select {
	case err := <-done:
		assert.Less(t, time.Since(cancelled), 500*time.Millisecond, "a cancelled wait returns at once")
		require.Error(t, err)
		assert.ErrorIs(t, err, context.Canceled)
		assert.Contains(t, err.Error(), "GET "+testPrefix+"/desktop-pools/pool-1/inconsistent-statics")
	case <-time.After(5 * time.Second):
		t.Fatal("the call did not return after its context was cancelled")
	}
	assert.EqualValues(t, 1, s.count.Load())
}

func TestRetryContextDeadline(t *testing.T) {
	t.Parallel()
	for _, op := range retryOps {
		t.Run(op.name, func(t *testing.T) {
			t.Parallel()
			s := &scriptedServer{t: t, op: op, answer: func(_ int, w http.ResponseWriter, _ *http.Request) bool {
				writeAPIError(w, 429, "60")
				return true
			}}
			c, mux := setup(t, WithRetryPolicy(fastRetries), WithRetryPolicy(RetryPolicy{MaxAttempts: 5, BaseDelay: time.Minute, MaxDelay: time.Minute}))
			mux.handleAny(s.ServeHTTP)
			// The deadline must leave the first attempt time to land even on
			// a loaded machine; it is still far below the 60 s Retry-After,
			// so only an interrupted back-off can end the call in time.
			ctx, cancel := context.WithTimeout(context.Background(), time.Second)
			defer cancel()
			start := time.Now()
			err := op.call(ctx, c)
			require.Error(t, err)
			assert.ErrorIs(t, err, context.DeadlineExceeded)
			assert.Less(t, time.Since(start), 10*time.Second)
			assert.EqualValues(t, 1, s.count.Load())
		})
	}
}

func TestRetryContextAlreadyDone(t *testing.T) {
	t.Parallel()
	s := &scriptedServer{t: t, op: retryOps[0]}
	c, mux := setup(t, WithRetryPolicy(fastRetries))
	mux.handleAny(s.ServeHTTP)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := retryOps[0].call(ctx, c)
	require.Error(t, err)
	assert.ErrorIs(t, err, context.Canceled)
	assert.EqualValues(t, 0, s.count.Load(), "nothing is sent for a done context")
}

// A slow answer is cut off by the deadline, not retried.
func TestRetryContextDeadlineDuringAttempt(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	s := &scriptedServer{t: t, op: retryOps[0], answer: func(_ int, w http.ResponseWriter, r *http.Request) bool {
		select {
		case <-release:
		case <-r.Context().Done():
		}
		return false
	}}
	c, mux := setup(t, WithRetryPolicy(fastRetries))
	mux.handleAny(s.ServeHTTP)
	defer close(release)
	// Long enough for the request to land on a loaded machine.
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	err := retryOps[0].call(ctx, c)
	require.Error(t, err)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.EqualValues(t, 1, s.count.Load())
}

// refreshingSource hands out tok-1, tok-2, ... and moves on when told
// that the current token is invalid.
type refreshingSource struct {
	mu          sync.Mutex
	gen         int
	invalidated []string
}

func (s *refreshingSource) Token(context.Context) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return fmt.Sprintf("rel-tok-%d", s.gen+1), nil
}

func (s *refreshingSource) Invalidate(token string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.invalidated = append(s.invalidated, token)
	if token == fmt.Sprintf("rel-tok-%d", s.gen+1) {
		s.gen++
	}
}

// plainSource cannot refresh.
type plainSource struct{}

func (plainSource) Token(context.Context) (string, error) { return "rel-tok-1", nil }

func TestRetryUnauthorizedRefreshesOnce(t *testing.T) {
	t.Parallel()
	for _, op := range retryOps {
		t.Run(op.name+"/fresh token accepted", func(t *testing.T) {
			t.Parallel()
			var got []string
			var mu sync.Mutex
			s := &scriptedServer{t: t, op: op, answer: func(_ int, w http.ResponseWriter, r *http.Request) bool {
				tok := r.Header.Get("X-Auth-Token")
				mu.Lock()
				got = append(got, tok)
				mu.Unlock()
				if tok != "rel-tok-2" {
					writeAPIError(w, 401, "")
					return true
				}
				return false
			}}
			src := &refreshingSource{}
			p := fastRetries
			p.MaxAttempts = 1 // the fresh-token try is not taken from the budget
			c, mux := setup(t, WithTokenSource(src), WithRetryPolicy(p))
			mux.handleAny(s.ServeHTTP)
			require.NoError(t, op.call(context.Background(), c))
			assert.EqualValues(t, 2, s.count.Load())
			assert.Equal(t, []string{"rel-tok-1", "rel-tok-2"}, got)
			assert.Equal(t, []string{"rel-tok-1"}, src.invalidated)
		})
		t.Run(op.name+"/second 401 gives up", func(t *testing.T) {
			t.Parallel()
			s := &scriptedServer{t: t, op: op, answer: func(_ int, w http.ResponseWriter, _ *http.Request) bool {
				writeAPIError(w, 401, "")
				return true
			}}
			src := &refreshingSource{}
			c, mux := setup(t, WithTokenSource(src), WithRetryPolicy(fastRetries))
			mux.handleAny(s.ServeHTTP)
			err := op.call(context.Background(), c)
			require.Error(t, err)
			assert.ErrorIs(t, err, ErrUnauthorized)
			assert.EqualValues(t, 2, s.count.Load())
			assert.Equal(t, []string{"rel-tok-1"}, src.invalidated, "exactly one Invalidate, with the refused token")
		})
	}
	for name, opt := range map[string]Option{
		"WithToken":                   WithToken(testToken),
		"TokenSource without refresh": WithTokenSource(plainSource{}),
		"AK/SK":                       WithAccessKey(testAK, testSK),
	} {
		t.Run(name+"/no retry", func(t *testing.T) {
			t.Parallel()
			s := &scriptedServer{t: t, op: retryOps[0], answer: func(_ int, w http.ResponseWriter, _ *http.Request) bool {
				writeAPIError(w, 401, "")
				return true
			}}
			c, mux := setup(t, opt, WithRetryPolicy(fastRetries))
			mux.handleAny(s.ServeHTTP)
			err := retryOps[0].call(context.Background(), c)
			require.ErrorIs(t, err, ErrUnauthorized)
			assert.EqualValues(t, 1, s.count.Load())
		})
	}
}

// After a fresh-token retry, a transient failure still gets the normal
// back-off retries.
func TestRetryRefreshThenTransient(t *testing.T) {
	t.Parallel()
	s := &scriptedServer{t: t, op: retryOps[0], answer: func(n int, w http.ResponseWriter, _ *http.Request) bool {
		switch n {
		case 1:
			writeAPIError(w, 401, "")
		case 2:
			writeAPIError(w, 503, "")
		default:
			return false
		}
		return true
	}}
	src := &refreshingSource{}
	c, mux := setup(t, WithTokenSource(src), WithRetryPolicy(fastRetries))
	mux.handleAny(s.ServeHTTP)
	require.NoError(t, retryOps[0].call(context.Background(), c))
	assert.EqualValues(t, 3, s.count.Load())
	assert.Equal(t, []string{"rel-tok-1"}, src.invalidated)
}

// A 401 on batch-delete (refused before processing) is tried again once
// with a fresh token, never more, whatever follows.
func TestBatchDelete401RefreshedOnce(t *testing.T) {
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
			srv := bareServer(t, func(w http.ResponseWriter, r *http.Request) {
				n := int(arrivals.Add(1))
				writeAPIError(w, tc.statuses[min(n, len(tc.statuses))-1], "")
			})
			src := &refreshingSource{}
			c, err := NewClient(WithEndpoint(srv.URL), WithProjectID(testProjectID), WithTokenSource(src),
				WithRetryPolicy(RetryPolicy{MaxAttempts: 10, BaseDelay: 1, MaxDelay: 1}))
			require.NoError(t, err)
			req := &BatchDeleteVolumesRequest{Volumes: []VolumeInfo{{ID: "v", Type: "SSD", Size: 20}}}
			_, err = c.DesktopPools.BatchDeleteVolumes(context.Background(), "pool-1", req)
			require.Error(t, err)
			assert.ErrorIs(t, err, ErrUnauthorized)
			assert.Equal(t, tc.arrivals, arrivals.Load())
			assert.Len(t, src.invalidated, 1, "one fresh token")
		})
	}
}

// brokenSource fails to hand out a token: nothing is sent or retried.
type brokenSource struct{ calls atomic.Int32 }

func (s *brokenSource) Token(context.Context) (string, error) {
	s.calls.Add(1)
	return "", errors.New("identity service unavailable")
}

func TestRetryNoRetryWithoutCredentials(t *testing.T) {
	t.Parallel()
	s := &scriptedServer{t: t, op: retryOps[0]}
	src := &brokenSource{}
	c, mux := setup(t, WithTokenSource(src), WithRetryPolicy(fastRetries))
	mux.handleAny(s.ServeHTTP)
	err := retryOps[0].call(context.Background(), c)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "identity service unavailable")
	assert.EqualValues(t, 0, s.count.Load())
	assert.EqualValues(t, 1, src.calls.Load())
}

// A 2xx body that does not decode is a *DecodeError and is not retried.
func TestRetryDecodeErrorNotRetried(t *testing.T) {
	t.Parallel()
	s := &scriptedServer{t: t, op: retryOps[0], answer: func(_ int, w http.ResponseWriter, _ *http.Request) bool {
		w.Header().Set("Content-Type", "text/html")
		io.WriteString(w, "<html><body>gateway says hello</body></html>")
		return true
	}}
	c, mux := setup(t, WithRetryPolicy(fastRetries))
	mux.handleAny(s.ServeHTTP)
	err := retryOps[0].call(context.Background(), c)
	var de *DecodeError
	require.ErrorAs(t, err, &de)
	assert.Equal(t, 200, de.StatusCode)
	assert.EqualValues(t, 1, s.count.Load())
}

// decideAuth is an authenticator whose invalidate answers refresh and
// records the tokens it is given.
type decideAuth struct {
	refresh     bool
	invalidated []string
}

func (a *decideAuth) authenticate(context.Context, authRequest) (string, error) { return "", nil }
func (a *decideAuth) kind() string                                              { return "test" }
func (a *decideAuth) invalidate(token string) bool {
	a.invalidated = append(a.invalidated, token)
	return a.refresh
}

func TestRetryDecide(t *testing.T) {
	t.Parallel()
	p := RetryPolicy{MaxAttempts: 3, BaseDelay: time.Millisecond, MaxDelay: 5 * time.Second}.withDefaults()
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	retryAfterIn := func(v string) http.Header { return http.Header{"Retry-After": {v}} }
	tests := []struct {
		name          string
		st            retryState
		res           attemptRecord
		write         bool
		refresh       bool
		wantRetry     bool
		wantRetryable bool
		wantDelay     time.Duration // -1: any back-off up to BaseDelay * 2^(paid-1)
		wantRefreshed bool
		wantInvalid   []string
	}{
		{name: "first 401, token replaceable: free retry at once", st: retryState{attempts: 1},
			res: attemptRecord{status: 401, token: "t1"}, refresh: true,
			wantRetry: true, wantRefreshed: true, wantInvalid: []string{"t1"}},
		{name: "first 401, nothing to refresh: final", st: retryState{attempts: 1},
			res: attemptRecord{status: 401, token: "t1"}, wantInvalid: []string{"t1"}},
		{name: "second 401: final, not asked again", st: retryState{attempts: 2, refreshed: true},
			res: attemptRecord{status: 401, token: "t2"}, refresh: true, wantRefreshed: true},
		{name: "503 within budget: back-off", st: retryState{attempts: 1},
			res: attemptRecord{status: 503}, wantRetry: true, wantRetryable: true, wantDelay: -1},
		{name: "503 at the budget: final, retryable", st: retryState{attempts: 3},
			res: attemptRecord{status: 503}, wantRetryable: true},
		{name: "free retry not counted", st: retryState{attempts: 3, refreshed: true},
			res: attemptRecord{status: 503}, wantRetry: true, wantRetryable: true, wantDelay: -1, wantRefreshed: true},
		{name: "503 on a write: final", st: retryState{attempts: 1},
			res: attemptRecord{status: 503}, write: true},
		{name: "Retry-After under the cap", st: retryState{attempts: 1},
			res: attemptRecord{status: 429, header: retryAfterIn("2")}, wantRetry: true, wantRetryable: true, wantDelay: 2 * time.Second},
		{name: "Retry-After capped by MaxDelay", st: retryState{attempts: 1},
			res: attemptRecord{status: 429, header: retryAfterIn("3600")}, wantRetry: true, wantRetryable: true, wantDelay: 5 * time.Second},
		{name: "decode error: final", st: retryState{attempts: 1},
			res: attemptRecord{status: 200, decodeErr: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			auth := &decideAuth{refresh: tt.refresh}
			st := tt.st
			d := p.decide(&st, &tt.res, tt.write, auth, func() time.Time { return now })
			assert.Equal(t, tt.wantRetry, d.retry, "retry")
			assert.Equal(t, tt.wantRetryable, d.retryable, "retryable")
			if tt.wantDelay < 0 {
				assert.LessOrEqual(t, d.delay, p.BaseDelay<<(st.paid()-1), "delay")
			} else {
				assert.Equal(t, tt.wantDelay, d.delay, "delay")
			}
			assert.Equal(t, tt.wantRefreshed, st.refreshed, "refreshed")
			assert.Equal(t, tt.wantInvalid, auth.invalidated, "invalidated")
		})
	}
}

// TestReadRetriedAfterBodyCutOff checks that a 2xx body cut off by the
// connection is a transport failure: a read is tried again and succeeds;
// with no retry left the error is not a *DecodeError.
func TestReadRetriedAfterBodyCutOff(t *testing.T) {
	t.Parallel()
	var calls atomic.Int32
	c, mux := setup(t, WithRetryPolicy(fastRetries))
	mux.handle("/desktop-pools/pool-1/inconsistent-statics", func(w http.ResponseWriter, _ *http.Request) {
		if calls.Add(1) == 1 {
			cutBody(t, w)
			return
		}
		writeJSON(w, 200, `{"product_id":1,"image_id":2,"disk_num":3,"disk_size":4}`)
	})
	stats, err := c.DesktopPools.GetInconsistentStatistics(context.Background(), "pool-1")
	require.NoError(t, err)
	assert.Equal(t, 2, stats.ImageID)
	assert.Equal(t, int32(2), calls.Load())

	c1, mux1 := setup(t)
	mux1.handle("/desktop-pools/pool-1/inconsistent-statics", func(w http.ResponseWriter, _ *http.Request) { cutBody(t, w) })
	_, err = c1.DesktopPools.GetInconsistentStatistics(context.Background(), "pool-1")
	require.Error(t, err)
	var de *DecodeError
	assert.False(t, errors.As(err, &de), "a cut-off body is not a decode error: %v", err)
	assert.Contains(t, err.Error(), "cut off")
}

// The transport's own re-sends. Below the SDK, net/http sends a request
// again by itself on a reused connection that fails and on some HTTP/2
// stream errors. A write must never go twice; a read's re-sends count
// against MaxAttempts, the rate limit and the retry budget.

// h1Fault is what an HTTP/1.1 server does after it carried out a
// batch-delete.
type h1Fault string

const (
	h1Close   h1Fault = "close"   // drop the connection
	h1Garbage h1Fault = "garbage" // plain text under TLS: a TLS record error after the handshake
)

// newH1DeleteServer carries out batch-deletes (counting arrivals by
// volume) and then misbehaves as fault says.
func newH1DeleteServer(t testing.TB, tlsOn bool, fault h1Fault, arrivals *arrivalCounter) *httptest.Server {
	h := func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if r.URL.Path != deletePath {
			w.WriteHeader(404)
			return
		}
		arrivals.add(deleteVolume(t, body))
		conn, _, err := w.(http.Hijacker).Hijack()
		if err != nil {
			t.Errorf("hijack: %v", err)
			return
		}
		defer conn.Close()
		if fault == h1Garbage {
			if tc, ok := conn.(*tls.Conn); ok {
				_, _ = tc.NetConn().Write([]byte(testserver.TLSGarbage))
			}
		}
	}
	ts := httptest.NewUnstartedServer(http.HandlerFunc(h))
	ts.Config.ErrorLog = quietServerLog()
	if tlsOn {
		ts.StartTLS()
	} else {
		ts.Start()
	}
	t.Cleanup(ts.Close)
	return ts
}

// No layer below the SDK sends a batch-delete twice, whatever the
// connection or the stream does after the request was written (HTTP/2
// resets, GOAWAY, EOF, a TLS record error; HTTP/1.1 with and without
// TLS), through the user's transport and the SDK's own.
func TestBatchDeleteNeverSentTwiceByTransport(t *testing.T) {
	t.Parallel()
	h2Faults := map[string]testserver.H2Reply{
		"RST_STREAM PROTOCOL_ERROR": {Verdict: testserver.H2Reset, Code: http2.ErrCodeProtocol},
		"RST_STREAM REFUSED_STREAM": {Verdict: testserver.H2Reset, Code: http2.ErrCodeRefusedStream},
		"RST_STREAM INTERNAL_ERROR": {Verdict: testserver.H2Reset, Code: http2.ErrCodeInternal},
		"RST_STREAM CANCEL":         {Verdict: testserver.H2Reset, Code: http2.ErrCodeCancel},
		"GOAWAY":                    {Verdict: testserver.H2GoAway},
		"EOF":                       {Verdict: testserver.H2Close},
		"TLS garbage":               {Verdict: testserver.H2Garbage},
	}
	type tc struct {
		name  string
		start func(t *testing.T, arrivals *arrivalCounter) (baseURL string, ts tlsServer, userTransport bool) // userTransport: use the server's client
	}
	var cases []tc
	for name, reply := range h2Faults {
		cases = append(cases,
			tc{"h2 user transport " + name, func(t *testing.T, a *arrivalCounter) (string, tlsServer, bool) {
				ts := newH2DeleteServer(t, reply, a)
				return ts.URL, ts, true
			}},
			tc{"h2 default transport " + name, func(t *testing.T, a *arrivalCounter) (string, tlsServer, bool) {
				ts := newH2DeleteServer(t, reply, a)
				return ts.URL, ts, false
			}})
	}
	for _, fault := range []h1Fault{h1Close, h1Garbage} {
		cases = append(cases,
			tc{"h1 TLS user transport " + string(fault), func(t *testing.T, a *arrivalCounter) (string, tlsServer, bool) {
				ts := newH1DeleteServer(t, true, fault, a)
				return ts.URL, ts, true
			}},
			tc{"h1 TLS default transport " + string(fault), func(t *testing.T, a *arrivalCounter) (string, tlsServer, bool) {
				ts := newH1DeleteServer(t, true, fault, a)
				return ts.URL, ts, false
			}})
	}
	cases = append(cases, tc{"h1 plain default transport close", func(t *testing.T, a *arrivalCounter) (string, tlsServer, bool) {
		ts := newH1DeleteServer(t, false, h1Close, a)
		return ts.URL, ts, false
	}})

	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			arrivals := &arrivalCounter{}
			baseURL, ts, userTransport := c.start(t, arrivals)
			var opts []Option
			if userTransport {
				opts = append(opts, WithHTTPClient(ts.Client()))
			}
			cl := clientFor(t, baseURL, opts...)
			if userTransport {
				t.Cleanup(ts.Client().CloseIdleConnections)
			} else if strings.HasPrefix(baseURL, "https:") {
				trustInDefaultTransport(t, cl, ts)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			start := time.Now()
			for _, vol := range []string{"vol-a", "vol-b"} {
				req := &BatchDeleteVolumesRequest{Volumes: []VolumeInfo{{ID: vol, Type: "SSD", Size: 20}}}
				_, err := cl.DesktopPools.BatchDeleteVolumes(ctx, "pool-1", req)
				require.Error(t, err)
				t.Logf("%s: %v", vol, err)
				assert.Equal(t, 1, arrivals.get(vol), "arrivals of the batch-delete of %s (error %v)", vol, err)
				assert.NotContains(t, err.Error(), testToken)
			}
			assert.Less(t, time.Since(start), 3*time.Second)
		})
	}
}

// A read whose stream the server resets with PROTOCOL_ERROR every time
// arrives MaxAttempts times at the most, and every arrival waits for the
// rate limiter.
func TestReadResentByTransportBoundedByAttemptsAndRateLimit(t *testing.T) {
	t.Parallel()
	const statsPath = "/v2/" + testProjectID + "/desktop-pools/pool-1/inconsistent-statics"
	newServer := func(t *testing.T, arrivals *atomic.Int32) *testserver.H2Server {
		return testserver.NewH2(t, func(r *testserver.H2Request) testserver.H2Reply {
			if r.Path != statsPath {
				return testserver.H2Reply{Status: 404}
			}
			arrivals.Add(1)
			return testserver.H2Reply{Verdict: testserver.H2Reset, Code: http2.ErrCodeProtocol}
		})
	}
	for _, userTransport := range []bool{true, false} {
		name := map[bool]string{true: "user transport", false: "default transport"}[userTransport]
		t.Run(name+" MaxAttempts", func(t *testing.T) {
			t.Parallel()
			var arrivals atomic.Int32
			ts := newServer(t, &arrivals)
			for _, maxAttempts := range []int{1, 3} {
				arrivals.Store(0)
				opts := []Option{WithRetryPolicy(RetryPolicy{MaxAttempts: maxAttempts, BaseDelay: time.Millisecond, MaxDelay: 2 * time.Millisecond})}
				if userTransport {
					opts = append(opts, WithHTTPClient(ts.Client()))
				}
				c := clientFor(t, ts.URL, opts...)
				if !userTransport {
					trustInDefaultTransport(t, c, ts)
				}
				ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
				_, err := c.DesktopPools.GetInconsistentStatistics(ctx, "pool-1")
				cancel()
				require.Error(t, err)
				assert.NotErrorIs(t, err, context.DeadlineExceeded)
				assert.Equal(t, int32(maxAttempts), arrivals.Load(), "arrivals with MaxAttempts %d (error %v)", maxAttempts, err)
			}
		})
		t.Run(name+" rate limit", func(t *testing.T) {
			t.Parallel()
			var arrivals atomic.Int32
			ts := newServer(t, &arrivals)
			opts := []Option{
				WithRetryPolicy(RetryPolicy{MaxAttempts: 1000, BaseDelay: time.Microsecond, MaxDelay: time.Microsecond}),
				WithRateLimit(10, 1),
			}
			if userTransport {
				opts = append(opts, WithHTTPClient(ts.Client()))
			}
			c := clientFor(t, ts.URL, opts...)
			if !userTransport {
				trustInDefaultTransport(t, c, ts)
			}
			ctx, cancel := context.WithTimeout(context.Background(), time.Second)
			defer cancel()
			_, err := c.DesktopPools.GetInconsistentStatistics(ctx, "pool-1")
			require.Error(t, err)
			// A second at 10 per second with a burst of 1: 11 at the most.
			assert.LessOrEqual(t, arrivals.Load(), int32(12))
			assert.GreaterOrEqual(t, arrivals.Load(), int32(2))
		})
	}
}

// Whether a write may have reached the server is decided by what
// the transport reported, not by the error's type. A TLS record error
// after the handshake (the request written) is final; a refused dial and a
// failed handshake (nothing written) are retried.
func TestWriteRetriedOnlyWhenNothingWasWritten(t *testing.T) {
	t.Parallel()
	deleteReq := func(vol string) *BatchDeleteVolumesRequest {
		return &BatchDeleteVolumesRequest{Volumes: []VolumeInfo{{ID: vol, Type: "SSD", Size: 20}}}
	}
	t.Run("TLS record error after the request was written", func(t *testing.T) {
		t.Parallel()
		arrivals := &arrivalCounter{}
		ts := newH1DeleteServer(t, true, h1Garbage, arrivals)
		c := clientFor(t, ts.URL, WithHTTPClient(ts.Client()))
		t.Cleanup(ts.Client().CloseIdleConnections)
		_, err := c.DesktopPools.BatchDeleteVolumes(context.Background(), "pool-1", deleteReq("vol-g"))
		var recErr tls.RecordHeaderError
		require.ErrorAs(t, err, &recErr)
		assert.NotContains(t, err.Error(), "attempts")
		assert.Equal(t, 1, arrivals.get("vol-g"))
	})
	t.Run("dial refused", func(t *testing.T) {
		t.Parallel()
		c := clientFor(t, "http://"+deadAddr(t))
		_, err := c.DesktopPools.BatchDeleteVolumes(context.Background(), "pool-1", deleteReq("vol-d"))
		require.Error(t, err)
		assert.Contains(t, err.Error(), "after 3 attempts")
	})
	t.Run("TLS handshake refused", func(t *testing.T) {
		t.Parallel()
		arrivals := &arrivalCounter{}
		ts := newH1DeleteServer(t, true, h1Close, arrivals)
		c := clientFor(t, ts.URL) // the default transport does not trust the test certificate
		t.Cleanup(func() { closeIdle(c) })
		_, err := c.DesktopPools.BatchDeleteVolumes(context.Background(), "pool-1", deleteReq("vol-h"))
		require.Error(t, err)
		assert.Contains(t, err.Error(), "after 3 attempts")
		assert.Equal(t, 0, arrivals.get("vol-h"))
	})
}

// Over HTTP/1.1, the transport sends a read again by itself when a reused
// connection is closed before any answer. That replay still goes through
// the guard (the request has a body, however empty), so it counts as an
// attempt: with MaxAttempts 1 the read arrives once, with 2 twice.
func TestReadResentByHTTP1TransportCounted(t *testing.T) {
	t.Parallel()
	for _, maxAttempts := range []int{1, 2} {
		srv := testserver.NewH1(t, func(r *testserver.H1Request) testserver.H1Reply {
			if strings.Contains(r.Head, "/pool-drop/") {
				return testserver.H1Reply{Close: true} // read, then drop the connection without an answer
			}
			return testserver.H1Reply{Raw: rawH1OK}
		})
		c := clientFor(t, srv.URL, WithRetryPolicy(RetryPolicy{MaxAttempts: maxAttempts, BaseDelay: time.Millisecond, MaxDelay: time.Millisecond}))
		ctx := context.Background()
		// Two calls at once leave two idle connections, so that the
		// transport has a reused one for its replay as well.
		var wg sync.WaitGroup
		for i := 0; i < 2; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := c.DesktopPools.GetInconsistentStatistics(ctx, "pool-1")
				assert.NoError(t, err)
			}()
		}
		wg.Wait()
		_, err := c.DesktopPools.GetInconsistentStatistics(ctx, "pool-drop")
		require.Error(t, err)
		closeIdle(c)

		heads := srv.Heads()
		drops := 0
		for _, h := range heads {
			if strings.Contains(h, "/pool-drop/") {
				drops++
			}
		}
		assert.Equal(t, maxAttempts, drops, "arrivals of the dropped read with MaxAttempts %d (error %v)", maxAttempts, err)
	}
}

// A read that a redirect policy follows (302, 301, 303: the new request
// has no body) is still the guard's: when the target drops the request on
// a reused connection, the transport's replays of the redirected request
// count against MaxAttempts like any other. Without a body of the guard's,
// net/http replays a bodyless GET freely, once per idle connection it can
// reuse.
func TestRedirectedReadResentByTransportCounted(t *testing.T) {
	t.Parallel()
	target := "/v2/" + testProjectID + "/desktop-pools/pool-drop/inconsistent-statics"
	for _, status := range []string{"301 Moved Permanently", "302 Found", "303 See Other"} {
		srv := testserver.NewH1(t, func(r *testserver.H1Request) testserver.H1Reply {
			switch {
			case strings.Contains(r.Head, "/pool-drop/"):
				return testserver.H1Reply{Close: true} // read, then drop the connection without an answer
			case strings.Contains(r.Head, "/pool-redirect/"):
				return testserver.H1Reply{Raw: "HTTP/1.1 " + status + "\r\nLocation: " + target + "\r\nContent-Length: 0\r\n\r\n"}
			}
			return testserver.H1Reply{Raw: rawH1OK}
		})
		tr := &http.Transport{}
		t.Cleanup(tr.CloseIdleConnections)
		hc := &http.Client{Transport: tr, CheckRedirect: func(*http.Request, []*http.Request) error { return nil }}
		c := clientFor(t, srv.URL, WithHTTPClient(hc),
			WithRetryPolicy(RetryPolicy{MaxAttempts: 1, BaseDelay: time.Millisecond, MaxDelay: time.Millisecond}))
		ctx := context.Background()
		// Three calls at once leave three idle connections for the
		// transport to reuse.
		var wg sync.WaitGroup
		for i := 0; i < 3; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := c.DesktopPools.GetInconsistentStatistics(ctx, "pool-1")
				assert.NoError(t, err)
			}()
		}
		wg.Wait()
		_, err := c.DesktopPools.GetInconsistentStatistics(ctx, "pool-redirect")
		require.Error(t, err)

		heads := srv.Heads()
		drops := 0
		for _, h := range heads {
			if strings.Contains(h, "/pool-drop/") {
				drops++
			}
		}
		assert.Equal(t, 1, drops, "%s: arrivals of the redirected read with MaxAttempts 1 (error %v)", status, err)
	}
}

// Any RetryPolicy is safe: no panic (rand.N of an overflowed bound), no
// negative wait, whatever the field values.
func TestRetryPolicyExtremesSafe(t *testing.T) {
	t.Parallel()
	policies := []RetryPolicy{
		{MaxAttempts: 1000, BaseDelay: time.Millisecond, MaxDelay: math.MaxInt64},
		{MaxAttempts: 1000, BaseDelay: math.MaxInt64, MaxDelay: math.MaxInt64},
		{MaxAttempts: math.MaxInt, BaseDelay: time.Hour, MaxDelay: math.MaxInt64},
		{MaxAttempts: 1000, BaseDelay: math.MaxInt64 / 3, MaxDelay: math.MaxInt64 / 2},
		{MaxAttempts: 1000, BaseDelay: 1, MaxDelay: 1},
	}
	for _, p := range policies {
		p := p.withDefaults()
		for n := 1; n <= 1000; n++ {
			var d time.Duration
			require.NotPanics(t, func() { d = p.backoff(n) }, "policy %+v, retry %d", p, n)
			require.GreaterOrEqual(t, d, time.Duration(0), "policy %+v, retry %d", p, n)
			require.LessOrEqual(t, d, p.MaxDelay, "policy %+v, retry %d", p, n)
		}
	}
	// The exponential steps stay exponential up to the cap.
	p := RetryPolicy{BaseDelay: time.Second, MaxDelay: math.MaxInt64}.withDefaults()
	var most time.Duration
	for range 200 {
		most = max(most, p.backoff(31))
	}
	assert.Greater(t, most, time.Duration(1<<30)*time.Second/2, "retry 31 may wait up to 2^30 s")

	// End to end: a server that always answers 503 and a policy with every
	// field at its largest; the call ends with its context, no panic.
	var arrivals atomic.Int32
	srv := bareServer(t, func(w http.ResponseWriter, r *http.Request) {
		arrivals.Add(1)
		writeAPIError(w, 503, "")
	})
	for _, pol := range []RetryPolicy{
		{MaxAttempts: math.MaxInt, BaseDelay: math.MaxInt64, MaxDelay: math.MaxInt64},
		{MaxAttempts: 1000, BaseDelay: time.Nanosecond, MaxDelay: math.MaxInt64},
	} {
		c := clientFor(t, srv.URL, WithRetryPolicy(pol))
		ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
		start := time.Now()
		require.NotPanics(t, func() {
			_, err := c.DesktopPools.GetInconsistentStatistics(ctx, "pool-1")
			assert.Error(t, err)
		})
		cancel()
		assert.Less(t, time.Since(start), 3*time.Second, "the call ends with its context")
	}
	assert.Positive(t, arrivals.Load())
}

// A client-wide retry budget. Under a total outage, 64 goroutines see
// attempts per call fall to about 1 once it is spent; successes refill it,
// and retries come back.
func TestRetryBudgetSpentInOutageAndRefilled(t *testing.T) {
	t.Parallel()
	const workers = 64
	var mode atomic.Int32 // 0: outage (503), 1: healthy, 2: one answer in 5 is 503
	var arrivals, seq atomic.Int64
	srv := bareServer(t, func(w http.ResponseWriter, r *http.Request) {
		arrivals.Add(1)
		n := seq.Add(1)
		if m := mode.Load(); m == 0 || m == 2 && n%5 == 0 {
			writeAPIError(w, 503, "")
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"product_id":1}`))
	})
	c := clientFor(t, srv.URL, WithRetryPolicy(RetryPolicy{MaxAttempts: 3, BaseDelay: time.Microsecond, MaxDelay: 10 * time.Microsecond}))
	t.Cleanup(func() { closeIdle(c) })

	// phase runs callsEach calls on each of the workers and reports the
	// arrivals per call and the share of calls that succeeded.
	phase := func(callsEach int) (perCall, okShare float64) {
		before := arrivals.Load()
		var ok atomic.Int64
		var wg sync.WaitGroup
		for range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for range callsEach {
					if _, err := c.DesktopPools.GetInconsistentStatistics(context.Background(), "pool-1"); err == nil {
						ok.Add(1)
					}
				}
			}()
		}
		wg.Wait()
		calls := float64(workers * callsEach)
		return float64(arrivals.Load()-before) / calls, float64(ok.Load()) / calls
	}

	mode.Store(0)
	outage1, _ := phase(4)
	outage2, ok2 := phase(8)
	t.Logf("budget: total outage, MaxAttempts 3, first %d calls: %.2f attempts/call; next %d calls: %.2f attempts/call",
		workers*4, outage1, workers*8, outage2)
	assert.Less(t, outage1, 1.5, "the budget (100 retries) is spent within the first calls: (256+100)/256")
	assert.Less(t, outage2, 1.05, "once spent, a failing call is tried once")
	assert.Zero(t, ok2)

	mode.Store(1)
	healthy, okHealthy := phase(5)
	t.Logf("budget: recovery, %d calls: %.2f attempts/call, %.0f%% ok", workers*5, healthy, 100*okHealthy)
	require.Equal(t, 1.0, okHealthy)

	mode.Store(2)
	flaky, okFlaky := phase(8)
	t.Logf("budget: then one answer in 5 is 503, %d calls: %.2f attempts/call, %.1f%% ok", workers*8, flaky, 100*okFlaky)
	assert.Greater(t, flaky, 1.1, "retries are back")
	assert.Greater(t, okFlaky, 0.95)
}

// A read the transport sent again by itself (an HTTP/2 stream refused
// after its headers went out) and that then succeeded gives back what the
// replay took from the retry budget, as a call that succeeded after the
// SDK's own retries does. Before, every such call cost 10 tokens and
// refilled 1, so a server refusing one stream in two spent the budget of
// a client whose calls all succeeded, and calls began to fail.
func TestRetryBudgetRefilledAfterTransportResend(t *testing.T) {
	t.Parallel()
	const statsPath = "/v2/" + testProjectID + "/desktop-pools/pool-1/inconsistent-statics"
	var arrivals atomic.Int64
	ts := testserver.NewH2(t, func(r *testserver.H2Request) testserver.H2Reply {
		if r.Path != statsPath {
			return testserver.H2Reply{Status: 404}
		}
		if arrivals.Add(1)%2 == 1 {
			return testserver.H2Reply{Verdict: testserver.H2Reset, Code: http2.ErrCodeRefusedStream}
		}
		return testserver.H2Reply{Status: 200, Header: map[string][]string{"Content-Type": {"application/json"}}, Body: `{"product_id":1}`}
	})
	c := clientFor(t, ts.URL, WithHTTPClient(ts.Client()))
	t.Cleanup(ts.Client().CloseIdleConnections)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	const calls = 150 // 100 tokens' worth of replays would be gone by call 56
	failed := 0
	for range calls {
		if _, err := c.DesktopPools.GetInconsistentStatistics(ctx, "pool-1"); err != nil {
			failed++
		}
	}
	assert.Zero(t, failed, "calls failed out of %d, each of which the transport replayed once and then succeeded (arrivals %d)", calls, arrivals.Load())
}

// The rate limit: every attempt waits for it.

// okClient is a client with the fast retry policy and opts whose server
// answers every GetInconsistentStatistics and counts.
func okClient(t *testing.T, count *atomic.Int32, opts ...Option) *Client {
	s := &scriptedServer{t: t, op: retryOps[0]}
	c, mux := setup(t, append([]Option{WithRetryPolicy(fastRetries)}, opts...)...)
	mux.handleAny(func(w http.ResponseWriter, r *http.Request) {
		count.Add(1)
		s.ServeHTTP(w, r)
	})
	return c
}

func TestRateLimitSpacesCalls(t *testing.T) {
	t.Parallel()
	var count atomic.Int32
	c := okClient(t, &count, WithRateLimit(50, 1))
	start := time.Now()
	for range 6 {
		require.NoError(t, retryOps[0].call(context.Background(), c))
	}
	elapsed := time.Since(start)
	// The first call is free; five more at 50/s are 20 ms apart.
	assert.GreaterOrEqual(t, elapsed, 95*time.Millisecond)
	assert.Less(t, elapsed, 2*time.Second)
	assert.EqualValues(t, 6, count.Load())
}

func TestRateLimitSharedByGoroutines(t *testing.T) {
	t.Parallel()
	var count atomic.Int32
	c := okClient(t, &count, WithRateLimit(100, 2))
	start := time.Now()
	var wg sync.WaitGroup
	for range 10 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			assert.NoError(t, retryOps[0].call(context.Background(), c))
		}()
	}
	wg.Wait()
	// A burst of two, then eight more at 100/s.
	assert.GreaterOrEqual(t, time.Since(start), 75*time.Millisecond)
	assert.EqualValues(t, 10, count.Load())
}

func TestRateLimitAppliesToRetries(t *testing.T) {
	t.Parallel()
	s := &scriptedServer{t: t, op: retryOps[0], answer: func(n int, w http.ResponseWriter, _ *http.Request) bool {
		if n < 3 {
			writeAPIError(w, 503, "0")
			return true
		}
		return false
	}}
	c, mux := setup(t, WithRetryPolicy(fastRetries), WithRateLimit(20, 1))
	mux.handleAny(s.ServeHTTP)
	start := time.Now()
	require.NoError(t, retryOps[0].call(context.Background(), c))
	// Every attempt takes a token: two waits of 50 ms.
	assert.GreaterOrEqual(t, time.Since(start), 95*time.Millisecond)
	assert.EqualValues(t, 3, s.count.Load())
}

func TestRateLimitWaitHonoursContext(t *testing.T) {
	t.Parallel()
	t.Run("deadline", func(t *testing.T) {
		t.Parallel()
		var count atomic.Int32
		c := okClient(t, &count, WithRateLimit(0.1, 1)) // next token in 10 s
		require.NoError(t, retryOps[0].call(context.Background(), c))
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		defer cancel()
		start := time.Now()
		err := retryOps[0].call(ctx, c)
		require.Error(t, err)
		assert.ErrorIs(t, err, context.DeadlineExceeded)
		assert.Less(t, time.Since(start), 5*time.Second, "the ten-second wait is cut short")
		assert.EqualValues(t, 1, count.Load(), "nothing sent past the limit")
	})
	t.Run("cancel", func(t *testing.T) {
		t.Parallel()
		var count atomic.Int32
		c := okClient(t, &count, WithRateLimit(0.1, 1)) // next token in 10 s
		require.NoError(t, retryOps[0].call(context.Background(), c))
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(30*time.Millisecond, cancel)
		start := time.Now()
		_, err := c.DesktopPools.BatchDeleteVolumes(ctx, "pool-1", deleteRequest)
		require.Error(t, err)
		assert.ErrorIs(t, err, context.Canceled)
		assert.Less(t, time.Since(start), time.Second)
		assert.EqualValues(t, 1, count.Load())
	})
}

// A tiny rate never overflows into "no limit"; a rate whose wait cannot be
// represented is refused.
func TestTinyRateLimitNeverUnlimited(t *testing.T) {
	t.Parallel()
	for _, rps := range []float64{1e-12, 1e-300, math.SmallestNonzeroFloat64, 5e-10} {
		_, err := NewClient(WithEndpoint("http://127.0.0.1:1"), WithProjectID(testProjectID), WithToken(testToken), WithRateLimit(rps, 1))
		var ve *ValidationError
		require.ErrorAs(t, err, &ve, "rps %g", rps)
		assert.Equal(t, "rateLimit.rps", ve.Field)
		assert.Contains(t, err.Error(), "at least 1e-09", "the error names the smallest rate accepted")
	}
	for _, tc := range []struct {
		rps   float64
		burst int
	}{{1e-9, 1}, {1e-6, 1}, {0.001, math.MaxInt32}} {
		var arrivals atomic.Int32
		srv := bareServer(t, func(w http.ResponseWriter, r *http.Request) {
			arrivals.Add(1)
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(`{"product_id":1}`))
		})
		c := clientFor(t, srv.URL, WithRateLimit(tc.rps, tc.burst))
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

// advObserver adds an Idempotency-Key header to each attempt from the
// context, as a propagator does; a call without a key gets an empty one.
type idempotencyKeyObserver struct{ attemptRecorder }

type idempotencyKeyCtx struct{}

func (o *idempotencyKeyObserver) InjectHeaders(ctx context.Context, h http.Header) {
	key, _ := ctx.Value(idempotencyKeyCtx{}).(string)
	h.Set("Idempotency-Key", key)
}

// A HeaderInjector that sets an empty Idempotency-Key (a propagator with no
// key for this call): net/http takes the mere header for "idempotent" and
// would send a bodyless write again after a kept-alive HTTP/1.1
// connection closed under it; the guard, which let net/http's own safe
// re-sends through, does not let this one: the server sees the DELETE once.
func TestEmptyIdempotencyKeyWriteSentOnce(t *testing.T) {
	t.Parallel()
	var deletes atomic.Int32
	ts := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodDelete {
			w.Header().Set("Content-Type", "application/json")
			_, _ = io.WriteString(w, `{}`)
			return
		}
		_, _ = io.ReadAll(r.Body)
		deletes.Add(1)
		if conn, _, err := w.(http.Hijacker).Hijack(); err == nil {
			_ = conn.Close()
		}
	}))
	ts.Config.ErrorLog = quietServerLog()
	ts.Start()
	t.Cleanup(ts.Close)
	c := clientFor(t, ts.URL, WithObserver(&idempotencyKeyObserver{}), WithRetryPolicy(RetryPolicy{MaxAttempts: 1}))
	t.Cleanup(func() { closeIdle(c) })
	ctx := testContext(t)
	// Two kept-alive connections, so that a re-send finds a reused one.
	var wg sync.WaitGroup
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var out map[string]any
			_ = c.Do(ctx, http.MethodGet, "/warm", nil, nil, &out)
		}()
	}
	wg.Wait()
	err := c.Do(ctx, http.MethodDelete, "/desktops/d-1", nil, nil, nil)
	require.Error(t, err)
	assert.ErrorIs(t, err, ErrUnknownOutcome)
	assert.EqualValues(t, 1, deletes.Load(), "the server carried out the DELETE this many times (error %v)", err)
}

// barrierBody is a request body whose first Read waits until n bodies
// have been asked for, and until then no more than that.
type sendBarrier struct {
	n       int32
	arrived atomic.Int32
	all     chan struct{}
}

func newSendBarrier(n int32) *sendBarrier { return &sendBarrier{n: n, all: make(chan struct{})} }

func (b *sendBarrier) wait(ctx context.Context) {
	if b.arrived.Add(1) == b.n {
		close(b.all)
	}
	select {
	case <-b.all:
	case <-ctx.Done():
	case <-time.After(2 * time.Second):
	}
}

type barrierBody struct {
	b    *sendBarrier
	ctx  context.Context
	r    *bytes.Reader
	once sync.Once
}

func (r *barrierBody) Read(p []byte) (int, error) {
	r.once.Do(func() { r.b.wait(r.ctx) })
	return r.r.Read(p)
}

func (r *barrierBody) Close() error { return nil }

// hedgingTransport is a user's hedging RoundTripper: it sends each
// request twice at once, each on a connection of its own, and returns the
// first answer. The barrier makes the two sends reach their bodies
// together (both connections handed over before either is written), the
// interleaving that a hedge's two goroutines have any time they run in
// parallel.
type hedgingTransport struct{ next http.RoundTripper }

func (t hedgingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	var data []byte
	if req.Body != nil {
		data, _ = io.ReadAll(req.Body)
		req.Body.Close()
	}
	type result struct {
		resp *http.Response
		err  error
	}
	ch := make(chan result, 2)
	b := newSendBarrier(2)
	for range 2 {
		cp := req.Clone(req.Context())
		if data != nil {
			cp.Body = &barrierBody{b: b, ctx: req.Context(), r: bytes.NewReader(data)}
			cp.ContentLength = int64(len(data))
		}
		go func() {
			resp, err := t.next.RoundTrip(cp)
			ch <- result{resp, err}
		}()
	}
	first := <-ch
	go func() { // the loser is drained and dropped
		if r := <-ch; r.resp != nil {
			_, _ = io.Copy(io.Discard, r.resp.Body)
			r.resp.Body.Close()
		}
	}()
	return first.resp, first.err
}

// A hedging RoundTripper of the caller's sends a write twice at once, both
// sends getting their connections before either is written: the guard
// refuses the second, so the batch-delete is carried out at most once,
// and a call that cannot tell says ErrUnknownOutcome.
func TestHedgingTransportWriteSentAtMostOnce(t *testing.T) {
	t.Parallel()
	var deletes atomic.Int32
	srv := bareServer(t, func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.ReadAll(r.Body)
		deletes.Add(1)
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"job_id":"j-1"}`)
	})
	tr := &http.Transport{DisableKeepAlives: true}
	t.Cleanup(tr.CloseIdleConnections)
	c := clientFor(t, srv.URL, WithHTTPClient(&http.Client{Transport: hedgingTransport{tr}}))
	_, err := c.DesktopPools.BatchDeleteVolumes(testContext(t), "pool-1", &BatchDeleteVolumesRequest{Volumes: []VolumeInfo{{ID: "vol-a", Type: "SSD", Size: 20}}})
	time.Sleep(100 * time.Millisecond) // the loser's arrival, if any
	assert.LessOrEqual(t, deletes.Load(), int32(1), "the server carried out the batch-delete this many times")
	if deletes.Load() == 0 {
		// The hedge's second send was refused while its first was in
		// flight: the call fails, and cannot say the write did not take
		// effect.
		require.Error(t, err)
		assert.ErrorIs(t, err, ErrUnknownOutcome)
	}
}

// http.Client.Timeout replaces the round trip's error with one of its own
// that keeps only the text: whether the write was sent is still known (the
// guard records it on the attempt), so a write whose TLS handshake never
// finished is not ErrUnknownOutcome and is tried again.
func TestClientTimeoutKeepsUnsentWriteRetried(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	var accepted atomic.Int32
	var held sync.Map
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			accepted.Add(1)
			held.Store(c, true) // never a word: the handshake stalls
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		held.Range(func(k, _ any) bool { k.(net.Conn).Close(); return true })
	})
	tr := &http.Transport{}
	t.Cleanup(tr.CloseIdleConnections)
	// A user's transport that takes a moment over a failure (logs it,
	// say): net/http replaces the error only when the round trip returns
	// after the deadline, which without it is a race with the timer.
	logging := roundTripFunc(func(r *http.Request) (*http.Response, error) {
		resp, err := tr.RoundTrip(r)
		if err != nil {
			time.Sleep(5 * time.Millisecond)
		}
		return resp, err
	})
	hc := &http.Client{Transport: logging, Timeout: 150 * time.Millisecond}
	c := clientFor(t, "https://"+ln.Addr().String(), WithHTTPClient(hc))
	err = c.Do(testContext(t), http.MethodPost, "/desktops/d-1/actions", nil, map[string]string{"op": "reboot"}, nil)
	require.Error(t, err)
	assert.NotErrorIs(t, err, ErrUnknownOutcome, "nothing was sent: %v", err)
	assert.Greater(t, accepted.Load(), int32(1), "a write that was never sent is retried (connections: %d)", accepted.Load())
}
