package workspacetest_test

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hwcloud-go/workspace"
	"github.com/hwcloud-go/workspace/internal/signer"
	"github.com/hwcloud-go/workspace/internal/wire"
	"github.com/hwcloud-go/workspace/workspacetest"
)

// fakeQuickRetries keeps retry waits in tests to milliseconds.
var fakeQuickRetries = workspace.WithRetryPolicy(workspace.RetryPolicy{MaxAttempts: 3, BaseDelay: time.Millisecond, MaxDelay: 5 * time.Millisecond})

func fakeNewServer(t *testing.T, opts ...workspacetest.Option) *workspacetest.Server {
	t.Helper()
	srv := workspacetest.NewServer(opts...)
	t.Cleanup(srv.Close)
	return srv
}

// fakeClock is a settable clock for WithClock.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// fakeRawResult is a raw answer of the fake.
type fakeRawResult struct {
	Status    int
	Header    http.Header
	Body      []byte
	ErrorCode string `json:"error_code"`
	ErrorMsg  string `json:"error_msg"`
}

// fakeRaw sends a request by hand (for what the client refuses to send),
// with the server's token unless header says otherwise.
func fakeRaw(t *testing.T, srv *workspacetest.Server, method, path, rawQuery string, body []byte, header map[string]string) fakeRawResult {
	t.Helper()
	u := srv.URL + "/v2/" + srv.ProjectID + path
	if rawQuery != "" {
		u += "?" + rawQuery
	}
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequest(method, u, rd)
	require.NoError(t, err)
	req.Header.Set("X-Auth-Token", srv.Token)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range header {
		if v == "" {
			req.Header.Del(k)
		} else {
			req.Header.Set(k, v)
		}
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	out := fakeRawResult{Status: resp.StatusCode, Header: resp.Header}
	out.Body, err = io.ReadAll(resp.Body)
	require.NoError(t, err)
	if resp.StatusCode >= 300 {
		require.NoError(t, json.Unmarshal(out.Body, &out), string(out.Body))
	}
	return out
}

func fakeAPIError(t *testing.T, err error) *workspace.APIError {
	t.Helper()
	var ae *workspace.APIError
	require.ErrorAs(t, err, &ae)
	return ae
}

// fakeSeedPool adds a pool with two volumes and four desktops, each
// drifting from the configuration in one way, and one desktop elsewhere.
func fakeSeedPool(srv *workspacetest.Server) workspacetest.Pool {
	p := srv.AddPool(workspacetest.Pool{
		ID: "pool-1", Name: "pool one", ProductID: "prod-a", ImageID: "img-a",
		Volumes: []workspace.VolumeInfo{{ID: "vol-1", Type: "SAS", Size: 100}, {ID: "vol-2", Type: "SSD", Size: 50}},
	})
	disks := func(sizes ...int) []workspace.VolumeInfo {
		var out []workspace.VolumeInfo
		for _, s := range sizes {
			typ := "SAS"
			if s == 50 {
				typ = "SSD"
			}
			out = append(out, workspace.VolumeInfo{Type: typ, Size: s})
		}
		return out
	}
	srv.AddImage(workspacetest.Image{ID: "img-a", Name: "Image A", Type: "gold", OSType: "Windows"})
	srv.AddImage(workspacetest.Image{ID: "img-b", Name: "Image B", Type: "private", OSType: "Linux"})
	srv.AddDesktop(workspacetest.Desktop{ID: "d-same", Name: "same", PoolID: p.ID, ProductID: "prod-a", ImageID: "img-a", DataDisks: disks(100, 50)})
	srv.AddDesktop(workspacetest.Desktop{ID: "d-prod", Name: "prod", PoolID: p.ID, ProductID: "prod-b", ImageID: "img-a", DataDisks: disks(100, 50)})
	srv.AddDesktop(workspacetest.Desktop{ID: "d-img", Name: "img", PoolID: p.ID, ProductID: "prod-a", ImageID: "img-b", DataDisks: disks(100, 50)})
	srv.AddDesktop(workspacetest.Desktop{ID: "d-gone", Name: "gone", PoolID: p.ID, ProductID: "prod-a", ImageID: "img-gone", DataDisks: disks(150)})
	srv.AddDesktop(workspacetest.Desktop{ID: "d-other", Name: "other", PoolID: "pool-2", ProductID: "x", ImageID: "img-b"})
	return p
}

func TestFakeStatisticsAreComputedFromDesktops(t *testing.T) {
	t.Parallel()
	srv := fakeNewServer(t)
	p := fakeSeedPool(srv)
	c := srv.Client()
	ctx := context.Background()

	st, err := c.DesktopPools.GetInconsistentStatistics(ctx, p.ID)
	require.NoError(t, err)
	// d-prod: product; d-img and d-gone: image; d-gone: one disk instead
	// of two (number), 150 GB as the pool's 150 GB (size equal).
	assert.Equal(t, &workspace.InconsistentStatistics{ProductID: 1, ImageID: 2, DiskNum: 1, DiskSize: 0}, st)

	srv.AddDesktop(workspacetest.Desktop{ID: "d-big", PoolID: p.ID, ProductID: "prod-a", ImageID: "img-a",
		DataDisks: []workspace.VolumeInfo{{Type: "SAS", Size: 100}, {Type: "SAS", Size: 500}}})
	st, err = c.DesktopPools.GetInconsistentStatistics(ctx, p.ID)
	require.NoError(t, err)
	assert.Equal(t, &workspace.InconsistentStatistics{ProductID: 1, ImageID: 2, DiskNum: 1, DiskSize: 1}, st)
}

func TestFakeStatisticsUnknownPoolIs404(t *testing.T) {
	t.Parallel()
	srv := fakeNewServer(t)
	_, err := srv.Client().DesktopPools.GetInconsistentStatistics(context.Background(), "no-such-pool")
	require.ErrorIs(t, err, workspace.ErrNotFound)
	ae := fakeAPIError(t, err)
	assert.Equal(t, workspacetest.ErrCodePoolNotFound, ae.Code)
	assert.Contains(t, ae.Message, "no-such-pool")
	assert.NotEmpty(t, ae.RequestID)
}

func TestFakeIDsInPathsAreUnescaped(t *testing.T) {
	t.Parallel()
	srv := fakeNewServer(t)
	srv.AddPool(workspacetest.Pool{ID: "pool/with space"})
	st, err := srv.Client().DesktopPools.GetInconsistentStatistics(context.Background(), "pool/with space")
	require.NoError(t, err)
	assert.Equal(t, &workspace.InconsistentStatistics{}, st)
	reqs := srv.Requests()
	require.Len(t, reqs, 1)
	assert.Equal(t, "/v2/"+srv.ProjectID+"/desktop-pools/pool%2Fwith%20space/inconsistent-statics", reqs[0].Path)
}

func TestFakeCheckImages(t *testing.T) {
	t.Parallel()
	srv := fakeNewServer(t)
	fakeSeedPool(srv)
	infos, err := srv.Client().Desktops.CheckImages(context.Background(), []string{"d-img", "d-gone", "unknown", "d-same", "d-img"})
	require.NoError(t, err)
	// The gone image and the unknown desktop are left out; order kept, no duplicates.
	assert.Equal(t, []workspace.DesktopImageInfo{
		{DesktopID: "d-img", ImageID: "img-b", ImageName: "Image B", ImageType: "private", OSType: "Linux"},
		{DesktopID: "d-same", ImageID: "img-a", ImageName: "Image A", ImageType: "gold", OSType: "Windows"},
	}, infos)

	require.True(t, srv.RemoveImage("img-a"))
	infos, err = srv.Client().Desktops.CheckImages(context.Background(), []string{"d-same"})
	require.NoError(t, err)
	assert.Empty(t, infos)
}

// The fake's own answer, read raw: each desktop asked about once, in the
// order asked, unknown desktops and gone images left out, the image's
// fields right however the images alternate (they are encoded once for
// a run of desktops of one image), byte for byte json.Marshal's encoding.
func TestFakeCheckImagesRawAnswer(t *testing.T) {
	t.Parallel()
	srv := fakeNewServer(t)
	fakeSeedPool(srv)
	body := []byte(`{"desktop_ids":["d-gone","d-same","d-prod","unknown","d-img","d-same","d-other","d-gone","d-prod"]}`)
	res := fakeRaw(t, srv, "POST", "/desktops/check-images", "", body, nil)
	require.Equal(t, http.StatusOK, res.Status)
	a := wire.ImageInfo{ImageID: "img-a", ImageName: "Image A", ImageType: "gold", OSType: "Windows"}
	b := wire.ImageInfo{ImageID: "img-b", ImageName: "Image B", ImageType: "private", OSType: "Linux"}
	with := func(im wire.ImageInfo, desktop string) wire.ImageInfo { im.DesktopID = desktop; return im }
	want, err := json.Marshal(wire.Images{ImageInfos: []wire.ImageInfo{
		with(a, "d-same"), with(a, "d-prod"), with(b, "d-img"), with(b, "d-other"),
	}})
	require.NoError(t, err)
	assert.Equal(t, string(want), string(res.Body))
}

func TestFakeCheckImagesBadBodyIs400(t *testing.T) {
	t.Parallel()
	srv := fakeNewServer(t)
	ids := func(n, size int) []byte {
		list := make([]string, n)
		for i := range list {
			list[i] = strings.Repeat("x", size)
		}
		b, _ := json.Marshal(map[string][]string{"desktop_ids": list})
		return b
	}
	tests := []struct {
		name string
		body []byte
	}{
		{"none", ids(0, 5)},
		{"501 ids", ids(501, 5)},
		{"id of 256 characters", ids(1, 256)},
		{"empty id", ids(1, 0)},
		{"malformed", []byte(`{"desktop_ids": [`)},
		{"empty body", []byte{}},
		{"wrong type", []byte(`{"desktop_ids": "d-1"}`)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := fakeRaw(t, srv, "POST", "/desktops/check-images", "", tt.body, nil)
			assert.Equal(t, http.StatusBadRequest, res.Status)
			assert.Equal(t, workspacetest.ErrCodeBadParameter, res.ErrorCode)
			assert.NotEmpty(t, res.Header.Get("X-Request-Id"))
		})
	}
	ok := fakeRaw(t, srv, "POST", "/desktops/check-images", "", ids(500, 255), nil)
	assert.Equal(t, http.StatusOK, ok.Status)
	assert.JSONEq(t, `{"image_infos": []}`, string(ok.Body))
}

