package workspace

import (
	"bytes"
	"fmt"
	"strconv"
	"time"
)

// Page is one page of a list operation.
type Page[T any] struct {
	Items      []T
	TotalCount int // the total number of matching items, over all pages
}

// TaskStatus is the status of a script execution task. As a filter of
// ListScriptExecutionTasks it takes SUCCESS, FAILED, RUNNING or WAITING; a
// task's own status is INIT, RUNNING, FINISH or FAILED.
type TaskStatus string

// Task statuses.
const (
	TaskStatusSuccess TaskStatus = "SUCCESS" // filter: execution succeeded
	TaskStatusFailed  TaskStatus = "FAILED"  // filter and task: execution failed
	TaskStatusRunning TaskStatus = "RUNNING" // filter and task: being executed
	TaskStatusWaiting TaskStatus = "WAITING" // filter: waiting for execution
	TaskStatusInit    TaskStatus = "INIT"    // task: created, not started
	TaskStatusFinish  TaskStatus = "FINISH"  // task: finished
)

// TaskType is the kind of script execution task.
type TaskType string

// Task types.
const (
	TaskTypeScript  TaskType = "SCRIPT"
	TaskTypeCommand TaskType = "COMMAND"
)

// CommandType is the command line type of a task.
type CommandType string

// Command types.
const (
	CommandTypePowerShell CommandType = "POWERSHELL" // Windows
	CommandTypeBat        CommandType = "BAT"        // Windows
	CommandTypeShell      CommandType = "SHELL"      // Linux
)

// DiskType selects snapshots by disk.
type DiskType string

// Disk types.
const (
	DiskTypeSystemDisk DiskType = "SYSTEM_DISK"
	DiskTypeDataDisks  DiskType = "DATA_DISKS"
	DiskTypeAll        DiskType = "ALL"
)

// CreateType says how a snapshot was created.
type CreateType string

// Create types.
const (
	CreateTypeAuto     CreateType = "AUTO"     // by a schedule
	CreateTypeManually CreateType = "MANUALLY" // by a user
)

// SnapshotStatus is the status of a snapshot.
type SnapshotStatus string

// Snapshot statuses.
const (
	SnapshotStatusCreating       SnapshotStatus = "creating"
	SnapshotStatusRestoring      SnapshotStatus = "restoring"
	SnapshotStatusCreateSuccess  SnapshotStatus = "create_success"
	SnapshotStatusCreateFailed   SnapshotStatus = "create_failed"
	SnapshotStatusRestoreSuccess SnapshotStatus = "restore_success"
	SnapshotStatusRestoreFailed  SnapshotStatus = "restore_failed"
)

// SortField is the field snapshots are sorted by; it goes with a SortType.
type SortField string

// Sort fields.
const (
	SortFieldCreateTime   SortField = "create_time"
	SortFieldSnapshotName SortField = "snapshot_name"
)

// SortType is the sort order; it goes with a SortField.
type SortType string

// Sort orders.
const (
	SortTypeAsc  SortType = "ASC"
	SortTypeDesc SortType = "DESC"
)

// VolumeHandleType says which desktops of a pool a batch-delete applies to.
type VolumeHandleType string

// Volume handle types.
const (
	VolumeHandleOnlyForExpand    VolumeHandleType = "ONLY_FOR_EXPAND"     // only desktops added later
	VolumeHandleForExpandAndIdle VolumeHandleType = "FOR_EXPAND_AND_IDLE" // those and idle desktops
	VolumeHandleForExpandAndAll  VolumeHandleType = "FOR_EXPAND_AND_ALL"  // those and all existing desktops
)

// InconsistentStatistics counts the desktops of a pool that differ from the
// pool's configuration.
type InconsistentStatistics struct {
	ProductID int `json:"product_id"` // desktops whose product (package) differs
	ImageID   int `json:"image_id"`   // desktops whose image differs
	DiskNum   int `json:"disk_num"`   // desktops whose number of data disks differs
	DiskSize  int `json:"disk_size"`  // desktops whose total disk capacity differs
}

// BatchDeleteVolumesRequest lists the data disks to delete from a pool.
type BatchDeleteVolumesRequest struct {
	Volumes    []VolumeInfo     `json:"volumes"`               // 1 to 10
	HandleType VolumeHandleType `json:"handle_type,omitempty"` // optional
	DesktopIDs []string         `json:"desktop_ids,omitempty"` // optional
}

// VolumeInfo describes one data disk of a pool.
type VolumeInfo struct {
	ID               string `json:"id,omitempty"`                 // optional
	Type             string `json:"type"`                         // required: SAS, SSD, GPSSD, SATA, ...
	Size             int    `json:"size"`                         // required, GB, 10 to 32760
	ResourceSpecCode string `json:"resource_spec_code,omitempty"` // optional
}

