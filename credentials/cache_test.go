package credentials

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hwcloud-go/workspace"
)

// fakeClock is a clock a test moves with Advance.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{t: time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// finishesWithin fails the test if f has not returned after d (and waits
// for it a while longer, so that it does not outlive the test).
func finishesWithin(t *testing.T, d time.Duration, f func()) {
	t.Helper()
	done := make(chan struct{})
	go func() {
		defer close(done)
		f()
	}()
	select {
	case <-done:
		return
	case <-time.After(d):
		t.Errorf("still running after %v", d)
	}
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Errorf("still running after %v more", 10*time.Second)
	}
}

// A fetch that ignores its context is abandoned at the refresher's bound,
// and the next caller starts a new one.
func TestRefreshDeafToContextAbandonedAtBound(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	var fetches atomic.Int32
	r := &refresher[string]{
		fetch: func(context.Context) (string, time.Time, error) {
			if fetches.Add(1) == 1 {
				<-release // deaf to its context
			}
			return "v", time.Now().Add(time.Hour), nil
		},
		now:     time.Now,
		margin:  func(time.Duration) time.Duration { return time.Minute },
		timeout: 100 * time.Millisecond,
		grace:   time.Second,
	}
	finishesWithin(t, 2*time.Second, func() {
		start := time.Now()
		_, err := r.get(context.Background())
		require.Error(t, err)
		assert.ErrorIs(t, err, context.DeadlineExceeded)
		assert.Less(t, time.Since(start), time.Second)
		v, err := r.get(context.Background())
		require.NoError(t, err)
		assert.Equal(t, "v", v)
	})
	assert.EqualValues(t, 2, fetches.Load())
}

// drop forgets the cached value only when match says it is the one; the
// next get fetches anew, and a drop without a value does nothing.
func TestRefreshDropOnlyTheMatchingValue(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	var fetches atomic.Int32
	r := newRefresher(func(context.Context) (string, time.Time, error) {
		n := fetches.Add(1)
		return "v" + string(rune('0'+n)), clock.Now().Add(time.Hour), nil
	}, time.Second, func(time.Duration) time.Duration { return time.Minute })
	r.now = clock.Now
	ctx := context.Background()

	r.drop(func(string) bool { return true }) // nothing cached: nothing happens
	v, err := r.get(ctx)
	require.NoError(t, err)
	assert.Equal(t, "v1", v)

	r.drop(func(c string) bool { return c == "v0" })
	v, err = r.get(ctx)
	require.NoError(t, err)
	assert.Equal(t, "v1", v, "another value does not drop the cached one")

	r.drop(func(c string) bool { return c == "v1" })
	v, err = r.get(ctx)
	require.NoError(t, err)
	assert.Equal(t, "v2", v)
	assert.EqualValues(t, 2, fetches.Load())
}

// A dropped value is not handed out while the refetch fails: the caller
// gets the fetch's error.
func TestRefreshDropThenFailedFetch(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	boom := errors.New("service down")
	var fail atomic.Bool
	r := newRefresher(func(context.Context) (string, time.Time, error) {
		if fail.Load() {
			return "", time.Time{}, boom
		}
		return "v", clock.Now().Add(time.Hour), nil
	}, time.Second, func(time.Duration) time.Duration { return time.Minute })
	r.now = clock.Now
	_, err := r.get(context.Background())
	require.NoError(t, err)
	fail.Store(true)
	r.drop(func(string) bool { return true })
	_, err = r.get(context.Background())
	assert.ErrorIs(t, err, boom)
}

// switchThenSilence answers 101 and then says nothing for 5 s: Go hands
// such an answer's body over as the raw connection, which no context
// bounds.
func switchThenSilence(t testing.TB, w http.ResponseWriter) {
	conn, bw, err := w.(http.Hijacker).Hijack()
	if err != nil {
		t.Errorf("hijack: %v", err)
		return
	}
	defer conn.Close()
	_, _ = bw.WriteString("HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\n")
	_ = bw.Flush()
	time.Sleep(5 * time.Second)
}

