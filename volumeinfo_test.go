package workspace

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

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
