package workspace

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/net/http2"

	"github.com/hwcloud-go/workspace/internal/testserver"
	"github.com/hwcloud-go/workspace/internal/wire"
)

func TestChunks(t *testing.T) {
	t.Parallel()
	tests := []struct {
		n, size int
		want    [][2]int
	}{
		{n: 0, size: 10, want: nil},
		{n: 1, size: 10, want: [][2]int{{0, 1}}},
		{n: 10, size: 10, want: [][2]int{{0, 10}}},
		{n: 35, size: 10, want: [][2]int{{0, 10}, {10, 20}, {20, 30}, {30, 35}}},
		{n: 5, size: 0, want: nil},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, chunks(tt.n, tt.size), "chunks(%d, %d)", tt.n, tt.size)
	}
}

// volumeServer is a pool that deletes volumes as a script says, one
// action per batch-delete request in the order they arrive (past the end
// of the script: "ok"):
//   - "ok": the volumes are deleted by a job that succeeds;
//   - "busy": 409 WKS.00010032, nothing deleted;
//   - "503": 503, nothing deleted;
//   - "429": 429, nothing deleted;
//   - "400": 400, nothing deleted;
//   - "drop": the connection closes after the request arrived, nothing deleted;
//   - "drop-after": the volumes are deleted, then the connection closes;
//   - "job-fails": a job starts and fails, nothing deleted.
type volumeServer struct {
	t      *testing.T
	script []string

	mu       sync.Mutex
	arrivals []wire.BatchDeleteRequest
	deleted  map[string]int // volume id -> times deleted
	failed   map[string]bool
	jobs     int
}

func newVolumeServer(t *testing.T, script ...string) (*volumeServer, *testMux) {
	s := &volumeServer{t: t, script: script, deleted: map[string]int{}, failed: map[string]bool{}}
	_, mux := setup(t)
	mux.handleAny(s.serve)
	return s, mux
}

func (s *volumeServer) serve(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.Method == http.MethodGet && strings.HasPrefix(r.URL.Path, testPrefix+"/workspace-jobs/"):
		id := strings.TrimPrefix(r.URL.Path, testPrefix+"/workspace-jobs/")
		s.mu.Lock()
		failed := s.failed[id]
		s.mu.Unlock()
		if failed {
			writeJSON(w, http.StatusOK, fmt.Sprintf(`{"id":%q,"status":"FAILED","job_error_code":"WKS.0002","fail_reason":"disk in use"}`, id))
			return
		}
		writeJSON(w, http.StatusOK, fmt.Sprintf(`{"id":%q,"status":"SUCCESS"}`, id))
	case r.Method == http.MethodPost && r.URL.Path == testPrefix+"/desktop-pools/pool-1/volumes/batch-delete":
		var req wire.BatchDeleteRequest
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
			s.t.Errorf("batch-delete body: %v", err)
		}
		s.mu.Lock()
		s.arrivals = append(s.arrivals, req)
		action := "ok"
		if n := len(s.arrivals); n <= len(s.script) {
			action = s.script[n-1]
		}
		deleteAll := func() {
			for _, v := range req.Volumes {
				s.deleted[v.ID]++
			}
		}
		var jobID string
		switch action {
		case "ok", "drop-after":
			deleteAll()
			s.jobs++
			jobID = fmt.Sprintf("job-%d", s.jobs)
		case "job-fails":
			s.jobs++
			jobID = fmt.Sprintf("job-%d", s.jobs)
			s.failed[jobID] = true
		}
		s.mu.Unlock()
		switch action {
		case "ok", "job-fails":
			writeJSON(w, http.StatusOK, fmt.Sprintf(`{"job_id":%q}`, jobID))
		case "busy":
			writeJSON(w, http.StatusConflict, `{"error_code":"WKS.00010032","error_msg":"The desktop pool is busy with another operation."}`)
		case "503":
			writeAPIError(w, http.StatusServiceUnavailable, "")
		case "429":
			writeAPIError(w, http.StatusTooManyRequests, "0")
		case "400":
			writeAPIError(w, http.StatusBadRequest, "")
		case "drop", "drop-after":
			hijackClose(s.t, w)
		default:
			s.t.Errorf("unknown action %q", action)
		}
	default:
		s.t.Errorf("unexpected request %s %s", r.Method, r.URL.Path)
		http.Error(w, "unexpected", http.StatusTeapot)
	}
}

