package workspacetest_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"os"
	"reflect"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/hwcloud-go/workspace"
	"github.com/hwcloud-go/workspace/workspacetest"
)

// The fake encodes with the client's wire types, so these tests check it
// against the API's own words instead: the example bodies of the
// reference pages, in the root package's testdata/golden (which the
// client's tests decode too). The fake is given the data of an example and
// must answer with the example's fields and values; it may add a
// documented field the example leaves out only with a zero value.

func goldenFile(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("../testdata/golden/" + name)
	require.NoError(t, err)
	return b
}

// assertGolden compares the fake's answer got with the golden body want.
func assertGolden(t *testing.T, want, got []byte) {
	t.Helper()
	var w, g any
	require.NoError(t, decodeNumbers(want, &w), "golden")
	require.NoError(t, decodeNumbers(got, &g), "answer")
	if msg := goldenDiff("$", w, g); msg != "" {
		t.Errorf("%s\nanswer: %s", msg, got)
	}
}

func decodeNumbers(b []byte, v any) error {
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	return d.Decode(v)
}

// goldenDiff describes the first difference between want and got at
// path, or returns "".
func goldenDiff(path string, want, got any) string {
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			return path + ": not an object"
		}
		for k, wv := range w {
			gv, ok := g[k]
			if !ok {
				return path + "." + k + ": missing"
			}
			if msg := goldenDiff(path+"."+k, wv, gv); msg != "" {
				return msg
			}
		}
		for k, gv := range g {
			if _, ok := w[k]; !ok && !isZero(gv) {
				return path + "." + k + ": not in the example, and not zero"
			}
		}
		return ""
	case []any:
		g, ok := got.([]any)
		if !ok || len(g) != len(w) {
			return path + ": not an array of the example's length"
		}
		for i := range w {
			if msg := goldenDiff(path+"[]", w[i], g[i]); msg != "" {
				return msg
			}
		}
		return ""
	}
	if !reflect.DeepEqual(want, got) {
		return path + ": differs"
	}
	return ""
}

func isZero(v any) bool {
	switch v := v.(type) {
	case nil:
		return true
	case string:
		return v == ""
	case bool:
		return !v
	case json.Number:
		return v == "0"
	}
	return false
}

func TestGolden_InconsistentStatistics(t *testing.T) {
	t.Parallel()
	srv := fakeNewServer(t)
	p := srv.AddPool(workspacetest.Pool{ProductID: "prod", ImageID: "img", Volumes: []workspace.VolumeInfo{{Type: "SAS", Size: 10}}})
	for _, d := range []workspacetest.Desktop{
		{ProductID: "other", ImageID: "other"}, // every count
		{ProductID: "other", ImageID: "other", DataDisks: []workspace.VolumeInfo{{Type: "SAS", Size: 20}}}, // all but disk_num
		{ProductID: "prod", ImageID: "img"}, // disk_num, disk_size
		{ProductID: "prod", ImageID: "img", DataDisks: []workspace.VolumeInfo{{Type: "SAS", Size: 10}, {Type: "SAS", Size: 10}}},
	} {
		d.PoolID = p.ID
		srv.AddDesktop(d)
	}
	res := fakeRaw(t, srv, "GET", "/desktop-pools/"+p.ID+"/inconsistent-statics", "", nil, nil)
	require.Equal(t, http.StatusOK, res.Status, string(res.Body))
	assertGolden(t, goldenFile(t, "inconsistent-statics.json"), res.Body)
}

