package workspace

import "time"

// Page is one page of a list operation.
type Page[T any] struct {
	Items      []T // this page's items, in the API's order (at most the request's Limit)
	TotalCount int // the number of matching items over all pages, not just this one
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
	TaskTypeScript  TaskType = "SCRIPT"  // runs scripts from the script library
	TaskTypeCommand TaskType = "COMMAND" // runs a command line
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
	DiskTypeSystemDisk DiskType = "SYSTEM_DISK" // snapshots of system disks
	DiskTypeDataDisks  DiskType = "DATA_DISKS"  // snapshots of data disks
	DiskTypeAll        DiskType = "ALL"         // both
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
	SnapshotStatusCreating       SnapshotStatus = "creating"        // being created (Snapshot.Process: progress)
	SnapshotStatusRestoring      SnapshotStatus = "restoring"       // the desktop is being restored from it (Snapshot.Process: progress)
	SnapshotStatusCreateSuccess  SnapshotStatus = "create_success"  // created
	SnapshotStatusCreateFailed   SnapshotStatus = "create_failed"   // creation failed
	SnapshotStatusRestoreSuccess SnapshotStatus = "restore_success" // the last restore succeeded
	SnapshotStatusRestoreFailed  SnapshotStatus = "restore_failed"  // the last restore failed (Snapshot.RestoreFailReason)
)

// SortField is the field snapshots are sorted by; it goes with a SortType.
type SortField string

// Sort fields.
const (
	SortFieldCreateTime   SortField = "create_time"   // by creation time
	SortFieldSnapshotName SortField = "snapshot_name" // by name
)

// SortType is the sort order; it goes with a SortField.
type SortType string