func fakeIDs[T any](items []T, id func(T) string) []string {
	out := make([]string, len(items))
	for i, it := range items {
		out[i] = id(it)
	}
	return out
}

func snapshotID(s workspace.Snapshot) string { return s.ID }

func taskID(t workspace.ScriptExecutionTask) string { return t.ID }

func TestFakeListSnapshotsFilters(t *testing.T) {
	t.Parallel()
	srv := fakeNewServer(t, workspacetest.WithDemoData())
	all := srv.Snapshots()
	require.Len(t, all, 360)
	c := srv.Client()
	d0, d1 := all[0], all[len(all)-1]

	tests := []struct {
		name string
		opts workspace.ListSnapshotsOptions
		keep func(workspace.Snapshot) bool
	}{
		{"none", workspace.ListSnapshotsOptions{}, func(workspace.Snapshot) bool { return true }},
		{"desktop_id", workspace.ListSnapshotsOptions{DesktopID: d0.DesktopID}, func(s workspace.Snapshot) bool { return s.DesktopID == d0.DesktopID }},
		{"desktop_name", workspace.ListSnapshotsOptions{DesktopName: d1.DesktopName}, func(s workspace.Snapshot) bool { return s.DesktopName == d1.DesktopName }},
		{"snapshot_name", workspace.ListSnapshotsOptions{SnapshotName: d0.Name}, func(s workspace.Snapshot) bool { return s.Name == d0.Name }},
		{"desktop_ids", workspace.ListSnapshotsOptions{DesktopIDs: []string{d0.DesktopID, d1.DesktopID}}, func(s workspace.Snapshot) bool {
			return s.DesktopID == d0.DesktopID || s.DesktopID == d1.DesktopID
		}},
		{"desktop_names", workspace.ListSnapshotsOptions{DesktopNames: []string{d0.DesktopName, d1.DesktopName, "nobody"}}, func(s workspace.Snapshot) bool {
			return s.DesktopName == d0.DesktopName || s.DesktopName == d1.DesktopName
		}},
		{"snapshot_names", workspace.ListSnapshotsOptions{SnapshotNames: []string{d0.Name, d1.Name}}, func(s workspace.Snapshot) bool {
			return s.Name == d0.Name || s.Name == d1.Name
		}},
		{"disk_type SYSTEM_DISK", workspace.ListSnapshotsOptions{DiskType: workspace.DiskTypeSystemDisk}, func(s workspace.Snapshot) bool { return s.IsSystemDisk }},
		{"disk_type DATA_DISKS", workspace.ListSnapshotsOptions{DiskType: workspace.DiskTypeDataDisks}, func(s workspace.Snapshot) bool { return !s.IsSystemDisk }},
		{"disk_type ALL", workspace.ListSnapshotsOptions{DiskType: workspace.DiskTypeAll}, func(workspace.Snapshot) bool { return true }},
		{"create_type AUTO", workspace.ListSnapshotsOptions{CreateType: workspace.CreateTypeAuto}, func(s workspace.Snapshot) bool { return s.CreateType == workspace.CreateTypeAuto }},
		{"create_type MANUALLY", workspace.ListSnapshotsOptions{CreateType: workspace.CreateTypeManually}, func(s workspace.Snapshot) bool { return s.CreateType == workspace.CreateTypeManually }},
		{"desktop and disk and create type", workspace.ListSnapshotsOptions{DesktopID: d0.DesktopID, DiskType: workspace.DiskTypeDataDisks, CreateType: workspace.CreateTypeAuto}, func(s workspace.Snapshot) bool {
			return s.DesktopID == d0.DesktopID && !s.IsSystemDisk && s.CreateType == workspace.CreateTypeAuto
		}},
		{"nothing matches", workspace.ListSnapshotsOptions{DesktopID: "nobody"}, func(workspace.Snapshot) bool { return false }},
	}
	for _, st := range []workspace.SnapshotStatus{
		workspace.SnapshotStatusCreating, workspace.SnapshotStatusRestoring, workspace.SnapshotStatusCreateSuccess,
		workspace.SnapshotStatusCreateFailed, workspace.SnapshotStatusRestoreSuccess, workspace.SnapshotStatusRestoreFailed,
	} {
		tests = append(tests, struct {
			name string
			opts workspace.ListSnapshotsOptions
			keep func(workspace.Snapshot) bool
		}{"status " + string(st), workspace.ListSnapshotsOptions{Status: st}, func(s workspace.Snapshot) bool { return s.Status == st }})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			want := fakeIDs(slices.DeleteFunc(slices.Clone(all), func(s workspace.Snapshot) bool { return !tt.keep(s) }), snapshotID)
			page, err := c.Snapshots.List(context.Background(), &tt.opts)
			require.NoError(t, err)
			assert.Equal(t, len(want), page.TotalCount)
			assert.Equal(t, want, fakeIDs(page.Items, snapshotID))
			if tt.name != "nothing matches" {
				assert.NotEmpty(t, want, "the demo data should exercise this filter")
			}
		})
	}
}

func TestFakeListSnapshotsSorting(t *testing.T) {
	t.Parallel()
	srv := fakeNewServer(t, workspacetest.WithDemoData())
	all := srv.Snapshots()
	c := srv.Client()
	byTime := func(a, b workspace.Snapshot) int { return a.CreateTime.Compare(b.CreateTime) }
	byName := func(a, b workspace.Snapshot) int { return cmp.Compare(a.Name, b.Name) }
	tests := []struct {
		field workspace.SortField
		typ   workspace.SortType
		cmp   func(a, b workspace.Snapshot) int
	}{
		{workspace.SortFieldCreateTime, workspace.SortTypeAsc, byTime},
		{workspace.SortFieldCreateTime, workspace.SortTypeDesc, func(a, b workspace.Snapshot) int { return byTime(b, a) }},
		{workspace.SortFieldSnapshotName, workspace.SortTypeAsc, byName},
		{workspace.SortFieldSnapshotName, workspace.SortTypeDesc, func(a, b workspace.Snapshot) int { return byName(b, a) }},
	}
	for _, tt := range tests {
		t.Run(string(tt.field)+" "+string(tt.typ), func(t *testing.T) {
			t.Parallel()
			want := slices.Clone(all)
			slices.SortStableFunc(want, tt.cmp)
			// Over pages of 100: paging and sorting must agree.
			var got []workspace.Snapshot
			for s, err := range c.Snapshots.All(context.Background(), &workspace.ListSnapshotsOptions{SortField: tt.field, SortType: tt.typ, Limit: 100}) {
				require.NoError(t, err)
				got = append(got, s)
			}
			assert.Equal(t, fakeIDs(want, snapshotID), fakeIDs(got, snapshotID))
			assert.True(t, slices.IsSortedFunc(got, tt.cmp))
			assert.NotEqual(t, fakeIDs(all, snapshotID), fakeIDs(got, snapshotID), "sorting should change the order")
		})
	}
}

