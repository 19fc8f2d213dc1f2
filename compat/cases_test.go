package compat

import (
	"context"
	"testing"
	"time"

	vendorws "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/workspace/v2"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/services/workspace/v2/model"

	"github.com/hwcloud-go/workspace"
	"github.com/hwcloud-go/workspace/workspacetest"
)

// fixture holds ids and names of the fake's demo data that the cases use.
type fixture struct {
	poolID        string
	volumeIDs     []string // of poolID's configuration
	desktopIDs    []string
	desktopNames  []string
	snapshotNames []string
	taskIDs       []string
	scriptID      string
	scriptName    string
	jobID         string
	imageID       string   // an image other than poolID's, to rebuild onto
	snapshotIDs   []string // of the first snapshots
	execStart     time.Time
	execEnd       time.Time
}

// fullJob is a job with every field the API sends, added to the fake for
// the ShowJob cases.
func fullJob() workspace.Job {
	t0 := time.Date(2026, 2, 10, 8, 30, 0, 0, time.UTC)
	return workspace.Job{
		ID: "job-compat-1", Type: "BATCH_DELETE_POOL_VOLUMES", Status: workspace.JobStatusSuccess,
		ErrorCode: "", FailReason: "", BeginTime: t0, EndTime: t0.Add(90 * time.Second), SubJobsTotal: 2,
		SubJobs: []workspace.SubJob{
			{
				ID: "sub-1", Type: "DELETE_POOL_VOLUME", Status: workspace.JobStatusSuccess,
				BeginTime: t0, EndTime: t0.Add(30 * time.Second), Host: "cn-north-4a", ProjectID: workspacetest.DefaultProjectID,
				JobID: "job-compat-1", Process: 100,
				DesktopID: "d-1", ProductID: "workspace.x86.ultimate.large2", UserName: "alice", DesktopName: "pool-a-001",
				IPAddress: "192.168.0.11", AttachUser: "alice", Entity: "volume v-1", SubJobIPAddress: "192.168.0.11",
				SubJobDesktopName: "pool-a-001", MACAddress: "fa:16:3e:00:00:01", Message: "deleted",
			},
			{
				ID: "sub-2", Type: "DELETE_POOL_VOLUME", Status: workspace.JobStatusFailed, ErrorCode: "WKS.00010004",
				FailReason: "volume not found", BeginTime: t0, Host: "cn-north-4b", ProjectID: workspacetest.DefaultProjectID,
				JobID: "job-compat-1", Process: 40,
				DesktopID: "d-2", ProductID: "workspace.x86.ultimate.large2", UserName: "bob", DesktopName: "pool-a-002",
				IPAddress: "192.168.0.12", AttachUser: "bob", Entity: "volume v-2", SubJobIPAddress: "192.168.0.12",
				SubJobDesktopName: "pool-a-002", MACAddress: "fa:16:3e:00:00:02", Message: "volume not found",
			},
		},
	}
}

// newFixture reads the ids the cases need from a demo fake, and adds the
// job of the ShowJob cases.
func newFixture(t *testing.T, srv *workspacetest.Server) fixture {
	t.Helper()
	f := fixture{}
	pools := srv.Pools()
	f.poolID = pools[0].ID
	for _, v := range pools[0].Volumes {
		f.volumeIDs = append(f.volumeIDs, v.ID)
	}
	for i, d := range srv.Desktops("") {
		if i%7 == 0 {
			f.desktopIDs = append(f.desktopIDs, d.ID)
			f.desktopNames = append(f.desktopNames, d.Name)
		}
	}
	snaps := srv.Snapshots()
	f.snapshotNames = []string{snaps[3].Name, snaps[40].Name, snaps[41].Name}
	f.snapshotIDs = []string{snaps[0].ID, snaps[1].ID, snaps[2].ID}
	for _, im := range srv.Images() {
		if im.ID != pools[0].ImageID {
			f.imageID = im.ID
			break
		}
	}
	tasks := srv.ScriptTasks()
	f.taskIDs = []string{tasks[1].ID, tasks[5].ID, tasks[9].ID}
	for _, task := range tasks {
		if len(task.Scripts) > 0 {
			f.scriptID, f.scriptName = task.Scripts[0].ID, task.Scripts[0].Name
			break
		}
	}
	f.execStart = tasks[len(tasks)/2].StartTime.Add(-time.Hour)
	f.execEnd = tasks[len(tasks)/2].StartTime.Add(48 * time.Hour)
	f.jobID = srv.AddJob(fullJob()).ID
	return f
}