// volumes is n volumes by id, vol-00 on.
func volumes(n int) []VolumeInfo {
	vs := make([]VolumeInfo, n)
	for i := range vs {
		vs[i] = VolumeInfo{ID: fmt.Sprintf("vol-%02d", i)}
	}
	return vs
}

// outcome names what became of a chunk, for the table below.
func chunkOutcome(c ChunkResult) string {
	var jf *JobFailedError
	var ae *APIError
	switch {
	case c.Err == nil:
		return "done"
	case errors.Is(c.Err, context.DeadlineExceeded):
		// Whether the deadline came during the wait for the pool, before
		// the next try or during it.
		return "context"
	case errors.Is(c.Err, ErrNotSent):
		return "not sent"
	case errors.Is(c.Err, ErrUnknownOutcome):
		return "unknown"
	case errors.As(c.Err, &jf):
		return "job failed"
	case errors.As(c.Err, &ae):
		return fmt.Sprintf("refused %d", ae.StatusCode)
	}
	return "other: " + c.Err.Error()
}

// Deleting 35 volumes is four chunks (10, 10, 10, 5), one at a time, each
// waited for; under every fault, no volume is deleted twice and every
// chunk's outcome is reported.
func TestBatchDeleteVolumesAndWait(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name         string
		script       []string
		timeout      time.Duration // 0: no bound
		wantOutcomes []string      // nil: no error
		wantArrivals int
		wantDeleted  int
		wantJobs     []string
	}{
		{name: "all done", wantArrivals: 4, wantDeleted: 35, wantJobs: []string{"job-1", "job-2", "job-3", "job-4"}},
		{
			name: "pool busy twice, then taken", script: []string{"ok", "busy", "busy", "ok"},
			wantArrivals: 6, wantDeleted: 35, wantJobs: []string{"job-1", "job-2", "job-3", "job-4"},
		},
		{
			name: "429 is retried: it did not take effect", script: []string{"429", "ok"},
			wantArrivals: 5, wantDeleted: 35, wantJobs: []string{"job-1", "job-2", "job-3", "job-4"},
		},
		{
			name: "503 on the second chunk: unknown, not sent again, the rest not sent", script: []string{"ok", "503"},
			wantOutcomes: []string{"done", "unknown", "not sent", "not sent"},
			wantArrivals: 2, wantDeleted: 10, wantJobs: []string{"job-1"},
		},
		{
			name: "connection dropped after the third chunk took effect", script: []string{"ok", "ok", "drop-after"},
			wantOutcomes: []string{"done", "done", "unknown", "not sent"},
			wantArrivals: 3, wantDeleted: 30, wantJobs: []string{"job-1", "job-2"},
		},
		{
			name: "connection dropped after the first chunk was written", script: []string{"drop"},
			wantOutcomes: []string{"unknown", "not sent", "not sent", "not sent"},
			wantArrivals: 1, wantDeleted: 0,
		},
		{
			name: "the second chunk's job fails", script: []string{"ok", "job-fails"},
			wantOutcomes: []string{"done", "job failed", "not sent", "not sent"},
			wantArrivals: 2, wantDeleted: 10, wantJobs: []string{"job-1", "job-2"},
		},
		{
			name: "the last chunk is refused", script: []string{"ok", "ok", "ok", "400"},
			wantOutcomes: []string{"done", "done", "done", "refused 400"},
			wantArrivals: 4, wantDeleted: 30, wantJobs: []string{"job-1", "job-2", "job-3"},
		},
		{
			name: "the pool stays busy until the context ends", script: append([]string{"ok"}, strings.Fields(strings.Repeat("busy ", 1000))...),
			timeout:      150 * time.Millisecond,
			wantOutcomes: []string{"done", "context", "not sent", "not sent"},
			wantArrivals: -1, wantDeleted: 10, wantJobs: []string{"job-1"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s, mux := newVolumeServer(t, tt.script...)
			c := mux.client(t, WithWaitInterval(5*time.Millisecond), WithRetryPolicy(fastRetries))
			ctx := testContext(t)
			if tt.timeout > 0 {
				ctx = timeoutContext(t, tt.timeout)
			}
			req := &BatchDeleteVolumesRequest{Volumes: volumes(35), HandleType: VolumeHandleForExpandAndIdle, DesktopIDs: []string{"d-1", "d-2"}}
			jobs, err := c.DesktopPools.BatchDeleteVolumesAndWait(ctx, "pool-1", req, nil)

			var jobIDs []string
			for _, j := range jobs {
				jobIDs = append(jobIDs, j.ID)
			}
			assert.Equal(t, tt.wantJobs, jobIDs, "every job started is returned")
			if tt.wantOutcomes == nil {
				require.NoError(t, err)
			} else {
				var be *BulkError
				require.ErrorAs(t, err, &be)
				require.Len(t, be.Chunks, 4)
				var outcomes []string
				for i, ch := range be.Chunks {
					outcomes = append(outcomes, chunkOutcome(ch))
					assert.Len(t, ch.Indexes, min(10, 35-10*i))
					assert.Equal(t, 10*i, ch.Indexes[0])
				}
				assert.Equal(t, tt.wantOutcomes, outcomes)
				assert.Contains(t, err.Error(), "chunks done")
			}

			s.mu.Lock()
			defer s.mu.Unlock()
			total := 0
			for id, n := range s.deleted {
				assert.Equal(t, 1, n, "volume %s deleted %d times", id, n)
				total += n
			}
			assert.Equal(t, tt.wantDeleted, total, "volumes deleted")
			if tt.wantArrivals >= 0 {
				assert.Len(t, s.arrivals, tt.wantArrivals, "batch-delete requests")
			}
			for _, a := range s.arrivals {
				assert.Equal(t, string(VolumeHandleForExpandAndIdle), a.HandleType, "every chunk carries the request's other fields")
				assert.Equal(t, []string{"d-1", "d-2"}, a.DesktopIDs)
				assert.LessOrEqual(t, len(a.Volumes), MaxVolumesPerBatchDelete)
			}
		})
	}
}

