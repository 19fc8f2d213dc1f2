package workspace

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"reflect"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hwcloud-go/workspace/internal/signer"
	"github.com/hwcloud-go/workspace/internal/testserver"
)

// The one test scaffolding of the package's tests. Use these rather than a
// server or helper of your own; add a helper here, without a prefix, when
// two test files need it. A fake of another service (IAM, the metadata
// service) is the only reason for a server of your own.
//
// Server and client:
//   - setup(t, opts...) (*Client, *testMux): a loopback server under
//     testBasePath that fails the test on any URL nobody registered, and a
//     client for it (project testProjectID, no retries, testToken unless
//     opts bring credentials; opts come last and win).
//   - mux.handle(rel, h) routes testPrefix+rel; mux.handleAny(h) takes
//     every path. mux.client(t, opts...) is one more client for the same
//     server; mux.conns counts the connections it accepted.
//     mux.last(t), mux.all() and mux.requests() show what arrived as
//     recordedRequest values; recordRequest(r, body) builds one in a
//     handler.
//   - respond(status, body) and writeJSON(w, status, body) answer JSON with
//     a request id; writeAPIError(w, status, retryAfter) answers the API's
//     error object; hijackClose(t, w) drops the connection; deadAddr(t) is
//     a loopback address that refuses connections.
//   - fastRetries: a RetryPolicy of three attempts with millisecond waits.
//
// Checks of a recordedRequest: testMethod, testPath, testQuery,
// testHeader, testNoHeader, testJSONBody, testNoBody, verifySignature
// (AK/SK, recomputed from what arrived) and testSdkDate.
//
// Operations: operations lists every operation, called with valid
// arguments, with its path and a 200 body (isNilResult, hasBody).
// retryOps are three operations of the three retry classes (a GET, a
// read-only POST, a write) with their exact request bodies;
// scriptedServer answers them as a test scripts and checks every attempt.
//
// Servers other than the mux, for tests of what happens on the wire:
//   - bareServer(t, h) is a loopback server without the mux (no base path,
//     nothing recorded), for servers that redirect to one another and for
//     fakes of another service; clientFor(t, url, opts...) is a token
//     client with fastRetries for any server's URL.
//   - The HTTP/2 and raw HTTP/1.1 test servers are the module's one pair,
//     in internal/testserver (shared with internal/pipeline's tests):
//     testserver.NewH2(t, script) is a frame-level HTTP/2 server whose
//     script says, per stream, what to do (answer, reset, GOAWAY, close,
//     TLS garbage); testserver.NewH1(t, script) reads each request's head
//     byte for byte and its body, and answers with the raw bytes the
//     script gives (rawH1OK: a kept-alive 200). newH2DeleteServer counts
//     batch-delete arrivals (arrivalCounter, by volume: deleteVolume) at
//     deletePath. trustInDefaultTransport makes a client's own transport
//     trust a TLS test server (tlsServer).
//   - cutBody(t, w) answers a 200 whose body the connection cuts off;
//     roundTripFunc is an http.RoundTripper from a function;
//     quietServerLog silences a server's error log.
//
// Also: assertNoSecret(t, s, extra...) (none of testSecrets nor extra in
// s), testContext(t), errorAs[T](t, err), logBuffer (a locked buffer for
// loggers, with logger() and records(t)), jsonInt, fakeClock (Now,
// Advance; tick moves it on every reading), fakeT (a stand-in for
// *testing.T that records failures), checkNoLeak(t) and closeIdle(c)
// (goroutines left behind), finishesWithin(t, d, f), pathObserver (an
// Observer recording each call's path), countingTokenSource (tok-1,
// tok-2, ... or an error), goldenString(t, name) (an answer of the API
// reference in testdata/golden), and the credentials testToken, testAK,
// testSK, testSecurityToken.
const (
	testBasePath      = "/api-prefix"
	testProjectID     = "0bec5db98280d2d02fd6c00c2de791ce"
	testPrefix        = testBasePath + "/v2/" + testProjectID // what every request path starts with
	testToken         = "test-token-6f1c0d9e"
	testAK            = "TESTACCESSKEYEXAMPLE1"
	testSK            = "test-secret-key-3b7a5e11c2"
	testSecurityToken = "test-security-token-9d2f44"
)