func TestFakeListSnapshotsPaging(t *testing.T) {
	t.Parallel()
	srv := fakeNewServer(t)
	base := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range 1005 {
		srv.AddSnapshot(workspace.Snapshot{ID: fmt.Sprintf("s-%04d", i), Name: fmt.Sprintf("snap %d", i), CreateTime: base.Add(time.Duration(i) * time.Minute)})
	}
	c := srv.Client()
	ctx := context.Background()

	tests := []struct {
		name          string
		offset, limit int
		first, n      int
	}{
		{"default limit is 1000", 0, 0, 0, 1000},
		{"limit 1", 0, 1, 0, 1},
		{"offset and limit", 10, 5, 10, 5},
		{"last partial page", 1000, 0, 1000, 5},
		{"offset at the end", 1005, 10, 0, 0},
		{"offset past the end", 5000, 10, 0, 0},
		{"limit 1000", 3, 1000, 3, 1000},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			page, err := c.Snapshots.List(ctx, &workspace.ListSnapshotsOptions{Offset: tt.offset, Limit: tt.limit})
			require.NoError(t, err)
			assert.Equal(t, 1005, page.TotalCount)
			require.Len(t, page.Items, tt.n)
			if tt.n > 0 {
				assert.Equal(t, fmt.Sprintf("s-%04d", tt.first), page.Items[0].ID)
				assert.Equal(t, fmt.Sprintf("s-%04d", tt.first+tt.n-1), page.Items[tt.n-1].ID)
			}
		})
	}

	srv.ResetRequests()
	n := 0
	for s, err := range c.Snapshots.All(ctx, nil) {
		require.NoError(t, err)
		assert.Equal(t, fmt.Sprintf("s-%04d", n), s.ID)
		n++
	}
	assert.Equal(t, 1005, n)
	reqs := srv.RequestsFor(workspacetest.OpListSnapshots)
	require.Len(t, reqs, 2)
	assert.Equal(t, "1000", reqs[1].Query.Get("offset"))
}

func TestFakeListSnapshotsBadParametersAre400(t *testing.T) {
	t.Parallel()
	srv := fakeNewServer(t)
	raw := []string{
		"limit=0", "limit=1001", "limit=ten", "limit=-1", "offset=-1", "offset=x",
		"status=deleted", "disk_type=BOOT", "create_type=auto", "sort_field=size&sort_type=ASC",
		"sort_field=create_time&sort_type=UP", "sort_field=create_time", "sort_type=DESC",
	}
	for _, q := range raw {
		t.Run(q, func(t *testing.T) {
			res := fakeRaw(t, srv, "GET", "/snapshots", q, nil, nil)
			assert.Equal(t, http.StatusBadRequest, res.Status)
			assert.Equal(t, workspacetest.ErrCodeBadParameter, res.ErrorCode)
			assert.NotEmpty(t, res.ErrorMsg)
		})
	}
	// Through the client: unknown enum values are sent as they are.
	_, err := srv.Client().Snapshots.List(context.Background(), &workspace.ListSnapshotsOptions{Status: "deleted"})
	require.ErrorIs(t, err, workspace.ErrBadRequest)
	assert.Equal(t, workspacetest.ErrCodeBadParameter, fakeAPIError(t, err).Code)
	for _, ok := range []string{"limit=1", "limit=1000", "offset=0", "sort_field=snapshot_name&sort_type=DESC"} {
		assert.Equal(t, http.StatusOK, fakeRaw(t, srv, "GET", "/snapshots", ok, nil, nil).Status, ok)
	}
}

func fakeSeedTasks(srv *workspacetest.Server) time.Time {
	base := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	srv.AddPool(workspacetest.Pool{ID: "pool-a", Name: "A"})
	scriptA, scriptB := workspace.Script{ID: "scr-a", Name: "a.ps1"}, workspace.Script{ID: "scr-b", Name: "b.sh"}
	statuses := []workspace.TaskStatus{workspace.TaskStatusInit, workspace.TaskStatusRunning, workspace.TaskStatusFinish, workspace.TaskStatusFailed}
	for i := range 40 {
		t := workspace.ScriptExecutionTask{
			ID: fmt.Sprintf("t-%02d", i), DesktopPoolID: []string{"pool-a", "pool-b"}[i%2],
			Status: statuses[i%4],
		}
		if t.Status != workspace.TaskStatusInit {
			t.StartTime = base.Add(time.Duration(i) * time.Hour)
		}
		switch i % 3 {
		case 0:
			t.Scripts = []workspace.Script{scriptA}
		case 1:
			t.Scripts = []workspace.Script{scriptA, scriptB}
		default:
			t.CommandContent, t.CommandType = "dir", workspace.CommandTypeBat
		}
		srv.AddScriptTask(t)
	}
	return base
}

func TestFakeListScriptTasksFilters(t *testing.T) {
	t.Parallel()
	srv := fakeNewServer(t)
	base := fakeSeedTasks(srv)
	all := srv.ScriptTasks()
	require.Equal(t, "A", all[0].DesktopPoolName, "the pool name comes from the pool")
	c := srv.Client()
	has := func(tk workspace.ScriptExecutionTask, id string) bool {
		return slices.ContainsFunc(tk.Scripts, func(s workspace.Script) bool { return s.ID == id })
	}
	tests := []struct {
		name string
		opts workspace.ListScriptExecutionTasksOptions
		keep func(workspace.ScriptExecutionTask) bool
	}{
		{"desktop_pool_id", workspace.ListScriptExecutionTasksOptions{DesktopPoolID: "pool-b"}, func(tk workspace.ScriptExecutionTask) bool { return tk.DesktopPoolID == "pool-b" }},
		{"script_id", workspace.ListScriptExecutionTasksOptions{ScriptID: "scr-b"}, func(tk workspace.ScriptExecutionTask) bool { return has(tk, "scr-b") }},
		{"script_name", workspace.ListScriptExecutionTasksOptions{ScriptName: "a.ps1"}, func(tk workspace.ScriptExecutionTask) bool { return has(tk, "scr-a") }},
		{"status SUCCESS is FINISH", workspace.ListScriptExecutionTasksOptions{Status: workspace.TaskStatusSuccess}, func(tk workspace.ScriptExecutionTask) bool { return tk.Status == workspace.TaskStatusFinish }},
		{"status FAILED", workspace.ListScriptExecutionTasksOptions{Status: workspace.TaskStatusFailed}, func(tk workspace.ScriptExecutionTask) bool { return tk.Status == workspace.TaskStatusFailed }},
		{"status RUNNING", workspace.ListScriptExecutionTasksOptions{Status: workspace.TaskStatusRunning}, func(tk workspace.ScriptExecutionTask) bool { return tk.Status == workspace.TaskStatusRunning }},
		{"status WAITING is INIT", workspace.ListScriptExecutionTasksOptions{Status: workspace.TaskStatusWaiting}, func(tk workspace.ScriptExecutionTask) bool { return tk.Status == workspace.TaskStatusInit }},
		{"task_type SCRIPT", workspace.ListScriptExecutionTasksOptions{TaskType: workspace.TaskTypeScript}, func(tk workspace.ScriptExecutionTask) bool { return len(tk.Scripts) > 0 }},
		{"task_type COMMAND", workspace.ListScriptExecutionTasksOptions{TaskType: workspace.TaskTypeCommand}, func(tk workspace.ScriptExecutionTask) bool { return len(tk.Scripts) == 0 }},
		{"task_id repeated", workspace.ListScriptExecutionTasksOptions{TaskIDs: []string{"t-03", "t-17", "t-99"}}, func(tk workspace.ScriptExecutionTask) bool { return tk.ID == "t-03" || tk.ID == "t-17" }},
		{"execute_time_start", workspace.ListScriptExecutionTasksOptions{ExecuteTimeStart: base.Add(30 * time.Hour)}, func(tk workspace.ScriptExecutionTask) bool {
			return !tk.StartTime.IsZero() && !tk.StartTime.Before(base.Add(30*time.Hour))
		}},
		{"execute_time_end", workspace.ListScriptExecutionTasksOptions{ExecuteTimeEnd: base.Add(5 * time.Hour)}, func(tk workspace.ScriptExecutionTask) bool {
			return !tk.StartTime.IsZero() && !tk.StartTime.After(base.Add(5*time.Hour))
		}},
		{"time window, pool and status", workspace.ListScriptExecutionTasksOptions{
			ExecuteTimeStart: base.Add(10 * time.Hour), ExecuteTimeEnd: base.Add(30 * time.Hour),
			DesktopPoolID: "pool-a", Status: workspace.TaskStatusSuccess,
		}, func(tk workspace.ScriptExecutionTask) bool {
			return tk.DesktopPoolID == "pool-a" && tk.Status == workspace.TaskStatusFinish &&
				!tk.StartTime.Before(base.Add(10*time.Hour)) && !tk.StartTime.After(base.Add(30*time.Hour))
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			want := fakeIDs(slices.DeleteFunc(slices.Clone(all), func(tk workspace.ScriptExecutionTask) bool { return !tt.keep(tk) }), taskID)
			require.NotEmpty(t, want)
			opts := tt.opts
			opts.Limit = 100
			page, err := c.DesktopPools.ListScriptExecutionTasks(context.Background(), &opts)
			require.NoError(t, err)
			assert.Equal(t, len(want), page.TotalCount)
			assert.Equal(t, want, fakeIDs(page.Items, taskID))
		})
	}
}

