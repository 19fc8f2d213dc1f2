package workspace_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hwcloud-go/workspace"
	"github.com/hwcloud-go/workspace/workspacetest"
)

// The workflows the operations around the five complete, each run end to
// end on the fake through the client: what a user's tool does, start to
// finish.

func workflowContext(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// seedDriftingPool is a pool of four desktops: two on the pool's image,
// two on an older one (one of which also runs another product).
func seedDriftingPool(srv *workspacetest.Server) workspacetest.Pool {
	srv.AddImage(workspacetest.Image{ID: "img-new", Name: "Windows 11", Type: workspace.ImageTypePrivate, OSType: workspace.OSTypeWindows})
	srv.AddImage(workspacetest.Image{ID: "img-old", Name: "Windows 10", Type: workspace.ImageTypeGold, OSType: workspace.OSTypeWindows})
	p := srv.AddPool(workspacetest.Pool{ID: "pool-1", Name: "finance", ProductID: "prod-m", ImageID: "img-new"})
	for _, d := range []workspacetest.Desktop{
		{ID: "d-1", Name: "FIN-01", ProductID: "prod-m", ImageID: "img-new", UserName: "alice"},
		{ID: "d-2", Name: "FIN-02", ProductID: "prod-m", ImageID: "img-new"},
		{ID: "d-3", Name: "FIN-03", ProductID: "prod-m", ImageID: "img-old", UserName: "bob"},
		{ID: "d-4", Name: "FIN-04", ProductID: "prod-l", ImageID: "img-old"},
	} {
		d.PoolID = p.ID
		srv.AddDesktop(d)
	}
	return p
}

// Statistics say which respects differ; ListDesktops with that
// InconsistentType names the desktops; a Rebuild onto the pool's image,
// waited for, brings the image count to 0 and leaves the product count.
func TestWorkflowRebuildFixesTheDesktopsTheStatisticsCount(t *testing.T) {
	t.Parallel()
	srv := workspacetest.NewServer()
	defer srv.Close()
	seedDriftingPool(srv)
	c := srv.Client()
	ctx := workflowContext(t)

	var pools []workspace.DesktopPool
	for p, err := range c.DesktopPools.All(ctx, nil) {
		require.NoError(t, err)
		pools = append(pools, p)
	}
	require.Len(t, pools, 1)
	assert.Equal(t, 4, pools[0].DesktopCount)
	assert.Equal(t, 2, pools[0].DesktopUsed)

	before, err := c.DesktopPools.GetInconsistentStatistics(ctx, pools[0].ID)
	require.NoError(t, err)
	assert.Equal(t, &workspace.InconsistentStatistics{ProductID: 1, ImageID: 2}, before)

	var differ []string
	for d, err := range c.DesktopPools.AllDesktops(ctx, "pool-1", &workspace.ListPoolDesktopsOptions{InconsistentType: workspace.InconsistentTypeImageID, Limit: 1}) {
		require.NoError(t, err)
		assert.Equal(t, "pool-1", d.PoolID)
		assert.Equal(t, "img-old", d.ImageID)
		assert.Contains(t, d.InconsistentTypes, "IMAGE")
		differ = append(differ, d.ID)
	}
	assert.Equal(t, []string{"d-3", "d-4"}, differ)

	res, err := c.DesktopPools.Rebuild(ctx, "pool-1", &workspace.RebuildDesktopPoolRequest{ImageID: pools[0].ImageID, IsFix: true})
	require.NoError(t, err)
	job, err := c.Jobs.Wait(ctx, res.JobID, nil)
	require.NoError(t, err)
	assert.Equal(t, workspacetest.JobTypeRebuild, job.Type)
	assert.Len(t, job.SubJobs, 2, "one sub-job per desktop rebuilt")

	after, err := c.DesktopPools.GetInconsistentStatistics(ctx, "pool-1")
	require.NoError(t, err)
	assert.Equal(t, &workspace.InconsistentStatistics{ProductID: 1}, after)
	page, err := c.DesktopPools.ListDesktops(ctx, "pool-1", &workspace.ListPoolDesktopsOptions{InconsistentType: workspace.InconsistentTypeImageID})
	require.NoError(t, err)
	assert.Zero(t, page.TotalCount)

	imgs, err := c.Desktops.CheckImages(ctx, []string{"d-3", "d-4"})
	require.NoError(t, err)
	for _, im := range imgs {
		assert.Equal(t, "img-new", im.ImageID, im.DesktopID)
	}
}

// Desktops.List is where CheckImages' ids come from, across pools.
func TestWorkflowDesktopListFeedsCheckImages(t *testing.T) {
	t.Parallel()
	srv := workspacetest.NewServer()
	defer srv.Close()
	seedDriftingPool(srv)
	srv.AddPool(workspacetest.Pool{ID: "pool-2", ImageID: "img-new"})
	srv.AddDesktop(workspacetest.Desktop{ID: "d-9", PoolID: "pool-2", ImageID: "img-gone"})
	c := srv.Client()
	ctx := workflowContext(t)

	var ids []string
	for d, err := range c.Desktops.All(ctx, &workspace.ListDesktopsOptions{PoolIDs: []string{"pool-1", "pool-2"}, Limit: 2}) {
		require.NoError(t, err)
		ids = append(ids, d.ID)
	}
	assert.Equal(t, []string{"d-1", "d-2", "d-3", "d-4", "d-9"}, ids)

	imgs, err := c.Desktops.CheckImages(ctx, ids)
	require.NoError(t, err)
	assert.Len(t, imgs, 4, "the desktop whose image is gone is left out")
}

// Volumes added to a pool get ids, which Get returns and BatchDeleteVolumes
// takes; desktops follow per handle type, and the statistics with them.
func TestWorkflowAddedVolumesAreDeletedByID(t *testing.T) {
	t.Parallel()
	srv := workspacetest.NewServer()
	defer srv.Close()
	seedDriftingPool(srv)
	c := srv.Client()
	ctx := workflowContext(t)

	add, err := c.DesktopPools.BatchAddVolumes(ctx, "pool-1", &workspace.BatchAddVolumesRequest{
		Volumes:    []workspace.VolumeInfo{{Type: workspace.VolumeTypeSAS, Size: 100}, {Type: workspace.VolumeTypeSSD, Size: 50}},
		HandleType: workspace.VolumeHandleForExpandAndAll,
	})
	require.NoError(t, err)
	_, err = c.Jobs.Wait(ctx, add.JobID, nil)
	require.NoError(t, err)

	pool, err := c.DesktopPools.Get(ctx, "pool-1")
	require.NoError(t, err)
	require.Len(t, pool.DataVolumes, 2)
	var ids []workspace.VolumeInfo
	for _, v := range pool.DataVolumes {
		require.NotEmpty(t, v.ID)
		ids = append(ids, workspace.VolumeInfo{ID: v.ID})
	}
	page, err := c.DesktopPools.ListDesktops(ctx, "pool-1", nil)
	require.NoError(t, err)
	for _, d := range page.Items {
		require.Len(t, d.DataVolumes, 2, d.ID)
		assert.Equal(t, pool.DataVolumes[0].ID, d.DataVolumes[0].PoolVolumeID)
	}
	stats, err := c.DesktopPools.GetInconsistentStatistics(ctx, "pool-1")
	require.NoError(t, err)
	assert.Zero(t, stats.DiskNum)

	del, err := c.DesktopPools.BatchDeleteVolumes(ctx, "pool-1", &workspace.BatchDeleteVolumesRequest{Volumes: ids, HandleType: workspace.VolumeHandleForExpandAndAll})
	require.NoError(t, err)
	_, err = c.Jobs.Wait(ctx, del.JobID, nil)
	require.NoError(t, err)
	pool, err = c.DesktopPools.Get(ctx, "pool-1")
	require.NoError(t, err)
	assert.Empty(t, pool.DataVolumes)
	page, err = c.DesktopPools.ListDesktops(ctx, "pool-1", nil)
	require.NoError(t, err)
	for _, d := range page.Items {
		assert.Empty(t, d.DataVolumes, d.ID)
	}
}

// Snapshots made by BatchCreate are listed as creating, then
// create_success; BatchRestore passes through restoring; BatchDelete
// removes them.
func TestWorkflowSnapshotLifecycle(t *testing.T) {
	t.Parallel()
	srv := workspacetest.NewServer(workspacetest.WithJobDelay(time.Hour))
	defer srv.Close()
	seedDriftingPool(srv)
	c := srv.Client()
	ctx := workflowContext(t)

	created, err := c.Snapshots.BatchCreate(ctx, &workspace.BatchCreateSnapshotsRequest{
		DesktopIDs: []string{"d-1", "d-2"}, DiskType: workspace.DiskTypeSystemDisk,
		SystemDisk: workspace.SnapshotSpec{Name: "before-upgrade", Description: "weekly"},
	})
	require.NoError(t, err)
	statuses := func() (ids []string, st []workspace.SnapshotStatus) {
		for sn, err := range c.Snapshots.All(ctx, &workspace.ListSnapshotsOptions{DesktopIDs: []string{"d-1", "d-2"}}) {
			require.NoError(t, err)
			ids, st = append(ids, sn.ID), append(st, sn.Status)
		}
		return ids, st
	}
	ids, st := statuses()
	require.Len(t, ids, 2)
	assert.Equal(t, []workspace.SnapshotStatus{workspace.SnapshotStatusCreating, workspace.SnapshotStatusCreating}, st)

	srv.SetJobDelay(0)
	job, err := c.Jobs.Get(ctx, created.JobID)
	require.NoError(t, err)
	assert.False(t, job.Done(), "a job started with an hour's delay still runs")
	srv.FinishJobs()
	_, st = statuses()
	assert.Equal(t, []workspace.SnapshotStatus{workspace.SnapshotStatusCreateSuccess, workspace.SnapshotStatusCreateSuccess}, st)

	srv.SetJobDelay(time.Hour)
	restored, err := c.Snapshots.BatchRestore(ctx, ids[:1])
	require.NoError(t, err)
	_, st = statuses()
	assert.Equal(t, workspace.SnapshotStatusRestoring, st[0])
	srv.FinishJobs()
	job, err = c.Jobs.Wait(ctx, restored.JobID, nil)
	require.NoError(t, err)
	assert.Equal(t, workspacetest.JobTypeRestoreSnapshot, job.Type)
	page, err := c.Snapshots.List(ctx, &workspace.ListSnapshotsOptions{DesktopID: "d-1"})
	require.NoError(t, err)
	require.Len(t, page.Items, 1)
	assert.Equal(t, workspace.SnapshotStatusRestoreSuccess, page.Items[0].Status)
	assert.False(t, page.Items[0].LastRestoreTime.IsZero())

	srv.SetJobDelay(0)
	deleted, err := c.Snapshots.BatchDelete(ctx, ids)
	require.NoError(t, err)
	job, err = c.Jobs.Wait(ctx, deleted.JobID, nil)
	require.NoError(t, err)
	assert.Len(t, job.SubJobs, 2)
	ids, _ = statuses()
	assert.Empty(t, ids)

	// Deleting them again: the job fails, sub-job by sub-job.
	again, err := c.Snapshots.BatchDelete(ctx, []string{"no-such-snapshot"})
	require.NoError(t, err)
	job, err = c.Jobs.Wait(ctx, again.JobID, nil)
	var failed *workspace.JobFailedError
	require.ErrorAs(t, err, &failed)
	assert.Equal(t, workspacetest.ErrCodeSnapshotNotFound, job.SubJobs[0].ErrorCode)
}

// A job whose answer carries fewer sub-jobs than sub_jobs_total: Wait
// lists the rest by job id, each once, and judges the job on all of them.
func TestWorkflowWaitReadsEverySubJob(t *testing.T) {
	t.Parallel()
	srv := workspacetest.NewServer(workspacetest.WithSubJobsPerAnswer(2))
	defer srv.Close()
	srv.AddImage(workspacetest.Image{ID: "img-1"})
	srv.AddPool(workspacetest.Pool{ID: "pool-1", ImageID: "img-1"})
	for range 7 {
		srv.AddDesktop(workspacetest.Desktop{PoolID: "pool-1", ImageID: "img-0"})
	}
	c := srv.Client()
	ctx := workflowContext(t)

	res, err := c.DesktopPools.Rebuild(ctx, "pool-1", &workspace.RebuildDesktopPoolRequest{ImageID: "img-1"})
	require.NoError(t, err)
	got, err := c.Jobs.Get(ctx, res.JobID)
	require.NoError(t, err)
	assert.Equal(t, 7, got.SubJobsTotal)
	assert.Len(t, got.SubJobs, 2, "Get returns the answer as the API gives it")

	job, err := c.Jobs.Wait(ctx, res.JobID, nil)
	require.NoError(t, err)
	require.Len(t, job.SubJobs, 7)
	seen := map[string]bool{}
	for _, sj := range job.SubJobs {
		assert.False(t, seen[sj.ID], "each sub-job once")
		seen[sj.ID] = true
		assert.Equal(t, workspace.JobStatusSuccess, sj.Status)
	}
	assert.Len(t, srv.RequestsFor(workspacetest.OpListSubJobs), 1, "one page of sub-jobs")

	var all []string
	for sj, err := range c.Jobs.AllSubJobs(ctx, &workspace.ListSubJobsOptions{JobID: res.JobID, Limit: 3}) {
		require.NoError(t, err)
		all = append(all, sj.ID)
	}
	assert.Len(t, all, 7)
	assert.True(t, slices.IndexFunc(all, func(id string) bool { return !seen[id] }) < 0)
}

// A sub-job beyond the answer that failed fails the job.
func TestWorkflowWaitJudgesOnSubJobsBeyondTheAnswer(t *testing.T) {
	t.Parallel()
	srv := workspacetest.NewServer(workspacetest.WithSubJobsPerAnswer(1))
	defer srv.Close()
	c := srv.Client()
	ctx := workflowContext(t)

	res, err := c.Snapshots.BatchDelete(ctx, []string{"gone-1", "gone-2", "gone-3"})
	require.NoError(t, err)
	job, err := c.Jobs.Wait(ctx, res.JobID, nil)
	var failed *workspace.JobFailedError
	require.ErrorAs(t, err, &failed)
	assert.Len(t, job.SubJobs, 3)
	assert.Same(t, job, failed.Job)
}

// ExecuteScripts starts a script task, listed by its id.
func TestWorkflowExecuteScriptsStartsATask(t *testing.T) {
	t.Parallel()
	srv := workspacetest.NewServer()
	defer srv.Close()
	seedDriftingPool(srv)
	c := srv.Client()
	ctx := workflowContext(t)

	res, err := c.DesktopPools.ExecuteScripts(ctx, "pool-1", &workspace.ExecuteScriptsRequest{
		CommandContent: "ipconfig /flushdns", CommandType: workspace.CommandTypeBat, DesktopIDs: []string{"d-1", "d-2"},
	})
	require.NoError(t, err)
	page, err := c.DesktopPools.ListScriptExecutionTasks(ctx, &workspace.ListScriptExecutionTasksOptions{TaskIDs: []string{res.TaskID}})
	require.NoError(t, err)
	require.Len(t, page.Items, 1)
	task := page.Items[0]
	assert.Equal(t, "pool-1", task.DesktopPoolID)
	assert.Equal(t, "finance", task.DesktopPoolName)
	assert.Equal(t, workspace.TaskStatusFinish, task.Status)
	assert.Equal(t, 2, task.SuccessNum)
}

// A missing pool is ErrNotFound for every pool operation, although the API
// (and so the fake) answers it with 400 WKS.0001.
func TestWorkflowMissingPoolIsNotFound(t *testing.T) {
	t.Parallel()
	srv := workspacetest.NewServer()
	defer srv.Close()
	c := srv.Client()
	ctx := workflowContext(t)

	for name, call := range map[string]func() error{
		"Get":  func() error { _, err := c.DesktopPools.Get(ctx, "nope"); return err },
		"Desk": func() error { _, err := c.DesktopPools.ListDesktops(ctx, "nope", nil); return err },
		"Rebuild": func() error {
			_, err := c.DesktopPools.Rebuild(ctx, "nope", &workspace.RebuildDesktopPoolRequest{ImageID: "i"})
			return err
		},
		"Add": func() error {
			_, err := c.DesktopPools.BatchAddVolumes(ctx, "nope", &workspace.BatchAddVolumesRequest{Volumes: []workspace.VolumeInfo{{Type: "SAS", Size: 10}}})
			return err
		},
		"Stats": func() error { _, err := c.DesktopPools.GetInconsistentStatistics(ctx, "nope"); return err },
	} {
		err := call()
		assert.True(t, errors.Is(err, workspace.ErrNotFound), name)
		var ae *workspace.APIError
		require.ErrorAs(t, err, &ae, name)
		assert.Equal(t, 400, ae.StatusCode, name)
		assert.Equal(t, "WKS.0001", ae.Code, name)
	}
}