// Every item is checked before anything is sent.
func TestBatchDeleteVolumesAndWaitValidates(t *testing.T) {
	t.Parallel()
	bad := volumes(35)
	bad[23] = VolumeInfo{Type: "SSD"}
	bg := context.Background()
	tests := []struct {
		name      string
		call      func(c *Client) ([]*Job, error)
		wantField string
	}{
		{"nil ctx", func(c *Client) ([]*Job, error) {
			//lint:ignore SA1012 a nil context is what is tested
			return c.DesktopPools.BatchDeleteVolumesAndWait(nil, "pool-1", &BatchDeleteVolumesRequest{Volumes: volumes(1)}, nil)
		}, "ctx"},
		{"blank pool", func(c *Client) ([]*Job, error) {
			return c.DesktopPools.BatchDeleteVolumesAndWait(bg, " ", &BatchDeleteVolumesRequest{Volumes: volumes(1)}, nil)
		}, "poolID"},
		{"nil request", func(c *Client) ([]*Job, error) {
			return c.DesktopPools.BatchDeleteVolumesAndWait(bg, "pool-1", nil, nil)
		}, "req"},
		{"no volumes", func(c *Client) ([]*Job, error) {
			return c.DesktopPools.BatchDeleteVolumesAndWait(bg, "pool-1", &BatchDeleteVolumesRequest{}, nil)
		}, "req.Volumes"},
		{"a bad volume in the third chunk", func(c *Client) ([]*Job, error) {
			return c.DesktopPools.BatchDeleteVolumesAndWait(bg, "pool-1", &BatchDeleteVolumesRequest{Volumes: bad}, nil)
		}, "req.Volumes[23].Size"},
		{"negative interval", func(c *Client) ([]*Job, error) {
			return c.DesktopPools.BatchDeleteVolumesAndWait(bg, "pool-1", &BatchDeleteVolumesRequest{Volumes: volumes(35)}, &WaitOptions{Interval: -time.Second})
		}, "opts.Interval"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s, mux := newVolumeServer(t)
			jobs, err := tt.call(mux.client(t))
			assert.Nil(t, jobs)
			var ve *ValidationError
			require.ErrorAs(t, err, &ve)
			assert.Equal(t, tt.wantField, ve.Field)
			s.mu.Lock()
			assert.Empty(t, s.arrivals, "nothing is sent")
			s.mu.Unlock()
		})
	}
}

