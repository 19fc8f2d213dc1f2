package workspace

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Issue 11, item 3: "101 Switching Protocols" and then silence. Go hands
// such an answer's body over as the raw connection, which no context
// bounds: reading it waited for good.

// hsSwitchThenSilence answers 101 and then says nothing until the test
// ends (5 s at the most).
func hsSwitchThenSilence(t testing.TB, w http.ResponseWriter) {
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

// hsWithin runs f and fails the test if it has not returned within d; it
// waits for f a while longer all the same, so that f's assertions do not
// outlive the test.
func hsWithin(t *testing.T, d time.Duration, f func()) {
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
		t.Fatal("still running after 10 s more")
	}
}

// hsFirstSwitches is a server whose first answer is hsSwitchThenSilence
// and the others h's.
func hsFirstSwitches(t *testing.T, h http.HandlerFunc) *httptest.Server {
	var calls atomic.Int32
	return relServer(t, func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) == 1 {
			hsSwitchThenSilence(t, w)
			return
		}
		h(w, r)
	})
}

func TestHostileSwitchingProtocolsThenSilence(t *testing.T) {
	t.Parallel()
	t.Run("API call", func(t *testing.T) {
		t.Parallel()
		srv := relServer(t, func(w http.ResponseWriter, r *http.Request) { hsSwitchThenSilence(t, w) })
		c := relClient(t, srv.URL)
		hsWithin(t, 2*time.Second, func() {
			ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
			defer cancel()
			_, err := c.DesktopPools.GetInconsistentStatistics(ctx, "pool-1")
			assert.Error(t, err)
		})
	})
	t.Run("IAM token refresh", func(t *testing.T) {
		t.Parallel()
		fake := newFakeIAM(t, newFakeClock())
		srv := hsFirstSwitches(t, fake.serve)
		src := newIAMSource(t, fake, func(c *IAMConfig) { c.Endpoint, c.HTTPClient = srv.URL, srv.Client() })
		src.st().cache.timeout = 300 * time.Millisecond
		hsWithin(t, 3*time.Second, func() {
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
	t.Run("metadata refresh", func(t *testing.T) {
		t.Parallel()
		fake := newFakeMetadata(t, newFakeClock())
		srv := hsFirstSwitches(t, fake.serve)
		p := newMetadataProvider(t, fake, func(c *MetadataConfig) { c.Endpoint, c.HTTPClient = srv.URL, srv.Client() })
		p.st().cache.timeout = 300 * time.Millisecond
		hsWithin(t, 3*time.Second, func() {
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

// A fetch that ignores its context is abandoned at the refresher's bound,
// and the next caller starts a new one.
func TestHostileRefreshAbandonedAtBound(t *testing.T) {
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
	hsWithin(t, 2*time.Second, func() {
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