// recordedRequest is what the test server received, captured so that the test
// goroutine can assert on it with require.
type recordedRequest struct {
	Method   string
	Path     string // r.URL.EscapedPath(): exactly as sent
	RawQuery string
	Query    url.Values
	Header   http.Header
	Host     string
	Body     []byte
}

// testMux is a test server's handler, mounted under testBasePath. It routes on
// the exact escaped path, records every request, and fails the test for a
// path nobody registered.
type testMux struct {
	t        *testing.T
	mu       sync.Mutex
	handlers map[string]http.HandlerFunc // escaped path -> handler
	fallback http.HandlerFunc            // for any path; nil: unexpected paths fail the test
	got      []recordedRequest
	count    atomic.Int64
	conns    atomic.Int32     // connections the server accepted
	srv      *httptest.Server // set by newTestServer
}

func newTestMux(t *testing.T) *testMux {
	return &testMux{t: t, handlers: map[string]http.HandlerFunc{}}
}

// handle registers h for the escaped path testPrefix+rel.
func (m *testMux) handle(rel string, h http.HandlerFunc) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.handlers[testPrefix+rel] = h
}

// handleAny answers every request with h (for tests of odd paths).
func (m *testMux) handleAny(h http.HandlerFunc) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.fallback = h
}

func (m *testMux) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	m.count.Add(1)
	body, err := io.ReadAll(r.Body)
	if err != nil {
		m.t.Errorf("reading request body: %v", err)
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	req := recordRequest(r, body)
	m.mu.Lock()
	m.got = append(m.got, req)
	h := m.handlers[req.Path]
	if h == nil {
		h = m.fallback
	}
	m.mu.Unlock()
	if h == nil {
		m.t.Errorf("unexpected request: %s %s?%s", r.Method, req.Path, req.RawQuery)
		writeJSON(w, http.StatusTeapot, `{"error_code":"TEST.UNEXPECTED","error_msg":"unexpected URL"}`)
		return
	}
	h(w, r)
}

// readBody reads a request body and leaves it readable again.
func readBody(r *http.Request) []byte {
	b, _ := io.ReadAll(r.Body)
	r.Body = io.NopCloser(bytes.NewReader(b))
	return b
}

// requests returns the number of requests that reached the server.
func (m *testMux) requests() int { return int(m.count.Load()) }

// last returns the last request received; the test fails if there is none.
func (m *testMux) last(t *testing.T) recordedRequest {
	t.Helper()
	m.mu.Lock()
	defer m.mu.Unlock()
	require.NotEmpty(t, m.got, "no request reached the server")
	return m.got[len(m.got)-1]
}

// all returns a copy of every request received.
func (m *testMux) all() []recordedRequest {
	m.mu.Lock()
	defer m.mu.Unlock()
	return slices.Clone(m.got)
}

// newTestServer starts a loopback server for mux, closed when the test ends.
func newTestServer(t *testing.T, mux *testMux) *httptest.Server {
	t.Helper()
	srv := httptest.NewUnstartedServer(mux)
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			mux.conns.Add(1)
		}
	}
	srv.Start()
	t.Cleanup(srv.Close)
	mux.srv = srv
	return srv
}

// baseOptions are the options every foundation test client has: the test
// server's endpoint (with a trailing slash, which must be tolerated), the
// project and no retries.
func baseOptions(srv *httptest.Server) []Option {
	return []Option{
		WithEndpoint(srv.URL + testBasePath + "/"),
		WithProjectID(testProjectID),
		WithRetryPolicy(RetryPolicy{MaxAttempts: 1, BaseDelay: time.Millisecond, MaxDelay: 5 * time.Millisecond}),
	}
}

// setup starts a test server and a client with the base options plus
// opts; the client uses testToken unless opts bring credentials.
func setup(t *testing.T, opts ...Option) (*Client, *testMux) {
	t.Helper()
	mux := newTestMux(t)
	newTestServer(t, mux)
	return mux.client(t, opts...), mux
}

// client is one more client for the mux's server, built as setup builds
// its own.
func (m *testMux) client(t *testing.T, opts ...Option) *Client {
	t.Helper()
	all := baseOptions(m.srv)
	if !bringsCredentials(opts) {
		all = append(all, WithToken(testToken))
	}
	c, err := NewClient(append(all, opts...)...)
	require.NoError(t, err)
	return c
}

