package workspace

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// makeVolumes returns n valid volumes.
func makeVolumes(n int) []VolumeInfo {
	vs := make([]VolumeInfo, n)
	for i := range vs {
		vs[i] = VolumeInfo{Type: "SAS", Size: 10}
	}
	return vs
}

// makeIDs returns n distinct valid ids.
func makeIDs(n int) []string {
	ids := make([]string, n)
	for i := range ids {
		ids[i] = fmt.Sprintf("id-%d", i)
	}
	return ids
}

func TestValidation_NothingIsSent(t *testing.T) {
	t.Parallel()
	var nilCtx context.Context // a nil context, as a careless caller would pass
	bg := context.Background()
	t0 := time.Date(2024, 4, 20, 8, 0, 0, 0, time.UTC)
	vol := func(mut func(*VolumeInfo)) []VolumeInfo {
		vs := makeVolumes(3)
		mut(&vs[2])
		return vs
	}

	tests := []struct {
		name  string
		call  func(c *Client) (any, error)
		field string
	}{
		// nil context, every operation
		{"stats nil ctx", func(c *Client) (any, error) { return c.DesktopPools.GetInconsistentStatistics(nilCtx, "p") }, "ctx"},
		{"batch-delete nil ctx", func(c *Client) (any, error) {
			return c.DesktopPools.BatchDeleteVolumes(nilCtx, "p", &BatchDeleteVolumesRequest{Volumes: makeVolumes(1)})
		}, "ctx"},
		{"tasks nil ctx", func(c *Client) (any, error) { return c.DesktopPools.ListScriptExecutionTasks(nilCtx, nil) }, "ctx"},
		{"check-images nil ctx", func(c *Client) (any, error) { return c.Desktops.CheckImages(nilCtx, []string{"d"}) }, "ctx"},
		{"snapshots nil ctx", func(c *Client) (any, error) { return c.Snapshots.List(nilCtx, nil) }, "ctx"},
		{"job nil ctx", func(c *Client) (any, error) { return c.Jobs.Get(nilCtx, "j") }, "ctx"},

		// empty and blank ids
		{"stats empty pool id", func(c *Client) (any, error) { return c.DesktopPools.GetInconsistentStatistics(bg, "") }, "poolID"},
		{"stats blank pool id", func(c *Client) (any, error) { return c.DesktopPools.GetInconsistentStatistics(bg, " \t\n") }, "poolID"},
		{"batch-delete empty pool id", func(c *Client) (any, error) {
			return c.DesktopPools.BatchDeleteVolumes(bg, "", &BatchDeleteVolumesRequest{Volumes: makeVolumes(1)})
		}, "poolID"},
		{"batch-delete blank pool id", func(c *Client) (any, error) {
			return c.DesktopPools.BatchDeleteVolumes(bg, "   ", &BatchDeleteVolumesRequest{Volumes: makeVolumes(1)})
		}, "poolID"},
		{"job empty id", func(c *Client) (any, error) { return c.Jobs.Get(bg, "") }, "jobID"},
		{"job blank id", func(c *Client) (any, error) { return c.Jobs.Get(bg, "  ") }, "jobID"},

		// batch-delete request
		{"batch-delete nil req", func(c *Client) (any, error) { return c.DesktopPools.BatchDeleteVolumes(bg, "p", nil) }, "req"},
		{"batch-delete no volumes", func(c *Client) (any, error) {
			return c.DesktopPools.BatchDeleteVolumes(bg, "p", &BatchDeleteVolumesRequest{})
		}, "req.Volumes"},
		{"batch-delete 11 volumes", func(c *Client) (any, error) {
			return c.DesktopPools.BatchDeleteVolumes(bg, "p", &BatchDeleteVolumesRequest{Volumes: makeVolumes(11)})
		}, "req.Volumes"},
		{"batch-delete blank type", func(c *Client) (any, error) {
			return c.DesktopPools.BatchDeleteVolumes(bg, "p", &BatchDeleteVolumesRequest{Volumes: vol(func(v *VolumeInfo) { v.Type = " " })})
		}, "req.Volumes[2].Type"},
		{"batch-delete empty type", func(c *Client) (any, error) {
			return c.DesktopPools.BatchDeleteVolumes(bg, "p", &BatchDeleteVolumesRequest{Volumes: vol(func(v *VolumeInfo) { v.Type = "" })})
		}, "req.Volumes[2].Type"},
		{"batch-delete size 9", func(c *Client) (any, error) {
			return c.DesktopPools.BatchDeleteVolumes(bg, "p", &BatchDeleteVolumesRequest{Volumes: vol(func(v *VolumeInfo) { v.Size = 9 })})
		}, "req.Volumes[2].Size"},
		{"batch-delete size 32761", func(c *Client) (any, error) {
			return c.DesktopPools.BatchDeleteVolumes(bg, "p", &BatchDeleteVolumesRequest{Volumes: vol(func(v *VolumeInfo) { v.Size = 32761 })})
		}, "req.Volumes[2].Size"},
		{"batch-delete size 0", func(c *Client) (any, error) {
			return c.DesktopPools.BatchDeleteVolumes(bg, "p", &BatchDeleteVolumesRequest{Volumes: vol(func(v *VolumeInfo) { v.Size = 0 })})
		}, "req.Volumes[2].Size"},
		{"batch-delete negative size", func(c *Client) (any, error) {
			return c.DesktopPools.BatchDeleteVolumes(bg, "p", &BatchDeleteVolumesRequest{Volumes: vol(func(v *VolumeInfo) { v.Size = -10 })})
		}, "req.Volumes[2].Size"},
		{"batch-delete blank desktop id", func(c *Client) (any, error) {
			return c.DesktopPools.BatchDeleteVolumes(bg, "p", &BatchDeleteVolumesRequest{Volumes: makeVolumes(1), DesktopIDs: []string{"d", ""}})
		}, "req.DesktopIDs[1]"},

		// check-images
		{"check-images nil ids", func(c *Client) (any, error) { return c.Desktops.CheckImages(bg, nil) }, "desktopIDs"},
		{"check-images 0 ids", func(c *Client) (any, error) { return c.Desktops.CheckImages(bg, []string{}) }, "desktopIDs"},
		{"check-images 1200 ids, the last blank", func(c *Client) (any, error) {
			return c.Desktops.CheckImages(bg, append(makeIDs(1199), " "))
		}, "desktopIDs[1199]"},
		{"check-images blank id", func(c *Client) (any, error) { return c.Desktops.CheckImages(bg, []string{"a", " "}) }, "desktopIDs[1]"},
		{"check-images empty id", func(c *Client) (any, error) { return c.Desktops.CheckImages(bg, []string{""}) }, "desktopIDs[0]"},
		{"check-images 256-char id", func(c *Client) (any, error) {
			return c.Desktops.CheckImages(bg, []string{"a", "b", strings.Repeat("x", 256)})
		}, "desktopIDs[2]"},

		// script execution tasks
		{"tasks limit -1", func(c *Client) (any, error) {
			return c.DesktopPools.ListScriptExecutionTasks(bg, &ListScriptExecutionTasksOptions{Limit: -1})
		}, "opts.Limit"},
		{"tasks limit 101", func(c *Client) (any, error) {
			return c.DesktopPools.ListScriptExecutionTasks(bg, &ListScriptExecutionTasksOptions{Limit: 101})
		}, "opts.Limit"},
		{"tasks offset -1", func(c *Client) (any, error) {
			return c.DesktopPools.ListScriptExecutionTasks(bg, &ListScriptExecutionTasksOptions{Offset: -1})
		}, "opts.Offset"},
		{"tasks end before start", func(c *Client) (any, error) {
			return c.DesktopPools.ListScriptExecutionTasks(bg, &ListScriptExecutionTasksOptions{
				ExecuteTimeStart: t0, ExecuteTimeEnd: t0.Add(-time.Second),
			})
		}, "opts.ExecuteTimeEnd"},
		{"tasks end before start across zones", func(c *Client) (any, error) {
			// 09:00+08:00 is 01:00Z: before the 08:00Z start although its clock reads later.
			return c.DesktopPools.ListScriptExecutionTasks(bg, &ListScriptExecutionTasksOptions{
				ExecuteTimeStart: t0, ExecuteTimeEnd: time.Date(2024, 4, 20, 9, 0, 0, 0, time.FixedZone("", 8*3600)),
			})
		}, "opts.ExecuteTimeEnd"},
		{"tasks blank task id", func(c *Client) (any, error) {
			return c.DesktopPools.ListScriptExecutionTasks(bg, &ListScriptExecutionTasksOptions{TaskIDs: []string{"t", ""}})
		}, "opts.TaskIDs[1]"},

		// snapshots
		{"snapshots limit -1", func(c *Client) (any, error) { return c.Snapshots.List(bg, &ListSnapshotsOptions{Limit: -1}) }, "opts.Limit"},
		{"snapshots limit 1001", func(c *Client) (any, error) { return c.Snapshots.List(bg, &ListSnapshotsOptions{Limit: 1001}) }, "opts.Limit"},
		{"snapshots offset -1", func(c *Client) (any, error) { return c.Snapshots.List(bg, &ListSnapshotsOptions{Offset: -1}) }, "opts.Offset"},
		{"snapshots sort field without type", func(c *Client) (any, error) {
			return c.Snapshots.List(bg, &ListSnapshotsOptions{SortField: SortFieldCreateTime})
		}, "opts.SortType"},
		{"snapshots sort type without field", func(c *Client) (any, error) {
			return c.Snapshots.List(bg, &ListSnapshotsOptions{SortType: SortTypeDesc})
		}, "opts.SortField"},
		{"snapshots blank desktop id in list", func(c *Client) (any, error) {
			return c.Snapshots.List(bg, &ListSnapshotsOptions{DesktopIDs: []string{" "}})
		}, "opts.DesktopIDs[0]"},
		{"snapshots blank desktop name in list", func(c *Client) (any, error) {
			return c.Snapshots.List(bg, &ListSnapshotsOptions{DesktopNames: []string{"a", "b", ""}})
		}, "opts.DesktopNames[2]"},
		{"snapshots blank snapshot name in list", func(c *Client) (any, error) {
			return c.Snapshots.List(bg, &ListSnapshotsOptions{SnapshotNames: []string{""}})
		}, "opts.SnapshotNames[0]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, mux := setup(t)
			got, err := tt.call(c)
			ve := errorAs[*ValidationError](t, err)
			assert.Equal(t, tt.field, ve.Field)
			assert.NotEmpty(t, ve.Reason)
			assert.Contains(t, err.Error(), tt.field)
			assert.True(t, isNilResult(got), "no result next to an error, got %#v", got)
			var apiErr *APIError
			assert.False(t, errors.As(err, &apiErr), "a validation error is not an API error")
			assert.Zero(t, mux.requests(), "no request may leave for invalid input")
		})
	}
}