// firstSwitchesServer answers its first request with 101 and silence, and
// the others with h.
func firstSwitchesServer(t *testing.T, h http.HandlerFunc) *httptest.Server {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) == 1 {
			switchThenSilence(t, w)
			return
		}
		h(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// A refresh whose answer is "101 Switching Protocols" and then silence
// ends at the cache's own bound, not the caller's deadline, and a later
// call refreshes again: for the IAM token source and the metadata
// provider.
func TestRefreshEndsAtItsBoundAfterSwitchingProtocols(t *testing.T) {
	t.Parallel()
	t.Run("IAM token", func(t *testing.T) {
		t.Parallel()
		fake := newFakeIAM(t, newFakeClock())
		srv := firstSwitchesServer(t, fake.serve)
		src := newIAMSource(t, fake, func(c *IAMConfig) { c.Endpoint, c.HTTPClient = srv.URL, srv.Client() })
		src.st().cache.timeout = 300 * time.Millisecond
		finishesWithin(t, 3*time.Second, func() {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			defer cancel()
			_, err := src.Token(ctx)
			assert.Error(t, err)
			assert.NotErrorIs(t, err, context.DeadlineExceeded, "the refresh ends at its own bound")
			tok, err := src.Token(ctx)
			assert.NoError(t, err, "a later call refreshes again")
			assert.NotEmpty(t, tok)
		})
	})
	t.Run("metadata keys", func(t *testing.T) {
		t.Parallel()
		fake := newFakeMetadata(t, newFakeClock())
		srv := firstSwitchesServer(t, fake.serve)
		p := newMetadataProvider(t, fake, func(c *MetadataConfig) { c.Endpoint, c.HTTPClient = srv.URL, srv.Client() })
		p.st().cache.timeout = 300 * time.Millisecond
		finishesWithin(t, 3*time.Second, func() {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			defer cancel()
			_, err := p.Credentials(ctx)
			assert.Error(t, err)
			cred, err := p.Credentials(ctx)
			assert.NoError(t, err, "a later call refreshes again")
			assert.NotEmpty(t, cred.AccessKey)
		})
	})
}

// Zero values of the sources answer with an error, never a nil-pointer
// panic, and print without one.
func TestZeroSourcesReturnErrors(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	calls := map[string]func() error{
		"IAMTokenSource{}.Token":         func() error { _, err := new(IAMTokenSource).Token(ctx); return err },
		"(*IAMTokenSource)(nil).Token":   func() error { _, err := (*IAMTokenSource)(nil).Token(ctx); return err },
		"IDTokenSource{}.Token":          func() error { _, err := new(IDTokenSource).Token(ctx); return err },
		"(*IDTokenSource)(nil).Token":    func() error { _, err := (*IDTokenSource)(nil).Token(ctx); return err },
		"MetadataProvider{}.Credentials": func() error { _, err := new(MetadataProvider).Credentials(ctx); return err },
		"(*MetadataProvider)(nil).Credentials": func() error {
			_, err := (*MetadataProvider)(nil).Credentials(ctx)
			return err
		},
	}
	for name, call := range calls {
		var err error
		require.NotPanics(t, func() { err = call() }, name)
		assert.Error(t, err, name)
	}
	require.NotPanics(t, func() {
		new(IAMTokenSource).Invalidate("x")
		(*IAMTokenSource)(nil).Invalidate("x")
		new(IDTokenSource).Invalidate("x")
		(*IDTokenSource)(nil).Invalidate("x")
		new(MetadataProvider).InvalidateCredentials("x")
		(*MetadataProvider)(nil).InvalidateCredentials("x")
		_ = new(IAMTokenSource).String()
		_ = new(IDTokenSource).String()
		_ = (*IDTokenSource)(nil).String()
		_ = new(MetadataProvider).String()
		_ = (*MetadataProvider)(nil).String()
	})
}

// callsAtOnce makes n calls with c at once (each answered 401 by a server
// that refuses the first credentials, in the sources' tests) and returns
// their errors.
func callsAtOnce(c *workspace.Client, n int) []error {
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = c.DesktopPools.GetInconsistentStatistics(context.Background(), "pool-1")
		}()
	}
	wg.Wait()
	return errs
}