// BulkError reaches every chunk's error with errors.Is and errors.As.
func TestBulkErrorUnwrap(t *testing.T) {
	t.Parallel()
	failed := &JobFailedError{Job: &Job{ID: "job-2", Status: "FAILED"}}
	e := &BulkError{Chunks: []ChunkResult{
		{Indexes: []int{0, 1}, Job: &Job{ID: "job-1"}},
		{Indexes: []int{2, 3}, Job: failed.Job, Err: failed},
		{Indexes: []int{4}, Err: ErrNotSent},
	}}
	var err error = e
	var jf *JobFailedError
	require.ErrorAs(t, err, &jf)
	assert.Equal(t, "job-2", jf.Job.ID)
	assert.ErrorIs(t, err, ErrNotSent)
	assert.NotErrorIs(t, err, ErrUnknownOutcome)
	assert.Equal(t, "workspace: bulk write: 1 of 3 chunks done; items 2-3: workspace: job job-2 FAILED; 1 chunks after it not sent", err.Error())
}

// Over HTTP/2, a stream reset or a connection closed after the second
// chunk's request arrived: that chunk's outcome is unknown, it is not sent
// again (neither by the SDK nor by the transport), and the chunks after it
// are not sent.
func TestBatchDeleteVolumesAndWaitHTTP2Faults(t *testing.T) {
	t.Parallel()
	for name, fault := range map[string]testserver.H2Reply{
		"RST_STREAM INTERNAL_ERROR": {Verdict: testserver.H2Reset, Code: http2.ErrCodeInternal},
		"connection closed":         {Verdict: testserver.H2Close},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			var mu sync.Mutex
			arrivals := map[string]int{}
			deletes := 0
			ts := testserver.NewH2(t, func(r *testserver.H2Request) testserver.H2Reply {
				switch {
				case r.Method == http.MethodGet && strings.HasPrefix(r.Path, "/v2/"+testProjectID+"/workspace-jobs/"):
					return testserver.H2Reply{Body: `{"id":"job-1","status":"SUCCESS"}`}
				case r.Method == http.MethodPost && r.Path == deletePath:
					var req wire.BatchDeleteRequest
					if err := json.Unmarshal(r.Body, &req); err != nil {
						t.Errorf("body %q: %v", r.Body, err)
					}
					mu.Lock()
					defer mu.Unlock()
					for _, v := range req.Volumes {
						arrivals[v.ID]++
					}
					if deletes++; deletes == 2 {
						return fault
					}
					return testserver.H2Reply{Body: `{"job_id":"job-1"}`}
				}
				return testserver.H2Reply{Status: http.StatusNotFound}
			})
			c := clientFor(t, ts.URL, WithHTTPClient(ts.Client()), WithWaitInterval(time.Millisecond))
			jobs, err := c.DesktopPools.BatchDeleteVolumesAndWait(testContext(t), "pool-1", &BatchDeleteVolumesRequest{Volumes: volumes(35)}, nil)
			assert.Len(t, jobs, 1)
			var be *BulkError
			require.ErrorAs(t, err, &be)
			var outcomes []string
			for _, ch := range be.Chunks {
				outcomes = append(outcomes, chunkOutcome(ch))
			}
			assert.Equal(t, []string{"done", "unknown", "not sent", "not sent"}, outcomes)
			mu.Lock()
			defer mu.Unlock()
			assert.Len(t, arrivals, 20, "the first two chunks arrived")
			for id, n := range arrivals {
				assert.Equal(t, 1, n, "volume %s arrived %d times", id, n)
			}
		})
	}
}

