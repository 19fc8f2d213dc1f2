package workspace

import (
	"context"
	"fmt"
	"iter"
	"net/url"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/hwcloud-go/workspace/internal/wire"
)

// DesktopPoolsService reaches the desktop-pool operations.
type DesktopPoolsService service

// DesktopPoolsAPI is what DesktopPoolsService does, for users' fakes and
// mocks.
type DesktopPoolsAPI interface {
	GetInconsistentStatistics(ctx context.Context, poolID string) (*InconsistentStatistics, error)
	BatchDeleteVolumes(ctx context.Context, poolID string, req *BatchDeleteVolumesRequest) (*BatchDeleteVolumesResult, error)
	BatchDeleteVolumesAndWait(ctx context.Context, poolID string, req *BatchDeleteVolumesRequest, opts *WaitOptions) ([]*Job, error)
	ListScriptExecutionTasks(ctx context.Context, opts *ListScriptExecutionTasksOptions) (*Page[ScriptExecutionTask], error)
	AllScriptExecutionTasks(ctx context.Context, opts *ListScriptExecutionTasksOptions) iter.Seq2[ScriptExecutionTask, error]
	List(ctx context.Context, opts *ListDesktopPoolsOptions) (*Page[DesktopPool], error)
	All(ctx context.Context, opts *ListDesktopPoolsOptions) iter.Seq2[DesktopPool, error]
	Get(ctx context.Context, poolID string) (*DesktopPool, error)
	ListDesktops(ctx context.Context, poolID string, opts *ListPoolDesktopsOptions) (*Page[Desktop], error)
	AllDesktops(ctx context.Context, poolID string, opts *ListPoolDesktopsOptions) iter.Seq2[Desktop, error]
	Rebuild(ctx context.Context, poolID string, req *RebuildDesktopPoolRequest) (*RebuildDesktopPoolResult, error)
	BatchAddVolumes(ctx context.Context, poolID string, req *BatchAddVolumesRequest) (*BatchAddVolumesResult, error)
	BatchAddVolumesAndWait(ctx context.Context, poolID string, req *BatchAddVolumesRequest, opts *WaitOptions) ([]*Job, error)
	ExecuteScripts(ctx context.Context, poolID string, req *ExecuteScriptsRequest) (*ExecuteScriptsResult, error)
}

var _ DesktopPoolsAPI = (*DesktopPoolsService)(nil)

// Limits of the desktop-pool operations.
const (
	MaxVolumesPerBatchDelete    = 10
	MaxDesktopIDsPerBatchDelete = 100 // the current revision's bound on desktop_ids
	MinVolumeSizeGB             = 10
	MaxVolumeSizeGB             = 32760
	MaxScriptTasksLimit         = 100
	MaxDesktopPoolsLimit        = 1000 // the largest page of pools
	MaxPoolDesktopsLimit        = 100  // the largest page of a pool's desktops
	MaxFilterValues             = 100  // the most values of one list filter (user_names, computer_names, desktop_id)
	MaxVolumesPerBatchAdd       = 10
	MaxDesktopIDsPerBatchAdd    = 100
	MaxRebuildDelayMinutes      = 15  // RebuildDesktopPoolRequest.DelayTime
	MaxRebuildMessageLength     = 400 // RebuildDesktopPoolRequest.Message, in characters
)

// GetInconsistentStatistics counts the desktops of a pool whose product,
// image, number of data disks or disk capacity differ from the pool's
// configuration.
//
// GET /v2/{project_id}/desktop-pools/{pool_id}/inconsistent-statics
func (s *DesktopPoolsService) GetInconsistentStatistics(ctx context.Context, poolID string) (*InconsistentStatistics, error) {
	if err := checkPoolCall(ctx, poolID, nil); err != nil {
		return nil, err
	}
	out := new(InconsistentStatistics)
	r := &request{op: opInconsistentStatistics, method: "GET", path: "/desktop-pools/", id: escapeSegment(poolID), tail: "/inconsistent-statics"}
	if err := (*service)(s).do(ctx, r, statisticsWire(out)); err != nil {
		return nil, err
	}
	return out, nil
}

