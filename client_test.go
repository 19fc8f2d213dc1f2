package workspace

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hwcloud-go/workspace/internal/testserver"
)

func TestClient_Headers_DefaultUserAgent(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	mux.handle("/snapshots", respond(http.StatusOK, `{}`))
	_, err := c.Snapshots.List(testContext(t), nil)
	require.NoError(t, err)
	ua := mux.last(t).Header.Get("User-Agent")
	assert.True(t, strings.HasPrefix(ua, "workspace-go/"+Version+" "), "User-Agent %q", ua)
	assert.Contains(t, ua, "go1.", "the Go version is part of the product token")
	assert.NotContains(t, ua, "resty")
	assert.NotContains(t, ua, "Go-http-client")
}

func TestClient_PathSegmentsEscaped(t *testing.T) {
	t.Parallel()
	ids := []string{
		"a/b", "../../etc", "..", ".", "a?b=c", "a#frag", "100%", "50%2F", "with space",
		"a;b", "a+b", "ü/ñ", "?", "#", "%", "/", " x ", "a\\b", "{x}",
	}
	ops := []struct {
		name   string
		before string // escaped path before the id
		after  string // escaped path after the id
		ok     string
		call   func(c *Client, id string) error
	}{
		{"pool stats", testPrefix + "/desktop-pools/", "/inconsistent-statics", `{}`, func(c *Client, id string) error {
			_, err := c.DesktopPools.GetInconsistentStatistics(context.Background(), id)
			return err
		}},
		{"pool batch-delete", testPrefix + "/desktop-pools/", "/volumes/batch-delete", `{"job_id":"j"}`, func(c *Client, id string) error {
			_, err := c.DesktopPools.BatchDeleteVolumes(context.Background(), id, &BatchDeleteVolumesRequest{Volumes: makeVolumes(1)})
			return err
		}},
		{"job", testPrefix + "/workspace-jobs/", "", `{"id":"j"}`, func(c *Client, id string) error {
			_, err := c.Jobs.Get(context.Background(), id)
			return err
		}},
	}
	for _, op := range ops {
		for _, id := range ids {
			t.Run(op.name+"/"+id, func(t *testing.T) {
				t.Parallel()
				c, mux := setup(t)
				mux.handleAny(respond(http.StatusOK, op.ok))
				require.NoError(t, op.call(c, id))
				require.Equal(t, 1, mux.requests())
				r := mux.last(t)
				assert.Empty(t, r.RawQuery, "an id never adds a query")
				require.True(t, strings.HasPrefix(r.Path, op.before), "path %q", r.Path)
				require.True(t, strings.HasSuffix(r.Path, op.after), "path %q", r.Path)
				seg := strings.TrimSuffix(strings.TrimPrefix(r.Path, op.before), op.after)
				assert.NotContains(t, seg, "/", "the id is exactly one segment: %q", seg)
				assert.NotEqual(t, ".", seg)
				assert.NotEqual(t, "..", seg)
				decoded, err := url.PathUnescape(seg)
				require.NoError(t, err)
				assert.Equal(t, id, decoded)
			})
		}
	}
}

func TestClient_RedirectsNotFollowed(t *testing.T) {
	t.Parallel()
	var otherHits atomic.Int32
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		otherHits.Add(1)
		writeJSON(w, http.StatusOK, `{"product_id":9}`)
	}))
	t.Cleanup(other.Close)

	for _, status := range []int{http.StatusMovedPermanently, http.StatusFound, http.StatusTemporaryRedirect, http.StatusPermanentRedirect} {
		for _, withOwnClient := range []bool{false, true} {
			name := http.StatusText(status)
			if withOwnClient {
				name += "/WithHTTPClient"
			}
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				opts := []Option{WithToken(testToken)}
				if withOwnClient {
					opts = append(opts, WithHTTPClient(&http.Client{}))
				}
				c, mux := setup(t, opts...)
				mux.handle("/desktop-pools/p/inconsistent-statics", func(w http.ResponseWriter, r *http.Request) {
					http.Redirect(w, r, other.URL+r.URL.Path, status)
				})
				got, err := c.DesktopPools.GetInconsistentStatistics(testContext(t), "p")
				assert.Nil(t, got)
				apiErr := errorAs[*APIError](t, err)
				assert.Equal(t, status, apiErr.StatusCode)
				assert.Equal(t, 1, mux.requests())
			})
		}
	}
	assert.Zero(t, otherHits.Load(), "the token never travels to the other server")
}