// BatchDeleteVolumesResult names the asynchronous job doing the deletion;
// JobsService.Wait waits for it.
type BatchDeleteVolumesResult struct {
	JobID string `json:"job_id"`
}

// DesktopImageInfo is the image of one desktop, from CheckImages.
type DesktopImageInfo struct {
	DesktopID string `json:"desktop_id"`
	ImageID   string `json:"image_id"`
	ImageName string `json:"image_name"`
	ImageType string `json:"image_type"` // gold, private, shared, market
	OSType    string `json:"os_type"`    // Windows, Linux, Other
}

// ListScriptExecutionTasksOptions filters ListScriptExecutionTasks. Zero
// values are not sent.
type ListScriptExecutionTasksOptions struct {
	DesktopPoolID, ScriptID, ScriptName string
	Status                              TaskStatus // filter: SUCCESS, FAILED, RUNNING, WAITING
	TaskType                            TaskType   // SCRIPT, COMMAND
	TaskIDs                             []string   // sent as repeated task_id
	ExecuteTimeStart                    time.Time  // zero: not sent; sent as UTC 2006-01-02T15:04:05Z
	ExecuteTimeEnd                      time.Time
	Offset, Limit                       int // Limit 0 to 100 (server default 10); zero: not sent
}

// ScriptExecutionTask is one run of scripts or a command on a pool.
type ScriptExecutionTask struct {
	ID              string      `json:"id"`
	DesktopPoolID   string      `json:"desktop_pool_id"`
	DesktopPoolName string      `json:"desktop_pool_name"`
	Scripts         []Script    `json:"scripts"`
	CommandContent  string      `json:"command_content"`
	CommandType     CommandType `json:"command_type"` // POWERSHELL, BAT, SHELL
	StartTime       time.Time   `json:"start_time"`   // zero when absent, null or ""
	EndTime         time.Time   `json:"end_time"`
	Status          TaskStatus  `json:"status"` // INIT, RUNNING, FINISH, FAILED
	SuccessNum      int         `json:"success_num"`
	FailedNum       int         `json:"failed_num"`
	SkipNum         int         `json:"skip_num"`
}

// Script names one script of a task.
type Script struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// ListSnapshotsOptions filters SnapshotsService.List. Zero values are not
// sent.
type ListSnapshotsOptions struct {
	DesktopID, DesktopName, SnapshotName    string
	DesktopIDs, DesktopNames, SnapshotNames []string       // repeated parameters
	DiskType                                DiskType       // SYSTEM_DISK, DATA_DISKS, ALL
	CreateType                              CreateType     // AUTO, MANUALLY
	Status                                  SnapshotStatus // creating, restoring, create_success, ...
	SortField                               SortField      // create_time, snapshot_name; needs SortType
	SortType                                SortType       // ASC, DESC; needs SortField
	Offset, Limit                           int            // Limit 1 to 1000 (server default 1000); zero: not sent
}

// Snapshot is a snapshot of a desktop's disk.
type Snapshot struct {
	ID                string         `json:"snapshot_id"`
	Name              string         `json:"snapshot_name"`
	DesktopID         string         `json:"desktop_id"`
	DesktopName       string         `json:"desktop_name"`
	DesktopSID        string         `json:"desktop_sid"`
	DesktopPoolID     string         `json:"desktop_pool_id"`
	IsSystemDisk      bool           `json:"is_system_disk"` // true: system disk; false: data disk
	Status            SnapshotStatus `json:"status"`
	Process           *int           `json:"process"` // 0 to 100; nil: no task running
	Description       string         `json:"description"`
	CreateTime        time.Time      `json:"create_time"`
	LastRestoreTime   time.Time      `json:"last_restore_time"` // zero: never restored
	CreateType        CreateType     `json:"create_type"`
	RestoreFailReason string         `json:"restore_fail_reason"`
}

// Job is an asynchronous job, such as the one a batch-delete starts.
type Job struct {
	ID           string    `json:"id"`
	Type         string    `json:"job_type"`
	Status       string    `json:"status"` // e.g. WAITING, INIT, RUNNING, SUCCESS, COMPLETE, FAILED, FAIL
	ErrorCode    string    `json:"job_error_code"`
	FailReason   string    `json:"fail_reason"`
	BeginTime    time.Time `json:"begin_time"`
	EndTime      time.Time `json:"end_time"`
	SubJobsTotal int       `json:"sub_jobs_total"`
	SubJobs      []SubJob  `json:"sub_jobs"`
}

