package workspace

import (
	"context"
	"fmt"
	"iter"
	"net/url"
	"slices"

	"github.com/hwcloud-go/workspace/internal/wire"
)

// DesktopPoolsService reaches the desktop-pool operations.
type DesktopPoolsService service

// DesktopPoolsAPI is what DesktopPoolsService does, for users' fakes and
// mocks.
type DesktopPoolsAPI interface {
	GetInconsistentStatistics(ctx context.Context, poolID string) (*InconsistentStatistics, error)
	BatchDeleteVolumes(ctx context.Context, poolID string, req *BatchDeleteVolumesRequest) (*BatchDeleteVolumesResult, error)
	ListScriptExecutionTasks(ctx context.Context, opts *ListScriptExecutionTasksOptions) (*Page[ScriptExecutionTask], error)
	AllScriptExecutionTasks(ctx context.Context, opts *ListScriptExecutionTasksOptions) iter.Seq2[ScriptExecutionTask, error]
}

var _ DesktopPoolsAPI = (*DesktopPoolsService)(nil)

// Limits of the desktop-pool operations.
const (
	MaxVolumesPerBatchDelete    = 10
	MaxDesktopIDsPerBatchDelete = 100 // the current revision's bound on desktop_ids
	MinVolumeSizeGB             = 10
	MaxVolumeSizeGB             = 32760
	MaxScriptTasksLimit         = 100
)

// GetInconsistentStatistics counts the desktops of a pool whose product,
// image, number of data disks or disk capacity differ from the pool's
// configuration.
//
// GET /v2/{project_id}/desktop-pools/{pool_id}/inconsistent-statics
func (s *DesktopPoolsService) GetInconsistentStatistics(ctx context.Context, poolID string) (*InconsistentStatistics, error) {
	if err := checkContext(ctx); err != nil {
		return nil, err
	}
	if err := checkID("poolID", poolID); err != nil {
		return nil, err
	}
	out := new(InconsistentStatistics)
	r := &request{op: opInconsistentStatistics, method: "GET", path: "/desktop-pools/", id: escapeSegment(poolID), tail: "/inconsistent-statics"}
	if err := (*service)(s).do(ctx, r, statisticsWire(out)); err != nil {
		return nil, err
	}
	return out, nil
}

// BatchDeleteVolumes deletes up to ten data disks from a pool's desktops.
// The deletion runs as a job; JobsService.Wait waits for it. The call is
// retried only where it surely did not take effect.
//
// POST /v2/{project_id}/desktop-pools/{pool_id}/volumes/batch-delete
func (s *DesktopPoolsService) BatchDeleteVolumes(ctx context.Context, poolID string, req *BatchDeleteVolumesRequest) (*BatchDeleteVolumesResult, error) {
	if err := checkContext(ctx); err != nil {
		return nil, err
	}
	if err := checkID("poolID", poolID); err != nil {
		return nil, err
	}
	if err := req.validate(); err != nil {
		return nil, err
	}
	var w wire.JobRef
	r := &request{op: opBatchDeleteVolumes, method: "POST", path: "/desktop-pools/", id: escapeSegment(poolID), tail: "/volumes/batch-delete", body: req.wire(), write: true}
	if err := (*service)(s).do(ctx, r, &w); err != nil {
		return nil, err
	}
	return &BatchDeleteVolumesResult{JobID: w.JobID}, nil
}

func (req *BatchDeleteVolumesRequest) validate() error {
	if req == nil {
		return invalid("req", "must not be nil")
	}
	switch n := len(req.Volumes); {
	case n == 0:
		return invalid("req.Volumes", "must list at least one volume")
	case n > MaxVolumesPerBatchDelete:
		return invalid("req.Volumes", "at most %d volumes per call, got %d", MaxVolumesPerBatchDelete, n)
	}
	for i := range req.Volumes {
		if err := req.Volumes[i].validate(fmt.Sprintf("req.Volumes[%d]", i)); err != nil {
			return err
		}
	}
	if n := len(req.DesktopIDs); n > MaxDesktopIDsPerBatchDelete {
		return invalid("req.DesktopIDs", "at most %d desktops per call, got %d", MaxDesktopIDsPerBatchDelete, n)
	}
	for i, id := range req.DesktopIDs {
		if err := checkID(fmt.Sprintf("req.DesktopIDs[%d]", i), id); err != nil {
			return err
		}
	}
	return nil
}

