package workspace

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestFormatQueryTime(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   time.Time
		want string
	}{
		{time.Date(2021, 10, 1, 12, 0, 0, 0, time.UTC), "2021-10-01T12:00:00Z"},
		{time.Date(2021, 10, 1, 20, 0, 0, 999_999_999, time.FixedZone("", 8*3600)), "2021-10-01T12:00:00Z"},
		{time.Date(2021, 1, 1, 0, 30, 0, 0, time.FixedZone("", -3*3600)), "2021-01-01T03:30:00Z"},
		{time.Date(2021, 1, 1, 0, 30, 0, 0, time.FixedZone("", 3*3600)), "2020-12-31T21:30:00Z"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, formatQueryTime(tt.in))
	}
}

// TestEnums_Values pins every documented enum value to its constant.
func TestEnums_Values(t *testing.T) {
	t.Parallel()
	tests := map[string]string{
		string(TaskStatusSuccess): "SUCCESS", string(TaskStatusFailed): "FAILED",
		string(TaskStatusRunning): "RUNNING", string(TaskStatusWaiting): "WAITING",
		string(TaskStatusInit): "INIT", string(TaskStatusFinish): "FINISH",
		string(TaskTypeScript): "SCRIPT", string(TaskTypeCommand): "COMMAND",
		string(CommandTypePowerShell): "POWERSHELL", string(CommandTypeBat): "BAT", string(CommandTypeShell): "SHELL",
		string(DiskTypeSystemDisk): "SYSTEM_DISK", string(DiskTypeDataDisks): "DATA_DISKS", string(DiskTypeAll): "ALL",
		string(CreateTypeAuto): "AUTO", string(CreateTypeManually): "MANUALLY",
		string(SnapshotStatusCreating): "creating", string(SnapshotStatusRestoring): "restoring",
		string(SnapshotStatusCreateSuccess): "create_success", string(SnapshotStatusCreateFailed): "create_failed",
		string(SnapshotStatusRestoreSuccess): "restore_success", string(SnapshotStatusRestoreFailed): "restore_failed",
		string(SortFieldCreateTime): "create_time", string(SortFieldSnapshotName): "snapshot_name",
		string(SortTypeAsc): "ASC", string(SortTypeDesc): "DESC",
		string(VolumeHandleOnlyForExpand): "ONLY_FOR_EXPAND", string(VolumeHandleForExpandAndIdle): "FOR_EXPAND_AND_IDLE",
		string(VolumeHandleForExpandAndAll): "FOR_EXPAND_AND_ALL",
	}
	assert.Len(t, tests, 29, "a constant per documented value, all distinct")
	for got, want := range tests {
		assert.Equal(t, want, got)
	}
}

func TestModels_JSONNames(t *testing.T) {
	t.Parallel()
	// The request types marshal (through internal/wire) with the API's names and leave out optional zero values.
	req := BatchDeleteVolumesRequest{Volumes: []VolumeInfo{{Type: "SAS", Size: 10}}}
	b, err := json.Marshal(req.wire())
	require.NoError(t, err)
	assert.JSONEq(t, `{"volumes":[{"type":"SAS","size":10}]}`, string(b))

	var stats InconsistentStatistics
	require.NoError(t, decodeBody(strings.NewReader(`{"product_id":1,"image_id":2,"disk_num":3,"disk_size":4,"new":5}`), statisticsWire(&stats)))
	assert.Equal(t, InconsistentStatistics{ProductID: 1, ImageID: 2, DiskNum: 3, DiskSize: 4}, stats)
}
