package workspace

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	snapshotsPath = testPrefix + "/snapshots"
	tasksPath     = testPrefix + "/desktop-pools/script-execution-tasks/detail"
)

// pageServer serves pages of an in-test data set on loopback, honouring
// offset and limit, and records the query of every request.
type pageServer struct {
	t        *testing.T
	mux      *testMux
	path     string
	key      string // the JSON name of the list in the answer
	items    []json.RawMessage
	defLimit int // the server's page size when no limit is sent
	maxLimit int

	// total, when set, is the total_count the server claims.
	total func(real int) int
	// page, when set, replaces the data set: it returns the items of the
	// page at offset and the total_count to claim.
	page func(offset, limit int) ([]json.RawMessage, int)
	// fault, when set, may answer request n (1-based) itself: it returns
	// true when it did.
	fault func(n int, w http.ResponseWriter) bool

	mu      sync.Mutex
	queries []url.Values
}

func snapshotItems(n int) []json.RawMessage {
	items := make([]json.RawMessage, n)
	for i := range items {
		items[i] = json.RawMessage(fmt.Sprintf(
			`{"snapshot_id":"snap-%06d","snapshot_name":"n%d","desktop_id":"d-%d","status":"create_success","process":null,"create_time":"2024-01-02T03:04:05Z","create_type":"AUTO"}`,
			i, i, i%7))
	}
	return items
}

func taskItems(n int) []json.RawMessage {
	items := make([]json.RawMessage, n)
	for i := range items {
		items[i] = json.RawMessage(fmt.Sprintf(
			`{"id":"task-%05d","desktop_pool_id":"pool-1","status":"FINISH","start_time":"2024-01-02T03:04:05Z","success_num":%d}`, i, i))
	}
	return items
}

// newSnapshotPageServer serves n snapshots; configure hooks before the
// first request.
func newSnapshotPageServer(t *testing.T, n int) *pageServer {
	return startPageServer(t, &pageServer{path: snapshotsPath, key: "desktop_snapshots", items: snapshotItems(n), defLimit: 1000, maxLimit: 1000})
}

// newTaskPageServer serves n script execution tasks.
func newTaskPageServer(t *testing.T, n int) *pageServer {
	return startPageServer(t, &pageServer{path: tasksPath, key: "script_execution_tasks", items: taskItems(n), defLimit: 10, maxLimit: 100})
}

func startPageServer(t *testing.T, s *pageServer) *pageServer {
	t.Helper()
	s.t = t
	_, s.mux = setup(t)
	s.mux.handle(strings.TrimPrefix(s.path, testPrefix), s.serve)
	return s
}

func (s *pageServer) serve(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.queries = append(s.queries, r.URL.Query())
	n := len(s.queries)
	s.mu.Unlock()

	if r.Method != http.MethodGet || r.URL.Path != s.path || r.Header.Get("X-Auth-Token") != testToken {
		s.t.Errorf("unexpected request %s %s (token ok: %v)", r.Method, r.URL.Path, r.Header.Get("X-Auth-Token") == testToken)
		http.Error(w, "unexpected", http.StatusTeapot)
		return
	}
	if s.fault != nil && s.fault(n, w) {
		return
	}
	q := r.URL.Query()
	offset, limit := 0, s.defLimit
	if v := q.Get("offset"); v != "" {
		offset, _ = strconv.Atoi(v)
	}
	if v := q.Get("limit"); v != "" {
		limit, _ = strconv.Atoi(v)
	}
	if limit < 0 || limit > s.maxLimit || offset < 0 {
		w.WriteHeader(http.StatusBadRequest)
		_, _ = w.Write([]byte(`{"error_code":"WKS.0001","error_msg":"bad page"}`))
		return
	}
	var (
		page  []json.RawMessage
		total = len(s.items)
	)
	if s.page != nil {
		page, total = s.page(offset, limit)
	} else {
		if offset < len(s.items) {
			page = s.items[offset:min(offset+limit, len(s.items))]
		}
		if s.total != nil {
			total = s.total(len(s.items))
		}
	}
	if page == nil {
		page = []json.RawMessage{}
	}
	body, err := json.Marshal(map[string]any{s.key: page, "total_count": total})
	if err != nil {
		s.t.Errorf("encoding page: %v", err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Request-Id", "req-"+strconv.Itoa(n))
	_, _ = w.Write(body)
}

// requests returns a copy of the recorded queries.
func (s *pageServer) requests() []url.Values {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]url.Values(nil), s.queries...)
}

// offsets returns the offset each request asked for (absent: 0).
func (s *pageServer) offsets() []int {
	var out []int
	for _, q := range s.requests() {
		o, _ := strconv.Atoi(q.Get("offset"))
		out = append(out, o)
	}
	return out
}

// client is a client wired to the server that fetches one page at a time
// (WithConcurrency(1)), so that the pages asked for are exactly those a
// sequential listing needs; retries are off unless policy says otherwise.
func (s *pageServer) client(policy ...RetryPolicy) *Client {
	s.t.Helper()
	p := RetryPolicy{MaxAttempts: 1}
	if len(policy) > 0 {
		p = policy[0]
	}
	return s.mux.client(s.t, WithRetryPolicy(p), WithConcurrency(1))
}

// collect ranges over seq to its end, returning the items and the
// errors yielded.
func collect[T any](seq func(func(T, error) bool)) (items []T, errs []error) {
	for v, err := range seq {
		if err != nil {
			errs = append(errs, err)
			continue
		}
		items = append(items, v)
	}
	return items, errs
}

func snapshotIDs(items []Snapshot) []string {
	ids := make([]string, len(items))
	for i, s := range items {
		ids[i] = s.ID
	}
	return ids
}

func wantSnapshotIDs(from, to int) []string {
	ids := make([]string, 0, to-from)
	for i := from; i < to; i++ {
		ids = append(ids, fmt.Sprintf("snap-%06d", i))
	}
	return ids
}

func queryOf(kv ...string) url.Values {
	v := url.Values{}
	for i := 0; i < len(kv); i += 2 {
		v.Add(kv[i], kv[i+1])
	}
	return v
}