// opCase is one call made with both clients, from the same inputs. ours
// and vendor return the decoded answer as this SDK's type (the vendor's
// converted), or the error.
type opCase struct {
	name   string
	op     workspacetest.Operation
	ours   func(ctx context.Context, c *workspace.Client) (any, error)
	vendor func(t *testing.T, vc *vendorws.WorkspaceClient) (any, error)
}

func ptr[T any](v T) *T { return &v }

// vendorTasksRequest is the vendor's request for the same options.
func vendorTasksRequest(o *workspace.ListScriptExecutionTasksOptions) *model.ShowDesktopPoolsScriptExecTasksRequest {
	r := &model.ShowDesktopPoolsScriptExecTasksRequest{}
	if o == nil {
		return r
	}
	setStr := func(dst **string, v string) {
		if v != "" {
			*dst = ptr(v)
		}
	}
	setStr(&r.DesktopPoolId, o.DesktopPoolID)
	setStr(&r.ScriptId, o.ScriptID)
	setStr(&r.ScriptName, o.ScriptName)
	setStr(&r.Status, string(o.Status))
	setStr(&r.TaskType, string(o.TaskType))
	if o.Offset != 0 {
		r.Offset = ptr(int32(o.Offset))
	}
	if o.Limit != 0 {
		r.Limit = ptr(int32(o.Limit))
	}
	if !o.ExecuteTimeStart.IsZero() {
		r.ExecuteTimeStart = ptr(o.ExecuteTimeStart.UTC().Format("2006-01-02T15:04:05Z"))
	}
	if !o.ExecuteTimeEnd.IsZero() {
		r.ExecuteTimeEnd = ptr(o.ExecuteTimeEnd.UTC().Format("2006-01-02T15:04:05Z"))
	}
	if len(o.TaskIDs) > 0 {
		r.TaskId = ptr(append([]string(nil), o.TaskIDs...))
	}
	return r
}

// vendorSnapshotsRequest is the vendor's request for the same options.
func vendorSnapshotsRequest(o *workspace.ListSnapshotsOptions) *model.ListDesktopSnapshotRequest {
	r := &model.ListDesktopSnapshotRequest{}
	if o == nil {
		return r
	}
	setStr := func(dst **string, v string) {
		if v != "" {
			*dst = ptr(v)
		}
	}
	setList := func(dst **[]string, v []string) {
		if len(v) > 0 {
			*dst = ptr(append([]string(nil), v...))
		}
	}
	setStr(&r.DesktopId, o.DesktopID)
	setStr(&r.DesktopName, o.DesktopName)
	setStr(&r.SnapshotName, o.SnapshotName)
	setList(&r.DesktopIds, o.DesktopIDs)
	setList(&r.DesktopNames, o.DesktopNames)
	setList(&r.SnapshotNames, o.SnapshotNames)
	setStr(&r.Status, string(o.Status))
	disk := model.GetListDesktopSnapshotRequestDiskTypeEnum()
	switch o.DiskType {
	case workspace.DiskTypeSystemDisk:
		r.DiskType = &disk.SYSTEM_DISK
	case workspace.DiskTypeDataDisks:
		r.DiskType = &disk.DATA_DISKS
	case workspace.DiskTypeAll:
		r.DiskType = &disk.ALL
	}
	create := model.GetListDesktopSnapshotRequestCreateTypeEnum()
	switch o.CreateType {
	case workspace.CreateTypeAuto:
		r.CreateType = &create.AUTO
	case workspace.CreateTypeManually:
		r.CreateType = &create.MANUALLY
	}
	field := model.GetListDesktopSnapshotRequestSortFieldEnum()
	switch o.SortField {
	case workspace.SortFieldCreateTime:
		r.SortField = &field.CREATE_TIME
	case workspace.SortFieldSnapshotName:
		r.SortField = &field.SNAPSHOT_NAME
	}
	order := model.GetListDesktopSnapshotRequestSortTypeEnum()
	switch o.SortType {
	case workspace.SortTypeAsc:
		r.SortType = &order.ASC
	case workspace.SortTypeDesc:
		r.SortType = &order.DESC
	}
	if o.Offset != 0 {
		r.Offset = ptr(int32(o.Offset))
	}
	if o.Limit != 0 {
		r.Limit = ptr(int32(o.Limit))
	}
	return r
}