func TestClient_WithHTTPClientNotModified(t *testing.T) {
	t.Parallel()
	mux := newTestMux(t)
	srv := newTestServer(t, mux)
	mux.handle("/snapshots", respond(http.StatusOK, `{}`))
	var used atomic.Int32
	rt := roundTripFunc(func(r *http.Request) (*http.Response, error) {
		used.Add(1)
		return http.DefaultTransport.RoundTrip(r)
	})
	hc := &http.Client{Transport: rt}
	c, err := NewClient(append(baseOptions(srv), WithToken(testToken), WithHTTPClient(hc))...)
	require.NoError(t, err)
	_, err = c.Snapshots.List(testContext(t), nil)
	require.NoError(t, err)

	assert.Nil(t, hc.CheckRedirect, "the caller's client is not modified")
	assert.Nil(t, hc.Jar)
	assert.Zero(t, hc.Timeout)
	assert.Equal(t, int32(1), used.Load(), "the caller's transport is used")
}

func TestClient_String(t *testing.T) {
	t.Parallel()
	c, err := NewClient(WithEndpoint("https://gw.example.com/ws/"), WithProjectID("proj"), WithAccessKey(testAK, testSK))
	require.NoError(t, err)
	s := c.String()
	assert.Contains(t, s, "https://gw.example.com/ws/v2/proj")
	assert.Contains(t, s, "aksk")
	assert.Equal(t, s, c.GoString())
	var nilClient *Client
	assert.Equal(t, "workspace.Client(nil)", nilClient.String())
}

func TestClient_ServicesShareOneCore(t *testing.T) {
	t.Parallel()
	c, _ := setup(t)
	require.NotNil(t, c.DesktopPools)
	require.NotNil(t, c.Desktops)
	require.NotNil(t, c.Snapshots)
	require.NotNil(t, c.Jobs)
	assert.Same(t, c, c.DesktopPools.client)
	assert.Same(t, c, c.Desktops.client)
	assert.Same(t, c, c.Snapshots.client)
	assert.Same(t, c, c.Jobs.client)

	var (
		_ DesktopPoolsAPI = c.DesktopPools
		_ DesktopsAPI     = c.Desktops
		_ SnapshotsAPI    = c.Snapshots
		_ JobsAPI         = c.Jobs
	)
}

// A request without a body (every GET, and Do's DELETE here) goes out
// with neither Content-Length nor Transfer-Encoding and nothing after its
// head, and the connection is kept for the next call: the guard's empty
// body (see internal/pipeline) changes nothing on the wire.
func TestBodylessRequestOnTheWire(t *testing.T) {
	t.Parallel()
	srv := testserver.NewH1(t, func(*testserver.H1Request) testserver.H1Reply { return testserver.H1Reply{Raw: rawH1OK} })
	c := clientFor(t, srv.URL)
	t.Cleanup(func() { closeIdle(c) })
	ctx := context.Background()
	for i := 0; i < 3; i++ {
		_, err := c.DesktopPools.GetInconsistentStatistics(ctx, "pool-1")
		require.NoError(t, err)
	}
	require.NoError(t, c.Do(ctx, "DELETE", "/desktop-pools/pool-1", nil, nil, nil))

	heads, conns := srv.Heads(), srv.Conns()
	require.Len(t, heads, 4)
	for i, head := range heads {
		want := "GET "
		if i == 3 {
			want = "DELETE "
		}
		assert.True(t, strings.HasPrefix(head, want), "request %d begins %q", i, head)
		lower := strings.ToLower(head)
		assert.NotContains(t, lower, "\r\ncontent-length:", "request %d", i)
		assert.NotContains(t, lower, "\r\ntransfer-encoding:", "request %d", i)
	}
	assert.Equal(t, 1, conns, "connections: every call after the first reuses the first one")
}

