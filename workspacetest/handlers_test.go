package workspacetest_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hwcloud-go/workspace"
	"github.com/hwcloud-go/workspace/workspacetest"
)

// Both revisions of a batch-delete, end to end through the client and the
// fake: a volume named by id alone (the current API), one described by
// type and size (the spec page's), and one with all three.
func TestFakeBatchDeleteBothVolumeForms(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		volumes   []workspace.VolumeInfo
		handle    workspace.VolumeHandleType
		left      []workspace.VolumeInfo // the pool's volumes afterwards
		failed    []int                  // sub-jobs that fail
		diskNum   int                    // desktops whose number of data disks then differs
		wantBody  string                 // the body the fake received
		wantLabel string                 // in the failed sub-job's reason
	}{
		{
			name: "by id alone", volumes: []workspace.VolumeInfo{{ID: "vol-2"}},
			left:     []workspace.VolumeInfo{{ID: "vol-1", Type: "SAS", Size: 100}},
			diskNum:  3, // the pool now wants one disk; three desktops keep two
			wantBody: `{"volumes":[{"id":"vol-2"}]}`,
		},
		{
			name: "by id alone, from every desktop too", volumes: []workspace.VolumeInfo{{ID: "vol-2"}},
			handle:   workspace.VolumeHandleForExpandAndAll,
			left:     []workspace.VolumeInfo{{ID: "vol-1", Type: "SAS", Size: 100}},
			diskNum:  0, // the 50 GB SSD went from the desktops as well
			wantBody: `{"volumes":[{"id":"vol-2"}],"handle_type":"FOR_EXPAND_AND_ALL"}`,
		},
		{
			name: "by type and size", volumes: []workspace.VolumeInfo{{Type: "SAS", Size: 100}},
			left:     []workspace.VolumeInfo{{ID: "vol-2", Type: "SSD", Size: 50}},
			diskNum:  3,
			wantBody: `{"volumes":[{"type":"SAS","size":100}]}`,
		},
		{
			name: "all three, and an id the pool lacks", volumes: []workspace.VolumeInfo{{ID: "vol-1", Type: "SAS", Size: 100}, {ID: "vol-404"}},
			left:      []workspace.VolumeInfo{{ID: "vol-2", Type: "SSD", Size: 50}},
			failed:    []int{1},
			diskNum:   3,
			wantBody:  `{"volumes":[{"id":"vol-1","type":"SAS","size":100},{"id":"vol-404"}]}`,
			wantLabel: "volume vol-404 not found",
		},
		{
			name: "an id with the wrong description", volumes: []workspace.VolumeInfo{{ID: "vol-1", Type: "SSD", Size: 50}},
			left:      []workspace.VolumeInfo{{ID: "vol-1", Type: "SAS", Size: 100}, {ID: "vol-2", Type: "SSD", Size: 50}},
			failed:    []int{0},
			diskNum:   1, // as before: d-gone has one disk
			wantBody:  `{"volumes":[{"id":"vol-1","type":"SSD","size":50}]}`,
			wantLabel: "volume vol-1 (SSD, 50 GB) not found",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := fakeNewServer(t)
			p := fakeSeedPool(srv)
			c := srv.Client()
			ctx := context.Background()
			res, err := c.DesktopPools.BatchDeleteVolumes(ctx, p.ID, &workspace.BatchDeleteVolumesRequest{Volumes: tt.volumes, HandleType: tt.handle})
			require.NoError(t, err)
			reqs := srv.RequestsFor(workspacetest.OpBatchDeleteVolumes)
			require.Len(t, reqs, 1)
			assert.JSONEq(t, tt.wantBody, string(reqs[0].Body))

			job, err := c.Jobs.Wait(ctx, res.JobID, &workspace.WaitOptions{Interval: time.Millisecond})
			require.NotNil(t, job)
			require.Len(t, job.SubJobs, len(tt.volumes))
			if len(tt.failed) == 0 {
				require.NoError(t, err)
				assert.False(t, job.Failed())
			} else {
				var jfe *workspace.JobFailedError
				require.ErrorAs(t, err, &jfe)
				assert.True(t, job.Failed())
			}
			for i, sj := range job.SubJobs {
				want := workspacetest.JobStatusSuccess
				for _, f := range tt.failed {
					if f == i {
						want = workspacetest.JobStatusFailed
						assert.Contains(t, sj.FailReason, tt.wantLabel)
					}
				}
				assert.Equal(t, want, sj.Status, "sub-job %d", i)
			}
			pool, _ := srv.Pool(p.ID)
			assert.Equal(t, tt.left, pool.Volumes)
			st, err := c.DesktopPools.GetInconsistentStatistics(ctx, p.ID)
			require.NoError(t, err)
			assert.Equal(t, tt.diskNum, st.DiskNum)
		})
	}
}