func TestGolden_BatchDeleteVolumes(t *testing.T) {
	t.Parallel()
	srv := fakeNewServer(t)
	p := srv.AddPool(workspacetest.Pool{Volumes: []workspace.VolumeInfo{{ID: "305d3c76-199f-4407-8d82-2a42d970595e", Type: "SAS", Size: 10}}})
	res := fakeRaw(t, srv, "POST", "/desktop-pools/"+p.ID+"/volumes/batch-delete", "", goldenFile(t, "volumes-batch-delete.request.json"), nil)
	require.Equal(t, http.StatusOK, res.Status, string(res.Body))
	// The job id is the fake's own: the same fields as the example, each a
	// non-empty string.
	var want, got map[string]any
	require.NoError(t, json.Unmarshal(goldenFile(t, "volumes-batch-delete.json"), &want))
	require.NoError(t, json.Unmarshal(res.Body, &got))
	require.Len(t, got, len(want), string(res.Body))
	for k := range want {
		require.IsType(t, "", got[k], k)
		require.NotEmpty(t, got[k], k)
	}
}

func TestGolden_CheckImages(t *testing.T) {
	t.Parallel()
	srv := fakeNewServer(t)
	srv.AddImage(workspacetest.Image{ID: "b669106a-1395-4f24-92af-d884c227e558", Type: "market", OSType: "Windows"})
	srv.AddDesktop(workspacetest.Desktop{ID: "0730042a-b9c7-4279-bb24-d3fd299a2efe", ImageID: "b669106a-1395-4f24-92af-d884c227e558"})
	res := fakeRaw(t, srv, "POST", "/desktops/check-images", "", []byte(`{"desktop_ids":["0730042a-b9c7-4279-bb24-d3fd299a2efe"]}`), nil)
	require.Equal(t, http.StatusOK, res.Status, string(res.Body))
	assertGolden(t, goldenFile(t, "check-images.json"), res.Body)

	// The example request is taken (its desktops are unknown: no infos).
	res = fakeRaw(t, srv, "POST", "/desktops/check-images", "", goldenFile(t, "check-images.request.json"), nil)
	require.Equal(t, http.StatusOK, res.Status, string(res.Body))
	assertGolden(t, []byte(`{"image_infos":[]}`), res.Body)
}

func TestGolden_ListScriptExecutionTasks(t *testing.T) {
	t.Parallel()
	srv := fakeNewServer(t)
	srv.AddScriptTask(workspace.ScriptExecutionTask{
		ID: "b1e9d5c2-4f7a-4c1e-9a57-0e7f5d3c2a11", DesktopPoolID: "6a2e1bd1-aa4b-4e5c-8a7d-2c8b2c9bb0e1",
		DesktopPoolName: "pool-01", Scripts: []workspace.Script{{ID: "s-1", Name: "install.ps1"}},
		CommandType: workspace.CommandTypePowerShell, Status: workspace.TaskStatusFinish,
		StartTime:  time.Date(2024, 4, 20, 8, 36, 16, 0, time.UTC),
		EndTime:    time.Date(2024, 4, 20, 8, 40, 2, 0, time.UTC),
		SuccessNum: 9, FailedNum: 1,
	})
	res := fakeRaw(t, srv, "GET", "/desktop-pools/script-execution-tasks/detail", "", nil, nil)
	require.Equal(t, http.StatusOK, res.Status, string(res.Body))
	assertGolden(t, goldenFile(t, "script-execution-tasks.json"), res.Body)
}

func TestGolden_ListSnapshots(t *testing.T) {
	t.Parallel()
	srv := fakeNewServer(t)
	for _, sn := range []workspace.Snapshot{{
		ID: "eed156d9-02a5-46f5-8eb1-54f09ab9fbae", Name: "sys0420_xzx03_1713602176593",
		DesktopID: "7163a7ba-fc09-4238-ab73-0689ea7f54c3", DesktopName: "xzx03",
		DesktopSID: "22ad6780-3236-4838-b509-8068d254e9de", IsSystemDisk: true,
		Status: workspace.SnapshotStatusCreateSuccess, Description: "Description.",
		CreateTime: time.Date(2024, 4, 20, 8, 36, 16, 0, time.UTC), CreateType: workspace.CreateTypeManually,
	}, {
		ID: "a7e996da-20db-4de8-8aff-4c8e4c6d5ed3", Name: "AUTOCREATED_AA_1713595811910",
		DesktopID: "a3e8d0d0-79df-413d-a327-d702a4fb2e15", DesktopName: "AA",
		DesktopSID: "1346b13d-d3e4-4965-bfb4-5bb880bf7dbf", IsSystemDisk: false,
		Status: workspace.SnapshotStatusCreateSuccess, Description: "Description.",
		CreateTime: time.Date(2024, 4, 20, 6, 50, 11, 0, time.UTC), CreateType: workspace.CreateTypeAuto,
	}} {
		srv.AddSnapshot(sn)
	}
	res := fakeRaw(t, srv, "GET", "/snapshots", "", nil, nil)
	require.Equal(t, http.StatusOK, res.Status, string(res.Body))
	assertGolden(t, goldenFile(t, "snapshots-list.json"), res.Body)
}