func TestFakeListScriptTasksPaging(t *testing.T) {
	t.Parallel()
	srv := fakeNewServer(t, workspacetest.WithDemoData())
	all := srv.ScriptTasks()
	require.GreaterOrEqual(t, len(all), 100)
	c := srv.Client()
	ctx := context.Background()

	page, err := c.DesktopPools.ListScriptExecutionTasks(ctx, nil)
	require.NoError(t, err)
	assert.Equal(t, len(all), page.TotalCount)
	assert.Equal(t, fakeIDs(all[:10], taskID), fakeIDs(page.Items, taskID), "default limit 10")

	page, err = c.DesktopPools.ListScriptExecutionTasks(ctx, &workspace.ListScriptExecutionTasksOptions{Offset: 95, Limit: 100})
	require.NoError(t, err)
	assert.Equal(t, fakeIDs(all[95:], taskID), fakeIDs(page.Items, taskID))

	// limit=0 is allowed: no items, just the count.
	res := fakeRaw(t, srv, "GET", "/desktop-pools/script-execution-tasks/detail", "limit=0", nil, nil)
	require.Equal(t, http.StatusOK, res.Status)
	assert.JSONEq(t, fmt.Sprintf(`{"script_execution_tasks": [], "total_count": %d}`, len(all)), string(res.Body))

	var got []workspace.ScriptExecutionTask
	for tk, err := range c.DesktopPools.AllScriptExecutionTasks(ctx, nil) {
		require.NoError(t, err)
		got = append(got, tk)
	}
	assert.Equal(t, fakeIDs(all, taskID), fakeIDs(got, taskID))
}

func TestFakeListScriptTasksBadParametersAre400(t *testing.T) {
	t.Parallel()
	srv := fakeNewServer(t)
	for _, q := range []string{
		"limit=101", "limit=-1", "limit=x", "offset=-5", "status=FINISH", "status=success",
		"task_type=SHELL", "execute_time_start=2021-10-01", "execute_time_end=yesterday",
	} {
		t.Run(q, func(t *testing.T) {
			res := fakeRaw(t, srv, "GET", "/desktop-pools/script-execution-tasks/detail", q, nil, nil)
			assert.Equal(t, http.StatusBadRequest, res.Status)
			assert.Equal(t, workspacetest.ErrCodeBadParameter, res.ErrorCode)
		})
	}
	_, err := srv.Client().DesktopPools.ListScriptExecutionTasks(context.Background(), &workspace.ListScriptExecutionTasksOptions{TaskType: "SHELL"})
	require.ErrorIs(t, err, workspace.ErrBadRequest)
}

func TestFakeBatchDeleteJobRunsThenSucceeds(t *testing.T) {
	t.Parallel()
	clock := &fakeClock{now: time.Date(2025, 6, 1, 8, 0, 0, 0, time.UTC)}
	srv := fakeNewServer(t, workspacetest.WithClock(clock.Now), workspacetest.WithJobDelay(time.Minute))
	p := fakeSeedPool(srv)
	c := srv.Client()
	ctx := context.Background()

	res, err := c.DesktopPools.BatchDeleteVolumes(ctx, p.ID, &workspace.BatchDeleteVolumesRequest{
		Volumes:    []workspace.VolumeInfo{{ID: "vol-2", Type: "SSD", Size: 50}},
		HandleType: workspace.VolumeHandleForExpandAndAll,
	})
	require.NoError(t, err)
	require.NotEmpty(t, res.JobID)

	job, err := c.Jobs.Get(ctx, res.JobID)
	require.NoError(t, err)
	assert.Equal(t, workspacetest.JobStatusRunning, job.Status)
	assert.Equal(t, workspacetest.JobTypeDeleteVolumes, job.Type)
	assert.True(t, job.EndTime.IsZero())
	require.Len(t, job.SubJobs, 1)
	assert.Equal(t, workspacetest.JobStatusRunning, job.SubJobs[0].Status)
	pool, _ := srv.Pool(p.ID)
	assert.Len(t, pool.Volumes, 2, "nothing is deleted while the job runs")

	clock.Advance(time.Minute)
	job, err = c.Jobs.Wait(ctx, res.JobID, &workspace.WaitOptions{Interval: time.Millisecond})
	require.NoError(t, err)
	assert.Equal(t, workspacetest.JobStatusSuccess, job.Status)
	assert.Equal(t, clock.Now(), job.EndTime)
	assert.Equal(t, 1, job.SubJobsTotal)
	assert.Equal(t, workspacetest.JobStatusSuccess, job.SubJobs[0].Status)
	assert.Equal(t, 100, job.SubJobs[0].Process)
	pool, _ = srv.Pool(p.ID)
	assert.Equal(t, []workspace.VolumeInfo{{ID: "vol-1", Type: "SAS", Size: 100}}, pool.Volumes)

	// FOR_EXPAND_AND_ALL took the 50 GB SSD from the desktops too, so the
	// one-disk configuration matches them; d-gone (one 150 GB SAS disk)
	// now has the right number of disks but not the right size.
	st, err := c.DesktopPools.GetInconsistentStatistics(ctx, p.ID)
	require.NoError(t, err)
	assert.Equal(t, 0, st.DiskNum)
	assert.Equal(t, 1, st.DiskSize)
}

func TestFakeBatchDeleteJobWaitsForRealTime(t *testing.T) {
	t.Parallel()
	srv := fakeNewServer(t, workspacetest.WithJobDelay(200*time.Millisecond))
	p := fakeSeedPool(srv)
	c := srv.Client()
	res, err := c.DesktopPools.BatchDeleteVolumes(context.Background(), p.ID, &workspace.BatchDeleteVolumesRequest{
		Volumes: []workspace.VolumeInfo{{Type: "SAS", Size: 100}}, // no id: matched by type and size
	})
	require.NoError(t, err)
	job, err := c.Jobs.Wait(context.Background(), res.JobID, &workspace.WaitOptions{Interval: 10 * time.Millisecond})
	require.NoError(t, err)
	assert.Equal(t, workspacetest.JobStatusSuccess, job.Status)
	assert.Greater(t, len(srv.RequestsFor(workspacetest.OpGetJob)), 1, "the job was RUNNING at first")
}

func TestFakeBatchDeleteMissingVolumeFailsTheJob(t *testing.T) {
	t.Parallel()
	srv := fakeNewServer(t)
	p := fakeSeedPool(srv)
	c := srv.Client()
	ctx := context.Background()
	res, err := c.DesktopPools.BatchDeleteVolumes(ctx, p.ID, &workspace.BatchDeleteVolumesRequest{
		Volumes: []workspace.VolumeInfo{{ID: "vol-1", Type: "SAS", Size: 100}, {ID: "vol-404", Type: "SAS", Size: 100}},
	})
	require.NoError(t, err)
	job, err := c.Jobs.Wait(ctx, res.JobID, &workspace.WaitOptions{Interval: time.Millisecond})
	var jfe *workspace.JobFailedError
	require.ErrorAs(t, err, &jfe)
	require.NotNil(t, job)
	assert.Equal(t, workspacetest.JobStatusFailed, job.Status)
	assert.Equal(t, workspacetest.ErrCodeVolumeNotFound, job.ErrorCode)
	require.Len(t, job.SubJobs, 2)
	assert.Equal(t, workspacetest.JobStatusSuccess, job.SubJobs[0].Status)
	assert.Equal(t, workspacetest.JobStatusFailed, job.SubJobs[1].Status)
	assert.Contains(t, job.SubJobs[1].FailReason, "vol-404")
	pool, _ := srv.Pool(p.ID)
	assert.Equal(t, []workspace.VolumeInfo{{ID: "vol-2", Type: "SSD", Size: 50}}, pool.Volumes)
}

