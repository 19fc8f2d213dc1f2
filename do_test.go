package workspace

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/net/http2"

	"github.com/hwcloud-go/workspace/internal/testserver"
)

func TestDoReadWithQueryAndOut(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	mux.handle("/desktops/d%201", respond(http.StatusOK, `{"desktop": {"desktop_id": "d 1", "computer_name": "FIN-001"}}`))

	var out struct {
		Desktop struct {
			ID   string `json:"desktop_id"`
			Name string `json:"computer_name"`
		} `json:"desktop"`
	}
	err := c.Do(testContext(t), http.MethodGet, "/desktops/"+url.PathEscape("d 1"), url.Values{"b": {"2"}, "a": {"x y"}}, nil, &out)
	require.NoError(t, err)
	assert.Equal(t, "d 1", out.Desktop.ID)
	assert.Equal(t, "FIN-001", out.Desktop.Name)
	r := mux.last(t)
	testMethod(t, r, "GET")
	testPath(t, r, testPrefix+"/desktops/d%201")
	assert.Equal(t, "a=x%20y&b=2", r.RawQuery)
	assert.Equal(t, testToken, r.Header.Get("X-Auth-Token"))
	assert.Empty(t, r.Body)
}

func TestDoWriteSendsJSON(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	mux.handle("/desktops/batch-reboot", respond(http.StatusOK, `{"job_id": "job-7"}`))

	var out struct {
		JobID string `json:"job_id"`
	}
	body := map[string]any{"desktop_ids": []string{"d-1"}, "type": "SOFT"}
	require.NoError(t, c.Do(testContext(t), http.MethodPost, "/desktops/batch-reboot", nil, body, &out))
	assert.Equal(t, "job-7", out.JobID)
	r := mux.last(t)
	testMethod(t, r, "POST")
	assert.JSONEq(t, `{"desktop_ids": ["d-1"], "type": "SOFT"}`, string(r.Body))
	assert.Equal(t, "application/json", r.Header.Get("Content-Type"))

	// out nil: the body is not read as JSON, and an empty answer is fine.
	mux.handle("/desktops/d-1", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNoContent) })
	require.NoError(t, c.Do(testContext(t), http.MethodDelete, "/desktops/d-1", nil, nil, nil))
	require.NoError(t, c.Do(testContext(t), http.MethodHead, "/desktops/d-1", nil, nil, nil))
}

// Reads are retried on a 503; writes only where they surely did not take
// effect (a 429), as for the wrapped operations.
func TestDoRetriesByMethod(t *testing.T) {
	t.Parallel()
	tests := []struct {
		method       string
		status       int
		wantAttempts int
	}{
		{http.MethodGet, http.StatusServiceUnavailable, 3},
		{http.MethodHead, http.StatusServiceUnavailable, 3},
		{http.MethodPost, http.StatusServiceUnavailable, 1},
		{http.MethodPut, http.StatusBadGateway, 1},
		{http.MethodDelete, http.StatusServiceUnavailable, 1},
		{http.MethodPatch, http.StatusTooManyRequests, 3},
		{http.MethodPost, http.StatusTooManyRequests, 3},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+http.StatusText(tt.status), func(t *testing.T) {
			t.Parallel()
			mux := newTestMux(t)
			srv := newTestServer(t, mux)
			mux.handle("/anything", respond(tt.status, `{"error_code": "X", "error_msg": "no"}`))
			c, err := NewClient(append(baseOptions(srv), WithToken(testToken),
				WithRetryPolicy(RetryPolicy{MaxAttempts: 3, BaseDelay: time.Millisecond, MaxDelay: 2 * time.Millisecond}))...)
			require.NoError(t, err)
			err = c.Do(testContext(t), tt.method, "/anything", nil, nil, nil)
			var apiErr *APIError
			require.ErrorAs(t, err, &apiErr)
			assert.Equal(t, tt.status, apiErr.StatusCode)
			assert.Equal(t, tt.wantAttempts, mux.requests())
		})
	}
}