// seedGoldenPool is the data of the pool and desktop goldens: a pool of
// two desktops with the pool's data disk, one of which (FIN-03, assigned
// to alice) runs an older image.
func seedGoldenPool(srv *workspacetest.Server) {
	srv.AddImage(workspacetest.Image{ID: "6f1d2d3e-58c1-4c5b-8c8e-0e1f2a3b4c5d", Name: "Windows 11 Enterprise", OSType: "Windows"})
	srv.AddImage(workspacetest.Image{ID: "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d", Name: "Windows 10 Enterprise", OSType: "Windows"})
	disk := workspace.VolumeInfo{ID: "ff9b0e67-7c11-4a1e-9d2c-6c5c8d5b9a01", Type: "SAS", Size: 100}
	srv.AddPool(workspacetest.Pool{
		ID: "1a5e2c6c-5a4b-4a10-9a4e-2f1b7a3f9c01", Name: "pool-finance", ProductID: "workspace.x86.ultimate.large2",
		ImageID: "6f1d2d3e-58c1-4c5b-8c8e-0e1f2a3b4c5d", Volumes: []workspace.VolumeInfo{disk},
	})
	srv.AddDesktop(workspacetest.Desktop{
		ID: "0d1c2b3a-4e5f-4a6b-8c7d-9e0f1a2b3c4d", Name: "FIN-03", SID: "S-1-5-21-1004336348-1177238915-682003330-512",
		PoolID: "1a5e2c6c-5a4b-4a10-9a4e-2f1b7a3f9c01", ProductID: "workspace.x86.ultimate.large2",
		ImageID: "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d", DataDisks: []workspace.VolumeInfo{disk}, UserName: "alice",
	})
	srv.AddDesktop(workspacetest.Desktop{ // like its pool in every respect
		ID: "d-same", Name: "FIN-04", PoolID: "1a5e2c6c-5a4b-4a10-9a4e-2f1b7a3f9c01", ProductID: "workspace.x86.ultimate.large2",
		ImageID: "6f1d2d3e-58c1-4c5b-8c8e-0e1f2a3b4c5d", DataDisks: []workspace.VolumeInfo{disk},
	})
}

func TestGolden_DesktopPools(t *testing.T) {
	t.Parallel()
	srv := fakeNewServer(t)
	seedGoldenPool(srv)
	res := fakeRaw(t, srv, "GET", "/desktop-pools", "", nil, nil)
	require.Equal(t, http.StatusOK, res.Status, string(res.Body))
	assertGolden(t, goldenFile(t, "desktop-pools-list.json"), res.Body)
	res = fakeRaw(t, srv, "GET", "/desktop-pools/1a5e2c6c-5a4b-4a10-9a4e-2f1b7a3f9c01", "", nil, nil)
	require.Equal(t, http.StatusOK, res.Status, string(res.Body))
	assertGolden(t, goldenFile(t, "desktop-pool-detail.json"), res.Body)
}