func TestFakeBatchDeleteValidation(t *testing.T) {
	t.Parallel()
	srv := fakeNewServer(t)
	p := fakeSeedPool(srv)
	vols := func(n int) string {
		parts := make([]string, n)
		for i := range parts {
			parts[i] = `{"type":"SAS","size":10}`
		}
		return `{"volumes":[` + strings.Join(parts, ",") + `]}`
	}
	tests := []struct{ name, body string }{
		{"no volumes", `{"volumes":[]}`},
		{"volumes missing", `{}`},
		{"eleven volumes", vols(11)},
		{"type missing", `{"volumes":[{"size":10}]}`},
		{"size missing", `{"volumes":[{"type":"SAS"}]}`},
		{"size 9", `{"volumes":[{"type":"SAS","size":9}]}`},
		{"size 32761", `{"volumes":[{"type":"SAS","size":32761}]}`},
		{"size not a number", `{"volumes":[{"type":"SAS","size":"10"}]}`},
		{"neither id nor type and size", `{"volumes":[{}]}`},
		{"resource spec code only", `{"volumes":[{"resource_spec_code":"SSD"}]}`},
		{"blank id", `{"volumes":[{"id":"  "}]}`},
		{"id and type without size", `{"volumes":[{"id":"vol-1","type":"SAS"}]}`},
		{"id and size without type", `{"volumes":[{"id":"vol-1","size":100}]}`},
		{"101 desktop ids", `{"volumes":[{"id":"vol-1"}],"desktop_ids":["d"` + strings.Repeat(`,"d"`, 100) + `]}`},
		{"unknown handle_type", `{"volumes":[{"type":"SAS","size":10}],"handle_type":"ALL"}`},
		{"malformed", `{"volumes":`},
		{"empty", ``},
	}
	path := "/desktop-pools/" + p.ID + "/volumes/batch-delete"
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := fakeRaw(t, srv, "POST", path, "", []byte(tt.body), nil)
			assert.Equal(t, http.StatusBadRequest, res.Status)
			assert.Equal(t, workspacetest.ErrCodeBadParameter, res.ErrorCode)
		})
	}
	oks := []string{
		vols(10),
		`{"volumes":[{"type":"SAS","size":32760}],"handle_type":"ONLY_FOR_EXPAND","desktop_ids":["d-1"]}`,
		`{"volumes":[{"id":"vol-1"}]}`,
		`{"volumes":[{"id":"vol-1","type":"SAS","size":100,"resource_spec_code":"SAS"}],"desktop_ids":["d"` + strings.Repeat(`,"d"`, 99) + `]}`,
	}
	for _, ok := range oks {
		assert.Equal(t, http.StatusOK, fakeRaw(t, srv, "POST", path, "", []byte(ok), nil).Status, ok)
	}
	assert.Len(t, srv.Jobs(), len(oks), "only the valid requests started jobs")

	_, err := srv.Client().DesktopPools.BatchDeleteVolumes(context.Background(), "no-such-pool",
		&workspace.BatchDeleteVolumesRequest{Volumes: []workspace.VolumeInfo{{Type: "SAS", Size: 10}}})
	require.ErrorIs(t, err, workspace.ErrNotFound)
	assert.Equal(t, workspacetest.ErrCodePoolNotFound, fakeAPIError(t, err).Code)
}

func TestFakeJobs(t *testing.T) {
	t.Parallel()
	srv := fakeNewServer(t)
	c := srv.Client()
	ctx := context.Background()

	_, err := c.Jobs.Get(ctx, "no-such-job")
	require.ErrorIs(t, err, workspace.ErrNotFound)
	assert.Equal(t, workspacetest.ErrCodeJobNotFound, fakeAPIError(t, err).Code)

	partly := srv.AddJob(workspace.Job{ID: "job-partly", Type: "X", Status: "SUCCESS", SubJobsTotal: 2, SubJobs: []workspace.SubJob{
		{ID: "s1", Status: "SUCCESS", DesktopID: "d-1", DesktopName: "one", IPAddress: "10.0.0.1"},
		{ID: "s2", Status: "FAIL", ErrorCode: "WKS.1", FailReason: "busy"},
	}})
	job, err := c.Jobs.Wait(ctx, partly.ID, &workspace.WaitOptions{Interval: time.Millisecond})
	var jfe *workspace.JobFailedError
	require.ErrorAs(t, err, &jfe)
	assert.Equal(t, "d-1", job.SubJobs[0].DesktopID)
	assert.Equal(t, "10.0.0.1", job.SubJobs[0].IPAddress)
	assert.Equal(t, "busy", job.SubJobs[1].FailReason)

	srv.AddJob(workspace.Job{ID: "job-slow", Status: "SOMETHING_NEW"})
	go func() {
		time.Sleep(20 * time.Millisecond)
		srv.UpdateJob("job-slow", func(j *workspace.Job) { j.Status = "COMPLETE" })
	}()
	job, err = c.Jobs.Wait(ctx, "job-slow", &workspace.WaitOptions{Interval: 2 * time.Millisecond})
	require.NoError(t, err)
	assert.Equal(t, workspace.JobStatusComplete, job.Status)
	assert.False(t, srv.UpdateJob("nope", func(*workspace.Job) {}))
}

func TestFakeTokenAuth(t *testing.T) {
	t.Parallel()
	srv := fakeNewServer(t, workspacetest.WithToken("the-right-token"))
	srv.AddPool(workspacetest.Pool{ID: "p"})
	ctx := context.Background()

	_, err := srv.Client().DesktopPools.GetInconsistentStatistics(ctx, "p")
	require.NoError(t, err)

	_, err = srv.Client(workspace.WithToken("wrong-token")).DesktopPools.GetInconsistentStatistics(ctx, "p")
	require.ErrorIs(t, err, workspace.ErrUnauthorized)
	ae := fakeAPIError(t, err)
	assert.Equal(t, workspacetest.ErrCodeUnauthorized, ae.Code)
	assert.NotContains(t, err.Error(), "wrong-token")

	res := fakeRaw(t, srv, "GET", "/desktop-pools/p/inconsistent-statics", "", nil, map[string]string{"X-Auth-Token": ""})
	assert.Equal(t, http.StatusUnauthorized, res.Status)
	assert.Equal(t, workspacetest.ErrCodeUnauthorized, res.ErrorCode)
	assert.NotEmpty(t, res.Header.Get("X-Request-Id"))

	res = fakeRaw(t, srv, "GET", "/desktop-pools/p/inconsistent-statics", "", nil, map[string]string{"X-Auth-Token": "", "Authorization": "Basic Zm9vOmJhcg=="})
	assert.Equal(t, http.StatusUnauthorized, res.Status)
}