// TestValidation_Boundaries checks that the values at the edge of each
// rule are accepted and sent.
func TestValidation_Boundaries(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		rel  string
		ok   string
		call func(c *Client) error
	}{
		{"10 volumes, sizes 10 and 32760", "/desktop-pools/p/volumes/batch-delete", `{"job_id":"j"}`, func(c *Client) error {
			vs := makeVolumes(10)
			vs[9].Size = 32760
			_, err := c.DesktopPools.BatchDeleteVolumes(context.Background(), "p", &BatchDeleteVolumesRequest{Volumes: vs})
			return err
		}},
		{"1 check-images id", "/desktops/check-images", `{}`, func(c *Client) error {
			_, err := c.Desktops.CheckImages(context.Background(), []string{"d"})
			return err
		}},
		{"tasks limit 100, offset 0", "/desktop-pools/script-execution-tasks/detail", `{}`, func(c *Client) error {
			_, err := c.DesktopPools.ListScriptExecutionTasks(context.Background(), &ListScriptExecutionTasksOptions{Limit: 100})
			return err
		}},
		{"snapshots limit 1000", "/snapshots", `{}`, func(c *Client) error {
			_, err := c.Snapshots.List(context.Background(), &ListSnapshotsOptions{Limit: 1000})
			return err
		}},
		{"pool id with spaces around is kept as is", "/desktop-pools/%20p%20/inconsistent-statics", `{}`, func(c *Client) error {
			_, err := c.DesktopPools.GetInconsistentStatistics(context.Background(), " p ")
			return err
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, mux := setup(t)
			mux.handle(tt.rel, respond(200, tt.ok))
			require.NoError(t, tt.call(c))
			assert.Equal(t, 1, mux.requests())
		})
	}
}