func TestSnapshotsAllPages(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		total       int
		opts        *ListSnapshotsOptions
		wantFrom    int
		wantOffsets []int
		wantLimit   string
	}{
		{name: "nil opts, 2345 over 3 pages", total: 2345, opts: nil, wantOffsets: []int{0, 1000, 2000}, wantLimit: "1000"},
		{name: "zero opts", total: 2345, opts: &ListSnapshotsOptions{}, wantOffsets: []int{0, 1000, 2000}, wantLimit: "1000"},
		{name: "exact multiple ends at total_count", total: 2000, wantOffsets: []int{0, 1000}, wantLimit: "1000"},
		{name: "caller's limit", total: 2345, opts: &ListSnapshotsOptions{Limit: 700}, wantOffsets: []int{0, 700, 1400, 2100}, wantLimit: "700"},
		{name: "starting offset", total: 2345, opts: &ListSnapshotsOptions{Offset: 345}, wantFrom: 345, wantOffsets: []int{345, 1345}, wantLimit: "1000"},
		{name: "offset and limit", total: 2345, opts: &ListSnapshotsOptions{Offset: 2000, Limit: 200}, wantFrom: 2000, wantOffsets: []int{2000, 2200}, wantLimit: "200"},
		{name: "offset past the end", total: 2345, opts: &ListSnapshotsOptions{Offset: 5000}, wantFrom: 2345, wantOffsets: []int{5000}, wantLimit: "1000"},
		{name: "empty data set", total: 0, wantOffsets: []int{0}, wantLimit: "1000"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := newSnapshotPageServer(t, tt.total)
			items, errs := collect(s.client().Snapshots.All(context.Background(), tt.opts))
			require.Empty(t, errs)
			assert.Equal(t, wantSnapshotIDs(tt.wantFrom, tt.total), snapshotIDs(items))
			assert.Equal(t, tt.wantOffsets, s.offsets())
			for i, q := range s.requests() {
				assert.Equal(t, []string{tt.wantLimit}, q["limit"], "request %d", i)
				if tt.wantOffsets[i] == 0 {
					assert.NotContains(t, q, "offset", "request %d: offset 0 is not sent", i)
				} else {
					assert.Equal(t, []string{strconv.Itoa(tt.wantOffsets[i])}, q["offset"], "request %d", i)
				}
			}
		})
	}
}

func TestSnapshotsAllDecodesItems(t *testing.T) {
	t.Parallel()
	s := newSnapshotPageServer(t, 3)
	items, errs := collect(s.client().Snapshots.All(context.Background(), nil))
	require.Empty(t, errs)
	require.Len(t, items, 3)
	assert.Equal(t, Snapshot{
		ID: "snap-000002", Name: "n2", DesktopID: "d-2", Status: SnapshotStatus("create_success"),
		CreateTime: time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC), CreateType: CreateType("AUTO"),
	}, items[2])
}

func TestAllScriptExecutionTasksPages(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		total       int
		opts        *ListScriptExecutionTasksOptions
		wantFrom    int
		wantOffsets []int
		wantLimit   string
	}{
		{name: "default page size 100", total: 234, wantOffsets: []int{0, 100, 200}, wantLimit: "100"},
		{name: "caller's limit", total: 234, opts: &ListScriptExecutionTasksOptions{Limit: 60}, wantOffsets: []int{0, 60, 120, 180}, wantLimit: "60"},
		{name: "starting offset", total: 234, opts: &ListScriptExecutionTasksOptions{Offset: 34}, wantFrom: 34, wantOffsets: []int{34, 134}, wantLimit: "100"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := newTaskPageServer(t, tt.total)
			items, errs := collect(s.client().DesktopPools.AllScriptExecutionTasks(context.Background(), tt.opts))
			require.Empty(t, errs)
			require.Len(t, items, tt.total-tt.wantFrom)
			for i, it := range items {
				assert.Equal(t, fmt.Sprintf("task-%05d", tt.wantFrom+i), it.ID)
			}
			assert.Equal(t, TaskStatus("FINISH"), items[0].Status)
			assert.Equal(t, time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC), items[0].StartTime)
			assert.Equal(t, tt.wantOffsets, s.offsets())
			for i, q := range s.requests() {
				assert.Equal(t, []string{tt.wantLimit}, q["limit"], "request %d", i)
			}
		})
	}
}

func TestSnapshotsAllFiltersOnEveryPage(t *testing.T) {
	t.Parallel()
	s := newSnapshotPageServer(t, 2345)
	opts := &ListSnapshotsOptions{
		DesktopName:   "desk",
		DesktopIDs:    []string{"d-1", "d-2"},
		SnapshotNames: []string{"a b", "c"},
		DiskType:      DiskType("SYSTEM_DISK"),
		CreateType:    CreateType("MANUALLY"),
		Status:        SnapshotStatus("create_success"),
		SortField:     SortField("create_time"),
		SortType:      SortType("DESC"),
		Offset:        100,
		Limit:         900,
	}
	before := *opts
	before.DesktopIDs = append([]string(nil), opts.DesktopIDs...)
	before.SnapshotNames = append([]string(nil), opts.SnapshotNames...)

	items, errs := collect(s.client().Snapshots.All(context.Background(), opts))
	require.Empty(t, errs)
	assert.Len(t, items, 2245)

	filters := func(offset string) url.Values {
		return queryOf(
			"desktop_name", "desk", "desktop_ids", "d-1", "desktop_ids", "d-2",
			"snapshot_names", "a b", "snapshot_names", "c", "disk_type", "SYSTEM_DISK",
			"create_type", "MANUALLY", "status", "create_success", "sort_field", "create_time",
			"sort_type", "DESC", "offset", offset, "limit", "900")
	}
	assert.Equal(t, []url.Values{filters("100"), filters("1000"), filters("1900")}, s.requests())
	assert.Equal(t, before, *opts, "the caller's options are unchanged")
}

func TestAllScriptExecutionTasksFiltersOnEveryPage(t *testing.T) {
	t.Parallel()
	s := newTaskPageServer(t, 150)
	start := time.Date(2024, 5, 1, 8, 0, 0, 0, time.FixedZone("CST", 8*3600))
	opts := &ListScriptExecutionTasksOptions{
		DesktopPoolID:    "pool-1",
		ScriptName:       "cleanup",
		Status:           TaskStatus("FAILED"),
		TaskType:         TaskType("SCRIPT"),
		TaskIDs:          []string{"t1", "t2"},
		ExecuteTimeStart: start,
		ExecuteTimeEnd:   start.Add(7 * 24 * time.Hour),
	}
	before := *opts
	before.TaskIDs = append([]string(nil), opts.TaskIDs...)

	items, errs := collect(s.client().DesktopPools.AllScriptExecutionTasks(context.Background(), opts))
	require.Empty(t, errs)
	assert.Len(t, items, 150)

	want := queryOf(
		"desktop_pool_id", "pool-1", "script_name", "cleanup", "status", "FAILED", "task_type", "SCRIPT",
		"task_id", "t1", "task_id", "t2", "execute_time_start", "2024-05-01T00:00:00Z",
		"execute_time_end", "2024-05-08T00:00:00Z", "limit", "100")
	second := queryOf("offset", "100")
	for k, v := range want {
		second[k] = v
	}
	assert.Equal(t, []url.Values{want, second}, s.requests())
	assert.Equal(t, before, *opts, "the caller's options are unchanged")
}