// fakeSigned sends a GET signed by hand with internal/signer, dated at.
func fakeSigned(t *testing.T, srv *workspacetest.Server, at time.Time, sk string, mutate func(*http.Request)) fakeRawResult {
	t.Helper()
	path := "/v2/" + srv.ProjectID + "/snapshots"
	req, err := http.NewRequest("GET", srv.URL+path+"?limit=5&status=creating", nil)
	require.NoError(t, err)
	date := signer.FormatDate(at)
	req.Header.Set("X-Sdk-Date", date)
	req.Header.Set("X-Project-Id", srv.ProjectID)
	sr := signer.Request{Method: "GET", Path: path, Query: req.URL.Query(), Headers: map[string]string{
		"host": req.URL.Host, "x-sdk-date": date, "x-project-id": srv.ProjectID,
	}}
	req.Header.Set("Authorization", signer.Sign(&sr, srv.AccessKey, sk))
	if mutate != nil {
		mutate(req)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	out := fakeRawResult{Status: resp.StatusCode, Header: resp.Header}
	out.Body, _ = io.ReadAll(resp.Body)
	if resp.StatusCode >= 300 {
		require.NoError(t, json.Unmarshal(out.Body, &out))
	}
	return out
}

func TestFakeSignatureVerification(t *testing.T) {
	t.Parallel()
	srv := fakeNewServer(t, workspacetest.WithDemoData())
	p := srv.Pools()[0]
	ctx := context.Background()
	now := time.Now()

	t.Run("good AK/SK through the client", func(t *testing.T) {
		t.Parallel()
		c := srv.Client(workspace.WithAccessKey(srv.AccessKey, srv.SecretKey))
		_, err := c.DesktopPools.GetInconsistentStatistics(ctx, p.ID)
		require.NoError(t, err)
		// A body and a query are signed too.
		_, err = c.Desktops.CheckImages(ctx, []string{"a b", "c/d"})
		require.NoError(t, err)
		_, err = c.Snapshots.List(ctx, &workspace.ListSnapshotsOptions{DesktopNames: []string{"x y", "ü&="}, SnapshotName: "a+b"})
		require.NoError(t, err)
	})
	t.Run("wrong SK", func(t *testing.T) {
		t.Parallel()
		_, err := srv.Client(workspace.WithAccessKey(srv.AccessKey, "wrong-secret")).DesktopPools.GetInconsistentStatistics(ctx, p.ID)
		require.ErrorIs(t, err, workspace.ErrUnauthorized)
		assert.Equal(t, workspacetest.ErrCodeUnauthorized, fakeAPIError(t, err).Code)
	})
	t.Run("unknown AK", func(t *testing.T) {
		t.Parallel()
		_, err := srv.Client(workspace.WithAccessKey("OTHERKEY", srv.SecretKey)).DesktopPools.GetInconsistentStatistics(ctx, p.ID)
		require.ErrorIs(t, err, workspace.ErrUnauthorized)
	})
	tests := []struct {
		name   string
		at     time.Time
		sk     string
		mutate func(*http.Request)
		status int
		msg    string
	}{
		{"by hand, good", now, srv.SecretKey, nil, http.StatusOK, ""},
		{"14 minutes old", now.Add(-14 * time.Minute), srv.SecretKey, nil, http.StatusOK, ""},
		{"14 minutes ahead", now.Add(14 * time.Minute), srv.SecretKey, nil, http.StatusOK, ""},
		{"stale date", now.Add(-16 * time.Minute), srv.SecretKey, nil, http.StatusUnauthorized, "15 minutes"},
		{"date in the future", now.Add(16 * time.Minute), srv.SecretKey, nil, http.StatusUnauthorized, "15 minutes"},
		{"wrong key by hand", now, "nope", nil, http.StatusUnauthorized, "signature"},
		{"query changed after signing", now, srv.SecretKey, func(r *http.Request) { r.URL.RawQuery = "limit=6&status=creating" }, http.StatusUnauthorized, "signature"},
		{"date changed after signing", now, srv.SecretKey, func(r *http.Request) { r.Header.Set("X-Sdk-Date", signer.FormatDate(now.Add(time.Second))) }, http.StatusUnauthorized, "signature"},
		{"other project", now, srv.SecretKey, func(r *http.Request) { r.Header.Set("X-Project-Id", "other") }, http.StatusUnauthorized, "X-Project-Id"},
		{"malformed date", now, srv.SecretKey, func(r *http.Request) { r.Header.Set("X-Sdk-Date", "yesterday") }, http.StatusUnauthorized, "X-Sdk-Date"},
		{"malformed header", now, srv.SecretKey, func(r *http.Request) { r.Header.Set("Authorization", "SDK-HMAC-SHA256 nonsense") }, http.StatusUnauthorized, "malformed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			res := fakeSigned(t, srv, tt.at, tt.sk, tt.mutate)
			assert.Equal(t, tt.status, res.Status, string(res.Body))
			if tt.status != http.StatusOK {
				assert.Equal(t, workspacetest.ErrCodeUnauthorized, res.ErrorCode)
				assert.Contains(t, res.ErrorMsg, tt.msg)
			}
		})
	}
}

func TestFakeSignatureWithSecurityToken(t *testing.T) {
	t.Parallel()
	srv := fakeNewServer(t, workspacetest.WithSecurityToken("temp-token"), workspacetest.WithAccessKey("TMPAK", "TMPSK"))
	srv.AddPool(workspacetest.Pool{ID: "p"})
	ctx := context.Background()
	_, err := srv.Client(workspace.WithAccessKey("TMPAK", "TMPSK"), workspace.WithSecurityToken("temp-token")).DesktopPools.GetInconsistentStatistics(ctx, "p")
	require.NoError(t, err)
	_, err = srv.Client(workspace.WithAccessKey("TMPAK", "TMPSK"), workspace.WithSecurityToken("other")).DesktopPools.GetInconsistentStatistics(ctx, "p")
	require.ErrorIs(t, err, workspace.ErrUnauthorized)
	_, err = srv.Client(workspace.WithAccessKey("TMPAK", "TMPSK")).DesktopPools.GetInconsistentStatistics(ctx, "p")
	require.ErrorIs(t, err, workspace.ErrUnauthorized)
}

func TestFakeWrongProjectAndUnknownPath(t *testing.T) {
	t.Parallel()
	srv := fakeNewServer(t)
	c, err := workspace.NewClient(workspace.WithEndpoint(srv.URL), workspace.WithProjectID("another-project"), workspace.WithToken(srv.Token), fakeQuickRetries)
	require.NoError(t, err)
	_, err = c.Snapshots.List(context.Background(), nil)
	require.ErrorIs(t, err, workspace.ErrForbidden)
	assert.Equal(t, workspacetest.ErrCodeWrongProject, fakeAPIError(t, err).Code)

	for _, tc := range []struct{ method, path string }{
		{"GET", "/snapshots/"}, {"DELETE", "/snapshots"}, {"GET", "/desktops/check-images"},
		{"GET", "/desktop-pools/p/volumes/batch-delete"}, {"GET", "/workspace-jobs"}, {"GET", "/nothing"},
	} {
		res := fakeRaw(t, srv, tc.method, tc.path, "", nil, nil)
		assert.Equal(t, http.StatusNotFound, res.Status, tc)
		assert.Equal(t, workspacetest.ErrCodeNoSuchAPI, res.ErrorCode, tc)
	}
	resp, err := http.Get(srv.URL + "/v3/whatever")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusNotFound, resp.StatusCode)
	assert.NotEmpty(t, resp.Header.Get("X-Request-Id"))
}

func TestFakeEveryAnswerHasARequestID(t *testing.T) {
	t.Parallel()
	srv := fakeNewServer(t)
	fakeSeedPool(srv)
	seen := map[string]bool{}
	for _, tc := range []struct {
		method, path, query string
		body                []byte
		status              int
	}{
		{"GET", "/snapshots", "", nil, 200},
		{"GET", "/snapshots", "limit=0", nil, 400},
		{"GET", "/desktop-pools/pool-1/inconsistent-statics", "", nil, 200},
		{"GET", "/desktop-pools/nope/inconsistent-statics", "", nil, 400}, // a missing pool, as the API answers it
		{"POST", "/desktops/check-images", "", []byte(`{"desktop_ids":["d-same"]}`), 200},
		{"GET", "/workspace-jobs/nope", "", nil, 404},
	} {
		res := fakeRaw(t, srv, tc.method, tc.path, tc.query, tc.body, nil)
		assert.Equal(t, tc.status, res.Status, tc.path)
		id := res.Header.Get("X-Request-Id")
		assert.NotEmpty(t, id)
		assert.False(t, seen[id], "request ids are unique")
		seen[id] = true
	}
}