// A client NewClient did not make fails the bulk methods with an error,
// never a panic.
func TestBulkOnZeroClient(t *testing.T) {
	t.Parallel()
	var c Client
	ctx := context.Background()
	_, err := c.Desktops.CheckImages(ctx, []string{"d-1", "d-2"})
	assert.ErrorIs(t, err, errZeroClient)
	_, err = c.DesktopPools.BatchDeleteVolumesAndWait(ctx, "pool-1", &BatchDeleteVolumesRequest{Volumes: volumes(25)}, nil)
	assert.ErrorIs(t, err, errZeroClient)
	_, errs := collect(c.Snapshots.All(ctx, nil))
	require.Len(t, errs, 1)
	assert.ErrorIs(t, errs[0], errZeroClient)
}

// bulkServer answers every batch write with a job and every job as done;
// it counts the writes (the mux records them) and may refuse the n-th
// (from 1) with busy (409 WKS.00010032) once.
type bulkServer struct {
	writes atomic.Int32
	busyAt int
}

// posts are the writes that arrived at mux.
func posts(mux *testMux) []recordedRequest {
	var out []recordedRequest
	for _, r := range mux.all() {
		if r.Method == http.MethodPost {
			out = append(out, r)
		}
	}
	return out
}

func (s *bulkServer) serve(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodGet {
		writeJSON(w, http.StatusOK, `{"id":"job","status":"SUCCESS"}`)
		return
	}
	n := int(s.writes.Add(1))
	if n == s.busyAt {
		writeJSON(w, http.StatusConflict, `{"error_code":"WKS.00010032","error_msg":"busy"}`)
		return
	}
	writeJSON(w, http.StatusOK, fmt.Sprintf(`{"job_id":"job-%d"}`, n))
}

// The other bulk writes chunk to their API's limits, one chunk at a time
// with the request's other fields in each, through the same runner.
func TestBulkWritesChunkToTheLimits(t *testing.T) {
	t.Parallel()
	ids := func(prefix string, n int) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = fmt.Sprintf("%s-%03d", prefix, i)
		}
		return out
	}
	addVolumes := make([]VolumeInfo, 23)
	for i := range addVolumes {
		addVolumes[i] = VolumeInfo{Type: "SSD", Size: 10 + i}
	}
	tests := []struct {
		name      string
		call      func(c *Client) ([]*Job, error)
		path      string
		items     string // the body's list that is chunked
		wantSizes []int
		other     map[string]any // fields every chunk carries
	}{
		{
			name: "add volumes", path: testPrefix + "/desktop-pools/pool-1/volumes/batch-add", items: "volumes",
			call: func(c *Client) ([]*Job, error) {
				return c.DesktopPools.BatchAddVolumesAndWait(testContext(t), "pool-1", &BatchAddVolumesRequest{Volumes: addVolumes, HandleType: VolumeHandleForExpandAndAll, DesktopIDs: []string{"d-1"}}, nil)
			},
			wantSizes: []int{10, 10, 3}, other: map[string]any{"handle_type": "FOR_EXPAND_AND_ALL", "desktop_ids": []any{"d-1"}},
		},
		{
			name: "create snapshots", path: testPrefix + "/snapshots/batch-create", items: "desktop_ids",
			call: func(c *Client) ([]*Job, error) {
				return c.Snapshots.BatchCreateAndWait(testContext(t), &BatchCreateSnapshotsRequest{DesktopIDs: ids("d", 250), DiskType: DiskTypeAll, SystemDisk: SnapshotSpec{Name: "nightly"}}, nil)
			},
			wantSizes: []int{100, 100, 50}, other: map[string]any{"disk_type": "ALL", "system_disk_snapshot": map[string]any{"name": "nightly"}},
		},
		{
			name: "delete snapshots", path: testPrefix + "/snapshots/batch-delete", items: "snapshot_ids",
			call: func(c *Client) ([]*Job, error) {
				return c.Snapshots.BatchDeleteAndWait(testContext(t), ids("s", 101), nil)
			},
			wantSizes: []int{100, 1},
		},
		{
			name: "restore snapshots", path: testPrefix + "/snapshots/batch-restore", items: "snapshot_ids",
			call: func(c *Client) ([]*Job, error) {
				return c.Snapshots.BatchRestoreAndWait(testContext(t), ids("s", 100), nil)
			},
			wantSizes: []int{100},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := &bulkServer{busyAt: 2}
			_, mux := setup(t)
			mux.handleAny(s.serve)
			jobs, err := tt.call(mux.client(t, WithWaitInterval(time.Millisecond)))
			require.NoError(t, err)
			assert.Len(t, jobs, len(tt.wantSizes))
			var sizes []int
			for i, w := range posts(mux) {
				assert.Equal(t, tt.path, w.Path)
				var body map[string]any
				require.NoError(t, json.Unmarshal(w.Body, &body))
				items, _ := body[tt.items].([]any)
				if i != 1 { // the second write was refused as busy and sent again
					sizes = append(sizes, len(items))
				}
				for k, v := range tt.other {
					assert.Equal(t, v, body[k], "write %d carries %s", i, k)
				}
			}
			assert.Equal(t, tt.wantSizes, sizes)
		})
	}
}