// bringsCredentials reports whether any of opts sets credentials.
func bringsCredentials(opts []Option) bool {
	var cfg config
	for _, o := range opts {
		if o.apply != nil {
			_ = o.apply(&cfg)
		}
	}
	return cfg.credentials != ""
}

// writeJSON answers with status and a JSON body, and a request id.
func writeJSON(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Request-Id", "test-req-id")
	w.WriteHeader(status)
	_, _ = io.WriteString(w, body)
}

// respond returns a handler answering status and body.
func respond(status int, body string) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) { writeJSON(w, status, body) }
}

// testMethod checks the request's method.
func testMethod(t *testing.T, r recordedRequest, want string) {
	t.Helper()
	assert.Equal(t, want, r.Method, "method")
}

// testPath checks the exact escaped path.
func testPath(t *testing.T, r recordedRequest, want string) {
	t.Helper()
	assert.Equal(t, want, r.Path, "escaped path")
}

// testQuery checks the query with url.Values equality (nil and empty
// are the same: no query).
func testQuery(t *testing.T, r recordedRequest, want url.Values) {
	t.Helper()
	if len(want) == 0 {
		assert.Empty(t, r.RawQuery, "query")
		return
	}
	assert.Equal(t, want, r.Query, "query")
}

// testHeader checks one header's only value.
func testHeader(t *testing.T, r recordedRequest, name, want string) {
	t.Helper()
	assert.Equal(t, []string{want}, r.Header.Values(name), "header %s", name)
}

// testNoHeader checks that a header is absent.
func testNoHeader(t *testing.T, r recordedRequest, name string) {
	t.Helper()
	assert.Empty(t, r.Header.Values(name), "header %s must be absent", name)
}

// testJSONBody checks the body as JSON and its Content-Type.
func testJSONBody(t *testing.T, r recordedRequest, want string) {
	t.Helper()
	assert.JSONEq(t, want, string(r.Body), "body")
	testHeader(t, r, "Content-Type", "application/json")
}

// testNoBody checks that a request carried no body and no Content-Type.
func testNoBody(t *testing.T, r recordedRequest) {
	t.Helper()
	assert.Empty(t, r.Body, "body")
	testNoHeader(t, r, "Content-Type")
}

// recordRequest is what a handler received, with its body already read.
func recordRequest(r *http.Request, body []byte) recordedRequest {
	return recordedRequest{
		Method: r.Method, Path: r.URL.EscapedPath(), RawQuery: r.URL.RawQuery,
		Query: r.URL.Query(), Header: r.Header.Clone(), Host: r.Host, Body: body,
	}
}

// verifySignature recomputes, from what the server received, the
// SDK-HMAC-SHA256 signature of a request and compares it with the one in
// its Authorization header. It returns the signed header names. The date
// is not checked: testSdkDate does that.
func verifySignature(t errorReporter, r recordedRequest, ak, sk string) []string {
	t.Helper()
	auth := r.Header.Get("Authorization")
	if !assert.True(t, strings.HasPrefix(auth, signer.Algorithm+" Access="+ak+", SignedHeaders="),
		"Authorization %q does not start with the algorithm, the access key and the signed headers", auth) {
		return nil
	}
	rest := strings.TrimPrefix(auth, signer.Algorithm+" ")
	parts := map[string]string{}
	for _, p := range strings.Split(rest, ", ") {
		k, v, _ := strings.Cut(p, "=")
		parts[k] = v
	}
	names := strings.Split(parts["SignedHeaders"], ";")
	assert.True(t, slices.IsSorted(names), "signed headers sorted: %v", names)
	assert.Subset(t, names, []string{"host", "x-project-id", "x-sdk-date"})
	signed := make(map[string]string, len(names))
	for _, n := range names {
		if n == "host" {
			signed[n] = r.Host
			continue
		}
		assert.NotEmpty(t, r.Header.Values(n), "signed header %s was not sent", n)
		signed[n] = r.Header.Get(n)
	}
	sr := signer.Request{Method: r.Method, Path: r.Path, Query: r.Query, Headers: signed, Body: r.Body}
	assert.Equal(t, signer.Signature(&sr, names, sk), parts["Signature"], "signature over what arrived")
	assert.Equal(t, []string{testProjectID}, r.Header.Values("X-Project-Id"), "header X-Project-Id")
	return names
}

