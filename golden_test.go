package workspace

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The golden files in testdata/golden are the example bodies of the API
// reference pages (/work/shared/spec), so that the client and the fake
// in workspacetest are both checked against the API's own words rather
// than against each other. The task page's example has "string" for every
// value; its golden file has values of the documented forms instead.

func TestGolden_InconsistentStatistics(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	mux.handle("/desktop-pools/p1/inconsistent-statics", respond(http.StatusOK, goldenString(t, "inconsistent-statics.json")))
	got, err := c.DesktopPools.GetInconsistentStatistics(testContext(t), "p1")
	require.NoError(t, err)
	assert.Equal(t, &InconsistentStatistics{ProductID: 2, ImageID: 2, DiskNum: 3, DiskSize: 4}, got)
}

func TestGolden_BatchDeleteVolumes(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	mux.handle("/desktop-pools/p1/volumes/batch-delete", respond(http.StatusOK, goldenString(t, "volumes-batch-delete.json")))
	got, err := c.DesktopPools.BatchDeleteVolumes(testContext(t), "p1", &BatchDeleteVolumesRequest{
		Volumes: []VolumeInfo{{ID: "305d3c76-199f-4407-8d82-2a42d970595e", Type: "SAS", Size: 10}},
	})
	require.NoError(t, err)
	assert.Equal(t, &BatchDeleteVolumesResult{JobID: "abc85365-0b2e-4b4f-a091-f7db72072d4b"}, got)
	testJSONBody(t, mux.last(t), goldenString(t, "volumes-batch-delete.request.json"))
}

func TestGolden_CheckImages(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	mux.handle("/desktops/check-images", respond(http.StatusOK, goldenString(t, "check-images.json")))
	got, err := c.Desktops.CheckImages(testContext(t), []string{"f77db5cd-c020-47d4-bbbe-9b979a38d18c", "f77db5cd-c020-47d4-bbbe-9b979a38d18b"})
	require.NoError(t, err)
	assert.Equal(t, []DesktopImageInfo{{
		DesktopID: "0730042a-b9c7-4279-bb24-d3fd299a2efe", ImageID: "b669106a-1395-4f24-92af-d884c227e558",
		ImageType: "market", OSType: "Windows",
	}}, got)
	testJSONBody(t, mux.last(t), goldenString(t, "check-images.request.json"))
}

func TestGolden_ListScriptExecutionTasks(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	mux.handle("/desktop-pools/script-execution-tasks/detail", respond(http.StatusOK, goldenString(t, "script-execution-tasks.json")))
	got, err := c.DesktopPools.ListScriptExecutionTasks(testContext(t), nil)
	require.NoError(t, err)
	assert.Equal(t, &Page[ScriptExecutionTask]{TotalCount: 1, Items: []ScriptExecutionTask{{
		ID: "b1e9d5c2-4f7a-4c1e-9a57-0e7f5d3c2a11", DesktopPoolID: "6a2e1bd1-aa4b-4e5c-8a7d-2c8b2c9bb0e1",
		DesktopPoolName: "pool-01", Scripts: []Script{{ID: "s-1", Name: "install.ps1"}},
		CommandType: CommandTypePowerShell, Status: TaskStatusFinish,
		StartTime:  time.Date(2024, 4, 20, 8, 36, 16, 0, time.UTC),
		EndTime:    time.Date(2024, 4, 20, 8, 40, 2, 0, time.UTC),
		SuccessNum: 9, FailedNum: 1,
	}}}, got)
}

func TestGolden_ListSnapshots(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	mux.handle("/snapshots", respond(http.StatusOK, goldenString(t, "snapshots-list.json")))
	got, err := c.Snapshots.List(testContext(t), nil)
	require.NoError(t, err)
	assert.Equal(t, &Page[Snapshot]{TotalCount: 2, Items: []Snapshot{{
		ID: "eed156d9-02a5-46f5-8eb1-54f09ab9fbae", Name: "sys0420_xzx03_1713602176593",
		DesktopID: "7163a7ba-fc09-4238-ab73-0689ea7f54c3", DesktopName: "xzx03",
		DesktopSID: "22ad6780-3236-4838-b509-8068d254e9de", IsSystemDisk: true,
		Status: SnapshotStatusCreateSuccess, Description: "Description.",
		CreateTime: time.Date(2024, 4, 20, 8, 36, 16, 0, time.UTC), CreateType: CreateTypeManually,
	}, {
		ID: "a7e996da-20db-4de8-8aff-4c8e4c6d5ed3", Name: "AUTOCREATED_AA_1713595811910",
		DesktopID: "a3e8d0d0-79df-413d-a327-d702a4fb2e15", DesktopName: "AA",
		DesktopSID: "1346b13d-d3e4-4965-bfb4-5bb880bf7dbf", IsSystemDisk: false,
		Status: SnapshotStatusCreateSuccess, Description: "Description.",
		CreateTime: time.Date(2024, 4, 20, 6, 50, 11, 0, time.UTC), CreateType: CreateTypeAuto,
	}}}, got)
}