// taskCase lists tasks with opts through both clients.
func taskCase(name string, opts *workspace.ListScriptExecutionTasksOptions) opCase {
	return opCase{
		name: "tasks/" + name, op: workspacetest.OpListScriptExecutionTasks,
		ours: func(ctx context.Context, c *workspace.Client) (any, error) {
			return c.DesktopPools.ListScriptExecutionTasks(ctx, opts)
		},
		vendor: func(t *testing.T, vc *vendorws.WorkspaceClient) (any, error) {
			r, err := vc.ShowDesktopPoolsScriptExecTasks(vendorTasksRequest(opts))
			if err != nil {
				return nil, err
			}
			return fromVendorTasks(t, r), nil
		},
	}
}

// snapshotCase lists snapshots with opts through both clients.
func snapshotCase(name string, opts *workspace.ListSnapshotsOptions) opCase {
	return opCase{
		name: "snapshots/" + name, op: workspacetest.OpListSnapshots,
		ours: func(ctx context.Context, c *workspace.Client) (any, error) { return c.Snapshots.List(ctx, opts) },
		vendor: func(t *testing.T, vc *vendorws.WorkspaceClient) (any, error) {
			r, err := vc.ListDesktopSnapshot(vendorSnapshotsRequest(opts))
			if err != nil {
				return nil, err
			}
			return fromVendorSnapshots(t, r), nil
		},
	}
}