// testSdkDate checks that X-Sdk-Date is well formed and within the
// 15 minutes of clock skew a server allows.
func testSdkDate(t errorReporter, r recordedRequest) {
	t.Helper()
	date, err := time.Parse(signer.DateFormat, r.Header.Get("X-Sdk-Date"))
	if assert.NoError(t, err, "X-Sdk-Date") {
		assert.WithinDuration(t, time.Now(), date, 15*time.Minute)
	}
}

// errorReporter is the part of *testing.T that verifySignature uses, so that a
// test can check that a bad signature makes it fail.
type errorReporter interface {
	Helper()
	Errorf(format string, args ...any)
}

// fakeT records failures instead of failing a test.
type fakeT struct{ failed bool }

func (f *fakeT) Helper()               {}
func (f *fakeT) Errorf(string, ...any) { f.failed = true }

// errorAs is errors.As for tests: it fails the test unless err holds a
// *T, and returns it.
func errorAs[T error](t *testing.T, err error) T {
	t.Helper()
	var target T
	require.ErrorAs(t, err, &target)
	return target
}

// testContext is a short-lived context for a test.
func testContext(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// operation is one operation, called with fixed valid arguments; every
// operation of the foundation is in operations.
type operation struct {
	name   string
	method string
	rel    string // escaped path after testPrefix
	ok     string // a 200 body that decodes
	call   func(ctx context.Context, c *Client) (any, error)
}

var operations = []operation{
	{
		name: "GetInconsistentStatistics", method: "GET", rel: "/desktop-pools/pool-1/inconsistent-statics",
		ok: `{"product_id":1,"image_id":2,"disk_num":3,"disk_size":4}`,
		call: func(ctx context.Context, c *Client) (any, error) {
			return c.DesktopPools.GetInconsistentStatistics(ctx, "pool-1")
		},
	},
	{
		name: "BatchDeleteVolumes", method: "POST", rel: "/desktop-pools/pool-1/volumes/batch-delete",
		ok: `{"job_id":"job-1"}`,
		call: func(ctx context.Context, c *Client) (any, error) {
			return c.DesktopPools.BatchDeleteVolumes(ctx, "pool-1", &BatchDeleteVolumesRequest{
				Volumes: []VolumeInfo{{Type: "SAS", Size: 10}},
			})
		},
	},
	{
		name: "ListScriptExecutionTasks", method: "GET", rel: "/desktop-pools/script-execution-tasks/detail",
		ok: `{"script_execution_tasks":[{"id":"t1"}],"total_count":1}`,
		call: func(ctx context.Context, c *Client) (any, error) {
			return c.DesktopPools.ListScriptExecutionTasks(ctx, &ListScriptExecutionTasksOptions{Limit: 5})
		},
	},
	{
		name: "CheckImages", method: "POST", rel: "/desktops/check-images",
		ok: `{"image_infos":[{"desktop_id":"d1","image_id":"i1"}]}`,
		call: func(ctx context.Context, c *Client) (any, error) {
			return c.Desktops.CheckImages(ctx, []string{"d1"})
		},
	},
	{
		name: "SnapshotsList", method: "GET", rel: "/snapshots",
		ok: `{"desktop_snapshots":[{"snapshot_id":"s1"}],"total_count":1}`,
		call: func(ctx context.Context, c *Client) (any, error) {
			return c.Snapshots.List(ctx, &ListSnapshotsOptions{DesktopID: "d1"})
		},
	},
	{
		name: "JobsGet", method: "GET", rel: "/workspace-jobs/job-1",
		ok: `{"id":"job-1","status":"RUNNING"}`,
		call: func(ctx context.Context, c *Client) (any, error) {
			return c.Jobs.Get(ctx, "job-1")
		},
	},
	{
		name: "DesktopPoolsList", method: "GET", rel: "/desktop-pools",
		ok: `{"desktop_pools":[{"id":"pool-1"}],"total_count":1}`,
		call: func(ctx context.Context, c *Client) (any, error) {
			return c.DesktopPools.List(ctx, &ListDesktopPoolsOptions{Limit: 5})
		},
	},
	{
		name: "DesktopPoolsGet", method: "GET", rel: "/desktop-pools/pool-1",
		ok: `{"id":"pool-1","data_volumes":[{"id":"v1","type":"SAS","size":10}]}`,
		call: func(ctx context.Context, c *Client) (any, error) {
			return c.DesktopPools.Get(ctx, "pool-1")
		},
	},
	{
		name: "DesktopPoolsListDesktops", method: "GET", rel: "/desktop-pools/pool-1/desktops",
		ok: `{"pool_desktops":[{"desktop_id":"d1"}],"total_count":1}`,
		call: func(ctx context.Context, c *Client) (any, error) {
			return c.DesktopPools.ListDesktops(ctx, "pool-1", &ListPoolDesktopsOptions{InconsistentType: InconsistentTypeImageID})
		},
	},
	{
		name: "DesktopPoolsRebuild", method: "POST", rel: "/desktop-pools/pool-1/rebuild",
		ok: `{"job_id":"job-1"}`,
		call: func(ctx context.Context, c *Client) (any, error) {
			return c.DesktopPools.Rebuild(ctx, "pool-1", &RebuildDesktopPoolRequest{ImageID: "img-1", IsFix: true})
		},
	},
	{
		name: "DesktopPoolsBatchAddVolumes", method: "POST", rel: "/desktop-pools/pool-1/volumes/batch-add",
		ok: `{"job_id":"job-1"}`,
		call: func(ctx context.Context, c *Client) (any, error) {
			return c.DesktopPools.BatchAddVolumes(ctx, "pool-1", &BatchAddVolumesRequest{Volumes: []VolumeInfo{{Type: "SAS", Size: 10}}})
		},
	},
	{
		name: "DesktopPoolsExecuteScripts", method: "POST", rel: "/desktop-pools/pool-1/script-executions",
		ok: `{"task_id":"task-1"}`,
		call: func(ctx context.Context, c *Client) (any, error) {
			return c.DesktopPools.ExecuteScripts(ctx, "pool-1", &ExecuteScriptsRequest{ScriptIDs: []string{"s1"}})
		},
	},
	{
		name: "DesktopsList", method: "GET", rel: "/desktops/detail",
		ok: `{"desktops":[{"desktop_id":"d1"}],"total_count":1}`,
		call: func(ctx context.Context, c *Client) (any, error) {
			return c.Desktops.List(ctx, &ListDesktopsOptions{PoolIDs: []string{"pool-1"}})
		},
	},
	{
		name: "SnapshotsBatchCreate", method: "POST", rel: "/snapshots/batch-create",
		ok: `{"job_id":"job-1"}`,
		call: func(ctx context.Context, c *Client) (any, error) {
			return c.Snapshots.BatchCreate(ctx, &BatchCreateSnapshotsRequest{DesktopIDs: []string{"d1"}})
		},
	},
	{
		name: "SnapshotsBatchDelete", method: "POST", rel: "/snapshots/batch-delete",
		ok: `{"job_id":"job-1"}`,
		call: func(ctx context.Context, c *Client) (any, error) {
			return c.Snapshots.BatchDelete(ctx, []string{"s1"})
		},
	},
	{
		name: "SnapshotsBatchRestore", method: "POST", rel: "/snapshots/batch-restore",
		ok: `{"job_id":"job-1"}`,
		call: func(ctx context.Context, c *Client) (any, error) {
			return c.Snapshots.BatchRestore(ctx, []string{"s1"})
		},
	},
	{
		name: "JobsListSubJobs", method: "GET", rel: "/workspace-sub-jobs",
		ok: `{"jobs":[{"id":"s1"}],"total_count":1}`,
		call: func(ctx context.Context, c *Client) (any, error) {
			return c.Jobs.ListSubJobs(ctx, &ListSubJobsOptions{JobID: "job-1"})
		},
	},
}

// isNilResult reports whether an operation's result is a nil pointer or
// slice, as it must be next to an error.
func isNilResult(v any) bool {
	if v == nil {
		return true
	}
	switch rv := reflect.ValueOf(v); rv.Kind() {
	case reflect.Pointer, reflect.Slice:
		return rv.IsNil()
	}
	return false
}

// fakeClock is a clock a test moves: by Advance, and by tick on every
// reading (zero: it stands still).
type fakeClock struct {
	mu   sync.Mutex
	t    time.Time
	tick time.Duration
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(c.tick)
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// logBuffer is a locked buffer for loggers used by several goroutines;
// logger() logs JSON at debug level into it and records() decodes that.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

func (l *logBuffer) logger() *slog.Logger {
	return slog.New(slog.NewJSONHandler(l, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// records decodes every line; numbers stay json.Number.
func (l *logBuffer) records(t testing.TB) []map[string]any {
	t.Helper()
	var out []map[string]any
	sc := bufio.NewScanner(strings.NewReader(l.String()))
	for sc.Scan() {
		dec := json.NewDecoder(bytes.NewReader(sc.Bytes()))
		dec.UseNumber()
		var m map[string]any
		require.NoError(t, dec.Decode(&m), sc.Text())
		out = append(out, m)
	}
	return out
}

// jsonInt is a log record's number.
func jsonInt(t testing.TB, v any) int64 {
	t.Helper()
	n, ok := v.(json.Number)
	require.True(t, ok, "%v (%T) is not a number", v, v)
	i, err := n.Int64()
	require.NoError(t, err)
	return i
}

// The retry tests' scaffolding, shared by the rate-limit, leak, soak and fuzz
// tests.

// fastRetries keeps retries in tests quick.
var fastRetries = RetryPolicy{MaxAttempts: 3, BaseDelay: time.Millisecond, MaxDelay: 5 * time.Millisecond}

// hijackClose drops the connection without an answer, after the request
// has arrived.
func hijackClose(t testing.TB, w http.ResponseWriter) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		t.Error("response writer cannot hijack")
		return
	}
	conn, _, err := hj.Hijack()
	if err != nil {
		t.Errorf("hijack: %v", err)
		return
	}
	conn.Close()
}

// writeAPIError writes the API's error object with status.
func writeAPIError(w http.ResponseWriter, status int, retryAfter string) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Request-Id", "req-err")
	if retryAfter != "" {
		w.Header().Set("Retry-After", retryAfter)
	}
	w.WriteHeader(status)
	fmt.Fprintf(w, `{"error_code":"WKS.%d","error_msg":"injected %d"}`, status, status)
}

// retryOp is one operation as the retry tests drive it.
type retryOp struct {
	name   string
	method string
	path   string // as the server sees it
	body   string // the request body the client must send; "" for none
	answer string // a 2xx body
	write  bool
	call   func(ctx context.Context, c *Client) error
}

var deleteRequest = &BatchDeleteVolumesRequest{Volumes: []VolumeInfo{{ID: "vol-1", Type: "SSD", Size: 20}}}

var retryOps = []retryOp{
	{
		name: "GetInconsistentStatistics", method: "GET",
		path:   testPrefix + "/desktop-pools/pool-1/inconsistent-statics",
		answer: `{"product_id":1,"image_id":2,"disk_num":3,"disk_size":4}`,
		call: func(ctx context.Context, c *Client) error {
			s, err := c.DesktopPools.GetInconsistentStatistics(ctx, "pool-1")
			if err == nil && *s != (InconsistentStatistics{1, 2, 3, 4}) {
				return fmt.Errorf("wrong result %+v", *s)
			}
			return err
		},
	},
	{
		name: "CheckImages", method: "POST",
		path:   testPrefix + "/desktops/check-images",
		body:   `{"desktop_ids":["d-1","d-2"]}`,
		answer: `{"image_infos":[{"desktop_id":"d-1","image_id":"i-1"}]}`,
		call: func(ctx context.Context, c *Client) error {
			infos, err := c.Desktops.CheckImages(ctx, []string{"d-1", "d-2"})
			if err == nil && (len(infos) != 1 || infos[0].ImageID != "i-1") {
				return fmt.Errorf("wrong result %+v", infos)
			}
			return err
		},
	},
	{
		name: "BatchDeleteVolumes", method: "POST", write: true,
		path:   testPrefix + "/desktop-pools/pool-1/volumes/batch-delete",
		body:   `{"volumes":[{"id":"vol-1","type":"SSD","size":20}]}`,
		answer: `{"job_id":"job-1"}`,
		call: func(ctx context.Context, c *Client) error {
			res, err := c.DesktopPools.BatchDeleteVolumes(ctx, "pool-1", deleteRequest)
			if err == nil && res.JobID != "job-1" {
				return fmt.Errorf("wrong result %+v", *res)
			}
			return err
		},
	},
}

// scriptedServer answers the n-th request (from 1) as script says and counts
// requests; it checks method, path, query and body of every one.
type scriptedServer struct {
	t     testing.TB
	op    retryOp
	count atomic.Int32
	// answer handles request n; return false to answer with op.answer.
	answer func(n int, w http.ResponseWriter, r *http.Request) bool
}

func (s *scriptedServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	n := int(s.count.Add(1))
	body, _ := io.ReadAll(r.Body)
	assert.Equal(s.t, s.op.method, r.Method)
	assert.Equal(s.t, s.op.path, r.URL.EscapedPath())
	assert.Empty(s.t, r.URL.RawQuery)
	assert.Equal(s.t, s.op.body, string(body), "the body is sent whole on every attempt")
	if s.answer != nil && s.answer(n, w, r) {
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Request-Id", fmt.Sprintf("req-%d", n))
	io.WriteString(w, s.op.answer)
}

// deadAddr is the address of a listener that has been closed: dialing
// it is refused.
func deadAddr(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())
	return addr
}

// testSecrets are the secret values the foundation tests use; none may ever
// be printed.
var testSecrets = []string{testToken, testSK, testSecurityToken, "tok-1"}

// assertNoSecret fails if s contains a secret or one of extra.
func assertNoSecret(t *testing.T, s string, extra ...string) {
	t.Helper()
	for _, secret := range append(append([]string(nil), testSecrets...), extra...) {
		if secret != "" {
			assert.NotContains(t, s, secret)
		}
	}
}

// arrivalCounter counts arrivals by key (a volume id, a method), for
// servers shared by goroutines.
type arrivalCounter struct {
	mu sync.Mutex
	n  map[string]int
}

func (c *arrivalCounter) add(key string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.n == nil {
		c.n = map[string]int{}
	}
	c.n[key]++
	return c.n[key]
}

func (c *arrivalCounter) get(key string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n[key]
}

// Servers and clients outside the test mux.

// bareServer starts a loopback server (no base path, nothing recorded)
// closed at the end of the test.
func bareServer(t testing.TB, h http.HandlerFunc) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}

// clientFor is a token client for baseURL with the fast retry policy;
// extra options come last and win.
func clientFor(t testing.TB, baseURL string, extra ...Option) *Client {
	t.Helper()
	opts := append([]Option{
		WithEndpoint(baseURL), WithProjectID(testProjectID), WithToken(testToken), WithRetryPolicy(fastRetries),
	}, extra...)
	c, err := NewClient(opts...)
	require.NoError(t, err)
	return c
}

// quietServerLog is a server error log that discards what it is given.
func quietServerLog() *log.Logger { return log.New(io.Discard, "", 0) }

// deletePath is the batch-delete path as the servers see it.
const deletePath = "/v2/" + testProjectID + "/desktop-pools/pool-1/volumes/batch-delete"

// deleteVolume is the volume id of a batch-delete body.
func deleteVolume(t testing.TB, body []byte) string {
	var req BatchDeleteVolumesRequest
	if err := json.Unmarshal(body, &req); err != nil || len(req.Volumes) != 1 {
		t.Errorf("batch-delete body %q", body)
		return ""
	}
	return req.Volumes[0].ID
}

// tlsServer is a TLS test server: an *httptest.Server started with TLS
// or a *testserver.H2Server, whose Client trusts its certificate.
type tlsServer interface{ Client() *http.Client }

// trustInDefaultTransport makes the client's own default transport trust
// ts's certificate, so that a test reaches an HTTPS loopback server through
// it.
func trustInDefaultTransport(t testing.TB, c *Client, ts tlsServer) {
	t.Helper()
	tr, ok := c.core.pipe.Transport().(*http.Transport)
	require.True(t, ok, "default transport is %T", c.core.pipe.Transport())
	tr.TLSClientConfig = ts.Client().Transport.(*http.Transport).TLSClientConfig.Clone()
	t.Cleanup(tr.CloseIdleConnections)
}

// newH2DeleteServer carries out batch-deletes (counting arrivals) and then
// ends the stream with reply.
func newH2DeleteServer(t testing.TB, reply testserver.H2Reply, arrivals *arrivalCounter) *testserver.H2Server {
	return testserver.NewH2(t, func(r *testserver.H2Request) testserver.H2Reply {
		if r.Path != deletePath {
			return testserver.H2Reply{Status: 404}
		}
		arrivals.add(deleteVolume(t, r.Body))
		return reply
	})
}

// rawH1OK is a 200 with the statistics object, kept alive.
var rawH1OK = func() string {
	body := `{"product_id": 1, "image_id": 2, "disk_num": 3, "disk_size": 4}`
	return "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " + strconv.Itoa(len(body)) + "\r\n\r\n" + body
}()

// Goroutines left behind: a test that counts them is not parallel (see
// leak_test.go).

// checkNoLeak records the number of goroutines and, at cleanup, waits up to
// a few seconds for the count to come back down, failing with the stacks
// of what is left. Register it before the servers and clients of the test,
// so that it runs after their cleanups.
func checkNoLeak(t *testing.T) {
	t.Helper()
	before := runtime.NumGoroutine()
	t.Cleanup(func() {
		deadline := time.Now().Add(5 * time.Second)
		for {
			now := runtime.NumGoroutine()
			if now <= before {
				return
			}
			if time.Now().After(deadline) {
				buf := make([]byte, 1<<20)
				buf = buf[:runtime.Stack(buf, true)]
				t.Errorf("goroutines: %d before, %d after; stacks:\n%s", before, now, buf)
				return
			}
			time.Sleep(10 * time.Millisecond)
		}
	})
}

// closeIdle lets go of the client's kept-alive connections, whose
// reader and writer goroutines would otherwise count as left behind.
func closeIdle(c *Client) { c.core.pipe.CloseIdleConnections() }

// roundTripFunc answers every request with fn.
type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// cutBody answers 200 with a Content-Length larger than what it sends, then
// drops the connection: the body is cut off.
func cutBody(t testing.TB, w http.ResponseWriter) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		t.Error("response writer cannot hijack")
		return
	}
	conn, buf, err := hj.Hijack()
	if err != nil {
		t.Errorf("hijack: %v", err)
		return
	}
	_, _ = buf.WriteString("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"job_id\":\"j")
	_ = buf.Flush()
	conn.Close()
}