// The operations around the five. Their golden bodies follow the fields
// and documented forms of the reference pages' tables (the example
// bodies of those pages were not all at hand); the client must decode
// them to these values, and send these requests.

func TestGolden_DesktopPools(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	mux.handle("/desktop-pools", respond(http.StatusOK, goldenString(t, "desktop-pools-list.json")))
	mux.handle("/desktop-pools/p1", respond(http.StatusOK, goldenString(t, "desktop-pool-detail.json")))
	want := DesktopPool{
		ID: "1a5e2c6c-5a4b-4a10-9a4e-2f1b7a3f9c01", Name: "pool-finance", Type: PoolTypeDynamic, Status: PoolStatusSteady,
		ChargeMode: ChargeModeOnDemand, DesktopCount: 2, DesktopUsed: 1,
		Product: Product{ID: "workspace.x86.ultimate.large2", ChargeMode: ChargeModeOnDemand},
		ImageID: "6f1d2d3e-58c1-4c5b-8c8e-0e1f2a3b4c5d", ImageName: "Windows 11 Enterprise", ImageOSType: OSTypeWindows,
		DataVolumes: []VolumeInfo{{ID: "ff9b0e67-7c11-4a1e-9d2c-6c5c8d5b9a01", Type: VolumeTypeSAS, Size: 100}},
		SubnetIDs:   []string{}, SecurityGroups: []SecurityGroup{}, Tags: []Tag{},
	}
	page, err := c.DesktopPools.List(testContext(t), nil)
	require.NoError(t, err)
	assert.Equal(t, &Page[DesktopPool]{TotalCount: 1, Items: []DesktopPool{want}}, page)
	got, err := c.DesktopPools.Get(testContext(t), "p1")
	require.NoError(t, err)
	assert.Equal(t, &want, got)
}

func TestGolden_Desktops(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	mux.handle("/desktop-pools/p1/desktops", respond(http.StatusOK, goldenString(t, "pool-desktops.json")))
	mux.handle("/desktops/detail", respond(http.StatusOK, goldenString(t, "desktops-detail.json")))
	want := Desktop{
		ID: "0d1c2b3a-4e5f-4a6b-8c7d-9e0f1a2b3c4d", Name: "FIN-03", HostName: "FIN-03",
		SID: "S-1-5-21-1004336348-1177238915-682003330-512", Type: DesktopTypePooled, Status: DesktopStatusActive,
		ImageID: "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d", ImageName: "Windows 10 Enterprise", OSType: OSTypeWindows,
		ProductID: "workspace.x86.ultimate.large2", UserName: "alice", LoginStatus: LoginStatusRegistered,
		AttachState: AttachStateAttached, AttachedUsers: []AttachedUser{{Name: "alice", Type: AttachedUserTypeUser}},
		IPAddresses: []string{}, Tags: []Tag{}, EnterpriseProjectID: "0",
		DataVolumes: []DesktopVolume{{ID: "ff9b0e67-7c11-4a1e-9d2c-6c5c8d5b9a01", VolumeID: "ff9b0e67-7c11-4a1e-9d2c-6c5c8d5b9a01",
			PoolVolumeID: "ff9b0e67-7c11-4a1e-9d2c-6c5c8d5b9a01", Type: VolumeTypeSAS, Size: 100}},
	}
	page, err := c.Desktops.List(testContext(t), nil)
	require.NoError(t, err)
	assert.Equal(t, &Page[Desktop]{TotalCount: 1, Items: []Desktop{want}}, page)
	want.PoolID, want.InconsistentTypes = "p1", []string{"IMAGE"}
	page, err = c.DesktopPools.ListDesktops(testContext(t), "p1", nil)
	require.NoError(t, err)
	assert.Equal(t, &Page[Desktop]{TotalCount: 1, Items: []Desktop{want}}, page)
}