func TestFakeDroppedConnection(t *testing.T) {
	t.Parallel()
	srv := fakeNewServer(t)
	p := fakeSeedPool(srv)
	ctx := context.Background()

	// A read is retried after a dropped connection.
	srv.DropNext(workspacetest.OpGetInconsistentStatistics, 1)
	_, err := srv.Client(fakeQuickRetries).DesktopPools.GetInconsistentStatistics(ctx, p.ID)
	require.NoError(t, err)
	reqs := srv.RequestsFor(workspacetest.OpGetInconsistentStatistics)
	require.Len(t, reqs, 2)
	assert.Equal(t, 0, reqs[0].Status)
	assert.Equal(t, 200, reqs[1].Status)

	// Without retries the error is a transport error, not an APIError.
	srv.DropNext(workspacetest.OpGetInconsistentStatistics, 1)
	_, err = srv.Client(workspace.WithRetryPolicy(workspace.RetryPolicy{MaxAttempts: 1})).DesktopPools.GetInconsistentStatistics(ctx, p.ID)
	require.Error(t, err)
	var ae *workspace.APIError
	assert.False(t, errors.As(err, &ae))

	// A batch-delete whose connection dropped after sending is not retried.
	srv.DropNext(workspacetest.OpBatchDeleteVolumes, 1)
	_, err = srv.Client(fakeQuickRetries).DesktopPools.BatchDeleteVolumes(ctx, p.ID, &workspace.BatchDeleteVolumesRequest{Volumes: []workspace.VolumeInfo{{Type: "SAS", Size: 100}}})
	require.Error(t, err)
	assert.Len(t, srv.RequestsFor(workspacetest.OpBatchDeleteVolumes), 1)
	assert.Empty(t, srv.Jobs())
}

func TestFakeRecordsRequests(t *testing.T) {
	t.Parallel()
	srv := fakeNewServer(t)
	fakeSeedPool(srv)
	ctx := context.Background()

	_, err := srv.Client(workspace.WithUserAgent("recorder-test")).Snapshots.List(ctx, &workspace.ListSnapshotsOptions{DesktopIDs: []string{"a", "b"}, Status: "creating", Limit: 5})
	require.NoError(t, err)
	_, err = srv.Client(workspace.WithAccessKey(srv.AccessKey, srv.SecretKey)).Desktops.CheckImages(ctx, []string{"d-same"})
	require.NoError(t, err)
	_, err = srv.Client().Jobs.Get(ctx, "nope")
	require.Error(t, err)

	reqs := srv.Requests()
	require.Len(t, reqs, 3)
	list := reqs[0]
	assert.Equal(t, workspacetest.OpListSnapshots, list.Operation)
	assert.Equal(t, "GET", list.Method)
	assert.Equal(t, "/v2/"+srv.ProjectID+"/snapshots", list.Path)
	assert.Equal(t, []string{"a", "b"}, list.Query["desktop_ids"])
	assert.Equal(t, "5", list.Query.Get("limit"))
	assert.Equal(t, "token", list.Auth)
	assert.Equal(t, "REDACTED", list.Header.Get("X-Auth-Token"))
	assert.Contains(t, list.Header.Get("User-Agent"), "recorder-test")
	assert.Equal(t, 200, list.Status)
	assert.Empty(t, list.Body)

	check := reqs[1]
	assert.Equal(t, workspacetest.OpCheckImages, check.Operation)
	assert.JSONEq(t, `{"desktop_ids":["d-same"]}`, string(check.Body))
	assert.Equal(t, "aksk", check.Auth)
	assert.Equal(t, srv.ProjectID, check.Header.Get("X-Project-Id"))
	assert.Contains(t, check.Header.Get("Authorization"), "Signature=REDACTED")
	assert.Contains(t, check.Header.Get("Authorization"), "Access="+srv.AccessKey)
	for _, r := range reqs {
		for _, vs := range r.Header {
			for _, v := range vs {
				assert.NotContains(t, v, srv.Token)
				assert.NotContains(t, v, srv.SecretKey)
			}
		}
	}

	job := reqs[2]
	assert.Equal(t, workspacetest.OpGetJob, job.Operation)
	assert.Equal(t, 404, job.Status)
	var ae *workspace.APIError
	require.ErrorAs(t, err, &ae)
	assert.Equal(t, ae.RequestID, job.RequestID)

	// Copies: changing them changes nothing.
	reqs[0].Query.Set("limit", "999")
	assert.Equal(t, "5", srv.Requests()[0].Query.Get("limit"))
	assert.Len(t, srv.RequestsFor(workspacetest.OpCheckImages), 1)
	srv.ResetRequests()
	assert.Empty(t, srv.Requests())
}

func TestFakeDemoData(t *testing.T) {
	t.Parallel()
	srv := fakeNewServer(t, workspacetest.WithDemoData())
	pools := srv.Pools()
	require.Len(t, pools, workspacetest.DemoPools)
	c := srv.Client()
	ctx := context.Background()
	for _, p := range pools {
		assert.NotEmpty(t, p.Volumes)
		desktops := srv.Desktops(p.ID)
		assert.NotEmpty(t, desktops)
		st, err := c.DesktopPools.GetInconsistentStatistics(ctx, p.ID)
		require.NoError(t, err)
		assert.Positive(t, st.ProductID+st.ImageID+st.DiskNum+st.DiskSize, p.Name)
		infos, err := c.Desktops.CheckImages(ctx, fakeIDs(desktops, func(d workspacetest.Desktop) string { return d.ID }))
		require.NoError(t, err)
		assert.Less(t, len(infos), len(desktops), "some desktops' image is gone")
		assert.NotEmpty(t, infos)
	}
	statuses, types := map[workspace.SnapshotStatus]int{}, map[workspace.CreateType]int{}
	for _, s := range srv.Snapshots() {
		statuses[s.Status]++
		types[s.CreateType]++
	}
	assert.Len(t, statuses, 6)
	assert.Len(t, types, 2)
	taskStatuses, taskTypes := map[workspace.TaskStatus]int{}, map[bool]int{}
	for _, tk := range srv.ScriptTasks() {
		taskStatuses[tk.Status]++
		taskTypes[len(tk.Scripts) > 0]++
	}
	assert.Len(t, taskStatuses, 4)
	assert.Len(t, taskTypes, 2)
	assert.GreaterOrEqual(t, len(srv.ScriptTasks()), 100)

	// The same data on every run.
	other := fakeNewServer(t, workspacetest.WithDemoData())
	assert.Equal(t, fakeIDs(pools, func(p workspacetest.Pool) string { return p.ID }), fakeIDs(other.Pools(), func(p workspacetest.Pool) string { return p.ID }))
}

func TestFakeClientOptions(t *testing.T) {
	t.Parallel()
	srv := fakeNewServer(t)
	c, err := srv.NewClient(workspace.WithAccessKey(srv.AccessKey, srv.SecretKey))
	require.NoError(t, err)
	assert.Contains(t, c.String(), "aksk")
	assert.Contains(t, srv.Client().String(), "token")

	_, err = srv.NewClient(workspace.WithRegion("Not A Region"))
	require.Error(t, err)
	assert.Panics(t, func() { srv.Client(workspace.WithRateLimit(-1, 1)) })

	for _, s := range []string{srv.String(), fmt.Sprintf("%v", srv), fmt.Sprintf("%+v", srv), fmt.Sprintf("%#v", srv)} {
		assert.NotContains(t, s, srv.Token)
		assert.NotContains(t, s, srv.SecretKey)
		assert.Contains(t, s, srv.URL)
	}
}

