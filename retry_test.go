package workspace

import (
	"github.com/hwcloud-go/workspace/internal/pipeline"

	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hwcloud-go/workspace/internal/signer"
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
	assert.EqualValues(t, DefaultMaxAttempts, s.count.Load())
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
			assert.True(t, shouldRetry(&attemptResult{err: tt.err, sent: false}, true), "write, not sent")
			assert.False(t, shouldRetry(&attemptResult{err: tt.err, sent: true}, true), "write, sent")
			assert.True(t, shouldRetry(&attemptResult{err: tt.err, sent: true}, false), "a read retries any transport error")
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
	// Zero values are the defaults.
	assert.Equal(t, RetryPolicy{MaxAttempts: DefaultMaxAttempts, BaseDelay: DefaultBaseDelay, MaxDelay: DefaultMaxDelay},
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
		res           attemptResult
		write         bool
		refresh       bool
		wantRetry     bool
		wantRetryable bool
		wantDelay     time.Duration // -1: any back-off up to BaseDelay * 2^(paid-1)
		wantRefreshed bool
		wantInvalid   []string
	}{
		{name: "first 401, token replaceable: free retry at once", st: retryState{attempts: 1},
			res: attemptResult{status: 401, token: "t1"}, refresh: true,
			wantRetry: true, wantRefreshed: true, wantInvalid: []string{"t1"}},
		{name: "first 401, nothing to refresh: final", st: retryState{attempts: 1},
			res: attemptResult{status: 401, token: "t1"}, wantInvalid: []string{"t1"}},
		{name: "second 401: final, not asked again", st: retryState{attempts: 2, refreshed: true},
			res: attemptResult{status: 401, token: "t2"}, refresh: true, wantRefreshed: true},
		{name: "503 within budget: back-off", st: retryState{attempts: 1},
			res: attemptResult{status: 503}, wantRetry: true, wantRetryable: true, wantDelay: -1},
		{name: "503 at the budget: final, retryable", st: retryState{attempts: 3},
			res: attemptResult{status: 503}, wantRetryable: true},
		{name: "free retry not counted", st: retryState{attempts: 3, refreshed: true},
			res: attemptResult{status: 503}, wantRetry: true, wantRetryable: true, wantDelay: -1, wantRefreshed: true},
		{name: "503 on a write: final", st: retryState{attempts: 1},
			res: attemptResult{status: 503}, write: true},
		{name: "Retry-After under the cap", st: retryState{attempts: 1},
			res: attemptResult{status: 429, header: retryAfterIn("2")}, wantRetry: true, wantRetryable: true, wantDelay: 2 * time.Second},
		{name: "Retry-After capped by MaxDelay", st: retryState{attempts: 1},
			res: attemptResult{status: 429, header: retryAfterIn("3600")}, wantRetry: true, wantRetryable: true, wantDelay: 5 * time.Second},
		{name: "decode error: final", st: retryState{attempts: 1},
			res: attemptResult{status: 200, decodeErr: true}},
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