// framedRequest is one request as a framing HTTP/1.1 server read it.
type framedRequest struct {
	head string // request line and header lines, lower case
	body string
}

// framed is what srv (a testserver.NewH1, which reads each request's head
// and then its body as the head frames it: Content-Length or chunked;
// neither: no body) took as the requests, as a strict server would take
// them, and how many connections it accepted.
func framed(srv *testserver.H1Server) ([]framedRequest, int) {
	var reqs []framedRequest
	for _, a := range srv.Arrivals() {
		reqs = append(reqs, framedRequest{head: strings.ToLower(strings.TrimSuffix(a.Head, "\r\n")), body: string(a.Body)})
	}
	return reqs, srv.Conns()
}

// A write without a body (Client.Do's POST, PUT or PATCH with body nil)
// says how long its (empty) content is, as net/http sends it: RFC 9110 8.6
// has a user agent send Content-Length in a POST even when it is 0, and
// gateways answer 411 Length Required to a POST with neither
// Content-Length nor Transfer-Encoding (and some older ones refuse chunked
// requests). Over plain HTTP/1.1 the guard knows the protocol and sends
// http.NoBody: "Content-Length: 0".
func TestBodylessWriteSendsContentLengthZero(t *testing.T) {
	t.Parallel()
	srv := testserver.NewH1(t, func(*testserver.H1Request) testserver.H1Reply { return testserver.H1Reply{Raw: rawH1OK} })
	c := clientFor(t, srv.URL)
	t.Cleanup(func() { closeIdle(c) })
	ctx := context.Background()
	for _, m := range []string{http.MethodPost, http.MethodPut, http.MethodPatch} {
		require.NoError(t, c.Do(ctx, m, "/desktops/d-1/actions", nil, nil, nil), m)
	}
	reqs, _ := framed(srv)
	require.Len(t, reqs, 3)
	for _, r := range reqs {
		assert.Contains(t, r.head, "\r\ncontent-length: 0\r\n", "a bodyless write over HTTP/1.1 says Content-Length: 0, as net/http sends one:\n%s", r.head)
		assert.NotContains(t, r.head, "transfer-encoding", r.head)
		assert.Empty(t, r.body)
	}
}

// A query longer than the URL's 512-byte stack buffer, with more names
// than appendQuery's 16-name array, unicode and bytes that need escaping,
// arrives as encodeQuery has it; the path observers and errors see has no
// query in it, whatever the query's length.
func TestLongQuerySentEncodedAndKeptOutOfPath(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var got []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		got = append(got, r.URL.EscapedPath()+"?"+r.URL.RawQuery)
		mu.Unlock()
		if strings.Contains(r.URL.Path, "missing") {
			writeAPIError(w, http.StatusNotFound, "")
			return
		}
		_, _ = io.WriteString(w, `{}`)
	}))
	t.Cleanup(srv.Close)
	obs := &pathObserver{}
	c := clientFor(t, srv.URL, WithObserver(obs))
	ctx := context.Background()

	q := url.Values{}
	for i := 0; i < 20; i++ {
		q.Set(fmt.Sprintf("n%02d ü&=", i), strings.Repeat("桌面 /?#%+", i*3))
	}
	q["multi"] = []string{"b", "a", "b"}
	longPath := "/desktops/" + strings.Repeat("d%40", 200)
	var out map[string]any
	require.NoError(t, c.Do(ctx, http.MethodGet, longPath, q, nil, &out))
	err := c.Do(ctx, http.MethodGet, "/missing/"+strings.Repeat("m", 600), q, nil, &out)
	var apiErr *APIError
	require.ErrorAs(t, err, &apiErr)

	mu.Lock()
	defer mu.Unlock()
	require.Len(t, got, 2)
	prefix := "/v2/" + testProjectID
	assert.Equal(t, prefix+longPath+"?"+encodeQuery(q), got[0])
	assert.Equal(t, prefix+"/missing/"+strings.Repeat("m", 600)+"?"+encodeQuery(q), got[1])
	assert.Equal(t, []string{prefix + longPath, prefix + "/missing/" + strings.Repeat("m", 600)}, obs.paths)
	assert.NotContains(t, err.Error(), "n00")
	assert.NotContains(t, err.Error(), "?")
	assert.Equal(t, []string{"b", "a", "b"}, q["multi"], "the caller's values are not reordered")
}