// SubJob is one part of a Job; the entity fields say what it acted on.
type SubJob struct {
	ID         string    `json:"id"`
	Type       string    `json:"job_type"`
	Status     string    `json:"status"`
	ErrorCode  string    `json:"error_code"`
	FailReason string    `json:"fail_reason"`
	BeginTime  time.Time `json:"begin_time"`
	EndTime    time.Time `json:"end_time"`
	Host       string    `json:"host"`
	ProjectID  string    `json:"project_id"`
	JobID      string    `json:"job_id"`
	Process    int       `json:"process"`

	// From the sub-job's "entities" object.
	DesktopID   string `json:"desktop_id"`
	ProductID   string `json:"product_id"`
	UserName    string `json:"user_name"`
	DesktopName string `json:"desktop_name"`
	IPAddress   string `json:"ip_address"`
}

// WaitOptions tunes JobsService.Wait.
type WaitOptions struct {
	Interval time.Duration // between polls; 0: DefaultWaitInterval
}

// apiTime decodes the API's UTC times, tolerating "", null and absence
// (all the zero time) and RFC 3339 with an offset or fractions. Anything
// else is an error, never a silently wrong value.
type apiTime time.Time

// timeLayouts are tried in order; the API documents the first.
var timeLayouts = []string{
	"2006-01-02T15:04:05Z07:00",
	time.RFC3339Nano,
	"2006-01-02T15:04:05",
	"2006-01-02 15:04:05",
}

func (t *apiTime) UnmarshalJSON(b []byte) error {
	if v, ok := parseQuotedUTC(b); ok {
		*t = apiTime(v)
		return nil
	}
	if bytes.Equal(b, []byte("null")) {
		*t = apiTime{}
		return nil
	}
	s, err := strconv.Unquote(string(b))
	if err != nil {
		return fmt.Errorf("time %.40s is not a string", b)
	}
	if s == "" {
		*t = apiTime{}
		return nil
	}
	for _, layout := range timeLayouts {
		if v, err := time.Parse(layout, s); err == nil {
			*t = apiTime(v.UTC())
			return nil
		}
	}
	return fmt.Errorf("time %q is not in the API's format (2006-01-02T15:04:05Z)", clip(s))
}

func (t apiTime) time() time.Time { return time.Time(t) }

// parseQuotedUTC is the fast path of UnmarshalJSON for the documented
// form, "2006-01-02T15:04:05Z" with its quotes, without allocating. It
// accepts only what time.Parse accepts for that layout, with the same
// result; for anything else it reports false and the general path decides.
func parseQuotedUTC(b []byte) (time.Time, bool) {
	if len(b) != 22 || b[0] != '"' || b[5] != '-' || b[8] != '-' || b[11] != 'T' ||
		b[14] != ':' || b[17] != ':' || b[20] != 'Z' || b[21] != '"' {
		return time.Time{}, false
	}
	year, month, day := digits(b[1:5]), digits(b[6:8]), digits(b[9:11])
	hour, minute, sec := digits(b[12:14]), digits(b[15:17]), digits(b[18:20])
	if year < 0 || month < 1 || month > 12 || day < 1 || day > daysIn(month, year) ||
		hour < 0 || hour > 23 || minute < 0 || minute > 59 || sec < 0 || sec > 59 {
		return time.Time{}, false
	}
	return time.Date(year, time.Month(month), day, hour, minute, sec, 0, time.UTC), true
}

// digits is the value of b's decimal digits, or -1 if one is not a digit.
func digits(b []byte) int {
	v := 0
	for _, c := range b {
		if c < '0' || c > '9' {
			return -1
		}
		v = v*10 + int(c-'0')
	}
	return v
}