// countingTokenSource hands out tok-1, tok-2, ... or fails with err.
type countingTokenSource struct {
	calls   atomic.Int64
	err     error
	mu      sync.Mutex
	lastCtx context.Context
}

func (s *countingTokenSource) Token(ctx context.Context) (string, error) {
	n := s.calls.Add(1)
	s.mu.Lock()
	s.lastCtx = ctx
	s.mu.Unlock()
	if s.err != nil {
		return "", s.err
	}
	return "tok-" + string(rune('0'+n)), nil
}

// pathObserver records each call's Path.
type pathObserver struct {
	mu    sync.Mutex
	paths []string
}

func (o *pathObserver) CallStart(ctx context.Context, c CallInfo) context.Context {
	o.mu.Lock()
	o.paths = append(o.paths, c.Path)
	o.mu.Unlock()
	return ctx
}

func (o *pathObserver) AttemptStart(ctx context.Context, _ CallInfo, _ int) context.Context {
	return ctx
}

func (o *pathObserver) AttemptEnd(context.Context, CallInfo, AttemptResult) {}

func (o *pathObserver) CallEnd(context.Context, CallInfo, CallResult) {}

// finishesWithin runs f and fails the test if it has not returned within
// d; it waits for f a while longer all the same, so that f's assertions do
// not outlive the test.
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
		t.Fatal("still running after 10 s more")
	}
}

