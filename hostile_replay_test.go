package workspace

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/net/http2"
)

// Issue 11, items 1 and 2: no layer below the SDK repeats a batch-delete,
// whatever the connection or the stream does after the request was
// written; the transport's own replays of a read count against MaxAttempts
// and the rate limit.

func quietServerLog() *log.Logger { return log.New(io.Discard, "", 0) }

// hsDeletePath is the batch-delete path as the servers see it.
const hsDeletePath = "/v2/" + relProject + "/desktop-pools/pool-1/volumes/batch-delete"

// hsVolume is the volume id of a batch-delete body.
func hsVolume(t testing.TB, body []byte) string {
	var req BatchDeleteVolumesRequest
	if err := json.Unmarshal(body, &req); err != nil || len(req.Volumes) != 1 {
		t.Errorf("batch-delete body %q", body)
		return ""
	}
	return req.Volumes[0].ID
}

// hsUseDefaultTransport makes the client's own default transport trust
// ts's certificate, so that a test reaches an HTTPS loopback server through
// it.
func hsUseDefaultTransport(t testing.TB, c *Client, ts *httptest.Server) {
	t.Helper()
	tr, ok := c.core.pipe.Transport().(*http.Transport)
	require.True(t, ok, "default transport is %T", c.core.pipe.Transport())
	tr.TLSClientConfig = ts.Client().Transport.(*http.Transport).TLSClientConfig.Clone()
	t.Cleanup(tr.CloseIdleConnections)
}

// hsH1Fault is what an HTTP/1.1 server does after it carried out a
// batch-delete.
type hsH1Fault string

const (
	hsH1Close   hsH1Fault = "close"   // drop the connection
	hsH1Garbage hsH1Fault = "garbage" // plain text under TLS: a TLS record error after the handshake
)

// hsH1Server carries out batch-deletes (counting arrivals by volume) and
// then misbehaves as fault says.
func hsH1Server(t testing.TB, tlsOn bool, fault hsH1Fault, arrivals *hsCounter) *httptest.Server {
	h := func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if r.URL.Path != hsDeletePath {
			w.WriteHeader(404)
			return
		}
		arrivals.add(hsVolume(t, body))
		conn, _, err := w.(http.Hijacker).Hijack()
		if err != nil {
			t.Errorf("hijack: %v", err)
			return
		}
		defer conn.Close()
		if fault == hsH1Garbage {
			if tc, ok := conn.(*tls.Conn); ok {
				_, _ = tc.NetConn().Write(hsTLSGarbage)
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

// hsH2DeleteServer carries out batch-deletes (counting arrivals) and then
// ends the stream with reply.
func hsH2DeleteServer(t testing.TB, reply hsReply, arrivals *hsCounter) *httptest.Server {
	return hsH2Server(t, func(r *hsRequest) hsReply {
		if r.Path != hsDeletePath {
			return hsReply{Status: 404}
		}
		arrivals.add(hsVolume(t, r.Body))
		return reply
	})
}

func TestHostileBatchDeleteNeverReplayed(t *testing.T) {
	t.Parallel()
	h2Faults := map[string]hsReply{
		"RST_STREAM PROTOCOL_ERROR": {Verdict: hsReset, Code: http2.ErrCodeProtocol},
		"RST_STREAM REFUSED_STREAM": {Verdict: hsReset, Code: http2.ErrCodeRefusedStream},
		"RST_STREAM INTERNAL_ERROR": {Verdict: hsReset, Code: http2.ErrCodeInternal},
		"RST_STREAM CANCEL":         {Verdict: hsReset, Code: http2.ErrCodeCancel},
		"GOAWAY":                    {Verdict: hsGoAway},
		"EOF":                       {Verdict: hsClose},
		"TLS garbage":               {Verdict: hsGarbage},
	}
	type tc struct {
		name  string
		start func(t *testing.T, arrivals *hsCounter) (*httptest.Server, bool) // bool: use the server's client
	}
	var cases []tc
	for name, reply := range h2Faults {
		cases = append(cases,
			tc{"h2 user transport " + name, func(t *testing.T, a *hsCounter) (*httptest.Server, bool) {
				return hsH2DeleteServer(t, reply, a), true
			}},
			tc{"h2 default transport " + name, func(t *testing.T, a *hsCounter) (*httptest.Server, bool) {
				return hsH2DeleteServer(t, reply, a), false
			}})
	}
	for _, fault := range []hsH1Fault{hsH1Close, hsH1Garbage} {
		cases = append(cases,
			tc{"h1 TLS user transport " + string(fault), func(t *testing.T, a *hsCounter) (*httptest.Server, bool) {
				return hsH1Server(t, true, fault, a), true
			}},
			tc{"h1 TLS default transport " + string(fault), func(t *testing.T, a *hsCounter) (*httptest.Server, bool) {
				return hsH1Server(t, true, fault, a), false
			}})
	}
	cases = append(cases, tc{"h1 plain default transport close", func(t *testing.T, a *hsCounter) (*httptest.Server, bool) {
		return hsH1Server(t, false, hsH1Close, a), false
	}})

	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			arrivals := &hsCounter{}
			ts, userTransport := c.start(t, arrivals)
			var opts []Option
			if userTransport {
				opts = append(opts, WithHTTPClient(ts.Client()))
			}
			cl := relClient(t, ts.URL, opts...)
			if userTransport {
				t.Cleanup(ts.Client().CloseIdleConnections)
			} else if strings.HasPrefix(ts.URL, "https:") {
				hsUseDefaultTransport(t, cl, ts)
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
				assert.NotContains(t, err.Error(), relToken)
			}
			assert.Less(t, time.Since(start), 3*time.Second)
		})
	}
}

