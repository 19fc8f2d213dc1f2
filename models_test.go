package workspace

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestAPITime_Unmarshal(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		json    string
		want    time.Time
		wantErr bool
	}{
		{name: "null", json: `null`},
		{name: "empty string", json: `""`},
		{name: "documented UTC form", json: `"2024-04-20T08:36:16Z"`, want: time.Date(2024, 4, 20, 8, 36, 16, 0, time.UTC)},
		{name: "positive offset", json: `"2024-04-20T16:36:16+08:00"`, want: time.Date(2024, 4, 20, 8, 36, 16, 0, time.UTC)},
		{name: "negative offset across midnight", json: `"2024-04-19T22:30:00-05:00"`, want: time.Date(2024, 4, 20, 3, 30, 0, 0, time.UTC)},
		{name: "fractions", json: `"2024-04-20T08:36:16.123456Z"`, want: time.Date(2024, 4, 20, 8, 36, 16, 123456000, time.UTC)},
		{name: "fractions with offset", json: `"2024-04-20T10:36:16.5+02:00"`, want: time.Date(2024, 4, 20, 8, 36, 16, 500000000, time.UTC)},
		{name: "no zone is UTC", json: `"2024-04-20T08:36:16"`, want: time.Date(2024, 4, 20, 8, 36, 16, 0, time.UTC)},
		{name: "space separated", json: `"2024-04-20 08:36:16"`, want: time.Date(2024, 4, 20, 8, 36, 16, 0, time.UTC)},
		{name: "placeholder", json: `"string"`, wantErr: true},
		{name: "number", json: `1713602176`, wantErr: true},
		{name: "bool", json: `true`, wantErr: true},
		{name: "object", json: `{}`, wantErr: true},
		{name: "bad month", json: `"2024-13-01T00:00:00Z"`, wantErr: true},
		{name: "date only", json: `"2024-04-20"`, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var got apiTime
			err := json.Unmarshal([]byte(tt.json), &got)
			if tt.wantErr {
				assert.Error(t, err)
				return
			}
			require.NoError(t, err)
			assert.True(t, tt.want.Equal(got.time()), "got %v, want %v", got.time(), tt.want)
			assert.Equal(t, tt.want, got.time())
			if !tt.want.IsZero() {
				assert.Equal(t, time.UTC, got.time().Location())
			}
		})
	}
}

func TestAPITime_AbsentAndOverwritten(t *testing.T) {
	t.Parallel()
	var w wireSnapshot
	require.NoError(t, json.Unmarshal([]byte(`{"snapshot_id":"s"}`), &w))
	assert.True(t, w.snapshot().CreateTime.IsZero(), "absent is zero")

	// Decoding null or "" over a set value leaves the zero time.
	w.CreateTime = apiTime(time.Now())
	require.NoError(t, json.Unmarshal([]byte(`{"create_time":null}`), &w))
	assert.True(t, w.snapshot().CreateTime.IsZero())
	w.CreateTime = apiTime(time.Now())
	require.NoError(t, json.Unmarshal([]byte(`{"create_time":""}`), &w))
	assert.True(t, w.snapshot().CreateTime.IsZero())
}

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
	// The request types marshal with the API's names and leave out optional zero values.
	b, err := json.Marshal(BatchDeleteVolumesRequest{Volumes: []VolumeInfo{{Type: "SAS", Size: 10}}})
	require.NoError(t, err)
	assert.JSONEq(t, `{"volumes":[{"type":"SAS","size":10}]}`, string(b))

	var stats InconsistentStatistics
	require.NoError(t, json.Unmarshal([]byte(`{"product_id":1,"image_id":2,"disk_num":3,"disk_size":4,"new":5}`), &stats))
	assert.Equal(t, InconsistentStatistics{ProductID: 1, ImageID: 2, DiskNum: 3, DiskSize: 4}, stats)
}