func TestSnapshotsAllRangedTwice(t *testing.T) {
	t.Parallel()
	s := newSnapshotPageServer(t, 2345)
	opts := &ListSnapshotsOptions{Offset: 300, Limit: 1000}
	seq := s.client().Snapshots.All(context.Background(), opts)

	first, errs := collect(seq)
	require.Empty(t, errs)
	second, errs := collect(seq)
	require.Empty(t, errs)

	assert.Equal(t, wantSnapshotIDs(300, 2345), snapshotIDs(first))
	assert.Equal(t, snapshotIDs(first), snapshotIDs(second))
	assert.Equal(t, []int{300, 1300, 2300, 300, 1300, 2300}, s.offsets(), "the second range starts over at the offset")
	assert.Equal(t, ListSnapshotsOptions{Offset: 300, Limit: 1000}, *opts)

	// A range that broke early does not leave the next one half way.
	n := 0
	for _, err := range seq {
		require.NoError(t, err)
		if n++; n == 1500 {
			break
		}
	}
	third, errs := collect(seq)
	require.Empty(t, errs)
	assert.Equal(t, snapshotIDs(first), snapshotIDs(third))
	assert.Equal(t, []int{300, 1300, 2300, 300, 1300, 2300, 300, 1300, 300, 1300, 2300}, s.offsets())
}

func TestAllBreakStopsFetching(t *testing.T) {
	t.Parallel()
	t.Run("tasks, break after 150", func(t *testing.T) {
		t.Parallel()
		s := newTaskPageServer(t, 1000)
		var got []string
		for task, err := range s.client().DesktopPools.AllScriptExecutionTasks(context.Background(), nil) {
			require.NoError(t, err)
			got = append(got, task.ID)
			if len(got) == 150 {
				break
			}
		}
		assert.Len(t, got, 150)
		assert.LessOrEqual(t, len(s.requests()), 2)
		assert.Equal(t, []int{0, 100}, s.offsets())
	})
	t.Run("snapshots, break after 150", func(t *testing.T) {
		t.Parallel()
		s := newSnapshotPageServer(t, 2345)
		n := 0
		for _, err := range s.client().Snapshots.All(context.Background(), nil) {
			require.NoError(t, err)
			if n++; n == 150 {
				break
			}
		}
		assert.Equal(t, 150, n)
		assert.Equal(t, []int{0}, s.offsets())
	})
	t.Run("break on the last item of a page fetches no more", func(t *testing.T) {
		t.Parallel()
		s := newTaskPageServer(t, 1000)
		n := 0
		for _, err := range s.client().DesktopPools.AllScriptExecutionTasks(context.Background(), nil) {
			require.NoError(t, err)
			if n++; n == 100 {
				break
			}
		}
		assert.Equal(t, []int{0}, s.offsets())
	})
}

func TestAllErrorOnPageTwo(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		status     int
		policy     RetryPolicy
		wantStatus int
		wantIs     error
		wantReqs   int
	}{
		{name: "500, retries off", status: http.StatusInternalServerError, policy: RetryPolicy{MaxAttempts: 1}, wantStatus: 500, wantIs: ErrServer, wantReqs: 2},
		{name: "500 after retries", status: http.StatusInternalServerError, policy: RetryPolicy{MaxAttempts: 3, BaseDelay: time.Millisecond, MaxDelay: 2 * time.Millisecond}, wantStatus: 500, wantIs: ErrServer, wantReqs: 4},
		{name: "404", status: http.StatusNotFound, policy: RetryPolicy{MaxAttempts: 3, BaseDelay: time.Millisecond, MaxDelay: 2 * time.Millisecond}, wantStatus: 404, wantIs: ErrNotFound, wantReqs: 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := newSnapshotPageServer(t, 2345)
			s.fault = func(n int, w http.ResponseWriter) bool {
				if n < 2 {
					return false
				}
				w.WriteHeader(tt.status)
				_, _ = w.Write([]byte(`{"error_code":"WKS.9999","error_msg":"page two broke"}`))
				return true
			}
			var (
				items  []Snapshot
				errs   []error
				pairs  int
				errIdx = -1
			)
			for v, err := range s.client(tt.policy).Snapshots.All(context.Background(), nil) {
				pairs++
				if err != nil {
					errIdx = pairs - 1
					errs = append(errs, err)
					assert.Zero(t, v, "an error comes with the zero value")
					continue
				}
				items = append(items, v)
			}
			assert.Equal(t, wantSnapshotIDs(0, 1000), snapshotIDs(items), "the items of page 1")
			require.Len(t, errs, 1, "exactly one error")
			assert.Equal(t, 1000, errIdx, "the error comes last")
			var ae *APIError
			require.ErrorAs(t, errs[0], &ae)
			assert.Equal(t, tt.wantStatus, ae.StatusCode)
			assert.Equal(t, "WKS.9999", ae.Code)
			assert.Equal(t, snapshotsPath, ae.Path)
			assert.ErrorIs(t, errs[0], tt.wantIs)
			assert.Len(t, s.requests(), tt.wantReqs)
		})
	}
}

func TestAllErrorEndsEvenIfTheLoopContinues(t *testing.T) {
	t.Parallel()
	s := newTaskPageServer(t, 500)
	s.fault = func(n int, w http.ResponseWriter) bool {
		if n == 1 {
			w.WriteHeader(http.StatusForbidden)
			return true
		}
		return false
	}
	items, errs := collect(s.client().DesktopPools.AllScriptExecutionTasks(context.Background(), nil))
	assert.Empty(t, items)
	require.Len(t, errs, 1)
	assert.ErrorIs(t, errs[0], ErrForbidden)
	assert.Len(t, s.requests(), 1)
}

func TestAllLyingTotalCount(t *testing.T) {
	t.Parallel()
	full := func(offset, limit int) []json.RawMessage {
		return snapshotItems(offset + limit)[offset:]
	}
	tests := []struct {
		name        string
		real        int
		opts        *ListSnapshotsOptions
		total       func(int) int
		page        func(offset, limit int) ([]json.RawMessage, int)
		wantItems   int
		wantOffsets []int
	}{
		{
			name: "claims a million, short page ends it", real: 2345,
			total:     func(int) int { return 1_000_000 },
			wantItems: 2345, wantOffsets: []int{0, 1000, 2000},
		},
		{
			name: "claims a million, empty page ends it", real: 2000,
			total:     func(int) int { return 1_000_000 },
			wantItems: 2000, wantOffsets: []int{0, 1000, 2000},
		},
		{
			name: "claims fewer than there are, stops at total_count", real: 2345,
			total:     func(int) int { return 1500 },
			wantItems: 2000, wantOffsets: []int{0, 1000},
		},
		{
			name: "claims fewer than the starting offset", real: 2345, opts: &ListSnapshotsOptions{Offset: 1000},
			total:     func(int) int { return 500 },
			wantItems: 1000, wantOffsets: []int{1000},
		},
		{
			name:      "full pages forever with total_count 0 stop after one page",
			page:      func(offset, limit int) ([]json.RawMessage, int) { return full(offset, limit), 0 },
			wantItems: 1000, wantOffsets: []int{0},
		},
		{
			name:      "full pages forever stop at total_count",
			page:      func(offset, limit int) ([]json.RawMessage, int) { return full(offset, limit), 3500 },
			wantItems: 4000, wantOffsets: []int{0, 1000, 2000, 3000},
		},
		{
			name: "more items than the limit asked for",
			page: func(offset, limit int) ([]json.RawMessage, int) {
				if offset >= 3000 {
					return nil, 3000
				}
				return snapshotItems(offset + 1500)[offset:], 3000
			},
			wantItems: 3000, wantOffsets: []int{0, 1500},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := newSnapshotPageServer(t, tt.real)
			s.total, s.page = tt.total, tt.page
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			items, errs := collect(s.client().Snapshots.All(ctx, tt.opts))
			require.Empty(t, errs)
			assert.Len(t, items, tt.wantItems)
			assert.Equal(t, tt.wantOffsets, s.offsets())
		})
	}
}