// readCases are the calls that change nothing, with filters, sorting,
// paging and arrays: the same inputs for both clients.
func readCases(f fixture) []opCase {
	cases := []opCase{
		{
			name: "inconsistent-statics", op: workspacetest.OpGetInconsistentStatistics,
			ours: func(ctx context.Context, c *workspace.Client) (any, error) {
				return c.DesktopPools.GetInconsistentStatistics(ctx, f.poolID)
			},
			vendor: func(_ *testing.T, vc *vendorws.WorkspaceClient) (any, error) {
				r, err := vc.ListInconsistentStatics(&model.ListInconsistentStaticsRequest{PoolId: f.poolID})
				if err != nil {
					return nil, err
				}
				return fromVendorStats(r), nil
			},
		},
		{
			name: "check-images", op: workspacetest.OpCheckImages,
			ours: func(ctx context.Context, c *workspace.Client) (any, error) {
				return c.Desktops.CheckImages(ctx, f.desktopIDs)
			},
			vendor: func(_ *testing.T, vc *vendorws.WorkspaceClient) (any, error) {
				ids := append([]string(nil), f.desktopIDs...)
				r, err := vc.CheckDesktopImages(&model.CheckDesktopImagesRequest{Body: &model.CheckDesktopImagesReq{DesktopIds: &ids}})
				if err != nil {
					return nil, err
				}
				return fromVendorImages(r), nil
			},
		},
		{
			name: "show-job", op: workspacetest.OpGetJob,
			ours: func(ctx context.Context, c *workspace.Client) (any, error) { return c.Jobs.Get(ctx, f.jobID) },
			vendor: func(t *testing.T, vc *vendorws.WorkspaceClient) (any, error) {
				r, err := vc.ShowJob(&model.ShowJobRequest{JobId: f.jobID})
				if err != nil {
					return nil, err
				}
				return fromVendorJob(t, r), nil
			},
		},
		taskCase("no filter", nil),
		taskCase("paged", &workspace.ListScriptExecutionTasksOptions{Offset: 3, Limit: 7}),
		taskCase("last page", &workspace.ListScriptExecutionTasksOptions{Offset: 120, Limit: 100}),
		taskCase("status FAILED", &workspace.ListScriptExecutionTasksOptions{Status: workspace.TaskStatusFailed, Limit: 100}),
		taskCase("status SUCCESS", &workspace.ListScriptExecutionTasksOptions{Status: workspace.TaskStatusSuccess, Limit: 100}),
		taskCase("type COMMAND", &workspace.ListScriptExecutionTasksOptions{TaskType: workspace.TaskTypeCommand, Limit: 50}),
		taskCase("pool", &workspace.ListScriptExecutionTasksOptions{DesktopPoolID: f.poolID, Limit: 100}),
		taskCase("script id and name", &workspace.ListScriptExecutionTasksOptions{ScriptID: f.scriptID, ScriptName: f.scriptName}),
		taskCase("task ids (array)", &workspace.ListScriptExecutionTasksOptions{TaskIDs: f.taskIDs}),
		taskCase("execute time window", &workspace.ListScriptExecutionTasksOptions{
			ExecuteTimeStart: f.execStart, ExecuteTimeEnd: f.execEnd, Limit: 100,
		}),
		taskCase("everything", &workspace.ListScriptExecutionTasksOptions{
			DesktopPoolID: f.poolID, TaskType: workspace.TaskTypeScript, Status: workspace.TaskStatusSuccess,
			ExecuteTimeStart: f.execStart.Add(-720 * time.Hour), Offset: 1, Limit: 5,
		}),
		snapshotCase("no filter", nil),
		snapshotCase("paged", &workspace.ListSnapshotsOptions{Offset: 20, Limit: 10}),
		snapshotCase("desktop id", &workspace.ListSnapshotsOptions{DesktopID: f.desktopIDs[0]}),
		snapshotCase("desktop ids (array)", &workspace.ListSnapshotsOptions{DesktopIDs: f.desktopIDs[:3]}),
		snapshotCase("desktop name", &workspace.ListSnapshotsOptions{DesktopName: f.desktopNames[1]}),
		snapshotCase("desktop names (array)", &workspace.ListSnapshotsOptions{DesktopNames: f.desktopNames[1:3]}),
		snapshotCase("snapshot name", &workspace.ListSnapshotsOptions{SnapshotName: f.snapshotNames[0]}),
		snapshotCase("snapshot names (array)", &workspace.ListSnapshotsOptions{SnapshotNames: f.snapshotNames}),
		snapshotCase("data disks", &workspace.ListSnapshotsOptions{DiskType: workspace.DiskTypeDataDisks}),
		snapshotCase("system disk, manual", &workspace.ListSnapshotsOptions{DiskType: workspace.DiskTypeSystemDisk, CreateType: workspace.CreateTypeManually}),
		snapshotCase("status restore_failed", &workspace.ListSnapshotsOptions{Status: workspace.SnapshotStatusRestoreFailed}),
		snapshotCase("sorted by name, descending, paged", &workspace.ListSnapshotsOptions{
			SortField: workspace.SortFieldSnapshotName, SortType: workspace.SortTypeDesc, Offset: 5, Limit: 25,
		}),
		snapshotCase("sorted by create time, ascending", &workspace.ListSnapshotsOptions{
			SortField: workspace.SortFieldCreateTime, SortType: workspace.SortTypeAsc, CreateType: workspace.CreateTypeAuto,
		}),
		snapshotCase("everything", &workspace.ListSnapshotsOptions{
			DesktopIDs: f.desktopIDs, DiskType: workspace.DiskTypeAll, CreateType: workspace.CreateTypeAuto,
			Status: workspace.SnapshotStatusCreateSuccess, SortField: workspace.SortFieldCreateTime,
			SortType: workspace.SortTypeDesc, Offset: 2, Limit: 15,
		}),
	}
	return append(cases, workflowReadCases(f)...)
}