// Through an HTTP proxy (Transport.Proxy, absolute-form request target) a
// GET and a DELETE still go out with neither Content-Length nor
// Transfer-Encoding nor body bytes, and a bodyless POST with Content-Length: 0;
// one proxy connection serves every call.
func TestBodylessRequestsThroughProxy(t *testing.T) {
	t.Parallel()
	proxy := testserver.NewH1(t, func(*testserver.H1Request) testserver.H1Reply { return testserver.H1Reply{Raw: rawH1OK} }) // answers every request itself
	proxyURL, err := url.Parse(proxy.URL)
	require.NoError(t, err)
	tr := &http.Transport{Proxy: http.ProxyURL(proxyURL)}
	t.Cleanup(tr.CloseIdleConnections)
	c := clientFor(t, "http://workspace.invalid", WithHTTPClient(&http.Client{Transport: tr}))
	ctx := context.Background()
	_, err = c.DesktopPools.GetInconsistentStatistics(ctx, "pool-1")
	require.NoError(t, err)
	require.NoError(t, c.Do(ctx, http.MethodDelete, "/desktops/d-1", nil, nil, nil))
	require.NoError(t, c.Do(ctx, http.MethodPost, "/desktops/d-1/actions", nil, nil, nil))
	_, err = c.DesktopPools.GetInconsistentStatistics(ctx, "pool-1")
	require.NoError(t, err)

	reqs, conns := framed(proxy)
	require.Len(t, reqs, 4)
	for i, r := range reqs {
		assert.Contains(t, r.head, "http://workspace.invalid/v2/", "absolute-form target")
		assert.Empty(t, r.body, "request %d", i)
		if strings.HasPrefix(r.head, "post ") {
			assert.Contains(t, r.head, "\r\ncontent-length: 0\r\n", "as net/http sends a bodyless POST")
			assert.NotContains(t, r.head, "\r\ntransfer-encoding:")
			continue
		}
		assert.NotContains(t, r.head, "\r\ncontent-length:", "request %d", i)
		assert.NotContains(t, r.head, "\r\ntransfer-encoding:", "request %d", i)
	}
	assert.Equal(t, 1, conns)
}

// A read redirected after a 103 Early Hints is followed with MaxAttempts
// 1, with every redirect status: the redirect is the HTTP client's, above
// the guard, and never looks like the transport sending the request
// again.
func TestRedirectAfterEarlyHintsFollowed(t *testing.T) {
	t.Parallel()
	target := "/v2/" + testProjectID + "/desktop-pools/pool-target/inconsistent-statics"
	statuses := []string{"301 Moved Permanently", "302 Found", "303 See Other", "307 Temporary Redirect", "308 Permanent Redirect"}
	for _, status := range statuses {
		srv := testserver.NewH1(t, func(r *testserver.H1Request) testserver.H1Reply {
			if strings.Contains(r.Head, "/pool-redirect/") {
				return testserver.H1Reply{Raw: "HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\n\r\n" +
					"HTTP/1.1 " + status + "\r\nLocation: " + target + "\r\nContent-Length: 0\r\n\r\n"}
			}
			return testserver.H1Reply{Raw: rawH1OK}
		})
		tr := &http.Transport{}
		t.Cleanup(tr.CloseIdleConnections)
		hc := &http.Client{Transport: tr, CheckRedirect: func(*http.Request, []*http.Request) error { return nil }}
		c := clientFor(t, srv.URL, WithHTTPClient(hc),
			WithRetryPolicy(RetryPolicy{MaxAttempts: 1, BaseDelay: time.Millisecond, MaxDelay: time.Millisecond}))
		st, err := c.DesktopPools.GetInconsistentStatistics(context.Background(), "pool-redirect")
		require.NoError(t, err, status)
		assert.Equal(t, 4, st.DiskSize)
	}
}

