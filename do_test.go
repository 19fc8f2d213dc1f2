package workspace

import (
	"context"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
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