// Every item of the other bulk writes is checked before anything is sent.
func TestBulkWritesValidateEveryItemFirst(t *testing.T) {
	t.Parallel()
	bad := make([]string, 250)
	for i := range bad {
		bad[i] = fmt.Sprintf("s-%d", i)
	}
	bad[222] = " "
	vols := make([]VolumeInfo, 15)
	for i := range vols {
		vols[i] = VolumeInfo{Type: "SSD", Size: 10}
	}
	vols[12].Size = 5
	tests := []struct {
		name      string
		call      func(c *Client) ([]*Job, error)
		wantField string
	}{
		{"add volumes", func(c *Client) ([]*Job, error) {
			return c.DesktopPools.BatchAddVolumesAndWait(testContext(t), "pool-1", &BatchAddVolumesRequest{Volumes: vols}, nil)
		}, "req.Volumes[12].Size"},
		{"add no volumes", func(c *Client) ([]*Job, error) {
			return c.DesktopPools.BatchAddVolumesAndWait(testContext(t), "pool-1", &BatchAddVolumesRequest{}, nil)
		}, "req.Volumes"},
		{"create", func(c *Client) ([]*Job, error) {
			return c.Snapshots.BatchCreateAndWait(testContext(t), &BatchCreateSnapshotsRequest{DesktopIDs: bad}, nil)
		}, "req.DesktopIDs[222]"},
		{"create nil", func(c *Client) ([]*Job, error) { return c.Snapshots.BatchCreateAndWait(testContext(t), nil, nil) }, "req"},
		{"delete", func(c *Client) ([]*Job, error) { return c.Snapshots.BatchDeleteAndWait(testContext(t), bad, nil) }, "snapshotIDs[222]"},
		{"restore none", func(c *Client) ([]*Job, error) { return c.Snapshots.BatchRestoreAndWait(testContext(t), nil, nil) }, "snapshotIDs"},
		{"restore nil ctx", func(c *Client) ([]*Job, error) {
			//lint:ignore SA1012 a nil context is what is tested
			return c.Snapshots.BatchRestoreAndWait(nil, []string{"s"}, nil)
		}, "ctx"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := &bulkServer{}
			_, mux := setup(t)
			mux.handleAny(s.serve)
			jobs, err := tt.call(mux.client(t))
			assert.Nil(t, jobs)
			assert.Equal(t, tt.wantField, errorAs[*ValidationError](t, err).Field)
			assert.Empty(t, posts(mux), "nothing is sent")
		})
	}
}

