package workspace

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hwcloud-go/workspace/internal/signer"
)

// Test fixtures of the foundation tests. Every unexported test name of this
// file (and of the other foundation test files) starts with "ft" so that it
// never clashes with another area's tests in the same package.
const (
	ftBasePath  = "/api-prefix"
	ftProjectID = "0bec5db98280d2d02fd6c00c2de791ce"
	ftPrefix    = ftBasePath + "/v2/" + ftProjectID // what every request path starts with
	ftToken     = "ft-token-6f1c0d9e"
	ftAK        = "FTACCESSKEYEXAMPLE01"
	ftSK        = "ft-secret-key-3b7a5e11c2"
	ftSecToken  = "ft-security-token-9d2f44"
)

// ftRequest is what the test server received, captured so that the test
// goroutine can assert on it with require.
type ftRequest struct {
	Method   string
	Path     string // r.URL.EscapedPath(): exactly as sent
	RawQuery string
	Query    url.Values
	Header   http.Header
	Host     string
	Body     []byte
}

// ftMux is a test server's handler, mounted under ftBasePath. It routes on
// the exact escaped path, records every request, and fails the test for a
// path nobody registered.
type ftMux struct {
	t        *testing.T
	mu       sync.Mutex
	handlers map[string]http.HandlerFunc // escaped path -> handler
	fallback http.HandlerFunc            // for any path; nil: unexpected paths fail the test
	got      []ftRequest
	count    atomic.Int64
}

func ftNewMux(t *testing.T) *ftMux {
	return &ftMux{t: t, handlers: map[string]http.HandlerFunc{}}
}

// handle registers h for the escaped path ftPrefix+rel.
func (m *ftMux) handle(rel string, h http.HandlerFunc) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.handlers[ftPrefix+rel] = h
}

// handleAny answers every request with h (for tests of odd paths).
func (m *ftMux) handleAny(h http.HandlerFunc) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.fallback = h
}

func (m *ftMux) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	m.count.Add(1)
	body, err := io.ReadAll(r.Body)
	if err != nil {
		m.t.Errorf("reading request body: %v", err)
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	req := ftRequest{
		Method: r.Method, Path: r.URL.EscapedPath(), RawQuery: r.URL.RawQuery,
		Query: r.URL.Query(), Header: r.Header.Clone(), Host: r.Host, Body: body,
	}
	m.mu.Lock()
	m.got = append(m.got, req)
	h := m.handlers[req.Path]
	if h == nil {
		h = m.fallback
	}
	m.mu.Unlock()
	if h == nil {
		m.t.Errorf("unexpected request: %s %s?%s", r.Method, req.Path, req.RawQuery)
		ftWriteJSON(w, http.StatusTeapot, `{"error_code":"FT.UNEXPECTED","error_msg":"unexpected URL"}`)
		return
	}
	h(w, r)
}

// ftBody reads a request body and leaves it readable again.
func ftBody(r *http.Request) []byte {
	b, _ := io.ReadAll(r.Body)
	r.Body = io.NopCloser(bytes.NewReader(b))
	return b
}

// requests returns the number of requests that reached the server.
func (m *ftMux) requests() int { return int(m.count.Load()) }

// last returns the last request received; the test fails if there is none.
func (m *ftMux) last(t *testing.T) ftRequest {
	t.Helper()
	m.mu.Lock()
	defer m.mu.Unlock()
	require.NotEmpty(t, m.got, "no request reached the server")
	return m.got[len(m.got)-1]
}

// all returns a copy of every request received.
func (m *ftMux) all() []ftRequest {
	m.mu.Lock()
	defer m.mu.Unlock()
	return slices.Clone(m.got)
}

// ftNewServer starts a loopback server for mux, closed when the test ends.
func ftNewServer(t *testing.T, mux *ftMux) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

// ftBaseOptions are the options every foundation test client has: the test
// server's endpoint (with a trailing slash, which must be tolerated), the
// project and no retries.
func ftBaseOptions(srv *httptest.Server) []Option {
	return []Option{
		WithEndpoint(srv.URL + ftBasePath + "/"),
		WithProjectID(ftProjectID),
		WithRetryPolicy(RetryPolicy{MaxAttempts: 1, BaseDelay: time.Millisecond, MaxDelay: 5 * time.Millisecond}),
	}
}

// ftSetup starts a test server and a client authenticated with ftToken.
func ftSetup(t *testing.T) (*Client, *ftMux) {
	t.Helper()
	return ftSetupWith(t, WithToken(ftToken))
}

// ftSetupWith starts a test server and a client with the base options plus
// opts, which must bring the credentials.
func ftSetupWith(t *testing.T, opts ...Option) (*Client, *ftMux) {
	t.Helper()
	mux := ftNewMux(t)
	srv := ftNewServer(t, mux)
	c, err := NewClient(append(ftBaseOptions(srv), opts...)...)
	require.NoError(t, err)
	return c, mux
}