func TestGolden_Desktops(t *testing.T) {
	t.Parallel()
	srv := fakeNewServer(t)
	seedGoldenPool(srv)
	res := fakeRaw(t, srv, "GET", "/desktop-pools/1a5e2c6c-5a4b-4a10-9a4e-2f1b7a3f9c01/desktops", "inconsistent_type=IMAGE_ID", nil, nil)
	require.Equal(t, http.StatusOK, res.Status, string(res.Body))
	assertGolden(t, goldenFile(t, "pool-desktops.json"), res.Body)
	res = fakeRaw(t, srv, "GET", "/desktops/detail", "user_names=alice", nil, nil)
	require.Equal(t, http.StatusOK, res.Status, string(res.Body))
	assertGolden(t, goldenFile(t, "desktops-detail.json"), res.Body)
}

// assertSameFields checks that the fake's answer got has the fields of
// the golden want, at every level, for answers whose ids and times are
// the fake's own.
func assertSameFields(t *testing.T, want, got []byte) {
	t.Helper()
	var w, g any
	require.NoError(t, json.Unmarshal(want, &w))
	require.NoError(t, json.Unmarshal(got, &g))
	var walk func(path string, w, g any)
	walk = func(path string, w, g any) {
		switch w := w.(type) {
		case map[string]any:
			gm, ok := g.(map[string]any)
			require.True(t, ok, "%s: not an object in %s", path, got)
			for k, wv := range w {
				gv, ok := gm[k]
				require.True(t, ok, "%s.%s: missing in %s", path, k, got)
				walk(path+"."+k, wv, gv)
			}
		case []any:
			ga, ok := g.([]any)
			require.True(t, ok, "%s: not an array in %s", path, got)
			require.Len(t, ga, len(w), path)
			for i := range w {
				walk(path+"[]", w[i], ga[i])
			}
		default:
			require.IsType(t, w, g, path)
		}
	}
	walk("$", w, g)
}

func TestGolden_JobStartingWrites(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ golden, path string }{
		{"pool-rebuild", "/desktop-pools/1a5e2c6c-5a4b-4a10-9a4e-2f1b7a3f9c01/rebuild"},
		{"volumes-batch-add", "/desktop-pools/1a5e2c6c-5a4b-4a10-9a4e-2f1b7a3f9c01/volumes/batch-add"},
		{"script-executions", "/desktop-pools/1a5e2c6c-5a4b-4a10-9a4e-2f1b7a3f9c01/script-executions"},
		{"snapshots-batch-create", "/snapshots/batch-create"},
		{"snapshots-batch-delete", "/snapshots/batch-delete"},
		{"snapshots-batch-restore", "/snapshots/batch-restore"},
	} {
		srv := fakeNewServer(t)
		seedGoldenPool(srv)
		res := fakeRaw(t, srv, "POST", tt.path, "", goldenFile(t, tt.golden+".request.json"), nil)
		require.Equal(t, http.StatusOK, res.Status, "%s: %s", tt.golden, res.Body)
		assertSameFields(t, goldenFile(t, tt.golden+".json"), res.Body)
	}
}

func TestGolden_ListSubJobs(t *testing.T) {
	t.Parallel()
	srv := fakeNewServer(t)
	seedGoldenPool(srv)
	res := fakeRaw(t, srv, "POST", "/desktop-pools/1a5e2c6c-5a4b-4a10-9a4e-2f1b7a3f9c01/rebuild", "",
		[]byte(`{"image_id": "6f1d2d3e-58c1-4c5b-8c8e-0e1f2a3b4c5d", "is_fix": true}`), nil)
	require.Equal(t, http.StatusOK, res.Status, string(res.Body))
	var ref struct {
		JobID string `json:"job_id"`
	}
	require.NoError(t, json.Unmarshal(res.Body, &ref))
	res = fakeRaw(t, srv, "GET", "/workspace-sub-jobs", "job_id="+ref.JobID, nil, nil)
	require.Equal(t, http.StatusOK, res.Status, string(res.Body))
	assertSameFields(t, goldenFile(t, "sub-jobs.json"), res.Body)
}