// Over HTTP/2 a GET and a DELETE carry no content-length or
// transfer-encoding header and no DATA bytes; the "identity" transfer
// encoding of HTTP/1.1 does not leak into the HEADERS frame.
func TestBodylessRequestsOverHTTP2(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var reqs []*testserver.H2Request
	ts := testserver.NewH2(t, func(r *testserver.H2Request) testserver.H2Reply {
		mu.Lock()
		reqs = append(reqs, r)
		mu.Unlock()
		return testserver.H2Reply{Body: `{"product_id": 1, "image_id": 2, "disk_num": 3, "disk_size": 4}`}
	})
	c := clientFor(t, ts.URL, WithHTTPClient(ts.Client()))
	t.Cleanup(ts.Client().CloseIdleConnections)
	ctx := context.Background()
	_, err := c.DesktopPools.GetInconsistentStatistics(ctx, "pool-1")
	require.NoError(t, err)
	require.NoError(t, c.Do(ctx, http.MethodDelete, "/desktops/d-1", nil, nil, nil))
	mu.Lock()
	defer mu.Unlock()
	require.Len(t, reqs, 2)
	for _, r := range reqs {
		assert.Empty(t, r.Header.Values("content-length"), r.Method)
		assert.Empty(t, r.Header.Values("transfer-encoding"), r.Method)
		assert.Empty(t, r.Body, r.Method)
	}
}