func TestGolden_JobStartingWrites(t *testing.T) {
	t.Parallel()
	const jobID = "6d0b3c2a-1e4f-4b5a-9c8d-7e6f5a4b3c2d"
	tests := []struct {
		golden, rel string
		call        func(c *Client) (string, error)
	}{
		{"pool-rebuild", "/desktop-pools/p1/rebuild", func(c *Client) (string, error) {
			r, err := c.DesktopPools.Rebuild(testContext(t), "p1", &RebuildDesktopPoolRequest{
				ImageID: "6f1d2d3e-58c1-4c5b-8c8e-0e1f2a3b4c5d", DelayTime: 5,
				Message: "This desktop will be rebuilt in 5 minutes. Save your work.", IsFix: true,
			})
			return r.JobID, err
		}},
		{"volumes-batch-add", "/desktop-pools/p1/volumes/batch-add", func(c *Client) (string, error) {
			r, err := c.DesktopPools.BatchAddVolumes(testContext(t), "p1", &BatchAddVolumesRequest{
				Volumes: []VolumeInfo{{Type: VolumeTypeSAS, Size: 100}}, HandleType: VolumeHandleForExpandAndAll,
			})
			return r.JobID, err
		}},
		{"snapshots-batch-create", "/snapshots/batch-create", func(c *Client) (string, error) {
			r, err := c.Snapshots.BatchCreate(testContext(t), &BatchCreateSnapshotsRequest{
				DesktopIDs: []string{"0d1c2b3a-4e5f-4a6b-8c7d-9e0f1a2b3c4d"}, DiskType: DiskTypeSystemDisk,
				SystemDisk: SnapshotSpec{Name: "before-upgrade", Description: "Before the quarterly upgrade."},
			})
			return r.JobID, err
		}},
		{"snapshots-batch-delete", "/snapshots/batch-delete", func(c *Client) (string, error) {
			r, err := c.Snapshots.BatchDelete(testContext(t), []string{"eed156d9-02a5-46f5-8eb1-54f09ab9fbae"})
			return r.JobID, err
		}},
		{"snapshots-batch-restore", "/snapshots/batch-restore", func(c *Client) (string, error) {
			r, err := c.Snapshots.BatchRestore(testContext(t), []string{"eed156d9-02a5-46f5-8eb1-54f09ab9fbae"})
			return r.JobID, err
		}},
	}
	for _, tt := range tests {
		c, mux := setup(t)
		mux.handle(tt.rel, respond(http.StatusOK, goldenString(t, tt.golden+".json")))
		id, err := tt.call(c)
		require.NoError(t, err, tt.golden)
		assert.Equal(t, jobID, id, tt.golden)
		testJSONBody(t, mux.last(t), goldenString(t, tt.golden+".request.json"))
	}
}

func TestGolden_ExecuteScripts(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	mux.handle("/desktop-pools/p1/script-executions", respond(http.StatusOK, goldenString(t, "script-executions.json")))
	got, err := c.DesktopPools.ExecuteScripts(testContext(t), "p1", &ExecuteScriptsRequest{ScriptIDs: []string{"scr-0001"}, ExecutionTimeout: 5})
	require.NoError(t, err)
	assert.Equal(t, &ExecuteScriptsResult{TaskID: "8e7d6c5b-4a3f-4e2d-9c1b-0a9f8e7d6c5b"}, got)
	testJSONBody(t, mux.last(t), goldenString(t, "script-executions.request.json"))
}

func TestGolden_ListSubJobs(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	mux.handle("/workspace-sub-jobs", respond(http.StatusOK, goldenString(t, "sub-jobs.json")))
	got, err := c.Jobs.ListSubJobs(testContext(t), &ListSubJobsOptions{JobID: "6d0b3c2a-1e4f-4b5a-9c8d-7e6f5a4b3c2d"})
	require.NoError(t, err)
	assert.Equal(t, &Page[SubJob]{TotalCount: 1, Items: []SubJob{{
		ID: "2c3d4e5f-6a7b-4c8d-9e0f-1a2b3c4d5e6f", Type: "rebuildDesktops", Status: JobStatusSuccess,
		BeginTime: time.Date(2024, 4, 20, 8, 36, 16, 0, time.UTC), EndTime: time.Date(2024, 4, 20, 8, 40, 2, 0, time.UTC),
		Host: "fake-host-01", ProjectID: "0bec5db98280d2d02fd6c00c2de791ce", JobID: "6d0b3c2a-1e4f-4b5a-9c8d-7e6f5a4b3c2d",
		Process: 100, DesktopID: "0d1c2b3a-4e5f-4a6b-8c7d-9e0f1a2b3c4d", ProductID: "workspace.x86.ultimate.large2",
		UserName: "alice", DesktopName: "FIN-03", Entity: "0d1c2b3a-4e5f-4a6b-8c7d-9e0f1a2b3c4d",
	}}}, got)
}