func TestAllContextCancelledBetweenPages(t *testing.T) {
	t.Parallel()
	s := newSnapshotPageServer(t, 2345)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var (
		items int
		errs  []error
	)
	for _, err := range s.client().Snapshots.All(ctx, nil) {
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if items++; items == 1000 {
			cancel() // the last item of page 1
		}
	}
	assert.Equal(t, 1000, items)
	require.Len(t, errs, 1)
	assert.ErrorIs(t, errs[0], context.Canceled)
	assert.Contains(t, errs[0].Error(), "offset 1000")
	assert.Len(t, s.requests(), 1, "no request after the cancel")
}

func TestAllContextDoneBeforeRanging(t *testing.T) {
	t.Parallel()
	s := newTaskPageServer(t, 10)
	ctx, cancel := context.WithTimeout(context.Background(), time.Nanosecond)
	defer cancel()
	<-ctx.Done()
	items, errs := collect(s.client().DesktopPools.AllScriptExecutionTasks(ctx, nil))
	assert.Empty(t, items)
	require.Len(t, errs, 1)
	assert.ErrorIs(t, errs[0], context.DeadlineExceeded)
	assert.Empty(t, s.requests())
}

func TestAllValidationErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		run       func(c *Client) []error
		wantField string
	}{
		{
			name: "snapshot limit 2000", wantField: "opts.Limit",
			run: func(c *Client) []error {
				_, errs := collect(c.Snapshots.All(context.Background(), &ListSnapshotsOptions{Limit: 2000}))
				return errs
			},
		},
		{
			name: "snapshot negative offset", wantField: "opts.Offset",
			run: func(c *Client) []error {
				_, errs := collect(c.Snapshots.All(context.Background(), &ListSnapshotsOptions{Offset: -1}))
				return errs
			},
		},
		{
			name: "snapshot sort field without sort type", wantField: "opts.SortType",
			run: func(c *Client) []error {
				_, errs := collect(c.Snapshots.All(context.Background(), &ListSnapshotsOptions{SortField: SortField("create_time")}))
				return errs
			},
		},
		{
			name: "snapshots nil ctx", wantField: "ctx",
			run: func(c *Client) []error {
				//lint:ignore SA1012 a nil context is what is tested
				_, errs := collect(c.Snapshots.All(nil, nil))
				return errs
			},
		},
		{
			name: "task limit 101", wantField: "opts.Limit",
			run: func(c *Client) []error {
				_, errs := collect(c.DesktopPools.AllScriptExecutionTasks(context.Background(), &ListScriptExecutionTasksOptions{Limit: 101}))
				return errs
			},
		},
		{
			name: "task empty task id", wantField: "opts.TaskIDs[1]",
			run: func(c *Client) []error {
				_, errs := collect(c.DesktopPools.AllScriptExecutionTasks(context.Background(), &ListScriptExecutionTasksOptions{TaskIDs: []string{"a", " "}}))
				return errs
			},
		},
		{
			name: "tasks nil ctx", wantField: "ctx",
			run: func(c *Client) []error {
				//lint:ignore SA1012 a nil context is what is tested
				_, errs := collect(c.DesktopPools.AllScriptExecutionTasks(nil, nil))
				return errs
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := newSnapshotPageServer(t, 10)
			errs := tt.run(s.client())
			require.Len(t, errs, 1)
			var ve *ValidationError
			require.ErrorAs(t, errs[0], &ve)
			assert.Equal(t, tt.wantField, ve.Field)
			assert.Empty(t, s.requests(), "no request is sent")
		})
	}
}

func TestPaginateHelper(t *testing.T) {
	t.Parallel()
	pages := func(sizes ...int) (func(context.Context, int) (*Page[int], error), *[]int) {
		var offsets []int
		return func(_ context.Context, offset int) (*Page[int], error) {
			offsets = append(offsets, offset)
			i := len(offsets) - 1
			if i >= len(sizes) {
				return nil, errors.New("fetched past the last page")
			}
			p := &Page[int]{TotalCount: 1 << 30}
			for j := 0; j < sizes[i]; j++ {
				p.Items = append(p.Items, offset+j)
			}
			return p, nil
		}, &offsets
	}

	t.Run("short page", func(t *testing.T) {
		fetch, offsets := pages(3, 3, 1)
		items, errs := collect(paginate(context.Background(), nil, 5, 3, fetch, intID))
		assert.Empty(t, errs)
		assert.Equal(t, []int{5, 6, 7, 8, 9, 10, 11}, items)
		assert.Equal(t, []int{5, 8, 11}, *offsets)
	})
	t.Run("empty page", func(t *testing.T) {
		fetch, offsets := pages(3, 0)
		items, errs := collect(paginate(context.Background(), nil, 0, 3, fetch, intID))
		assert.Empty(t, errs)
		assert.Len(t, items, 3)
		assert.Equal(t, []int{0, 3}, *offsets)
	})
	t.Run("yield after the error is not called", func(t *testing.T) {
		fetch, _ := pages(3)
		calls := 0
		paginate(context.Background(), nil, 0, 3, fetch, intID)(func(_ int, err error) bool {
			calls++
			return true // a careless consumer that asks for more after the error
		})
		assert.Equal(t, 4, calls, "three items and one error")
	})
}

func TestAllCopiesOptionsWhenCalled(t *testing.T) {
	t.Parallel()
	t.Run("snapshots", func(t *testing.T) {
		t.Parallel()
		s := newSnapshotPageServer(t, 5)
		opts := &ListSnapshotsOptions{DesktopIDs: []string{"d-1"}, DesktopNames: []string{"n"}, SnapshotNames: []string{"s"}, Limit: 10}
		seq := s.client().Snapshots.All(context.Background(), opts)
		// Changes after All do not reach the sequence.
		opts.DesktopIDs[0], opts.DesktopNames[0], opts.SnapshotNames[0], opts.Limit = "changed", "changed", "changed", 3
		_, errs := collect(seq)
		require.Empty(t, errs)
		assert.Equal(t, []url.Values{queryOf("desktop_ids", "d-1", "desktop_names", "n", "snapshot_names", "s", "limit", "10")}, s.requests())
	})
	t.Run("tasks", func(t *testing.T) {
		t.Parallel()
		s := newTaskPageServer(t, 5)
		opts := &ListScriptExecutionTasksOptions{TaskIDs: []string{"t-1"}}
		seq := s.client().DesktopPools.AllScriptExecutionTasks(context.Background(), opts)
		opts.TaskIDs[0] = "changed"
		_, errs := collect(seq)
		require.Empty(t, errs)
		assert.Equal(t, []url.Values{queryOf("task_id", "t-1", "limit", "100")}, s.requests())
	})
}