// Under a user's own CheckRedirect, credentials never reach another host
// and a batch-delete is never sent to a redirect's target.
func TestRedirectsUnderUserPolicyKeepCredentialsAndWrites(t *testing.T) {
	t.Parallel()
	type seen struct {
		method string
		header http.Header
	}
	var mu sync.Mutex
	var atB []seen
	b := bareServer(t, func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		atB = append(atB, seen{r.Method, r.Header.Clone()})
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"product_id":1}`))
	})
	follow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return nil }}
	auths := map[string][]Option{
		"token": {WithToken(testToken)},
		"aksk":  {WithAccessKey(testAK, testSK), WithSecurityToken(testSecurityToken)},
	}
	for _, status := range []int{301, 302, 303, 307, 308} {
		for name, auth := range auths {
			var arrivalsA int
			a := bareServer(t, func(w http.ResponseWriter, r *http.Request) {
				mu.Lock()
				arrivalsA++
				mu.Unlock()
				http.Redirect(w, r, b.URL+r.URL.Path, status)
			})
			opts := append([]Option{WithEndpoint(a.URL), WithProjectID(testProjectID), WithHTTPClient(follow), WithRetryPolicy(fastRetries)}, auth...)
			c, err := NewClient(opts...)
			require.NoError(t, err)

			mu.Lock()
			atB = nil
			mu.Unlock()
			req := &BatchDeleteVolumesRequest{Volumes: []VolumeInfo{{ID: "v", Type: "SSD", Size: 20}}}
			_, err = c.DesktopPools.BatchDeleteVolumes(context.Background(), "pool-1", req)
			var apiErr *APIError
			require.ErrorAs(t, err, &apiErr, "%d %s", status, name)
			assert.Equal(t, status, apiErr.StatusCode)
			mu.Lock()
			assert.Empty(t, atB, "%d %s: batch-delete followed the redirect", status, name)
			assert.Equal(t, 1, arrivalsA)
			atB = nil
			mu.Unlock()

			_, _ = c.DesktopPools.GetInconsistentStatistics(context.Background(), "pool-1")
			_, _ = c.Desktops.CheckImages(context.Background(), []string{"d-1"})
			mu.Lock()
			assert.NotEmpty(t, atB, "%d %s: reads follow the user's policy", status, name)
			for _, s := range atB {
				for _, h := range []string{"X-Auth-Token", "X-Security-Token", "Authorization"} {
					assert.Empty(t, s.header.Get(h), "%d %s: %s %s reached another host", status, name, s.method, h)
				}
			}
			mu.Unlock()
		}
	}
}

// switchThenSilence answers 101 and then says nothing until the test
// ends (5 s at the most).
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

// "101 Switching Protocols" and then silence: Go hands such an answer's
// body over as the raw connection, which no context bounds. An API call
// ends with its context (the credential sources' refreshes: see
// credentials/cache_test.go).
func TestSwitchingProtocolsThenSilenceEndsAtBound(t *testing.T) {
	t.Parallel()
	t.Run("API call", func(t *testing.T) {
		t.Parallel()
		srv := bareServer(t, func(w http.ResponseWriter, r *http.Request) { switchThenSilence(t, w) })
		c := clientFor(t, srv.URL)
		finishesWithin(t, 2*time.Second, func() {
			ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
			defer cancel()
			_, err := c.DesktopPools.GetInconsistentStatistics(ctx, "pool-1")
			assert.Error(t, err)
		})
	})
}

// Zero values of the client and its services
// answer with an error, never a nil-pointer panic.
func TestZeroValuesReturnErrors(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	var zc Client
	calls := map[string]func() error{
		"Client{}.DesktopPools.GetInconsistentStatistics": func() error {
			_, err := zc.DesktopPools.GetInconsistentStatistics(ctx, "p")
			return err
		},
		"new(DesktopPoolsService).BatchDeleteVolumes": func() error {
			_, err := new(DesktopPoolsService).BatchDeleteVolumes(ctx, "p", &BatchDeleteVolumesRequest{Volumes: []VolumeInfo{{ID: "v"}}})
			return err
		},
		"new(DesktopPoolsService).ListScriptExecutionTasks": func() error {
			_, err := new(DesktopPoolsService).ListScriptExecutionTasks(ctx, nil)
			return err
		},
		"new(DesktopPoolsService).AllScriptExecutionTasks": func() error {
			for _, err := range new(DesktopPoolsService).AllScriptExecutionTasks(ctx, nil) {
				return err
			}
			return nil
		},
		"new(DesktopsService).CheckImages": func() error {
			_, err := new(DesktopsService).CheckImages(ctx, []string{"d"})
			return err
		},
		"new(SnapshotsService).List": func() error {
			_, err := new(SnapshotsService).List(ctx, nil)
			return err
		},
		"Client{}.Snapshots.All": func() error {
			for _, err := range zc.Snapshots.All(ctx, nil) {
				return err
			}
			return nil
		},
		"new(JobsService).Get": func() error {
			_, err := new(JobsService).Get(ctx, "j")
			return err
		},
		"new(JobsService).Wait": func() error {
			_, err := new(JobsService).Wait(ctx, "j", nil)
			return err
		},
		"Client{}.Jobs.Wait": func() error {
			_, err := zc.Jobs.Wait(ctx, "j", nil)
			return err
		},
	}
	for name, call := range calls {
		var err error
		require.NotPanics(t, func() { err = call() }, name)
		assert.Error(t, err, name)
	}
	require.NotPanics(t, func() {
		_ = zc.String()
		_ = new(ConfigError).Error()
	})
}

// A server (or a gateway in front of it) that echoes the request's
// X-Auth-Token in its X-Request-Id header: the request id is kept with the
// token replaced, on a call that succeeds (WithLogger's "request_id", every
// observer's AttemptResult.RequestID and CallResult.RequestID) and in a
// *DecodeError's text alike.
func TestRequestIDEchoOfTokenRedacted(t *testing.T) {
	t.Parallel()
	var bad atomic.Bool
	srv := bareServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Request-Id", "req-"+r.Header.Get("X-Auth-Token"))
		w.Header().Set("Content-Type", "application/json")
		if bad.Load() {
			_, _ = io.WriteString(w, "<html>gateway</html>")
			return
		}
		_, _ = io.WriteString(w, `{"ok":true}`)
	})
	var logs logBuffer
	rec := &attemptRecorder{}
	c := clientFor(t, srv.URL, WithLogger(logs.logger()), WithObserver(rec))
	ctx := testContext(t)

	var out map[string]any
	require.NoError(t, c.Do(ctx, http.MethodGet, "/desktops", nil, nil, &out), "the call succeeds")
	assert.NotContains(t, logs.String(), testToken, "the debug log of a successful call holds the token")
	assert.NotContains(t, rec.text(), testToken, "an observer is handed the token as a request id")

	bad.Store(true)
	err := c.Do(ctx, http.MethodGet, "/desktops", nil, nil, &out)
	require.Error(t, err)
	var de *DecodeError
	require.ErrorAs(t, err, &de)
	assert.NotContains(t, err.Error(), testToken, "the DecodeError's text holds the token")
}

// A region's endpoint whose name does not resolve ends the call with a
// hint that the region may be unknown and how to check it; the
// *net.DNSError stays reachable. Other failures, and endpoints given with
// WithEndpoint, get no hint. No DNS is asked: the transport fails.
func TestClient_UnknownRegionHint(t *testing.T) {
	t.Parallel()
	const region = "xx-nowhere-1"
	const host = "workspace." + region + ".myhuaweicloud.com"
	const hint = "; is the region right? the endpoint is " + host +
		"; see the regions at https://console-intl.huaweicloud.com/apiexplorer/#/endpoint/Workspace or pass WithEndpoint"
	notFound := func(name string) error { return &net.DNSError{Err: "no such host", Name: name, IsNotFound: true} }
	tests := []struct {
		name     string
		where    Option
		err      error // the transport's
		attempts int
		hint     bool
	}{
		{name: "region, no such host", where: WithRegion(region), err: notFound(host), attempts: 1, hint: true},
		{name: "region, no such host, retried", where: WithRegion(region), err: notFound(host), attempts: 3, hint: true},
		{name: "region, lookup failed otherwise", where: WithRegion(region), err: &net.DNSError{Err: "server misbehaving", Name: host}, attempts: 1, hint: true},
		{name: "region, lookup timed out", where: WithRegion(region), err: &net.DNSError{Err: "i/o timeout", Name: host, IsTimeout: true}, attempts: 1},
		{name: "region, another host (a proxy)", where: WithRegion(region), err: notFound("proxy.example.com"), attempts: 1},
		{name: "region, connection refused", where: WithRegion(region), err: &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}, attempts: 1},
		{name: "endpoint of a region's form", where: WithEndpoint("https://" + host), err: notFound(host), attempts: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			hc := &http.Client{Transport: roundTripFunc(func(*http.Request) (*http.Response, error) { return nil, tt.err })}
			policy := fastRetries
			policy.MaxAttempts = tt.attempts
			c, err := NewClient(tt.where, WithProjectID(testProjectID), WithToken(testToken),
				WithHTTPClient(hc), WithRetryPolicy(policy))
			require.NoError(t, err)
			_, err = c.Jobs.Get(context.Background(), "job-1")
			require.Error(t, err)
			if tt.hint {
				assert.True(t, strings.HasSuffix(err.Error(), hint), "error %q", err)
			} else {
				assert.NotContains(t, err.Error(), "is the region right?")
			}
			if tt.attempts > 1 {
				assert.Contains(t, err.Error(), fmt.Sprintf("(after %d attempts)", tt.attempts))
			}
			assert.ErrorIs(t, err, tt.err, "the transport's error stays reachable")
			var de *net.DNSError
			if errors.As(tt.err, &de) {
				require.ErrorAs(t, err, &de)
				assert.Equal(t, tt.err.(*net.DNSError).Name, de.Name)
			}
		})
	}
}
