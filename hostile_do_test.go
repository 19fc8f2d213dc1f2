package workspace

import (
	"bytes"
	"compress/gzip"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/net/http2"
)

// hsWrappedTransport is a user's RoundTripper that is not an
// *http.Transport and does not retry by itself.
type hsWrappedTransport struct{ rt http.RoundTripper }

func (w hsWrappedTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	return w.rt.RoundTrip(r)
}

// Client.Do with any method that changes state follows the write rules: a
// request the server may have is never sent again, through the SDK's own
// transport or a user's wrapped one.
func TestHostileDoWritesNeverReplayed(t *testing.T) {
	t.Parallel()
	faults := map[string]hsReply{
		"RST_STREAM REFUSED_STREAM": {Verdict: hsReset, Code: http2.ErrCodeRefusedStream},
		"RST_STREAM PROTOCOL_ERROR": {Verdict: hsReset, Code: http2.ErrCodeProtocol},
		"GOAWAY":                    {Verdict: hsGoAway},
		"EOF":                       {Verdict: hsClose},
	}
	for _, method := range []string{http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete} {
		for name, reply := range faults {
			for _, wrapped := range []bool{false, true} {
				t.Run(method+" "+name+map[bool]string{false: " default transport", true: " wrapped user transport"}[wrapped], func(t *testing.T) {
					t.Parallel()
					arrivals := &hsCounter{}
					ts := hsH2DeleteServer(t, reply, arrivals)
					var opts []Option
					if wrapped {
						opts = append(opts, WithHTTPClient(&http.Client{Transport: hsWrappedTransport{ts.Client().Transport}}))
						t.Cleanup(ts.Client().CloseIdleConnections)
					}
					cl := relClient(t, ts.URL, opts...)
					if !wrapped {
						hsUseDefaultTransport(t, cl, ts)
					}
					ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
					defer cancel()
					for _, vol := range []string{"vol-a", "vol-b"} {
						body := &BatchDeleteVolumesRequest{Volumes: []VolumeInfo{{ID: vol, Type: "SSD", Size: 20}}}
						err := cl.Do(ctx, method, "/desktop-pools/pool-1/volumes/batch-delete", nil, body, nil)
						require.Error(t, err)
						assert.Equal(t, 1, arrivals.get(vol), "arrivals of %s %s (error %v)", method, vol, err)
					}
				})
			}
		}
	}
}

// A 2xx answer whose gzip stream is cut short is an error, never a panic
// nor a partial value taken for a whole one; through Do as well.
func TestHostileTruncatedGzip(t *testing.T) {
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
	cl := relClient(t, ts.URL)
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

// HTTP/1.1 replays a read (and would replay a write carrying an
// Idempotency-Key) by itself when a reused keep-alive connection fails
// after the request was written. Through Do, a read's replay counts
// against MaxAttempts, and no write goes twice.
func TestHostileDoReusedH1ConnDropped(t *testing.T) {
	t.Parallel()
	for _, method := range []string{http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete} {
		for _, wrapped := range []bool{false, true} {
			t.Run(method+map[bool]string{false: " default transport", true: " wrapped user transport"}[wrapped], func(t *testing.T) {
				t.Parallel()
				arrivals := &hsCounter{}
				ts := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					if r.URL.Path != hsDeletePath {
						w.Header().Set("Content-Type", "application/json")
						_, _ = w.Write([]byte(`{}`))
						return
					}
					_, _ = io.ReadAll(r.Body)
					arrivals.add(r.Method)
					conn, _, err := w.(http.Hijacker).Hijack()
					if err == nil {
						_ = conn.Close()
					}
				}))
				ts.Config.ErrorLog = quietServerLog()
				ts.Start()
				t.Cleanup(ts.Close)
				opts := []Option{WithRetryPolicy(RetryPolicy{MaxAttempts: 1})}
				if wrapped {
					tr := &http.Transport{}
					t.Cleanup(tr.CloseIdleConnections)
					opts = append(opts, WithHTTPClient(&http.Client{Transport: hsWrappedTransport{tr}}))
				}
				cl := relClient(t, ts.URL, opts...)
				t.Cleanup(func() { relCloseIdle(cl) })
				ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
				defer cancel()
				var out map[string]any
				require.NoError(t, cl.Do(ctx, http.MethodGet, "/warm", nil, nil, &out)) // the connection is now kept alive
				var body any
				if method != http.MethodGet && method != http.MethodHead {
					body = &BatchDeleteVolumesRequest{Volumes: []VolumeInfo{{ID: "vol-a", Type: "SSD", Size: 20}}}
				}
				err := cl.Do(ctx, method, "/desktop-pools/pool-1/volumes/batch-delete", nil, body, nil)
				require.Error(t, err)
				assert.Equal(t, 1, arrivals.get(method), "arrivals of %s with MaxAttempts 1 (error %v)", method, err)
			})
		}
	}
}