func TestAllRangedConcurrently(t *testing.T) {
	t.Parallel()
	s := newTaskPageServer(t, 250)
	seq := s.client().DesktopPools.AllScriptExecutionTasks(context.Background(), &ListScriptExecutionTasksOptions{TaskIDs: []string{"t"}})
	var wg sync.WaitGroup
	counts := make([]int, 4)
	for g := range counts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for _, err := range seq {
				if err != nil {
					t.Error(err)
					return
				}
				counts[g]++
			}
		}()
	}
	wg.Wait()
	assert.Equal(t, []int{250, 250, 250, 250}, counts)
	assert.Len(t, s.requests(), 12)
}

// intID names an int item of paginate's own tests.
func intID(i *int) string { return strconv.Itoa(*i) }

// A lying server cannot make All run forever.
func TestAllBoundedAgainstALyingServer(t *testing.T) {
	t.Parallel()
	// A server that claims more with every page.
	var pages atomic.Int32
	srv := bareServer(t, func(w http.ResponseWriter, r *http.Request) {
		n := pages.Add(1)
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"total_count":%d,"desktop_snapshots":[{"snapshot_id":"s-%d-1"},{"snapshot_id":"s-%d-2"}]}`, 10*n, n, n)
	})
	c := clientFor(t, srv.URL, WithConcurrency(1))
	items := 0
	for _, err := range c.Snapshots.All(context.Background(), &ListSnapshotsOptions{Limit: 2}) {
		require.NoError(t, err)
		items++
		require.Less(t, items, 1000, "All runs on")
	}
	assert.Equal(t, 10, items, "the first page's total_count bounds the listing")
	assert.EqualValues(t, 5, pages.Load())

	// A total_count too large to believe: maxListPages pages, then an error.
	var fetched atomic.Int32
	seq := paginate(context.Background(), c, 0, 2, func(_ context.Context, offset int) (*Page[int], error) {
		fetched.Add(1)
		return &Page[int]{Items: []int{offset, offset + 1}, TotalCount: 1 << 62}, nil
	}, intID)
	var got int
	var last error
	for _, err := range seq {
		if err != nil {
			last = err
			break
		}
		got++
	}
	require.Error(t, last)
	assert.Contains(t, last.Error(), "10000 pages")
	assert.EqualValues(t, maxListPages, fetched.Load())
	assert.Equal(t, 2*maxListPages, got)
}

// intPages is a fetch for paginate's own tests: pages of limit ints from
// offset on, total of them; hook, when set, runs first and may answer the
// page itself (ok true). It counts fetches and fetches in flight.
type intPages struct {
	total, limit int
	hook         func(ctx context.Context, offset int) (p *Page[int], err error, ok bool)

	calls, inFlight, maxInFlight atomic.Int32
	mu                           sync.Mutex
	offsets                      []int
}

func (p *intPages) fetch(ctx context.Context, offset int) (*Page[int], error) {
	p.calls.Add(1)
	n := p.inFlight.Add(1)
	defer p.inFlight.Add(-1)
	for m := p.maxInFlight.Load(); n > m && !p.maxInFlight.CompareAndSwap(m, n); m = p.maxInFlight.Load() {
	}
	p.mu.Lock()
	p.offsets = append(p.offsets, offset)
	p.mu.Unlock()
	if p.hook != nil {
		if page, err, ok := p.hook(ctx, offset); ok {
			return page, err
		}
	}
	page := &Page[int]{TotalCount: p.total}
	for i := offset; i < min(offset+p.limit, p.total); i++ {
		page.Items = append(page.Items, i)
	}
	return page, nil
}

// concurrentClient is a client that only lends paginate its concurrency.
func concurrentClient(t *testing.T, n int) *Client {
	t.Helper()
	c, err := NewClient(WithEndpoint("http://127.0.0.1:1"), WithProjectID("p"), WithToken("t"), WithConcurrency(n))
	require.NoError(t, err)
	return c
}

// Pages are fetched ahead, up to WithConcurrency held at once (the one
// being yielded included), and the items still come in the API's order.
func TestPaginateFetchesAheadInOrder(t *testing.T) {
	t.Parallel()
	for _, n := range []int{1, 2, 4, 8, 32} {
		t.Run(fmt.Sprintf("concurrency %d", n), func(t *testing.T) {
			t.Parallel()
			pages := &intPages{total: 100, limit: 5}
			var yielding atomic.Int32 // the page whose items are being yielded
			var maxHeld atomic.Int32
			pages.hook = func(_ context.Context, offset int) (*Page[int], error, bool) {
				held := int32(offset/5) - yielding.Load() + 1
				for m := maxHeld.Load(); held > m && !maxHeld.CompareAndSwap(m, held); m = maxHeld.Load() {
				}
				return nil, nil, false
			}
			var got []int
			for v, err := range paginate(context.Background(), concurrentClient(t, n), 0, 5, pages.fetch, intID) {
				require.NoError(t, err)
				// A page is let go once its last item is yielded.
				yielding.Store(int32(v/5 + v%5/4))
				if v == 0 {
					// Page 1 in hand: the pages after it are asked for.
					require.Eventually(t, func() bool { return pages.calls.Load() == int32(min(n, 20)) }, 5*time.Second, time.Millisecond)
				}
				got = append(got, v)
			}
			want := make([]int, 100)
			for i := range want {
				want[i] = i
			}
			assert.Equal(t, want, got)
			assert.EqualValues(t, 20, pages.calls.Load(), "each page once")
			assert.LessOrEqual(t, maxHeld.Load(), int32(n), "pages held")
			assert.LessOrEqual(t, pages.maxInFlight.Load(), int32(n), "fetches in flight")
			assert.Zero(t, pages.inFlight.Load())
		})
	}
}

// Items that move between pages while the listing runs are yielded once;
// items without an id are always yielded; a page that repeats the one
// before it ends the listing with an error.
func TestPaginateDuplicates(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		pages    map[int][]int // offset to items; total 12, limit 4
		idOf     func(*int) string
		want     []int
		wantErr  string
		maxCalls int32
	}{
		{
			name:  "an item moved onto the next page is yielded once",
			pages: map[int][]int{0: {0, 1, 2, 3}, 4: {3, 4, 5, 6}, 8: {7, 8, 9, 10}},
			idOf:  intID, want: []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, maxCalls: 3,
		},
		{
			name:  "items without an id are all yielded",
			pages: map[int][]int{0: {0, 1, 2, 3}, 4: {3, 4, 5, 6}, 8: {7, 8, 9, 10}},
			idOf:  func(*int) string { return "" }, want: []int{0, 1, 2, 3, 3, 4, 5, 6, 7, 8, 9, 10}, maxCalls: 3,
		},
		{
			name:  "a server that ignores offset",
			pages: map[int][]int{0: {0, 1, 2, 3}, 4: {0, 1, 2, 3}, 8: {0, 1, 2, 3}},
			idOf:  intID, want: []int{0, 1, 2, 3}, wantErr: "repeats the page before it", maxCalls: 3,
		},
		{
			name:  "the same items in another order are not a repeat",
			pages: map[int][]int{0: {0, 1, 2, 3}, 4: {3, 2, 1, 0}, 8: {8, 9, 10, 11}},
			idOf:  intID, want: []int{0, 1, 2, 3, 8, 9, 10, 11}, maxCalls: 3,
		},
	}
	for _, tt := range tests {
		for _, n := range []int{1, 3} {
			t.Run(fmt.Sprintf("%s, concurrency %d", tt.name, n), func(t *testing.T) {
				t.Parallel()
				pages := &intPages{total: 12, limit: 4}
				pages.hook = func(_ context.Context, offset int) (*Page[int], error, bool) {
					return &Page[int]{Items: tt.pages[offset], TotalCount: 12}, nil, true
				}
				got, errs := collect(paginate(context.Background(), concurrentClient(t, n), 0, 4, pages.fetch, tt.idOf))
				assert.Equal(t, tt.want, got)
				if tt.wantErr == "" {
					assert.Empty(t, errs)
				} else {
					require.Len(t, errs, 1)
					assert.Contains(t, errs[0].Error(), tt.wantErr)
				}
				assert.LessOrEqual(t, pages.calls.Load(), tt.maxCalls)
			})
		}
	}
}

// A caller that stops early, or a page that fails, cancels the pages in
// flight and waits for them: no fetch runs once the range loop is over.
func TestPaginateStopCancelsPagesInFlight(t *testing.T) {
	t.Parallel()
	boom := errors.New("page 3 failed")
	tests := []struct {
		name string
		// hook answers offsets past the first page; it blocks until ctx
		// ends unless it says otherwise.
		hook      func(ctx context.Context, offset int) (*Page[int], error, bool)
		breakAt   int // break after this many items; 0: range to the end
		wantItems int
		wantErr   error
	}{
		{
			name: "break on the first page",
			hook: func(ctx context.Context, offset int) (*Page[int], error, bool) {
				<-ctx.Done()
				return nil, ctx.Err(), true
			},
			breakAt: 3, wantItems: 3,
		},
		{
			name: "a later page fails while an earlier one is slow: the earlier one's items, then the error",
			hook: func(ctx context.Context, offset int) (*Page[int], error, bool) {
				switch offset {
				case 10:
					time.Sleep(20 * time.Millisecond)
					return nil, nil, false
				case 20:
					return nil, boom, true
				}
				<-ctx.Done()
				return nil, ctx.Err(), true
			},
			wantItems: 20, wantErr: boom,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			pages := &intPages{total: 100, limit: 10}
			pages.hook = func(ctx context.Context, offset int) (*Page[int], error, bool) {
				if offset == 0 {
					return nil, nil, false
				}
				return tt.hook(ctx, offset)
			}
			var items []int
			var errs []error
			for v, err := range paginate(context.Background(), concurrentClient(t, 4), 0, 10, pages.fetch, intID) {
				if err != nil {
					errs = append(errs, err)
					continue
				}
				items = append(items, v)
				if len(items) == tt.breakAt {
					break
				}
			}
			assert.Zero(t, pages.inFlight.Load(), "no fetch outlives the loop")
			assert.Len(t, items, tt.wantItems)
			if tt.wantErr == nil {
				assert.Empty(t, errs)
			} else {
				require.Len(t, errs, 1)
				assert.ErrorIs(t, errs[0], tt.wantErr)
			}
		})
	}
}

// Over the wire: every page asked for once, the snapshots in the API's
// order, and a broken-off listing leaves no request running at the server.
func TestSnapshotsAllFetchesAhead(t *testing.T) {
	t.Parallel()
	t.Run("order", func(t *testing.T) {
		t.Parallel()
		s := newSnapshotPageServer(t, 2345)
		c := s.mux.client(t, WithConcurrency(4))
		items, errs := collect(c.Snapshots.All(context.Background(), &ListSnapshotsOptions{Limit: 100}))
		require.Empty(t, errs)
		assert.Equal(t, wantSnapshotIDs(0, 2345), snapshotIDs(items))
		offsets := s.offsets()
		slices.Sort(offsets)
		want := make([]int, 0, 24)
		for o := 0; o < 2345; o += 100 {
			want = append(want, o)
		}
		assert.Equal(t, want, offsets)
	})
	t.Run("break", func(t *testing.T) {
		t.Parallel()
		var running, arrived atomic.Int32
		s := newSnapshotPageServer(t, 2345)
		s.fault = func(n int, w http.ResponseWriter) bool {
			return false
		}
		inner := s.serve
		s.mux.handle(strings.TrimPrefix(s.path, testPrefix), func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Query().Get("offset") != "" { // the pages after the first hang
				arrived.Add(1)
				running.Add(1)
				defer running.Add(-1)
				<-r.Context().Done()
				return
			}
			inner(w, r)
		})
		c := s.mux.client(t, WithConcurrency(4))
		n := 0
		for _, err := range c.Snapshots.All(context.Background(), &ListSnapshotsOptions{Limit: 100}) {
			require.NoError(t, err)
			if n++; n == 1 {
				require.Eventually(t, func() bool { return arrived.Load() == 3 }, 5*time.Second, time.Millisecond)
			}
			if n == 50 {
				break
			}
		}
		assert.Equal(t, 50, n)
		assert.Eventually(t, func() bool { return running.Load() == 0 }, 5*time.Second, time.Millisecond, "the server sees every request cancelled")
	})
}

// Every page goes through the client's rate limiter and retry budget, as
// any call does.
func TestAllPagesUnderRateLimitAndRetryBudget(t *testing.T) {
	t.Parallel()
	t.Run("rate limit", func(t *testing.T) {
		t.Parallel()
		s := newSnapshotPageServer(t, 5000)
		// Two tokens, then one a day: two pages go out, whatever the
		// concurrency.
		c := s.mux.client(t, WithConcurrency(8), WithRateLimit(1.0/86400, 2))
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		defer cancel()
		items, errs := collect(c.Snapshots.All(ctx, &ListSnapshotsOptions{Limit: 100}))
		require.Len(t, errs, 1)
		assert.ErrorIs(t, errs[0], context.DeadlineExceeded)
		// The second token went to one of the pages ahead, not
		// necessarily the next.
		assert.Contains(t, []int{100, 200}, len(items))
		assert.Len(t, s.requests(), 2)
	})
	t.Run("retry budget", func(t *testing.T) {
		t.Parallel()
		s := newSnapshotPageServer(t, 5000)
		s.fault = func(n int, w http.ResponseWriter) bool {
			if n == 1 {
				return false
			}
			w.WriteHeader(http.StatusServiceUnavailable)
			return true
		}
		// Attempts without end but for the budget: 500 tokens at 5 a
		// retry are 100 retries for the whole client.
		c := s.mux.client(t, WithConcurrency(8), WithRetryPolicy(RetryPolicy{MaxAttempts: 1 << 20, BaseDelay: time.Microsecond, MaxDelay: time.Microsecond}))
		items, errs := collect(c.Snapshots.All(context.Background(), &ListSnapshotsOptions{Limit: 100}))
		assert.Equal(t, 100, len(items))
		require.Len(t, errs, 1)
		assert.ErrorIs(t, errs[0], ErrServer)
		assert.Contains(t, errs[0].Error(), "retry budget")
		assert.LessOrEqual(t, len(s.requests()), 1+8+100, "first attempts and the budget's retries")
	})
}

// endsAfterCheck is a context that ends just after the listing looked at
// it, once armed: its first Err after arming cancels it and still answers
// nil, as a deadline that passes between two instructions does.
type endsAfterCheck struct {
	context.Context
	cancel context.CancelFunc
	armed  atomic.Bool
}

func (c *endsAfterCheck) Err() error {
	if c.armed.CompareAndSwap(true, false) {
		c.cancel()
		return nil
	}
	return c.Context.Err()
}

// A context that ends between two pages ends the listing with an error
// that matches the context's, at every concurrency, however close the end
// comes to the listing's own check.
func TestPaginateContextEndingBetweenPagesIsTheError(t *testing.T) {
	t.Parallel()
	for _, n := range []int{1, 2, 4} {
		t.Run(fmt.Sprintf("concurrency %d", n), func(t *testing.T) {
			t.Parallel()
			inner, cancel := context.WithCancel(context.Background())
			defer cancel()
			ctx := &endsAfterCheck{Context: inner, cancel: cancel}
			pages := &intPages{total: 100, limit: 10}
			var items []int
			var errs []error
			for v, err := range paginate(ctx, concurrentClient(t, n), 0, 10, pages.fetch, intID) {
				if err != nil {
					errs = append(errs, err)
					continue
				}
				items = append(items, v)
				if len(items) == 10*n { // the last item of the pages held
					ctx.armed.Store(true)
				}
			}
			assert.Len(t, items, 10*n)
			require.Len(t, errs, 1)
			assert.ErrorIs(t, errs[0], context.Canceled)
			assert.Zero(t, pages.inFlight.Load())
		})
	}
}

// Pages whose answers arrive together, or the later first, are decoded in
// the order they are yielded: a page's decoding (after answered) waits for
// the page before it to be fetched and decoded.
func TestPaginateDecodesPagesInOrder(t *testing.T) {
	t.Parallel()
	const limit, total = 5, 25 // the first page, then four ahead
	arrive := map[int]chan struct{}{}
	for off := limit; off < total; off += limit {
		arrive[off] = make(chan struct{})
	}
	var mu sync.Mutex
	var decoded []int
	pages := &intPages{total: total, limit: limit}
	pages.hook = func(ctx context.Context, offset int) (*Page[int], error, bool) {
		if ch, ok := arrive[offset]; ok {
			<-ch // the answer arrives
		}
		answered(ctx) // in hand: wait for the page before to be decoded
		mu.Lock()
		decoded = append(decoded, offset)
		mu.Unlock()
		return nil, nil, false
	}
	go func() {
		// The answers arrive last page first, once all four are asked for.
		for pages.calls.Load() < 5 {
			time.Sleep(100 * time.Microsecond)
		}
		for off := total - limit; off >= limit; off -= limit {
			close(arrive[off])
			time.Sleep(time.Millisecond)
		}
	}()
	var got []int
	for v, err := range paginate(context.Background(), concurrentClient(t, 8), 0, limit, pages.fetch, intID) {
		require.NoError(t, err)
		got = append(got, v)
	}
	assert.Len(t, got, total)
	assert.Equal(t, []int{0, 5, 10, 15, 20}, decoded, "decoded in the order yielded, whatever the order of arrival")
}

// A page waiting for the one before it to be decoded does not outlive a
// caller that stops: the range returns, nothing left running.
func TestPaginateStopWhileAPageWaitsToDecode(t *testing.T) {
	t.Parallel()
	const limit, total = 5, 15
	block := make(chan struct{})
	defer close(block)
	pages := &intPages{total: total, limit: limit}
	pages.hook = func(ctx context.Context, offset int) (*Page[int], error, bool) {
		switch offset {
		case 5: // the page after the first never arrives until the caller has gone
			select {
			case <-block:
			case <-ctx.Done():
			}
			return nil, ctx.Err(), true
		case 10:
			answered(ctx) // waits for page 5, which waits for the caller's stop
		}
		return nil, nil, false
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for v, err := range paginate(context.Background(), concurrentClient(t, 4), 0, limit, pages.fetch, intID) {
			require.NoError(t, err)
			if v == limit-1 {
				require.Eventually(t, func() bool { return pages.calls.Load() == 3 }, 5*time.Second, time.Millisecond)
				break
			}
		}
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("the range did not return")
	}
	assert.Zero(t, pages.inFlight.Load(), "no fetch left running")
}

// A middle page fails while the pages after it, in hand, wait for it to
// be decoded: the listing yields the pages before it, then its error once,
// and stops; the waiting pages end, those decoded before the listing
// stopped in order.
func TestPaginateErrorOnAMiddlePageWhileLaterOnesWait(t *testing.T) {
	t.Parallel()
	const limit, total, conc = 5, 40, 8
	var waiting atomic.Int32
	var mu sync.Mutex
	var decoded []int
	pages := &intPages{total: total, limit: limit}
	boom := errors.New("boom")
	pages.hook = func(ctx context.Context, offset int) (*Page[int], error, bool) {
		switch {
		case offset == 5:
			// Fails once every later page is in hand and waiting.
			require.Eventually(t, func() bool { return waiting.Load() == conc-2 }, 5*time.Second, 100*time.Microsecond)
			answered(ctx)
			return nil, boom, true
		case offset > 5:
			waiting.Add(1)
			answered(ctx)
			if ctx.Err() != nil {
				return nil, ctx.Err(), true // let go once the listing stopped: in any order
			}
		}
		mu.Lock()
		decoded = append(decoded, offset)
		mu.Unlock()
		return nil, nil, false
	}
	var items []int
	var errs []error
	for v, err := range paginate(context.Background(), concurrentClient(t, conc), 0, limit, pages.fetch, intID) {
		if err != nil {
			errs = append(errs, err)
			continue
		}
		items = append(items, v)
	}
	assert.Equal(t, []int{0, 1, 2, 3, 4}, items)
	require.Len(t, errs, 1)
	assert.ErrorIs(t, errs[0], boom)
	assert.Zero(t, pages.inFlight.Load(), "no fetch outlives the loop")
	assert.LessOrEqual(t, pages.maxInFlight.Load(), int32(conc))
	assert.EqualValues(t, conc, pages.calls.Load(), "no page asked for after the error")
	mu.Lock()
	defer mu.Unlock()
	require.NotEmpty(t, decoded)
	assert.Equal(t, 0, decoded[0])
	assert.True(t, slices.IsSorted(decoded), "decoded in order: %v", decoded)
}

// The caller's context ends while a page in hand waits for the page before
// it (which waits for the context): the listing yields the context's
// error once and returns, nothing left running.
func TestPaginateCancelWhileAPageWaitsForItsPredecessor(t *testing.T) {
	t.Parallel()
	const limit, total = 5, 30
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var waiting atomic.Bool
	pages := &intPages{total: total, limit: limit}
	pages.hook = func(fctx context.Context, offset int) (*Page[int], error, bool) {
		switch offset {
		case 5:
			<-fctx.Done()
			return nil, fctx.Err(), true
		case 10:
			waiting.Store(true)
			answered(fctx)
		}
		return nil, nil, false
	}
	var items []int
	var errs []error
	for v, err := range paginate(ctx, concurrentClient(t, 4), 0, limit, pages.fetch, intID) {
		if err != nil {
			errs = append(errs, err)
			continue
		}
		items = append(items, v)
		if v == limit-1 {
			require.Eventually(t, waiting.Load, 5*time.Second, 100*time.Microsecond)
			cancel()
		}
	}
	assert.Equal(t, []int{0, 1, 2, 3, 4}, items)
	require.Len(t, errs, 1)
	assert.ErrorIs(t, errs[0], context.Canceled)
	assert.Zero(t, pages.inFlight.Load())
}

// Pages arrive in any order and call the hook (some twice), a page may
// fail, the first page's total_count may lie (a later page is short), the
// caller may break anywhere: items come in order, each once, an error at
// most once and last, never more than WithConcurrency fetches at once and
// none left when the loop ends.
func TestPaginateRandomArrivalsErrorsAndBreaks(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(7, 11))
	for run := range 60 {
		conc := []int{1, 2, 3, 8}[run%4]
		limit := 1 + rng.IntN(5)
		total := rng.IntN(60)
		claimed := total + rng.IntN(3)*limit*rng.IntN(4) // lies about the total, sometimes
		failAt := -1
		if rng.IntN(3) == 0 {
			failAt = limit * rng.IntN(total/limit+1)
		}
		breakAt := -1
		if rng.IntN(3) == 0 && total > 0 {
			breakAt = rng.IntN(total)
		}
		seed := rng.Uint64()
		name := fmt.Sprintf("run %d: conc %d limit %d total %d claimed %d fail %d break %d", run, conc, limit, total, claimed, failAt, breakAt)
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			var mu sync.Mutex
			prng := rand.New(rand.NewPCG(seed, 1))
			jitter := func() time.Duration {
				mu.Lock()
				defer mu.Unlock()
				return time.Duration(prng.IntN(300)) * time.Microsecond
			}
			pages := &intPages{total: claimed, limit: limit}
			boom := errors.New("boom")
			pages.hook = func(ctx context.Context, offset int) (*Page[int], error, bool) {
				time.Sleep(jitter()) // arrival order: any
				answered(ctx)
				answered(ctx)
				if offset == failAt {
					return nil, boom, true
				}
				page := &Page[int]{TotalCount: claimed}
				for i := offset; i < min(offset+limit, total); i++ {
					page.Items = append(page.Items, i)
				}
				return page, nil, true
			}
			var items []int
			var errs []error
			done := make(chan struct{})
			go func() {
				defer close(done)
				for v, err := range paginate(context.Background(), concurrentClient(t, conc), 0, limit, pages.fetch, intID) {
					if err != nil {
						errs = append(errs, err)
						continue
					}
					require.Empty(t, errs, "nothing after an error")
					items = append(items, v)
					if v == breakAt {
						break
					}
				}
			}()
			select {
			case <-done:
			case <-time.After(10 * time.Second):
				t.Fatal("the range did not return")
			}
			end := total
			if failAt >= 0 && failAt < end {
				end = failAt
			}
			if breakAt >= 0 && breakAt < end {
				end = breakAt + 1
			}
			var want []int
			for i := range end {
				want = append(want, i)
			}
			assert.Equal(t, want, items)
			if failAt >= 0 && failAt < total && (breakAt < 0 || breakAt >= failAt) {
				require.Len(t, errs, 1)
				assert.ErrorIs(t, errs[0], boom)
			} else {
				assert.Empty(t, errs)
			}
			assert.Zero(t, pages.inFlight.Load(), "no fetch outlives the loop")
			assert.LessOrEqual(t, pages.maxInFlight.Load(), int32(conc))
		})
	}
}

// attemptDurations records each attempt's Duration by the answer's
// request id.
type attemptDurations struct {
	mu sync.Mutex
	d  map[string]time.Duration
}

func (o *attemptDurations) CallStart(ctx context.Context, _ CallInfo) context.Context { return ctx }
func (o *attemptDurations) AttemptStart(ctx context.Context, _ CallInfo, _ int) context.Context {
	return ctx
}
func (o *attemptDurations) CallEnd(context.Context, CallInfo, CallResult) {}
func (o *attemptDurations) AttemptEnd(_ context.Context, _ CallInfo, r AttemptResult) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.d[r.RequestID] = r.Duration
}

// A page in hand that waits for the page before it to be decoded does not
// count that wait in its attempt's Duration (what observers and the
// OpenTelemetry metrics report as the request's time): the wait is the
// listing's, not the server's.
func TestPaginateWaitForThePageBeforeIsNotTheAttemptsTime(t *testing.T) {
	t.Parallel()
	const hold = 200 * time.Millisecond // the page answered at once has half of it to spare on a loaded machine
	sent10 := make(chan struct{})
	_, mux := setup(t)
	mux.handle(strings.TrimPrefix(snapshotsPath, testPrefix), func(w http.ResponseWriter, r *http.Request) {
		offset, _ := strconv.Atoi(r.URL.Query().Get("offset"))
		switch offset {
		case 5: // slow: answers once the page after it is in hand, after hold
			<-sent10
			time.Sleep(hold) // the server's time, which this page's Duration counts
		}
		var b strings.Builder
		b.WriteString(`{"total_count":15,"desktop_snapshots":[`)
		for i := offset; i < offset+5; i++ {
			if i > offset {
				b.WriteByte(',')
			}
			fmt.Fprintf(&b, `{"snapshot_id":"s-%d"}`, i)
		}
		b.WriteString(`]}`)
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Request-Id", fmt.Sprintf("off-%d", offset))
		w.WriteHeader(http.StatusOK)
		_, _ = io.WriteString(w, b.String())
		if offset == 10 {
			close(sent10)
		}
	})
	obs := &attemptDurations{d: map[string]time.Duration{}}
	c := mux.client(t, WithConcurrency(3), WithObserver(obs))
	n := 0
	for _, err := range c.Snapshots.All(testContext(t), &ListSnapshotsOptions{Limit: 5}) {
		require.NoError(t, err)
		n++
	}
	assert.Equal(t, 15, n)
	obs.mu.Lock()
	defer obs.mu.Unlock()
	assert.GreaterOrEqual(t, obs.d["off-5"], hold, "the slow page's own time")
	assert.Less(t, obs.d["off-10"], hold/2, "the page after it, answered at once, waited for it outside its attempt's time")
}
