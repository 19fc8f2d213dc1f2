package workspace

import "time"

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
	ProductID int // desktops whose product (package) differs
	ImageID   int // desktops whose image differs
	DiskNum   int // desktops whose number of data disks differs
	DiskSize  int // desktops whose total disk capacity differs
}

// BatchDeleteVolumesRequest lists the data disks to delete from a pool.
type BatchDeleteVolumesRequest struct {
	Volumes    []VolumeInfo     // 1 to 10
	HandleType VolumeHandleType // optional
	DesktopIDs []string         // optional
}

// VolumeInfo describes one data disk of a pool.
type VolumeInfo struct {
	ID               string // optional
	Type             string // required: SAS, SSD, GPSSD, SATA, ...
	Size             int    // required, GB, 10 to 32760
	ResourceSpecCode string // optional
}

// BatchDeleteVolumesResult names the asynchronous job doing the deletion;
// JobsService.Wait waits for it.
type BatchDeleteVolumesResult struct {
	JobID string
}

// DesktopImageInfo is the image of one desktop, from CheckImages.
type DesktopImageInfo struct {
	DesktopID string
	ImageID   string
	ImageName string
	ImageType string // gold, private, shared, market
	OSType    string // Windows, Linux, Other
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
	ID              string
	DesktopPoolID   string
	DesktopPoolName string
	Scripts         []Script
	CommandContent  string
	CommandType     CommandType // POWERSHELL, BAT, SHELL
	StartTime       time.Time   // zero when absent, null or ""
	EndTime         time.Time
	Status          TaskStatus // INIT, RUNNING, FINISH, FAILED
	SuccessNum      int
	FailedNum       int
	SkipNum         int
}

// Script names one script of a task.
type Script struct {
	ID   string
	Name string
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
	ID                string
	Name              string
	DesktopID         string
	DesktopName       string
	DesktopSID        string
	DesktopPoolID     string
	IsSystemDisk      bool // true: system disk; false: data disk
	Status            SnapshotStatus
	Process           *int // 0 to 100; nil: no task running
	Description       string
	CreateTime        time.Time
	LastRestoreTime   time.Time // zero: never restored
	CreateType        CreateType
	RestoreFailReason string
}

// Job is an asynchronous job, such as the one a batch-delete starts.
type Job struct {
	ID           string
	Type         string
	Status       string // e.g. WAITING, INIT, RUNNING, SUCCESS, COMPLETE, FAILED, FAIL
	ErrorCode    string
	FailReason   string
	BeginTime    time.Time
	EndTime      time.Time
	SubJobsTotal int
	SubJobs      []SubJob
}

// SubJob is one part of a Job; the entity fields say what it acted on.
type SubJob struct {
	ID         string
	Type       string
	Status     string
	ErrorCode  string
	FailReason string
	BeginTime  time.Time
	EndTime    time.Time
	Host       string
	ProjectID  string
	JobID      string
	Process    int

	// From the sub-job's "entities" object.
	DesktopID   string
	ProductID   string
	UserName    string
	DesktopName string
	IPAddress   string
}

// WaitOptions tunes JobsService.Wait.
type WaitOptions struct {
	Interval time.Duration // between polls; 0: DefaultWaitInterval
}
