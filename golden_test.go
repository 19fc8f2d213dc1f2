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