func TestFakeConcurrentUse(t *testing.T) {
	t.Parallel()
	srv := fakeNewServer(t, workspacetest.WithDemoData())
	p := srv.Pools()[0]
	c := srv.Client(fakeQuickRetries)
	ctx := context.Background()
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 10 {
				var err error
				switch (g + i) % 6 {
				case 0:
					_, err = c.DesktopPools.GetInconsistentStatistics(ctx, p.ID)
				case 1:
					_, err = c.Snapshots.List(ctx, &workspace.ListSnapshotsOptions{Limit: 50, SortField: "create_time", SortType: "DESC"})
				case 2:
					_, err = c.DesktopPools.ListScriptExecutionTasks(ctx, &workspace.ListScriptExecutionTasksOptions{Limit: 20})
				case 3:
					var res *workspace.BatchDeleteVolumesResult
					res, err = c.DesktopPools.BatchDeleteVolumes(ctx, p.ID, &workspace.BatchDeleteVolumesRequest{Volumes: []workspace.VolumeInfo{{Type: "SAS", Size: 10}}})
					if err == nil {
						_, err = c.Jobs.Get(ctx, res.JobID)
					}
				case 4:
					srv.AddSnapshot(workspace.Snapshot{DesktopID: "x", Status: workspace.SnapshotStatusCreating})
					srv.FailNext(workspacetest.OpCheckImages, 1, 503, "0")
					_, err = c.Desktops.CheckImages(ctx, []string{"a"})
					if errors.Is(err, workspace.ErrServer) {
						err = nil // other goroutines' faults may outlast the retries
					}
				case 5:
					_ = srv.Requests()
					_ = srv.Pools()
					srv.SetLatency(0)
				}
				if err != nil {
					errs <- err
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	assert.Len(t, srv.Requests(), len(srv.Requests()))
	assert.GreaterOrEqual(t, len(srv.Snapshots()), 360)
}

func TestFakeBodyTooLargeIs413(t *testing.T) {
	t.Parallel()
	srv := fakeNewServer(t)
	body := []byte(`{"desktop_ids":["` + strings.Repeat("x", 1<<20) + `"]}`)
	res := fakeRaw(t, srv, "POST", "/desktops/check-images", "", body, nil)
	assert.Equal(t, http.StatusRequestEntityTooLarge, res.Status)
	assert.Equal(t, workspacetest.ErrCodeBodyTooLarge, res.ErrorCode)
}
func TestFakeLatency(t *testing.T) {
	t.Parallel()
	srv := fakeNewServer(t, workspacetest.WithLatency(40*time.Millisecond))
	c := srv.Client(workspace.WithRetryPolicy(workspace.RetryPolicy{MaxAttempts: 1}))
	start := time.Now()
	_, err := c.Snapshots.List(context.Background(), nil)
	require.NoError(t, err)
	assert.GreaterOrEqual(t, time.Since(start), 40*time.Millisecond)

	srv.SetLatency(time.Second)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	start = time.Now()
	_, err = c.Snapshots.List(ctx, nil)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Less(t, time.Since(start), 500*time.Millisecond)

	srv.SetLatency(0)
	srv.InjectFault(workspacetest.OpListSnapshots, 1, workspacetest.Fault{Latency: 30 * time.Millisecond})
	start = time.Now()
	_, err = c.Snapshots.List(context.Background(), nil)
	require.NoError(t, err)
	assert.GreaterOrEqual(t, time.Since(start), 30*time.Millisecond)
}

// check-images' answer is byte for byte json.Marshal's encoding of the
// right infos, whatever the ids and images hold (HTML, escapes, Unicode,
// line separators, invalid UTF-8 in an image's fields), with images
// alternating or in runs, one removed, one replaced, ids asked twice or
// unknown, the body sent as json.Marshal sends it (HTML escaped: the slow
// path) or raw (the fast path).
func TestFakeCheckImagesRawAnswerHostileValues(t *testing.T) {
	t.Parallel()
	srv := fakeNewServer(t)
	names := []string{"plain", "<b>&amp;</b>", "桌面 🙂", "quote\" back\\slash", "line\u2028sep\u2029", "bad\xffutf8", "ctl\x01\x1f\t\n", ""}
	type img struct{ id, name, typ, os string }
	var images []img
	for i := range 6 {
		im := img{fmt.Sprintf("img-%d-%s", i, names[i%len(names)]), names[(i+1)%len(names)], names[(i+2)%len(names)], names[(i+3)%len(names)]}
		images = append(images, im)
		srv.AddImage(workspacetest.Image{ID: im.id, Name: im.name, Type: im.typ, OSType: im.os})
	}
	// Replaced, and removed: desktops on the removed image are left out.
	images[1].name = "replaced <name>"
	srv.AddImage(workspacetest.Image{ID: images[1].id, Name: images[1].name, Type: images[1].typ, OSType: images[1].os})
	require.True(t, srv.RemoveImage(images[4].id))
	imageOf := map[string]*img{}
	for i := range images {
		if i != 4 {
			imageOf[images[i].id] = &images[i]
		}
	}
	idNames := []string{"d", "<script>", "a&b", "桌-面", "q\"x", "e\\s", "u\u2028", "🙂"}
	desktopImage := map[string]string{}
	var desktops []string
	for i := range 60 {
		id := fmt.Sprintf("%s-%d", idNames[i%len(idNames)], i)
		// Runs of one image, then alternating, then one missing.
		var im string
		switch {
		case i < 20:
			im = images[i/7].id
		case i < 50:
			im = images[i%6].id
		default:
			im = "img-never-added"
		}
		srv.AddDesktop(workspacetest.Desktop{ID: id, ImageID: im})
		desktopImage[id] = im
		desktops = append(desktops, id)
	}
	rng := rand.New(rand.NewPCG(3, 4))
	for round := range 40 {
		var asked []string
		for range 1 + rng.IntN(80) {
			switch rng.IntN(10) {
			case 0:
				asked = append(asked, fmt.Sprintf("unknown-%d", rng.IntN(5)))
			case 1:
				if len(asked) > 0 {
					asked = append(asked, asked[rng.IntN(len(asked))]) // again
				}
			default:
				asked = append(asked, desktops[rng.IntN(len(desktops))])
			}
		}
		if len(asked) == 0 {
			asked = append(asked, desktops[0])
		}
		plain := slices.DeleteFunc(slices.Clone(asked), func(id string) bool { return strings.ContainsAny(id, "\"\\") })
		for _, asked := range [][]string{asked, plain} {
			if len(asked) == 0 {
				continue
			}
			infos := []wire.ImageInfo{}
			seen := map[string]bool{}
			for _, id := range asked {
				im, ok := imageOf[desktopImage[id]]
				if seen[id] || !ok {
					continue
				}
				seen[id] = true
				infos = append(infos, wire.ImageInfo{DesktopID: id, ImageID: im.id, ImageName: im.name, ImageType: im.typ, OSType: im.os})
			}
			want, err := json.Marshal(wire.Images{ImageInfos: infos})
			require.NoError(t, err)
			escaped, err := json.Marshal(wire.CheckImagesRequest{DesktopIDs: asked})
			require.NoError(t, err)
			// Raw: HTML, Unicode and line separators as they are, which
			// the fake's fast decoder takes where nothing is escaped.
			raw := []byte(`{"desktop_ids":[`)
			for i, id := range asked {
				if i > 0 {
					raw = append(raw, ',')
				}
				if strings.ContainsAny(id, "\"\\") {
					q, err := json.Marshal(id)
					require.NoError(t, err)
					raw = append(raw, q...)
				} else {
					raw = append(append(append(raw, '"'), id...), '"')
				}
			}
			raw = append(raw, "]}"...)
			var r wire.CheckImagesRequest
			if len(plain) == len(asked) {
				require.True(t, r.DecodeFast(raw), "the fast path takes %s", raw)
			}
			for _, body := range [][]byte{escaped, raw} {
				res := fakeRaw(t, srv, "POST", "/desktops/check-images", "", body, nil)
				require.Equal(t, http.StatusOK, res.Status, "round %d", round)
				require.Equal(t, string(want), string(res.Body), "round %d: %s", round, body)
			}
		}
	}
}

// Requests while desktops are added and images come and go: every answer
// is well formed, each desktop in it asked, once, in the order asked.
func TestFakeCheckImagesWhileTheModelChanges(t *testing.T) {
	t.Parallel()
	srv := fakeNewServer(t)
	srv.AddImage(workspacetest.Image{ID: "img-a", Name: "A"})
	srv.AddImage(workspacetest.Image{ID: "img-b", Name: "B"})
	ids := make([]string, 200)
	for i := range ids {
		ids[i] = fmt.Sprintf("d-%03d", i)
	}
	body, err := json.Marshal(wire.CheckImagesRequest{DesktopIDs: append(slices.Clone(ids), ids[:50]...)})
	require.NoError(t, err)
	pos := map[string]int{}
	for i, id := range ids {
		pos[id] = i
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			im := []string{"img-a", "img-b"}[i%2]
			srv.AddDesktop(workspacetest.Desktop{ID: ids[i%len(ids)], ImageID: im})
			if i%50 == 0 {
				srv.RemoveImage("img-b")
				srv.AddImage(workspacetest.Image{ID: "img-b", Name: "B"})
			}
		}
	}()
	var readers sync.WaitGroup
	for range 4 {
		readers.Add(1)
		go func() {
			defer readers.Done()
			for range 25 {
				res := fakeRaw(t, srv, "POST", "/desktops/check-images", "", body, nil)
				if !assert.Equal(t, http.StatusOK, res.Status) {
					return
				}
				var got wire.Images
				if !assert.NoError(t, json.Unmarshal(res.Body, &got)) {
					return
				}
				last := -1
				for _, info := range got.ImageInfos {
					p, ok := pos[info.DesktopID]
					assert.True(t, ok && p > last, "asked, once, in order: %q", info.DesktopID)
					last = p
					assert.Equal(t, map[string]string{"img-a": "A", "img-b": "B"}[info.ImageID], info.ImageName)
				}
			}
		}()
	}
	readers.Wait()
	close(stop)
	wg.Wait()
}