// ListScriptExecutionTasks lists one page of the script execution tasks of
// desktop pools. A nil opts means no filters.
//
// GET /v2/{project_id}/desktop-pools/script-execution-tasks/detail
func (s *DesktopPoolsService) ListScriptExecutionTasks(ctx context.Context, opts *ListScriptExecutionTasksOptions) (*Page[ScriptExecutionTask], error) {
	if err := checkContext(ctx); err != nil {
		return nil, err
	}
	q, err := opts.query()
	if err != nil {
		return nil, err
	}
	var w wire.TaskPage
	r := &request{op: opScriptExecutionTasks, method: "GET", path: "/desktop-pools/script-execution-tasks/detail", query: q}
	if err := (*service)(s).do(ctx, r, &w); err != nil {
		return nil, err
	}
	p := &Page[ScriptExecutionTask]{TotalCount: w.TotalCount, Items: make([]ScriptExecutionTask, len(w.Tasks))}
	for i := range w.Tasks {
		p.Items[i] = taskFromWire(&w.Tasks[i])
	}
	return p, nil
}

// AllScriptExecutionTasks ranges over every task matching opts, fetching
// pages of 100 (or opts.Limit) from opts.Offset on. An error is yielded
// once and ends the sequence. opts is copied, never modified, and the
// sequence starts over each time it is ranged.
func (s *DesktopPoolsService) AllScriptExecutionTasks(ctx context.Context, opts *ListScriptExecutionTasksOptions) iter.Seq2[ScriptExecutionTask, error] {
	var o ListScriptExecutionTasksOptions
	if opts != nil {
		o = *opts
		o.TaskIDs = slices.Clone(o.TaskIDs)
	}
	if o.Limit == 0 {
		o.Limit = MaxScriptTasksLimit
	}
	return paginate(ctx, o.Offset, o.Limit, func(offset int) (*Page[ScriptExecutionTask], error) {
		page := o
		page.Offset = offset
		return s.ListScriptExecutionTasks(ctx, &page)
	})
}

func (o *ListScriptExecutionTasksOptions) query() (url.Values, error) {
	if o == nil {
		return nil, nil
	}
	if err := checkPage(o.Offset, o.Limit, MaxScriptTasksLimit); err != nil {
		return nil, err
	}
	if !o.ExecuteTimeStart.IsZero() && !o.ExecuteTimeEnd.IsZero() && o.ExecuteTimeEnd.Before(o.ExecuteTimeStart) {
		return nil, invalid("opts.ExecuteTimeEnd", "must not be before opts.ExecuteTimeStart")
	}
	for i, id := range o.TaskIDs {
		if err := checkID(fmt.Sprintf("opts.TaskIDs[%d]", i), id); err != nil {
			return nil, err
		}
	}
	q := make(url.Values, 8)
	setString(q, "desktop_pool_id", o.DesktopPoolID)
	setString(q, "script_id", o.ScriptID)
	setString(q, "script_name", o.ScriptName)
	setString(q, "status", string(o.Status))
	setString(q, "task_type", string(o.TaskType))
	setInt(q, "offset", o.Offset)
	setInt(q, "limit", o.Limit)
	setTime(q, "execute_time_start", o.ExecuteTimeStart)
	setTime(q, "execute_time_end", o.ExecuteTimeEnd)
	setStrings(q, "task_id", o.TaskIDs)
	return q, nil
}
