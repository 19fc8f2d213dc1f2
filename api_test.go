package workspace_test

import (
	"context"
	"errors"
	"iter"
	"log/slog"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/hwcloud-go/workspace"
)

// TestAPIPromises pins the public API of shared/design/API.md: every name
// with its exact signature. It fails to compile when one drifts, and
// checks the few promises that are values.
func TestAPIPromises(t *testing.T) {
	t.Parallel()
	var (
		_ func(...workspace.Option) (*workspace.Client, error) = workspace.NewClient
		_ func(string) workspace.Option                        = workspace.WithEndpoint
		_ func(string) workspace.Option                        = workspace.WithRegion
		_ func(string) workspace.Option                        = workspace.WithProjectID
		_ func(string) workspace.Option                        = workspace.WithToken
		_ func(workspace.TokenSource) workspace.Option         = workspace.WithTokenSource
		_ func(string, string) workspace.Option                = workspace.WithAccessKey
		_ func(string) workspace.Option                        = workspace.WithSecurityToken
		_ func(*http.Client) workspace.Option                  = workspace.WithHTTPClient
		_ func(workspace.RetryPolicy) workspace.Option         = workspace.WithRetryPolicy
		_ func(*slog.Logger) workspace.Option                  = workspace.WithLogger
		_ func(string) workspace.Option                        = workspace.WithUserAgent
		_ func(workspace.Observer) workspace.Option            = workspace.WithObserver

		c workspace.Client
		_ *workspace.DesktopPoolsService = c.DesktopPools
		_ *workspace.DesktopsService     = c.Desktops
		_ *workspace.SnapshotsService    = c.Snapshots
		_ *workspace.JobsService         = c.Jobs

		_ func(*workspace.DesktopPoolsService, context.Context, string) (*workspace.InconsistentStatistics, error)                                                  = (*workspace.DesktopPoolsService).GetInconsistentStatistics
		_ func(*workspace.DesktopPoolsService, context.Context, string, *workspace.BatchDeleteVolumesRequest) (*workspace.BatchDeleteVolumesResult, error)          = (*workspace.DesktopPoolsService).BatchDeleteVolumes
		_ func(*workspace.DesktopPoolsService, context.Context, *workspace.ListScriptExecutionTasksOptions) (*workspace.Page[workspace.ScriptExecutionTask], error) = (*workspace.DesktopPoolsService).ListScriptExecutionTasks
		_ func(*workspace.DesktopPoolsService, context.Context, *workspace.ListScriptExecutionTasksOptions) iter.Seq2[workspace.ScriptExecutionTask, error]         = (*workspace.DesktopPoolsService).AllScriptExecutionTasks
		_ func(*workspace.DesktopsService, context.Context, []string) ([]workspace.DesktopImageInfo, error)                                                         = (*workspace.DesktopsService).CheckImages
		_ func(*workspace.SnapshotsService, context.Context, *workspace.ListSnapshotsOptions) (*workspace.Page[workspace.Snapshot], error)                          = (*workspace.SnapshotsService).List
		_ func(*workspace.SnapshotsService, context.Context, *workspace.ListSnapshotsOptions) iter.Seq2[workspace.Snapshot, error]                                  = (*workspace.SnapshotsService).All
		_ func(*workspace.JobsService, context.Context, string) (*workspace.Job, error)                                                                             = (*workspace.JobsService).Get
		_ func(*workspace.JobsService, context.Context, string, *workspace.WaitOptions) (*workspace.Job, error)                                                     = (*workspace.JobsService).Wait

		_ workspace.DesktopPoolsAPI = c.DesktopPools
		_ workspace.DesktopsAPI     = c.Desktops
		_ workspace.SnapshotsAPI    = c.Snapshots
		_ workspace.JobsAPI         = c.Jobs

		_ = workspace.InconsistentStatistics{ProductID: 0, ImageID: 0, DiskNum: 0, DiskSize: 0}
		_ = workspace.BatchDeleteVolumesRequest{Volumes: []workspace.VolumeInfo{{ID: "", Type: "", Size: 0, ResourceSpecCode: ""}},
			HandleType: workspace.VolumeHandleOnlyForExpand, DesktopIDs: []string{}}
		_ = workspace.BatchDeleteVolumesResult{JobID: ""}
		_ = workspace.DesktopImageInfo{DesktopID: "", ImageID: "", ImageName: "", ImageType: "", OSType: ""}
		_ = workspace.ListScriptExecutionTasksOptions{DesktopPoolID: "", ScriptID: "", ScriptName: "",
			Status: workspace.TaskStatusSuccess, TaskType: workspace.TaskTypeScript, TaskIDs: []string{},
			ExecuteTimeStart: time.Time{}, ExecuteTimeEnd: time.Time{}, Offset: 0, Limit: 0}
		_ = workspace.ScriptExecutionTask{ID: "", DesktopPoolID: "", DesktopPoolName: "", Scripts: []workspace.Script{{ID: "", Name: ""}},
			CommandContent: "", CommandType: workspace.CommandTypeShell, StartTime: time.Time{}, EndTime: time.Time{},
			Status: workspace.TaskStatusFinish, SuccessNum: 0, FailedNum: 0, SkipNum: 0}
		_ = workspace.ListSnapshotsOptions{DesktopID: "", DesktopName: "", SnapshotName: "",
			DesktopIDs: []string{}, DesktopNames: []string{}, SnapshotNames: []string{},
			DiskType: workspace.DiskTypeAll, CreateType: workspace.CreateTypeAuto, Status: workspace.SnapshotStatusCreating,
			SortField: workspace.SortFieldCreateTime, SortType: workspace.SortTypeAsc, Offset: 0, Limit: 0}
		_ = workspace.Snapshot{ID: "", Name: "", DesktopID: "", DesktopName: "", DesktopSID: "", DesktopPoolID: "",
			IsSystemDisk: false, Status: "", Process: (*int)(nil), Description: "", CreateTime: time.Time{},
			LastRestoreTime: time.Time{}, CreateType: "", RestoreFailReason: ""}
		_ = workspace.Page[workspace.Snapshot]{Items: nil, TotalCount: 0}
		_ = workspace.Job{ID: "", Type: "", Status: "", ErrorCode: "", FailReason: "", BeginTime: time.Time{}, EndTime: time.Time{},
			SubJobsTotal: 0, SubJobs: []workspace.SubJob{{ID: "", Type: "", Status: "", ErrorCode: "", FailReason: "", DesktopID: ""}}}
		_ = workspace.Job{Status: workspace.JobStatus(""), SubJobs: []workspace.SubJob{{Status: workspace.JobStatusRunning}}}
		_ = []workspace.JobStatus{workspace.JobStatusWaiting, workspace.JobStatusInit, workspace.JobStatusRunning,
			workspace.JobStatusSuccess, workspace.JobStatusComplete, workspace.JobStatusFailed, workspace.JobStatusFail}
		_ func(workspace.JobStatus) bool = workspace.JobStatus.Done
		_ func(workspace.JobStatus) bool = workspace.JobStatus.Failed
		_ func(*workspace.Job) bool      = (*workspace.Job).Done
		_ func(*workspace.Job) bool      = (*workspace.Job).Failed
		_                                = workspace.WaitOptions{Interval: time.Duration(0)}
		_                                = workspace.APIError{StatusCode: 0, Code: "", Message: "", Detail: "", EncodedAuthorizationMessage: "", RequestID: "", Method: "", Path: ""}
		_                                = workspace.ValidationError{Field: "", Reason: ""}
		_                                = workspace.JobFailedError{Job: (*workspace.Job)(nil)}
		_                                = workspace.RetryPolicy{MaxAttempts: 0, BaseDelay: time.Duration(0), MaxDelay: time.Duration(0)}
		_ error                          = (*workspace.APIError)(nil)
		_ error                          = (*workspace.ValidationError)(nil)
		_ error                          = (*workspace.JobFailedError)(nil)
	)
	var ts workspace.TokenSource = workspace.StaticTokenSource("t")
	tok, err := ts.Token(context.Background())
	assert.NoError(t, err)
	assert.Equal(t, "t", tok)

	var noSuchAPI error = workspace.ErrNoSuchAPI
	assert.True(t, errors.Is(&workspace.APIError{StatusCode: 404, Code: "APIGW.0101"}, noSuchAPI))
	sentinels := []error{workspace.ErrBadRequest, workspace.ErrUnauthorized, workspace.ErrForbidden,
		workspace.ErrNotFound, workspace.ErrConflict, workspace.ErrThrottled, workspace.ErrServer}
	statuses := []int{400, 401, 403, 404, 409, 429, 503}
	for i := range sentinels {
		err := error(&workspace.APIError{StatusCode: statuses[i]})
		for j, other := range sentinels {
			assert.Equal(t, i == j, errors.Is(err, other), "status %d vs %v", statuses[i], other)
		}
	}
}