// checkPoolCall checks what a call on one pool checks before it sends
// anything: the context, the pool id and, where it has one (validate not
// nil), its request.
func checkPoolCall(ctx context.Context, poolID string, validate func() error) error {
	if err := checkContext(ctx); err != nil {
		return err
	}
	if err := checkID("poolID", poolID); err != nil {
		return err
	}
	if validate != nil {
		return validate()
	}
	return nil
}

// poolWrite sends a write on one pool, POST
// /desktop-pools/{poolID}{tail} with body, its answer decoded into out.
func (s *DesktopPoolsService) poolWrite(ctx context.Context, op, poolID, tail string, body, out any) error {
	r := &request{op: op, method: "POST", path: "/desktop-pools/", id: escapeSegment(poolID), tail: tail, body: body, write: true}
	return (*service)(s).do(ctx, r, out)
}

// BatchDeleteVolumes deletes up to ten data disks from a pool's desktops.
// The deletion runs as a job; JobsService.Wait waits for it. The call is
// retried only where it surely did not take effect.
//
// POST /v2/{project_id}/desktop-pools/{pool_id}/volumes/batch-delete
func (s *DesktopPoolsService) BatchDeleteVolumes(ctx context.Context, poolID string, req *BatchDeleteVolumesRequest) (*BatchDeleteVolumesResult, error) {
	if err := checkPoolCall(ctx, poolID, req.validate); err != nil {
		return nil, err
	}
	var w wire.JobRef
	if err := s.poolWrite(ctx, opBatchDeleteVolumes, poolID, "/volumes/batch-delete", req.wire(), &w); err != nil {
		return nil, err
	}
	return &BatchDeleteVolumesResult{JobID: w.JobID}, nil
}

func (req *BatchDeleteVolumesRequest) validate() error {
	if req != nil && len(req.Volumes) > MaxVolumesPerBatchDelete {
		return invalid("req.Volumes", "at most %d volumes per call, got %d", MaxVolumesPerBatchDelete, len(req.Volumes))
	}
	return req.validateAll()
}

// validateAll checks req but for the bound on its volumes: what a bulk
// delete, which sends them in chunks, checks.
func (req *BatchDeleteVolumesRequest) validateAll() error {
	if req == nil {
		return invalid("req", "must not be nil")
	}
	if len(req.Volumes) == 0 {
		return invalid("req.Volumes", "must list at least one volume")
	}
	for i := range req.Volumes {
		if err := req.Volumes[i].validate(fmt.Sprintf("req.Volumes[%d]", i)); err != nil {
			return err
		}
	}
	if n := len(req.DesktopIDs); n > MaxDesktopIDsPerBatchDelete {
		return invalid("req.DesktopIDs", "at most %d desktops per call, got %d", MaxDesktopIDsPerBatchDelete, n)
	}
	return checkIDs("req.DesktopIDs", req.DesktopIDs)
}