func TestDoValidation(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	var out map[string]any
	tests := []struct {
		name   string
		ctx    context.Context
		method string
		path   string
		body   any
		out    any
		field  string
	}{
		{"nil context", nil, "GET", "/desktops", nil, nil, "ctx"},
		{"lower-case method", context.Background(), "get", "/desktops", nil, nil, "method"},
		{"unknown method", context.Background(), "TRACE", "/desktops", nil, nil, "method"},
		{"empty path", context.Background(), "GET", "", nil, nil, "path"},
		{"relative path", context.Background(), "GET", "desktops", nil, nil, "path"},
		{"with the project prefix", context.Background(), "GET", "/v2/" + testProjectID + "/desktops", nil, nil, "path"},
		{"query in path", context.Background(), "GET", "/desktops?limit=1", nil, nil, "path"},
		{"fragment", context.Background(), "GET", "/desktops#x", nil, nil, "path"},
		{"empty segment", context.Background(), "GET", "/desktops//x", nil, nil, "path"},
		{"trailing slash", context.Background(), "GET", "/desktops/", nil, nil, "path"},
		{"dot-dot", context.Background(), "GET", "/desktops/../../v3/projects", nil, nil, "path"},
		{"escaped dot-dot", context.Background(), "GET", "/desktops/%2e%2E/x", nil, nil, "path"},
		{"dot", context.Background(), "GET", "/./desktops", nil, nil, "path"},
		{"space", context.Background(), "GET", "/desktops/a b", nil, nil, "path"},
		{"bad escape", context.Background(), "GET", "/desktops/%zz", nil, nil, "path"},
		{"cut escape", context.Background(), "GET", "/desktops/%2", nil, nil, "path"},
		{"control byte", context.Background(), "GET", "/desktops/\r\nX: y", nil, nil, "path"},
		{"body on GET", context.Background(), "GET", "/desktops", map[string]string{}, nil, "body"},
		{"out not a pointer", context.Background(), "GET", "/desktops", nil, out, "out"},
		{"nil pointer out", context.Background(), "GET", "/desktops", nil, (*map[string]any)(nil), "out"},
		{"out on HEAD", context.Background(), "HEAD", "/desktops", nil, &out, "out"},
	}
	for _, tt := range tests {
		err := c.Do(tt.ctx, tt.method, tt.path, nil, tt.body, tt.out)
		var ve *ValidationError
		if assert.ErrorAs(t, err, &ve, tt.name) {
			assert.Equal(t, tt.field, ve.Field, tt.name)
		}
	}
	assert.Zero(t, mux.requests(), "nothing may be sent for invalid arguments")
}

// Do on a nil *Client or a zero Client does not panic (checkDoPath reads
// c.core.projectID): it returns errZeroClient, whatever the other
// arguments, after the check of a nil context only.
func TestDoNilOrZeroClient(t *testing.T) {
	t.Parallel()
	var out map[string]any
	clients := map[string]*Client{
		"nil *Client":   nil,
		"zero Client":   {},
		"only services": {DesktopPools: &DesktopPoolsService{}},
	}
	calls := []struct {
		name   string
		ctx    context.Context
		method string
		path   string
		out    any
		want   error  // nil: a *ValidationError on field
		field  string // for want == nil
	}{
		{"valid GET", context.Background(), http.MethodGet, "/desktops", &out, errZeroClient, ""},
		{"valid POST", context.Background(), http.MethodPost, "/desktops/batch-reboot", nil, errZeroClient, ""},
		{"bad method", context.Background(), "TRACE", "/desktops", nil, errZeroClient, ""},
		{"bad path", context.Background(), http.MethodGet, "/../x", nil, errZeroClient, ""},
		{"empty path", context.Background(), http.MethodGet, "", nil, errZeroClient, ""},
		{"bad out", context.Background(), http.MethodGet, "/desktops", out, errZeroClient, ""},
		{"nil context first", nil, http.MethodGet, "/desktops", nil, nil, "ctx"},
	}
	for name, c := range clients {
		for _, tt := range calls {
			t.Run(name+"/"+tt.name, func(t *testing.T) {
				t.Parallel()
				var err error
				require.NotPanics(t, func() { err = c.Do(tt.ctx, tt.method, tt.path, nil, nil, tt.out) })
				if tt.want != nil {
					assert.ErrorIs(t, err, tt.want)
					return
				}
				var ve *ValidationError
				require.ErrorAs(t, err, &ve)
				assert.Equal(t, tt.field, ve.Field)
			})
		}
	}
}