// Sort orders.
const (
	SortTypeAsc  SortType = "ASC"  // ascending: oldest or A first
	SortTypeDesc SortType = "DESC" // descending: newest or Z first
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
// pool's configuration. Every field is a NUMBER OF DESKTOPS, not an id: the
// field names are the API's (product_id, image_id, disk_num, disk_size).
type InconsistentStatistics struct {
	ProductID int // number of desktops whose product (flavour package) differs from the pool's
	ImageID   int // number of desktops whose image differs from the pool's
	DiskNum   int // number of desktops whose number of data disks differs from the pool's
	DiskSize  int // number of desktops whose data disk capacity differs from the pool's
}

// BatchDeleteVolumesRequest lists the data disks to delete from a pool.
type BatchDeleteVolumesRequest struct {
	Volumes    []VolumeInfo     // the pool's data disks to delete: 1 to 10
	HandleType VolumeHandleType // optional: which desktops of the pool it applies to ("": the API's default)
	DesktopIDs []string         // optional: the desktops to apply it to, by id
}

// VolumeInfo describes one data disk of a pool.
//
// Each volume needs an ID, or a Type and a Size (or all three). Zero
// fields are not sent: an ID-only volume goes out as {"id": "..."}.
type VolumeInfo struct {
	ID               string // the volume; the current API revision names volumes by id alone
	Type             string // SAS, SSD, GPSSD, SATA, ...: the earlier revision's description of a pool disk
	Size             int    // GB, 10 to 32760, with Type
	ResourceSpecCode string // optional
	IOPS             int    // input/output operations per second of the disk; 0: not sent
	Throughput       int    // throughput of the disk, MiB/s; 0: not sent
	KMSID            string // the KMS key that encrypts the disk; "": not sent
}

// BatchDeleteVolumesResult names the asynchronous job doing the deletion;
// JobsService.Wait waits for it.
type BatchDeleteVolumesResult struct {
	JobID string // the job's id, for JobsService.Get and Wait
}

// DesktopImageInfo is the image of one desktop, from CheckImages.
type DesktopImageInfo struct {
	DesktopID string // the desktop asked about
	ImageID   string // the image the desktop runs
	ImageName string // the image's name
	ImageType string // ImageTypeGold, ImageTypePrivate, ImageTypeShared or ImageTypeMarket
	OSType    string // OSTypeWindows, OSTypeLinux or OSTypeOther
}

// ListScriptExecutionTasksOptions filters ListScriptExecutionTasks. Zero
// values are not sent.
type ListScriptExecutionTasksOptions struct {
	DesktopPoolID    string     // only the tasks of this pool
	ScriptID         string     // only the tasks that ran this script
	ScriptName       string     // only the tasks that ran a script of this name
	Status           TaskStatus // filter: SUCCESS, FAILED, RUNNING, WAITING
	TaskType         TaskType   // SCRIPT, COMMAND
	TaskIDs          []string   // only these tasks; sent as repeated task_id
	ExecuteTimeStart time.Time  // only tasks started at or after; zero: not sent; sent as UTC 2006-01-02T15:04:05Z
	ExecuteTimeEnd   time.Time  // only tasks started at or before; as ExecuteTimeStart
	Offset           int        // tasks to skip, from 0
	Limit            int        // tasks per page, 0 to 100 (0: not sent, the server's default of 10)
}

// ScriptExecutionTask is one run of scripts or a command on a pool.
type ScriptExecutionTask struct {
	ID              string      // the task
	DesktopPoolID   string      // the pool it ran on
	DesktopPoolName string      // the pool's name
	Scripts         []Script    // the scripts it ran (a SCRIPT task); empty for a COMMAND task
	CommandContent  string      // the command line it ran (a COMMAND task)
	CommandType     CommandType // POWERSHELL, BAT, SHELL
	StartTime       time.Time   // UTC; zero when absent, null or "" (not started)
	EndTime         time.Time   // UTC; zero while running
	Status          TaskStatus  // INIT, RUNNING, FINISH, FAILED
	SuccessNum      int         // number of desktops the task succeeded on
	FailedNum       int         // number of desktops the task failed on
	SkipNum         int         // number of desktops the task skipped
}

// Script names one script of a task.
type Script struct {
	ID   string // the script in the script library
	Name string // its name, e.g. "install-agent.ps1"
}

// ListSnapshotsOptions filters SnapshotsService.List. Zero values are not
// sent.
type ListSnapshotsOptions struct {
	DesktopID     string         // only the snapshots of this desktop
	DesktopName   string         // only the snapshots of desktops of this name
	SnapshotName  string         // only the snapshots of this name
	DesktopIDs    []string       // only the snapshots of these desktops; repeated desktop_ids
	DesktopNames  []string       // as DesktopName, for several; repeated desktop_names
	SnapshotNames []string       // as SnapshotName, for several; repeated snapshot_names
	DiskType      DiskType       // SYSTEM_DISK, DATA_DISKS, ALL
	CreateType    CreateType     // AUTO, MANUALLY
	Status        SnapshotStatus // creating, restoring, create_success, ...
	SortField     SortField      // create_time, snapshot_name; needs SortType
	SortType      SortType       // ASC, DESC; needs SortField
	Offset        int            // snapshots to skip, from 0
	Limit         int            // snapshots per page, 1 to 1000 (0: not sent, the server's default of 1000)
}

// Snapshot is a snapshot of a desktop's disk.
type Snapshot struct {
	ID                string         // snapshot_id
	Name              string         // snapshot_name
	DesktopID         string         // the desktop whose disk it is
	DesktopName       string         // the desktop's name
	DesktopSID        string         // the desktop's security identifier (SID)
	DesktopPoolID     string         // the desktop's pool; "" for a desktop in no pool
	IsSystemDisk      bool           // true: a snapshot of the system disk; false: of a data disk
	Status            SnapshotStatus // creating, restoring, create_success, ...
	Process           *int           // PROGRESS in percent (0 to 100) of the task running on it (creating, restoring); nil: no task running
	Description       string         // the user's description
	CreateTime        time.Time      // when it was created, UTC
	LastRestoreTime   time.Time      // when the desktop was last restored from it, UTC; zero: never
	CreateType        CreateType     // AUTO (by a schedule) or MANUALLY
	RestoreFailReason string         // why the last restore failed; "" unless Status is restore_failed
}

// Job is an asynchronous job, such as the one a batch-delete starts.
type Job struct {
	ID           string    // the job id (id), as BatchDeleteVolumesResult.JobID
	Type         string    // what the job does (job_type), e.g. a volume deletion
	Status       JobStatus // WAITING, INIT, RUNNING, SUCCESS, COMPLETE, FAILED, FAIL, ...
	ErrorCode    string    // job_error_code: set when the job failed
	FailReason   string    // fail_reason: the API's words for a failure
	BeginTime    time.Time // when the job started; zero when not sent
	EndTime      time.Time // when the job ended; zero while it runs
	SubJobsTotal int       // sub_jobs_total: how many sub-jobs the job has
	SubJobs      []SubJob  // the parts of the job, one per desktop or volume acted on
}

// SubJob is one part of a Job; the entity fields say what it acted on.
type SubJob struct {
	ID         string    // the sub-job id
	Type       string    // job_type of the sub-job
	Status     JobStatus // the sub-job's own status; a done Job with a sub-job not SUCCESS has partly failed
	ErrorCode  string    // error_code: set when the sub-job failed
	FailReason string    // fail_reason: the API's words for a failure
	BeginTime  time.Time // when the sub-job started; zero when not sent
	EndTime    time.Time // when the sub-job ended; zero while it runs
	Host       string    // the host the sub-job ran on, as the API reports it
	ProjectID  string    // the project the sub-job belongs to
	JobID      string    // the parent job's id
	Process    int       // progress in percent (0-100); tolerant of "", "50%" and numeric strings

	// From the sub-job's "entities" object.
	DesktopID   string // the desktop acted on
	ProductID   string // the desktop's product (package) id
	UserName    string // the desktop's user
	DesktopName string // the desktop's name
	IPAddress   string // the desktop's IP address

	// The sub-job's own fields beside "entities": seen in answers
	// (attach_user, entity, ip_address) or listed by the vendor's OpenAPI
	// definition (desktop_name, mac_address, message). Where the sub-job
	// and its entities both carry an ip_address or a desktop_name, both
	// are kept.
	AttachUser        string // the user the desktop is assigned to
	Entity            string // what the sub-job acted on, as the API words it
	SubJobIPAddress   string // the sub-job's own ip_address (IPAddress is entities')
	SubJobDesktopName string // the sub-job's own desktop_name (DesktopName is entities')
	MACAddress        string // mac_address of the desktop
	Message           string // message: the API's note on the sub-job
}

// WaitOptions tunes JobsService.Wait.
type WaitOptions struct {
	Interval time.Duration // between polls; 0: the client's WithWaitInterval, else 10 s
}