// ftWriteJSON answers with status and a JSON body, and a request id.
func ftWriteJSON(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Request-Id", "ft-req-id")
	w.WriteHeader(status)
	_, _ = io.WriteString(w, body)
}

// ftRespond returns a handler answering status and body.
func ftRespond(status int, body string) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) { ftWriteJSON(w, status, body) }
}

// ftAssertMethod checks the request's method.
func ftAssertMethod(t *testing.T, r ftRequest, want string) {
	t.Helper()
	assert.Equal(t, want, r.Method, "method")
}

// ftAssertPath checks the exact escaped path.
func ftAssertPath(t *testing.T, r ftRequest, want string) {
	t.Helper()
	assert.Equal(t, want, r.Path, "escaped path")
}

// ftAssertQuery checks the query with url.Values equality (nil and empty
// are the same: no query).
func ftAssertQuery(t *testing.T, r ftRequest, want url.Values) {
	t.Helper()
	if len(want) == 0 {
		assert.Empty(t, r.RawQuery, "query")
		return
	}
	assert.Equal(t, want, r.Query, "query")
}

// ftAssertHeader checks one header's only value.
func ftAssertHeader(t *testing.T, r ftRequest, name, want string) {
	t.Helper()
	assert.Equal(t, []string{want}, r.Header.Values(name), "header %s", name)
}

// ftAssertNoHeader checks that a header is absent.
func ftAssertNoHeader(t *testing.T, r ftRequest, name string) {
	t.Helper()
	assert.Empty(t, r.Header.Values(name), "header %s must be absent", name)
}

// ftAssertJSONBody checks the body as JSON and its Content-Type.
func ftAssertJSONBody(t *testing.T, r ftRequest, want string) {
	t.Helper()
	assert.JSONEq(t, want, string(r.Body), "body")
	ftAssertHeader(t, r, "Content-Type", "application/json")
}

// ftAssertNoBody checks that a request carried no body and no Content-Type.
func ftAssertNoBody(t *testing.T, r ftRequest) {
	t.Helper()
	assert.Empty(t, r.Body, "body")
	ftAssertNoHeader(t, r, "Content-Type")
}

// ftVerifySignature recomputes, from what the server received, the
// SDK-HMAC-SHA256 signature of a request and compares it with the one in
// its Authorization header. It returns the signed header names.
func ftVerifySignature(t ftTB, r ftRequest, ak, sk string) []string {
	t.Helper()
	auth := r.Header.Get("Authorization")
	rest, ok := strings.CutPrefix(auth, signer.Algorithm+" ")
	if !assert.True(t, ok, "Authorization %q does not start with the algorithm", auth) {
		return nil
	}
	parts := map[string]string{}
	for _, p := range strings.Split(rest, ", ") {
		k, v, _ := strings.Cut(p, "=")
		parts[k] = v
	}
	assert.Equal(t, ak, parts["Access"], "access key")
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
	assert.Equal(t, signer.Signature(&sr, names, sk), parts["Signature"], "signature")

	date, err := time.Parse(signer.DateFormat, r.Header.Get("X-Sdk-Date"))
	if assert.NoError(t, err, "X-Sdk-Date") {
		assert.WithinDuration(t, time.Now(), date, 15*time.Minute)
	}
	assert.Equal(t, []string{ftProjectID}, r.Header.Values("X-Project-Id"), "header X-Project-Id")
	return names
}

// ftTB is the part of *testing.T that ftVerifySignature uses, so that a
// test can check that a bad signature makes it fail.
type ftTB interface {
	Helper()
	Errorf(format string, args ...any)
}

// ftFakeT records failures instead of failing a test.
type ftFakeT struct{ failed bool }

func (f *ftFakeT) Helper()               {}
func (f *ftFakeT) Errorf(string, ...any) { f.failed = true }

// ftErrorsAs is errors.As for tests: it fails the test unless err holds a
// *T, and returns it.
func ftErrorsAs[T error](t *testing.T, err error) T {
	t.Helper()
	var target T
	require.ErrorAs(t, err, &target)
	return target
}

// ftCtx is a short-lived context for a test.
func ftCtx(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// ftOp is one operation, called with fixed valid arguments; every
// operation of the foundation is in ftOps.
type ftOp struct {
	name   string
	method string
	rel    string // escaped path after ftPrefix
	ok     string // a 200 body that decodes
	call   func(ctx context.Context, c *Client) (any, error)
}

var ftOps = []ftOp{
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
}

// ftIsNilResult reports whether an operation's result is a nil pointer or
// slice, as it must be next to an error.
func ftIsNilResult(v any) bool {
	switch x := v.(type) {
	case nil:
		return true
	case *InconsistentStatistics:
		return x == nil
	case *BatchDeleteVolumesResult:
		return x == nil
	case *Page[ScriptExecutionTask]:
		return x == nil
	case []DesktopImageInfo:
		return x == nil
	case *Page[Snapshot]:
		return x == nil
	case *Job:
		return x == nil
	}
	return false
}