// Do refuses segments that a server or a proxy turns into a step up or
// into more than one segment: an escaped slash or backslash ("..%2F"), a
// dot segment escaped twice ("%252e%252e"), a path parameter (";" as in
// "..;", which Tomcat-style servers cut off before routing). They are a
// *ValidationError on "path", before anything is sent; the API's own paths
// still pass.
func TestDoRefusesSegmentsServersReinterpret(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		path string
		ok   bool
	}{
		{"dot-dot and an escaped slash", "/..%2F", false},
		{"escaped dot-dot and slash, lower case", "/%2e%2e%2f", false},
		{"escaped dot-dot, upper case", "/%2E%2E/x", false},
		{"escaped dot", "/x/%2E", false},
		{"half-escaped dot-dot", "/x/.%2e/y", false},
		{"dot-dot with a path parameter", "/..;/x", false},
		{"trailing dot-dot with a path parameter", "/x/..;", false},
		{"escaped slash", "/a%2Fb", false},
		{"escaped slash, lower case", "/a%2fb", false},
		{"escaped backslash", "/a%5Cb", false},
		{"escaped backslash, lower case", "/a%5cb", false},
		{"raw backslash", "/a\\b", false},
		{"double-escaped dot-dot", "/%252e%252e/x", false},
		{"double-escaped slash", "/a%252Fb", false},
		{"triple-escaped backslash", "/a%25255Cb", false},
		{"double-escaped dot-dot after a bad escape", "/%25zz/%252E%252E", false},
		{"path parameter", "/x;y", false},
		{"session id", "/x;jsessionid=1", false},
		{"escaped semicolon", "/x%3By", false},
		{"desktops", "/desktops", true},
		{"an action of a desktop", "/desktops/abc-123/actions", true},
		{"an escaped at", "/desktop-pools/p%40x", true},
		{"an escaped space", "/desktops/d%201", true},
		{"an escaped percent", "/desktops/a%25b", true},
		{"dots inside a name", "/desktops/a..b/x.y", true},
		{"three dots (a step up where trailing dots are trimmed)", "/desktops/...", false},
		{"dots and an escaped space", "/desktops/..%20/x", false},
		{"dots and an escaped tab", "/desktops/..%09/x", false},
		{"dots and an escaped NUL", "/desktops/..%00/x", false},
		{"overlong UTF-8 dots", "/desktops/%c0%ae%c0%ae/x", false},
		{"a trailing dot on a name", "/desktops/d.", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, mux := setup(t)
			mux.handle(tt.path, respond(http.StatusOK, `{}`))
			err := c.Do(testContext(t), http.MethodGet, tt.path, nil, nil, nil)
			if tt.ok {
				require.NoError(t, err)
				assert.Equal(t, testPrefix+tt.path, mux.last(t).Path, "sent as given")
				return
			}
			var ve *ValidationError
			require.ErrorAs(t, err, &ve)
			assert.Equal(t, "path", ve.Field)
			assert.Zero(t, mux.requests(), "nothing is sent")
		})
	}
}

// wrappedTransport is a user's RoundTripper that is not an *http.Transport
// and does not retry by itself.
type wrappedTransport struct{ rt http.RoundTripper }

func (w wrappedTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	return w.rt.RoundTrip(r)
}

// Client.Do with any method that changes state follows the write rules: a
// request the server may have is never sent again, through the SDK's own
// transport or a user's wrapped one.
func TestDoWritesNeverSentTwiceByTransport(t *testing.T) {
	t.Parallel()
	faults := map[string]testserver.H2Reply{
		"RST_STREAM REFUSED_STREAM": {Verdict: testserver.H2Reset, Code: http2.ErrCodeRefusedStream},
		"RST_STREAM PROTOCOL_ERROR": {Verdict: testserver.H2Reset, Code: http2.ErrCodeProtocol},
		"GOAWAY":                    {Verdict: testserver.H2GoAway},
		"EOF":                       {Verdict: testserver.H2Close},
	}
	for _, method := range []string{http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete} {
		for name, reply := range faults {
			for _, wrapped := range []bool{false, true} {
				t.Run(method+" "+name+map[bool]string{false: " default transport", true: " wrapped user transport"}[wrapped], func(t *testing.T) {
					t.Parallel()
					arrivals := &arrivalCounter{}
					ts := newH2DeleteServer(t, reply, arrivals)
					var opts []Option
					if wrapped {
						opts = append(opts, WithHTTPClient(&http.Client{Transport: wrappedTransport{ts.Client().Transport}}))
						t.Cleanup(ts.Client().CloseIdleConnections)
					}
					cl := clientFor(t, ts.URL, opts...)
					if !wrapped {
						trustInDefaultTransport(t, cl, ts)
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

// HTTP/1.1 replays a read (and would replay a write carrying an
// Idempotency-Key) by itself when a reused keep-alive connection fails
// after the request was written. Through Do, a read's replay counts
// against MaxAttempts, and no write goes twice.
func TestDoReusedConnectionDroppedSendsOnce(t *testing.T) {
	t.Parallel()
	for _, method := range []string{http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete} {
		for _, wrapped := range []bool{false, true} {
			t.Run(method+map[bool]string{false: " default transport", true: " wrapped user transport"}[wrapped], func(t *testing.T) {
				t.Parallel()
				arrivals := &arrivalCounter{}
				ts := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					if r.URL.Path != deletePath {
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
					opts = append(opts, WithHTTPClient(&http.Client{Transport: wrappedTransport{tr}}))
				}
				cl := clientFor(t, ts.URL, opts...)
				t.Cleanup(func() { closeIdle(cl) })
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