// daysIn is the number of days of month (1 to 12) in year.
func daysIn(month, year int) int {
	switch month {
	case 2:
		if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// Wire forms of the results: only what differs from the public type.

type wireTask struct {
	ID              string      `json:"id"`
	DesktopPoolID   string      `json:"desktop_pool_id"`
	DesktopPoolName string      `json:"desktop_pool_name"`
	Scripts         []Script    `json:"scripts"`
	CommandContent  string      `json:"command_content"`
	CommandType     CommandType `json:"command_type"`
	StartTime       apiTime     `json:"start_time"`
	EndTime         apiTime     `json:"end_time"`
	Status          TaskStatus  `json:"status"`
	SuccessNum      int         `json:"success_num"`
	FailedNum       int         `json:"failed_num"`
	SkipNum         int         `json:"skip_num"`
}

func (w *wireTask) task() ScriptExecutionTask {
	return ScriptExecutionTask{
		ID: w.ID, DesktopPoolID: w.DesktopPoolID, DesktopPoolName: w.DesktopPoolName,
		Scripts: w.Scripts, CommandContent: w.CommandContent, CommandType: w.CommandType,
		StartTime: w.StartTime.time(), EndTime: w.EndTime.time(), Status: w.Status,
		SuccessNum: w.SuccessNum, FailedNum: w.FailedNum, SkipNum: w.SkipNum,
	}
}

type wireTaskPage struct {
	Tasks      []wireTask `json:"script_execution_tasks"`
	TotalCount int        `json:"total_count"`
}

type wireSnapshot struct {
	ID                string         `json:"snapshot_id"`
	Name              string         `json:"snapshot_name"`
	DesktopID         string         `json:"desktop_id"`
	DesktopName       string         `json:"desktop_name"`
	DesktopSID        string         `json:"desktop_sid"`
	DesktopPoolID     string         `json:"desktop_pool_id"`
	IsSystemDisk      bool           `json:"is_system_disk"`
	Status            SnapshotStatus `json:"status"`
	Process           *int           `json:"process"`
	Description       string         `json:"description"`
	CreateTime        apiTime        `json:"create_time"`
	LastRestoreTime   apiTime        `json:"last_restore_time"`
	CreateType        CreateType     `json:"create_type"`
	RestoreFailReason string         `json:"restore_fail_reason"`
}

func (w *wireSnapshot) snapshot() Snapshot {
	return Snapshot{
		ID: w.ID, Name: w.Name, DesktopID: w.DesktopID, DesktopName: w.DesktopName,
		DesktopSID: w.DesktopSID, DesktopPoolID: w.DesktopPoolID, IsSystemDisk: w.IsSystemDisk,
		Status: w.Status, Process: w.Process, Description: w.Description,
		CreateTime: w.CreateTime.time(), LastRestoreTime: w.LastRestoreTime.time(),
		CreateType: w.CreateType, RestoreFailReason: w.RestoreFailReason,
	}
}

type wireSnapshotPage struct {
	Snapshots  []wireSnapshot `json:"desktop_snapshots"`
	TotalCount int            `json:"total_count"`
}

type wireImages struct {
	ImageInfos []DesktopImageInfo `json:"image_infos"`
}

type wireSubJob struct {
	ID         string      `json:"id"`
	Type       string      `json:"job_type"`
	Status     string      `json:"status"`
	ErrorCode  string      `json:"error_code"`
	FailReason string      `json:"fail_reason"`
	BeginTime  apiTime     `json:"begin_time"`
	EndTime    apiTime     `json:"end_time"`
	Host       string      `json:"host"`
	ProjectID  string      `json:"project_id"`
	JobID      string      `json:"job_id"`
	Process    jobProgress `json:"process"`
	Entities   *struct {
		DesktopID   string `json:"desktop_id"`
		ProductID   string `json:"product_id"`
		UserName    string `json:"user_name"`
		DesktopName string `json:"desktop_name"`
		IPAddress   string `json:"ip_address"`
	} `json:"entities"`
}

type wireJob struct {
	ID           string       `json:"id"`
	Type         string       `json:"job_type"`
	Status       string       `json:"status"`
	ErrorCode    string       `json:"job_error_code"`
	FailReason   string       `json:"fail_reason"`
	BeginTime    apiTime      `json:"begin_time"`
	EndTime      apiTime      `json:"end_time"`
	SubJobsTotal int          `json:"sub_jobs_total"`
	SubJobs      []wireSubJob `json:"sub_jobs"`
}

func (w *wireJob) job() *Job {
	j := &Job{
		ID: w.ID, Type: w.Type, Status: w.Status, ErrorCode: w.ErrorCode, FailReason: w.FailReason,
		BeginTime: w.BeginTime.time(), EndTime: w.EndTime.time(), SubJobsTotal: w.SubJobsTotal,
	}
	if len(w.SubJobs) > 0 {
		j.SubJobs = make([]SubJob, len(w.SubJobs))
	}
	for i := range w.SubJobs {
		ws := &w.SubJobs[i]
		sj := SubJob{
			ID: ws.ID, Type: ws.Type, Status: ws.Status, ErrorCode: ws.ErrorCode, FailReason: ws.FailReason,
			BeginTime: ws.BeginTime.time(), EndTime: ws.EndTime.time(), Host: ws.Host,
			ProjectID: ws.ProjectID, JobID: ws.JobID, Process: int(ws.Process),
		}
		if e := ws.Entities; e != nil {
			sj.DesktopID, sj.ProductID, sj.UserName = e.DesktopID, e.ProductID, e.UserName
			sj.DesktopName, sj.IPAddress = e.DesktopName, e.IPAddress
		}
		j.SubJobs[i] = sj
	}
	return j
}