// Each volume needs an ID, or a Type and a Size, or all three; a Type or a
// Size given at all needs the other.
func TestVolumeInfo_Validation(t *testing.T) {
	t.Parallel()
	valid := VolumeInfo{Type: "SAS", Size: 10}
	tests := []struct {
		name   string
		vol    VolumeInfo
		field  string // "" when the volume is valid
		reason string // a part of the reason
	}{
		{name: "id only (current revision)", vol: VolumeInfo{ID: "vol-1"}},
		{name: "type and size (earlier revision)", vol: VolumeInfo{Type: "SSD", Size: 32760}},
		{name: "all three", vol: VolumeInfo{ID: "vol-1", Type: "GPSSD", Size: 10}},
		{name: "id and resource spec code", vol: VolumeInfo{ID: "vol-1", ResourceSpecCode: "SSD"}},
		{name: "type, size and resource spec code", vol: VolumeInfo{Type: "SAS", Size: 100, ResourceSpecCode: "SAS"}},

		{name: "nothing", vol: VolumeInfo{}, field: "req.Volumes[1]", reason: "needs an ID, or a Type and a Size"},
		{name: "resource spec code only", vol: VolumeInfo{ResourceSpecCode: "SSD"}, field: "req.Volumes[1]", reason: "needs an ID"},
		{name: "blank id", vol: VolumeInfo{ID: " \t"}, field: "req.Volumes[1].ID", reason: "blank"},
		{name: "blank id with a valid description", vol: VolumeInfo{ID: " ", Type: "SAS", Size: 10}, field: "req.Volumes[1].ID", reason: "blank"},
		{name: "type without size", vol: VolumeInfo{Type: "SAS"}, field: "req.Volumes[1].Size", reason: "got 0"},
		{name: "id and type without size", vol: VolumeInfo{ID: "vol-1", Type: "SAS"}, field: "req.Volumes[1].Size", reason: "got 0"},
		{name: "size without type", vol: VolumeInfo{Size: 10}, field: "req.Volumes[1].Type", reason: "must not be empty"},
		{name: "id and size without type", vol: VolumeInfo{ID: "vol-1", Size: 10}, field: "req.Volumes[1].Type", reason: "must not be empty"},
		{name: "id and blank type", vol: VolumeInfo{ID: "vol-1", Type: " ", Size: 10}, field: "req.Volumes[1].Type", reason: "must not be empty"},
		{name: "id and size too small", vol: VolumeInfo{ID: "vol-1", Type: "SAS", Size: 9}, field: "req.Volumes[1].Size", reason: "got 9"},
		{name: "id and negative size", vol: VolumeInfo{ID: "vol-1", Size: -1}, field: "req.Volumes[1].Type", reason: "must not be empty"},
		{name: "size too large", vol: VolumeInfo{Type: "SAS", Size: 32761}, field: "req.Volumes[1].Size", reason: "got 32761"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, mux := setup(t)
			mux.handle("/desktop-pools/p/volumes/batch-delete", respond(http.StatusOK, `{"job_id":"j"}`))
			got, err := c.DesktopPools.BatchDeleteVolumes(testContext(t), "p", &BatchDeleteVolumesRequest{
				Volumes: []VolumeInfo{valid, tt.vol, valid},
			})
			if tt.field == "" {
				require.NoError(t, err)
				assert.Equal(t, "j", got.JobID)
				assert.Equal(t, 1, mux.requests())
				return
			}
			ve := errorAs[*ValidationError](t, err)
			assert.Equal(t, tt.field, ve.Field)
			assert.Contains(t, ve.Reason, tt.reason)
			assert.Nil(t, got)
			assert.Zero(t, mux.requests(), "nothing is sent")
		})
	}
}

func TestBatchDeleteVolumes_DesktopIDsBound(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	mux.handle("/desktop-pools/p/volumes/batch-delete", respond(http.StatusOK, `{"job_id":"j"}`))
	_, err := c.DesktopPools.BatchDeleteVolumes(testContext(t), "p", &BatchDeleteVolumesRequest{
		Volumes: []VolumeInfo{{ID: "v"}}, DesktopIDs: makeIDs(MaxDesktopIDsPerBatchDelete + 1),
	})
	ve := errorAs[*ValidationError](t, err)
	assert.Equal(t, "req.DesktopIDs", ve.Field)
	assert.Zero(t, mux.requests())

	_, err = c.DesktopPools.BatchDeleteVolumes(testContext(t), "p", &BatchDeleteVolumesRequest{
		Volumes: []VolumeInfo{{ID: "v"}}, DesktopIDs: makeIDs(MaxDesktopIDsPerBatchDelete),
	})
	require.NoError(t, err)
	assert.Equal(t, 1, mux.requests())
}