// BatchDeleteVolumesAndWait deletes any number of data disks from a
// pool's desktops and waits for the deletions to finish. It checks every
// volume before it sends anything, then sends them in chunks of ten (the
// API's limit), each with req's HandleType and DesktopIDs, one chunk at a
// time, and waits for each chunk's job (JobsService.Wait with opts) before
// sending the next. A chunk refused because the pool is busy with another
// operation (409 WKS.00010032) did not take effect: it is sent again, as a
// new call, every wait interval until the pool takes it or ctx ends. Any
// other failure stops the deletion: the chunks after it are not sent, and
// the error is a *BulkError that reports every chunk. No chunk is sent
// again once it may have taken effect. It returns every job it started,
// also with an error.
func (s *DesktopPoolsService) BatchDeleteVolumesAndWait(ctx context.Context, poolID string, req *BatchDeleteVolumesRequest, opts *WaitOptions) ([]*Job, error) {
	if err := checkPoolCall(ctx, poolID, req.validateAll); err != nil {
		return nil, err
	}
	bulk := bulkWrite{n: len(req.Volumes), size: MaxVolumesPerBatchDelete, send: func(ctx context.Context, from, to int) (string, error) {
		chunk := *req
		chunk.Volumes = req.Volumes[from:to]
		res, err := s.BatchDeleteVolumes(ctx, poolID, &chunk)
		if err != nil {
			return "", err
		}
		return res.JobID, nil
	}}
	return bulk.run(ctx, (*JobsService)(s), opts)
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
// pages of 100 (or opts.Limit) from opts.Offset on, up to WithConcurrency
// pages at once (the one being yielded included). Tasks come in the API's
// order, each id once. An error is yielded once and ends the sequence; so
// does a page that repeats the one before it. Breaking out of the loop
// cancels the pages in flight and waits for them. opts is copied, never
// modified, and the sequence starts over each time it is ranged.
func (s *DesktopPoolsService) AllScriptExecutionTasks(ctx context.Context, opts *ListScriptExecutionTasksOptions) iter.Seq2[ScriptExecutionTask, error] {
	var o ListScriptExecutionTasksOptions
	if opts != nil {
		o = *opts
		o.TaskIDs = slices.Clone(o.TaskIDs)
	}
	if o.Limit == 0 {
		o.Limit = MaxScriptTasksLimit
	}
	return paginate(ctx, (*service)(s).clientOrNil(), o.Offset, o.Limit, func(ctx context.Context, offset int) (*Page[ScriptExecutionTask], error) {
		page := o
		page.Offset = offset
		return s.ListScriptExecutionTasks(ctx, &page)
	}, taskID)
}

// taskID names a script execution task for AllScriptExecutionTasks.
func taskID(t *ScriptExecutionTask) string { return t.ID }

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

// List lists one page of desktop pools. A nil opts means no filters.
//
// GET /v2/{project_id}/desktop-pools
func (s *DesktopPoolsService) List(ctx context.Context, opts *ListDesktopPoolsOptions) (*Page[DesktopPool], error) {
	if err := checkContext(ctx); err != nil {
		return nil, err
	}
	q, err := opts.query()
	if err != nil {
		return nil, err
	}
	var w wire.PoolPage
	r := &request{op: opListPools, method: "GET", path: "/desktop-pools", query: q}
	if err := (*service)(s).do(ctx, r, &w); err != nil {
		return nil, err
	}
	p := &Page[DesktopPool]{TotalCount: w.TotalCount, Items: make([]DesktopPool, len(w.Pools))}
	for i := range w.Pools {
		p.Items[i] = poolFromWire(&w.Pools[i])
	}
	return p, nil
}

// All ranges over every pool matching opts, fetching pages of 1000 (or
// opts.Limit) from opts.Offset on. An error is yielded once and ends the
// sequence. opts is copied, never modified, and the sequence starts over
// each time it is ranged.
func (s *DesktopPoolsService) All(ctx context.Context, opts *ListDesktopPoolsOptions) iter.Seq2[DesktopPool, error] {
	var o ListDesktopPoolsOptions
	if opts != nil {
		o = *opts
	}
	if o.Limit == 0 {
		o.Limit = MaxDesktopPoolsLimit
	}
	return paginate(ctx, (*service)(s).clientOrNil(), o.Offset, o.Limit, func(ctx context.Context, offset int) (*Page[DesktopPool], error) {
		page := o
		page.Offset = offset
		return s.List(ctx, &page)
	}, idOfPool)
}

func (o *ListDesktopPoolsOptions) query() (url.Values, error) {
	if o == nil {
		return nil, nil
	}
	if err := checkPage(o.Offset, o.Limit, MaxDesktopPoolsLimit); err != nil {
		return nil, err
	}
	q := make(url.Values, 6)
	setString(q, "name", o.Name)
	setString(q, "type", string(o.Type))
	setString(q, "enterprise_project_id", o.EnterpriseProjectID)
	setBool(q, "in_maintenance_mode", o.InMaintenanceMode)
	setInt(q, "offset", o.Offset)
	setInt(q, "limit", o.Limit)
	return q, nil
}

// Get returns a pool's configuration, its data volumes with the ids that
// BatchDeleteVolumes takes among it. A pool that does not exist is an
// error for which errors.Is(err, ErrNotFound) holds, whatever status the
// API answers it with (it answers 400 WKS.0001).
//
// GET /v2/{project_id}/desktop-pools/{pool_id}
func (s *DesktopPoolsService) Get(ctx context.Context, poolID string) (*DesktopPool, error) {
	if err := checkPoolCall(ctx, poolID, nil); err != nil {
		return nil, err
	}
	var w wire.Pool
	r := &request{op: opShowPool, method: "GET", path: "/desktop-pools/", id: escapeSegment(poolID)}
	if err := (*service)(s).do(ctx, r, &w); err != nil {
		return nil, err
	}
	p := poolFromWire(&w)
	return &p, nil
}

// ListDesktops lists one page of a pool's desktops; with
// opts.InconsistentType, those that differ from the pool in that respect
// (the desktops GetInconsistentStatistics counts). A nil opts means no
// filters. Each Desktop's PoolID is poolID.
//
// GET /v2/{project_id}/desktop-pools/{pool_id}/desktops
func (s *DesktopPoolsService) ListDesktops(ctx context.Context, poolID string, opts *ListPoolDesktopsOptions) (*Page[Desktop], error) {
	if err := checkPoolCall(ctx, poolID, nil); err != nil {
		return nil, err
	}
	q, err := opts.query()
	if err != nil {
		return nil, err
	}
	var w wire.PoolDesktopPage
	r := &request{op: opListPoolDesktops, method: "GET", path: "/desktop-pools/", id: escapeSegment(poolID), tail: "/desktops", query: q}
	if err := (*service)(s).do(ctx, r, &w); err != nil {
		return nil, err
	}
	p := &Page[Desktop]{TotalCount: w.TotalCount, Items: make([]Desktop, len(w.Desktops))}
	for i := range w.Desktops {
		p.Items[i] = desktopFromWire(&w.Desktops[i], poolID)
	}
	return p, nil
}

// AllDesktops ranges over every desktop of a pool matching opts, fetching
// pages of 100 (or opts.Limit) from opts.Offset on. An error is yielded
// once and ends the sequence. opts is copied, never modified, and the
// sequence starts over each time it is ranged.
func (s *DesktopPoolsService) AllDesktops(ctx context.Context, poolID string, opts *ListPoolDesktopsOptions) iter.Seq2[Desktop, error] {
	var o ListPoolDesktopsOptions
	if opts != nil {
		o = *opts
		o.UserNames = slices.Clone(o.UserNames)
		o.ComputerNames = slices.Clone(o.ComputerNames)
		o.DesktopIDs = slices.Clone(o.DesktopIDs)
	}
	if o.Limit == 0 {
		o.Limit = MaxPoolDesktopsLimit
	}
	return paginate(ctx, (*service)(s).clientOrNil(), o.Offset, o.Limit, func(ctx context.Context, offset int) (*Page[Desktop], error) {
		page := o
		page.Offset = offset
		return s.ListDesktops(ctx, poolID, &page)
	}, idOfDesktop)
}

func (o *ListPoolDesktopsOptions) query() (url.Values, error) {
	if o == nil {
		return nil, nil
	}
	if err := checkPage(o.Offset, o.Limit, MaxPoolDesktopsLimit); err != nil {
		return nil, err
	}
	if err := checkSort(o.SortField != "", o.SortType != ""); err != nil {
		return nil, err
	}
	if err := checkFilters(o.UserNames, o.ComputerNames, o.DesktopIDs); err != nil {
		return nil, err
	}
	q := make(url.Values, 18)
	setString(q, "inconsistent_type", string(o.InconsistentType))
	setString(q, "status", string(o.Status))
	setStrings(q, "user_names", o.UserNames)
	setStrings(q, "computer_names", o.ComputerNames)
	setStrings(q, "desktop_id", o.DesktopIDs)
	setString(q, "desktop_ip", o.DesktopIP)
	setString(q, "image_id", o.ImageID)
	setString(q, "subnet_id", o.SubnetID)
	setString(q, "availability_zone", o.AvailabilityZone)
	setString(q, "tag", o.TagFilter)
	setString(q, "desktop_type", string(o.DesktopType))
	setBool(q, "user_attached", o.UserAttached)
	setBool(q, "in_maintenance_mode", o.InMaintenanceMode)
	setBool(q, "isolated", o.Isolated)
	setString(q, "sort_field", string(o.SortField))
	setString(q, "sort_type", string(o.SortType))
	setInt(q, "offset", o.Offset)
	setInt(q, "limit", o.Limit)
	return q, nil
}

// Rebuild rebuilds the system disks of a pool's desktops onto an image;
// with IsFix, only those whose image differs from the pool's. The rebuild
// runs as a job; JobsService.Wait waits for it. The call is retried only
// where it surely did not take effect.
//
// POST /v2/{project_id}/desktop-pools/{pool_id}/rebuild
func (s *DesktopPoolsService) Rebuild(ctx context.Context, poolID string, req *RebuildDesktopPoolRequest) (*RebuildDesktopPoolResult, error) {
	if err := checkPoolCall(ctx, poolID, req.validate); err != nil {
		return nil, err
	}
	var w wire.JobRef
	if err := s.poolWrite(ctx, opRebuildPool, poolID, "/rebuild", req.wire(), &w); err != nil {
		return nil, err
	}
	return &RebuildDesktopPoolResult{JobID: w.JobID}, nil
}

func (req *RebuildDesktopPoolRequest) validate() error {
	if req == nil {
		return invalid("req", "must not be nil")
	}
	if err := checkID("req.ImageID", req.ImageID); err != nil {
		return err
	}
	if req.DelayTime < 0 || req.DelayTime > MaxRebuildDelayMinutes {
		return invalid("req.DelayTime", "must be between 0 and %d minutes, got %d", MaxRebuildDelayMinutes, req.DelayTime)
	}
	if n := utf8.RuneCountInString(req.Message); n > MaxRebuildMessageLength {
		return invalid("req.Message", "at most %d characters, got %d", MaxRebuildMessageLength, n)
	}
	if req.EncryptType == EncryptTypeEncrypted && strings.TrimSpace(req.KMSID) == "" {
		return invalid("req.KMSID", "must be set with EncryptType ENCRYPTED")
	}
	return checkIDs("req.DesktopIDs", req.DesktopIDs)
}

// BatchAddVolumes adds up to ten data disks to a pool (the inverse of
// BatchDeleteVolumes); Get then lists them with their ids. The addition
// runs as a job; JobsService.Wait waits for it. The call is retried only
// where it surely did not take effect.
//
// Sizes are checked against 10 to 32760 GB: the reference page gives no
// range, the vendor's models say only "larger than the current size", and
// one definition of the API says 0 to 8200 while the pool's disks are
// documented as 10 to 32760. The wider range is followed so that nothing
// the API takes is refused here; a size the API refuses comes back as its
// 400.
//
// POST /v2/{project_id}/desktop-pools/{pool_id}/volumes/batch-add
func (s *DesktopPoolsService) BatchAddVolumes(ctx context.Context, poolID string, req *BatchAddVolumesRequest) (*BatchAddVolumesResult, error) {
	if err := checkPoolCall(ctx, poolID, req.validate); err != nil {
		return nil, err
	}
	var w wire.JobRef
	if err := s.poolWrite(ctx, opAddVolumes, poolID, "/volumes/batch-add", req.wire(), &w); err != nil {
		return nil, err
	}
	return &BatchAddVolumesResult{JobID: w.JobID}, nil
}

// BatchAddVolumesAndWait adds any number of data disks to a pool's
// desktops and waits for them, as BatchDeleteVolumesAndWait deletes them:
// every volume checked first, chunks of ten with req's HandleType and
// DesktopIDs, one at a time, each job waited for with opts, a pool-busy
// chunk (409 WKS.00010032) sent again every wait interval, any other
// failure stopping the rest with a *BulkError. It returns every job it
// started, also with an error.
func (s *DesktopPoolsService) BatchAddVolumesAndWait(ctx context.Context, poolID string, req *BatchAddVolumesRequest, opts *WaitOptions) ([]*Job, error) {
	if err := checkPoolCall(ctx, poolID, req.validateAll); err != nil {
		return nil, err
	}
	bulk := bulkWrite{n: len(req.Volumes), size: MaxVolumesPerBatchAdd, send: func(ctx context.Context, from, to int) (string, error) {
		chunk := *req
		chunk.Volumes = req.Volumes[from:to]
		res, err := s.BatchAddVolumes(ctx, poolID, &chunk)
		if err != nil {
			return "", err
		}
		return res.JobID, nil
	}}
	return bulk.run(ctx, (*JobsService)(s), opts)
}

func (req *BatchAddVolumesRequest) validate() error {
	if req != nil && len(req.Volumes) > MaxVolumesPerBatchAdd {
		return invalid("req.Volumes", "at most %d volumes per call, got %d", MaxVolumesPerBatchAdd, len(req.Volumes))
	}
	return req.validateAll()
}

// validateAll checks req but for the bound on its volumes: what a bulk
// add, which sends them in chunks, checks.
func (req *BatchAddVolumesRequest) validateAll() error {
	if req == nil {
		return invalid("req", "must not be nil")
	}
	if len(req.Volumes) == 0 {
		return invalid("req.Volumes", "must list at least one volume")
	}
	for i, v := range req.Volumes {
		field := fmt.Sprintf("req.Volumes[%d]", i)
		if strings.TrimSpace(v.Type) == "" {
			return invalid(field+".Type", "must not be empty")
		}
		if v.Size < MinVolumeSizeGB || v.Size > MaxVolumeSizeGB {
			return invalid(field+".Size", "must be between %d and %d GB, got %d", MinVolumeSizeGB, MaxVolumeSizeGB, v.Size)
		}
		if v.IOPS < 0 {
			return invalid(field+".IOPS", "must not be negative, got %d", v.IOPS)
		}
		if v.Throughput < 0 {
			return invalid(field+".Throughput", "must not be negative, got %d", v.Throughput)
		}
	}
	if n := len(req.DesktopIDs); n > MaxDesktopIDsPerBatchAdd {
		return invalid("req.DesktopIDs", "at most %d desktops per call, got %d", MaxDesktopIDsPerBatchAdd, n)
	}
	return checkIDs("req.DesktopIDs", req.DesktopIDs)
}

// ExecuteScripts runs scripts of the script library, or a command line,
// on a pool's desktops. It starts a script execution task, not a job:
// follow it with ListScriptExecutionTasks and TaskIDs. The call is retried
// only where it surely did not take effect.
//
// POST /v2/{project_id}/desktop-pools/{pool_id}/script-executions
func (s *DesktopPoolsService) ExecuteScripts(ctx context.Context, poolID string, req *ExecuteScriptsRequest) (*ExecuteScriptsResult, error) {
	if err := checkPoolCall(ctx, poolID, req.validate); err != nil {
		return nil, err
	}
	var w wire.TaskRef
	if err := s.poolWrite(ctx, opExecuteScripts, poolID, "/script-executions", req.wire(), &w); err != nil {
		return nil, err
	}
	return &ExecuteScriptsResult{TaskID: w.TaskID}, nil
}

func (req *ExecuteScriptsRequest) validate() error {
	if req == nil {
		return invalid("req", "must not be nil")
	}
	hasCommand := strings.TrimSpace(req.CommandContent) != ""
	switch {
	case len(req.ScriptIDs) == 0 && !hasCommand:
		return invalid("req.ScriptIDs", "give ScriptIDs or a CommandContent")
	case len(req.ScriptIDs) > 0 && req.CommandContent != "":
		return invalid("req.CommandContent", "must be empty with ScriptIDs: give one or the other")
	case hasCommand && req.CommandType == "":
		return invalid("req.CommandType", "must be set with CommandContent")
	case req.GrayCount < 0:
		return invalid("req.GrayCount", "must not be negative, got %d", req.GrayCount)
	case req.GrayFailThreshold < 0:
		return invalid("req.GrayFailThreshold", "must not be negative, got %d", req.GrayFailThreshold)
	case req.ExecutionTimeout < 0:
		return invalid("req.ExecutionTimeout", "must not be negative, got %d", req.ExecutionTimeout)
	}
	for _, list := range []struct {
		field string
		ids   []string
	}{{"req.ScriptIDs", req.ScriptIDs}, {"req.DesktopIDs", req.DesktopIDs}, {"req.GrayDesktopIDs", req.GrayDesktopIDs}} {
		if err := checkIDs(list.field, list.ids); err != nil {
			return err
		}
	}
	return nil
}