// A read whose stream the server resets with PROTOCOL_ERROR every time
// arrives MaxAttempts times at the most, and every arrival waits for the
// rate limiter.
func TestHostileReadReplaysBounded(t *testing.T) {
	t.Parallel()
	const statsPath = "/v2/" + relProject + "/desktop-pools/pool-1/inconsistent-statics"
	newServer := func(t *testing.T, arrivals *atomic.Int32) *httptest.Server {
		return hsH2Server(t, func(r *hsRequest) hsReply {
			if r.Path != statsPath {
				return hsReply{Status: 404}
			}
			arrivals.Add(1)
			return hsReply{Verdict: hsReset, Code: http2.ErrCodeProtocol}
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
				c := relClient(t, ts.URL, opts...)
				if !userTransport {
					hsUseDefaultTransport(t, c, ts)
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
			c := relClient(t, ts.URL, opts...)
			if !userTransport {
				hsUseDefaultTransport(t, c, ts)
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

// Item 2: whether a write may have reached the server is decided by what
// the transport reported, not by the error's type. A TLS record error
// after the handshake (the request written) is final; a refused dial and a
// failed handshake (nothing written) are retried.
func TestHostileNeverSentByTrace(t *testing.T) {
	t.Parallel()
	deleteReq := func(vol string) *BatchDeleteVolumesRequest {
		return &BatchDeleteVolumesRequest{Volumes: []VolumeInfo{{ID: vol, Type: "SSD", Size: 20}}}
	}
	t.Run("TLS record error after the request was written", func(t *testing.T) {
		t.Parallel()
		arrivals := &hsCounter{}
		ts := hsH1Server(t, true, hsH1Garbage, arrivals)
		c := relClient(t, ts.URL, WithHTTPClient(ts.Client()))
		t.Cleanup(ts.Client().CloseIdleConnections)
		_, err := c.DesktopPools.BatchDeleteVolumes(context.Background(), "pool-1", deleteReq("vol-g"))
		var recErr tls.RecordHeaderError
		require.ErrorAs(t, err, &recErr)
		assert.NotContains(t, err.Error(), "attempts")
		assert.Equal(t, 1, arrivals.get("vol-g"))
	})
	t.Run("dial refused", func(t *testing.T) {
		t.Parallel()
		c := relClient(t, "http://"+relDeadAddr(t))
		_, err := c.DesktopPools.BatchDeleteVolumes(context.Background(), "pool-1", deleteReq("vol-d"))
		require.Error(t, err)
		assert.Contains(t, err.Error(), "after 3 attempts")
	})
	t.Run("TLS handshake refused", func(t *testing.T) {
		t.Parallel()
		arrivals := &hsCounter{}
		ts := hsH1Server(t, true, hsH1Close, arrivals)
		c := relClient(t, ts.URL) // the default transport does not trust the test certificate
		t.Cleanup(func() { relCloseIdle(c) })
		_, err := c.DesktopPools.BatchDeleteVolumes(context.Background(), "pool-1", deleteReq("vol-h"))
		require.Error(t, err)
		assert.Contains(t, err.Error(), "after 3 attempts")
		assert.Equal(t, 0, arrivals.get("vol-h"))
	})
}