// goldenString reads testdata/golden/name: an answer of the API as its
// reference pages give it.
func goldenString(t testing.TB, name string) string {
	t.Helper()
	b, err := os.ReadFile("testdata/golden/" + name)
	require.NoError(t, err)
	return string(b)
}

// attemptRecorder is an Observer that keeps every outcome it is handed.
type attemptRecorder struct {
	mu       sync.Mutex
	attempts []AttemptResult
	calls    []CallResult
}

func (r *attemptRecorder) CallStart(ctx context.Context, _ CallInfo) context.Context { return ctx }

func (r *attemptRecorder) AttemptStart(ctx context.Context, _ CallInfo, _ int) context.Context {
	return ctx
}

func (r *attemptRecorder) AttemptEnd(_ context.Context, _ CallInfo, o AttemptResult) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.attempts = append(r.attempts, o)
}

func (r *attemptRecorder) CallEnd(_ context.Context, _ CallInfo, o CallResult) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls = append(r.calls, o)
}

func (r *attemptRecorder) text() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var b strings.Builder
	for _, a := range r.attempts {
		fmt.Fprintf(&b, "attempt request_id=%s err=%v\n", a.RequestID, a.Err)
	}
	for _, c := range r.calls {
		fmt.Fprintf(&b, "call request_id=%s err=%v\n", c.RequestID, c.Err)
	}
	return b.String()
}
