package compat

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
)

// recorded is one request as the recording server received it.
type recorded struct {
	Method   string
	Path     string // escaped, as sent
	RawQuery string
	Header   http.Header
	Body     []byte
}

// recorder is an httptest server that keeps every request and answers
// each operation with a small valid body, so that both clients decode
// happily and only what they send matters.
type recorder struct {
	*httptest.Server

	mu   sync.Mutex
	reqs []recorded
}

func newRecorder(t *testing.T) *recorder {
	t.Helper()
	r := &recorder{}
	r.Server = httptest.NewServer(http.HandlerFunc(r.serve))
	t.Cleanup(r.Close)
	return r
}

func (r *recorder) serve(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(req.Body)
	r.mu.Lock()
	r.reqs = append(r.reqs, recorded{
		Method: req.Method, Path: req.URL.EscapedPath(), RawQuery: req.URL.RawQuery,
		Header: req.Header.Clone(), Body: body,
	})
	r.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Request-Id", "recorded")
	p := req.URL.Path
	switch {
	case strings.HasSuffix(p, "/inconsistent-statics"):
		_, _ = io.WriteString(w, `{"product_id":1,"image_id":2,"disk_num":3,"disk_size":4}`)
	case strings.HasSuffix(p, "/batch-delete"):
		_, _ = io.WriteString(w, `{"job_id":"job-1"}`)
	case strings.HasSuffix(p, "/check-images"):
		_, _ = io.WriteString(w, `{"image_infos":[{"desktop_id":"d-1","image_id":"img-1"}]}`)
	case strings.HasSuffix(p, "/script-execution-tasks/detail"):
		_, _ = io.WriteString(w, `{"script_execution_tasks":[{"id":"t-1"}],"total_count":1}`)
	case strings.HasSuffix(p, "/snapshots"):
		_, _ = io.WriteString(w, `{"desktop_snapshots":[{"snapshot_id":"s-1"}],"total_count":1}`)
	case strings.HasSuffix(p, "/rebuild"), strings.HasSuffix(p, "/batch-add"),
		strings.HasSuffix(p, "/batch-create"), strings.HasSuffix(p, "/batch-restore"):
		_, _ = io.WriteString(w, `{"job_id":"job-1"}`)
	case strings.HasSuffix(p, "/script-executions"):
		_, _ = io.WriteString(w, `{"task_id":"t-1"}`)
	case strings.HasSuffix(p, "/desktops/detail"):
		_, _ = io.WriteString(w, `{"desktops":[{"desktop_id":"d-1"}],"total_count":1}`)
	case strings.HasSuffix(p, "/desktops"):
		_, _ = io.WriteString(w, `{"pool_desktops":[{"desktop_id":"d-1"}],"total_count":1}`)
	case strings.HasSuffix(p, "/desktop-pools"):
		_, _ = io.WriteString(w, `{"desktop_pools":[{"id":"p-1"}],"total_count":1}`)
	case strings.HasSuffix(p, "/workspace-sub-jobs"):
		_, _ = io.WriteString(w, `{"jobs":[{"id":"s-1"}],"total_count":1}`)
	case strings.Contains(p, "/desktop-pools/"):
		_, _ = io.WriteString(w, `{"id":"p-1"}`)
	case strings.Contains(p, "/workspace-jobs/"):
		_, _ = io.WriteString(w, `{"id":"job-1","status":"SUCCESS","sub_jobs":[{"id":"s-1","status":"SUCCESS"}]}`)
	default:
		w.WriteHeader(http.StatusNotFound)
		_, _ = io.WriteString(w, `{"error_code":"APIGW.0101","error_msg":"no such API"}`)
	}
}

// take returns the requests received since the last take.
func (r *recorder) take(t *testing.T, n int) []recorded {
	t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	require.Len(t, r.reqs, n, "requests received")
	out := r.reqs
	r.reqs = nil
	return out
}