// A chunk whose job started, then could not be waited for (the job's
// poll failed, or the context ended while the job ran), may well have
// taken effect: its error matches ErrUnknownOutcome, so that no caller
// takes it for a refusal and sends it again; the cause is still reachable,
// the job is reported, and the chunks after it are not sent.
func TestBulkChunkWhoseJobCannotBeWaitedForIsUnknown(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		poll    func(w http.ResponseWriter)
		timeout time.Duration
		wantIs  error
		wantAs  bool // an *APIError is reachable
	}{
		{name: "the poll fails with 500", poll: func(w http.ResponseWriter) { writeAPIError(w, http.StatusInternalServerError, "") }, wantIs: ErrServer, wantAs: true},
		{name: "the job is not found", poll: func(w http.ResponseWriter) { writeAPIError(w, http.StatusNotFound, "") }, wantIs: ErrNotFound, wantAs: true},
		{name: "the poll answers no job", poll: func(w http.ResponseWriter) { writeJSON(w, http.StatusOK, `<html>gateway</html>`) }},
		{
			name: "the context ends while the job runs", timeout: 100 * time.Millisecond,
			poll:   func(w http.ResponseWriter) { writeJSON(w, http.StatusOK, `{"id":"job-1","status":"RUNNING"}`) },
			wantIs: context.DeadlineExceeded,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var writes atomic.Int32
			_, mux := setup(t)
			mux.handleAny(func(w http.ResponseWriter, r *http.Request) {
				if r.Method == http.MethodGet {
					tt.poll(w)
					return
				}
				writeJSON(w, http.StatusOK, fmt.Sprintf(`{"job_id":"job-%d"}`, writes.Add(1)))
			})
			c := mux.client(t, WithWaitInterval(time.Millisecond), WithRetryPolicy(fastRetries))
			ctx := testContext(t)
			if tt.timeout > 0 {
				ctx = timeoutContext(t, tt.timeout)
			}
			jobs, err := c.DesktopPools.BatchDeleteVolumesAndWait(ctx, "pool-1", &BatchDeleteVolumesRequest{Volumes: volumes(25)}, nil)
			require.Len(t, jobs, 1)
			assert.Equal(t, "job-1", jobs[0].ID)
			var be *BulkError
			require.ErrorAs(t, err, &be)
			require.Len(t, be.Chunks, 3)
			first := be.Chunks[0]
			require.Error(t, first.Err)
			assert.Same(t, jobs[0], first.Job)
			assert.ErrorIs(t, first.Err, ErrUnknownOutcome)
			assert.NotErrorIs(t, first.Err, ErrNotSent)
			if tt.wantIs != nil {
				assert.ErrorIs(t, first.Err, tt.wantIs)
			}
			var ae *APIError
			assert.Equal(t, tt.wantAs, errors.As(first.Err, &ae))
			assert.ErrorIs(t, be.Chunks[1].Err, ErrNotSent)
			assert.ErrorIs(t, be.Chunks[2].Err, ErrNotSent)
			assert.EqualValues(t, 1, writes.Load(), "nothing sent after the chunk")
		})
	}
}

// inParallel counts requests in flight: a call's place is freed once its
// answer is in hand (answered), so that the next one starts while it is
// decoded; never more than workers before that.
func TestInParallelFreesThePlaceOnceAnswered(t *testing.T) {
	t.Parallel()
	const n, workers = 6, 2
	started := make([]chan struct{}, n)
	for i := range started {
		started[i] = make(chan struct{})
	}
	var onWire, maxOnWire atomic.Int32
	err := inParallel(context.Background(), n, workers, func(ctx context.Context, i int) error {
		w := onWire.Add(1)
		for m := maxOnWire.Load(); w > m && !maxOnWire.CompareAndSwap(m, w); m = maxOnWire.Load() {
		}
		close(started[i])
		onWire.Add(-1)
		answered(ctx)
		answered(ctx) // a second call frees nothing more
		if next := i + workers; next < n {
			// Still "decoding": the call after the next must start meanwhile.
			select {
			case <-started[next]:
			case <-time.After(5 * time.Second):
				return fmt.Errorf("call %d did not start while call %d was decoded", next, i)
			}
		}
		return nil
	})
	require.NoError(t, err)
	assert.LessOrEqual(t, maxOnWire.Load(), int32(workers))
}
