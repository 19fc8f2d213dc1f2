package workspace

import "time"

// The public types of the operations around the first five: pools and
// their desktops, desktop lists, rebuilds, added volumes, script runs, the
// snapshot lifecycle and sub-jobs. Their facts (JSON names, units, limits)
// come from the vendor's API reference and its Go SDK's models (v0.1.207);
// where the two disagree, the field says which is followed.

// PoolType is the kind of a desktop pool.
type PoolType string

// Pool types.
const (
	PoolTypeDynamic PoolType = "DYNAMIC" // desktops assigned to users as they connect
	PoolTypeStatic  PoolType = "STATIC"  // each desktop bound to its user
)

// PoolStatus is the state of a desktop pool.
type PoolStatus string

// Pool statuses.
const (
	PoolStatusSteady      PoolStatus = "STEADY"       // steady
	PoolStatusTemporary   PoolStatus = "TEMPORARY"    // changing (an operation is running)
	PoolStatusExistFrozen PoolStatus = "EXIST_FROZEN" // some desktops are frozen
	PoolStatusUnknown     PoolStatus = "UNKNOWN"      // unknown
)

// ChargeMode is how a pool or product is billed, as the API sends it: a
// digit in a string.
type ChargeMode string

// Charge modes.
const (
	ChargeModePeriodic ChargeMode = "0" // yearly/monthly
	ChargeModeOnDemand ChargeMode = "1" // pay-per-use
)

// InconsistentType selects the desktops of a pool that differ from it in
// one respect: the four counts of InconsistentStatistics. The vendor's Go
// models also list AUTO_ISOLATION, which the reference page does not
// document and which counts nothing in the statistics: it has no constant
// (the field takes it all the same).
type InconsistentType string

// Inconsistent types.
const (
	InconsistentTypeProductID InconsistentType = "PRODUCT_ID" // product differs (InconsistentStatistics.ProductID)
	InconsistentTypeImageID   InconsistentType = "IMAGE_ID"   // image differs (InconsistentStatistics.ImageID)
	InconsistentTypeDiskNum   InconsistentType = "DISK_NUM"   // number of data disks differs
	InconsistentTypeDiskSize  InconsistentType = "DISK_SIZE"  // data disk capacity differs
)

// DesktopStatus is the state of a desktop. Answers may carry other values
// (BUILD, REBOOT, ...), kept as they come.
type DesktopStatus string

// Desktop statuses.
const (
	DesktopStatusActive     DesktopStatus = "ACTIVE"     // running
	DesktopStatusShutoff    DesktopStatus = "SHUTOFF"    // shut down
	DesktopStatusError      DesktopStatus = "ERROR"      // abnormal
	DesktopStatusHibernated DesktopStatus = "HIBERNATED" // hibernated
)

// DesktopType is the kind of a desktop.
type DesktopType string

// Desktop types.
const (
	DesktopTypeDedicated DesktopType = "DEDICATED" // a dedicated desktop
	DesktopTypePooled    DesktopType = "POOLED"    // a desktop of a pool
	DesktopTypeShared    DesktopType = "SHARED"    // a desktop several users share
)

// DesktopSortField is the field desktops are sorted by; it goes with a
// SortType.
type DesktopSortField string

// Desktop sort fields.
const (
	DesktopSortCreated      DesktopSortField = "created"       // by creation time
	DesktopSortComputerName DesktopSortField = "computer_name" // by name
)

// LoginStatus is whether a user is logged in to a desktop.
type LoginStatus string

// Login statuses.
const (
	LoginStatusUnregister   LoginStatus = "UNREGISTER"   // not registered (starting, or shut down)
	LoginStatusRegistered   LoginStatus = "REGISTERED"   // registered, waiting for a user
	LoginStatusConnected    LoginStatus = "CONNECTED"    // a user is logged in
	LoginStatusDisconnected LoginStatus = "DISCONNECTED" // the client's session ended
)

// AttachState is whether a desktop is assigned to a user.
type AttachState string

// Attach states.
const (
	AttachStateAttached                     AttachState = "ATTACHED"                         // assigned
	AttachStateUnattach                     AttachState = "UNATTACH"                         // not assigned
	AttachStateDeattached                   AttachState = "DEATTACHED"                       // unassigned
	AttachStateAttaching                    AttachState = "ATTACHING"                        // being assigned
	AttachStateDeattaching                  AttachState = "DEATTACHING"                      // being unassigned
	AttachStateAttachFail                   AttachState = "ATTACHFAIL"                       // assignment failed
	AttachStateDeattachFail                 AttachState = "DEATTACHFAIL"                     // unassignment failed
	AttachStateWaiting                      AttachState = "WAITING"                          // waiting
	AttachStateAttachFailCanAttachAgain     AttachState = "ATTACH_FAIL_CAN_ATTACH_AGAIN"     // assignment failed, may be tried again
	AttachStateDeattachFailCanDeattachAgain AttachState = "DEATTACH_FAIL_CAN_DEATTACH_AGAIN" // unassignment failed, may be tried again
)

// EncryptType says how a rebuild treats the encryption of system disks.
type EncryptType string

// Encrypt types.
const (
	EncryptTypeKeep        EncryptType = "KEEP"        // as it is
	EncryptTypeUnencrypted EncryptType = "UNENCRYPTED" // not encrypted
	EncryptTypeEncrypted   EncryptType = "ENCRYPTED"   // encrypted with RebuildDesktopPoolRequest.KMSID
)

// Values of ExecuteScriptsRequest.PostFinish.
const (
	PostFinishStop   = "stop"   // shut the desktops down after the scripts
	PostFinishReboot = "reboot" // restart them
)

// Values of AttachedUser.Type.
const (
	AttachedUserTypeUser  = "USER"  // a user
	AttachedUserTypeGroup = "GROUP" // a user group
)

// Tag is a key and a value of a pool or desktop.
type Tag struct {
	Key   string // at most 128 characters
	Value string // at most 43 characters
}

// SecurityGroup is a security group of a pool.
type SecurityGroup struct {
	ID   string // the security group
	Name string // its name
}

// ListDesktopPoolsOptions filters DesktopPoolsService.List. Zero values
// are not sent.
type ListDesktopPoolsOptions struct {
	Name                string   // pools whose name contains it (partial match)
	Type                PoolType // DYNAMIC, STATIC
	EnterpriseProjectID string   // pools of this enterprise project
	InMaintenanceMode   *bool    // pools in (true) or out of (false) maintenance mode; nil: not sent
	Offset              int      // pools to skip, from 0
	Limit               int      // pools per page, 0 to 1000 (0: not sent, the server's default of 1000)
}

// DesktopPool is a desktop pool: its configuration and counts. List and
// Get return the same fields; IsolationNum is Get's only.
type DesktopPool struct {
	ID                  string          // the pool
	Name                string          // its name
	Description         string          // its description
	Type                PoolType        // DYNAMIC, STATIC
	Status              PoolStatus      // STEADY, TEMPORARY, EXIST_FROZEN, UNKNOWN
	CreateTime          time.Time       // created_time, UTC
	ChargeMode          ChargeMode      // charging_mode: "0" yearly/monthly, "1" pay-per-use
	DesktopCount        int             // number of desktops in the pool
	DesktopUsed         int             // number of them assigned to users
	IsolationNum        int             // number of desktops that cannot be connected (Get only)
	Product             Product         // the product (package) its desktops run
	ImageID             string          // the image its desktops run
	ImageName           string          // the image's name
	ImageOSType         string          // OSTypeWindows, OSTypeLinux, ...
	ImageOSVersion      string          // the image's OS version
	ImageOSPlatform     string          // the image's OS platform
	RootVolume          VolumeInfo      // the system disk of its desktops
	DataVolumes         []VolumeInfo    // the data disks of its desktops, with the ids BatchDeleteVolumes takes
	AvailabilityZone    string          // its availability zone
	VPCID               string          // its VPC
	SubnetIDs           []string        // its subnets
	SecurityGroups      []SecurityGroup // its desktops' security groups
	EnableAutoscale     bool            // whether it scales on its own
	InMaintenanceMode   bool            // whether it is in maintenance mode
	EnterpriseProjectID string          // its enterprise project
	Tags                []Tag           // its tags
}

// Product is the product (package) of a pool. CPU, Memory and
// SystemDiskSize are strings as the API sends them.
type Product struct {
	ID             string     // product_id
	FlavorID       string     // the flavour it runs on
	Type           string     // BASE, ...
	Architecture   string     // x86, arm
	PackageType    string     // ultimate, enterprise, general, workstation, dedicated, solver, agile
	SystemDiskType string     // the system disk's type (VolumeTypeSAS, ...)
	Description    string     // descriptions
	CPU            string     // number of vCPUs, e.g. "2"
	Memory         string     // memory in MB, e.g. "4096"
	SystemDiskSize string     // the system disk's size in GB, e.g. "80"
	IsGPU          bool       // whether the flavour has a GPU
	ChargeMode     ChargeMode // "0" yearly/monthly, "1" pay-per-use
}

// ListPoolDesktopsOptions filters DesktopPoolsService.ListDesktops. Zero
// values are not sent.
type ListPoolDesktopsOptions struct {
	InconsistentType  InconsistentType // only the desktops that differ from the pool in this respect
	Status            DesktopStatus    // ACTIVE, SHUTOFF, ERROR, HIBERNATED
	UserNames         []string         // desktops of these users; repeated user_names; at most 100
	ComputerNames     []string         // desktops of these names; repeated computer_names; at most 100
	DesktopIDs        []string         // these desktops; repeated desktop_id; at most 100
	DesktopIP         string           // the desktop of this IP address
	ImageID           string           // desktops running this image
	SubnetID          string           // desktops in this subnet
	AvailabilityZone  string           // desktops in this zone
	TagFilter         string           // tag: "k=v" or "k1=v1,k2=v2"
	DesktopType       DesktopType      // DEDICATED, POOLED, SHARED
	UserAttached      *bool            // desktops assigned (true) or not (false) to a user; nil: not sent
	InMaintenanceMode *bool            // desktops in (true) or out of (false) maintenance mode; nil: not sent
	Isolated          *bool            // desktops isolated (true) or not (false); nil: not sent
	SortField         DesktopSortField // created, computer_name; needs SortType
	SortType          SortType         // ASC, DESC; needs SortField
	Offset            int              // desktops to skip, from 0
	Limit             int              // desktops per page, 0 to 100 (0: not sent, the server's default of 10)
}

// ListDesktopsOptions filters DesktopsService.List. Zero values are not
// sent. Its Limit is the vendor's models' 0 to 500 for this operation
// (desktops/detail); the reference page of the plainer desktop list
// (/desktops), another operation, says 0 to 1000.
type ListDesktopsOptions struct {
	PoolIDs             []string         // desktops of these pools; one pool_id, comma-joined, as the API documents it
	Status              DesktopStatus    // ACTIVE, SHUTOFF, ERROR, HIBERNATED
	UserNames           []string         // desktops of these users; repeated user_names; at most 100
	ComputerNames       []string         // desktops of these names; repeated computer_names; at most 100
	DesktopIDs          []string         // these desktops; repeated desktop_id; at most 100
	DesktopIP           string           // the desktop of this IP address
	ImageID             string           // desktops running this image
	SubnetID            string           // desktops in this subnet
	AvailabilityZone    string           // desktops in this zone
	EnterpriseProjectID string           // desktops of this enterprise project
	TagFilter           string           // tag: "k=v" or "k1=v1,k2=v2"
	DesktopType         DesktopType      // DEDICATED, POOLED, SHARED
	UserAttached        *bool            // desktops assigned (true) or not (false) to a user; nil: not sent
	InMaintenanceMode   *bool            // desktops in (true) or out of (false) maintenance mode; nil: not sent
	SortField           DesktopSortField // created, computer_name; needs SortType
	SortType            SortType         // ASC, DESC; needs SortField
	Offset              int              // desktops to skip, from 0
	Limit               int              // desktops per page, 0 to 500 (0: not sent, the server's default of 500)
}

// Desktop is one desktop, from a desktop list or a pool's.
type Desktop struct {
	ID                  string          // desktop_id
	Name                string          // computer_name
	HostName            string          // os_host_name: the name the OS knows itself by
	SID                 string          // the Windows security identifier
	PoolID              string          // the pool, for ListDesktops (from the path; the API does not send it); "" from Desktops.List
	Type                DesktopType     // DEDICATED, POOLED, SHARED
	Status              DesktopStatus   // ACTIVE, SHUTOFF, ERROR, HIBERNATED, ...
	TaskState           string          // task_status: rebuilding, powering-on, ...; "": no task
	Process             *int            // progress in percent (0 to 100) of the running task; nil: no task
	LoginStatus         LoginStatus     // UNREGISTER, REGISTERED, CONNECTED, DISCONNECTED
	AttachState         AttachState     // ATTACHED, UNATTACH, ...
	ProductID           string          // the product (package) it runs
	FlavorID            string          // the flavour it runs on
	ImageID             string          // the image it runs: metadata "metering.image_id"
	ImageName           string          // the image's name: metadata "image_name"
	OSType              string          // metadata "os_type": OSTypeWindows, OSTypeLinux, ...
	OSVersion           string          // os_version
	IPAddresses         []string        // its IP addresses
	IPv4                string          // the OS's IPv4 address
	IPv6                string          // the OS's IPv6 address
	UserName            string          // the user it belongs to
	AttachedUsers       []AttachedUser  // the users and groups it is assigned to
	CreateTime          time.Time       // created, UTC
	RootVolume          DesktopVolume   // its system disk
	DataVolumes         []DesktopVolume // its data disks
	Tags                []Tag           // its tags
	AvailabilityZone    string          // its availability zone
	SubnetID            string          // its subnet
	EnterpriseProjectID string          // its enterprise project
	InMaintenanceMode   bool            // whether it is in maintenance mode
	Isolated            bool            // whether it is isolated (dynamic pools)
	InconsistentTypes   []string        // ListDesktops only: how it differs from the pool, in the API's words (PRODUCT, IMAGE, ...)
}

// AttachedUser is a user or group a desktop is assigned to.
type AttachedUser struct {
	ID     string // user_id
	Name   string // user_name
	Group  string // user_group: administrators, users, sudo, default
	Domain string // the user's domain
	Type   string // AttachedUserTypeUser or AttachedUserTypeGroup
}

// DesktopVolume is one disk of a desktop.
type DesktopVolume struct {
	ID               string    // the disk record
	VolumeID         string    // the EVS volume
	PoolVolumeID     string    // desktop_pool_disk_id: the pool's VolumeInfo.ID it comes from
	Type             string    // VolumeTypeSAS, VolumeTypeSSD, ...
	Device           string    // its device name, e.g. /dev/vdb
	Name             string    // display_name
	ResourceSpecCode string    // the resource specification code
	KMSID            string    // the KMS key that encrypts it
	Size             int       // GB
	IOPS             int       // input/output operations per second
	Throughput       int       // MiB/s
	CreateTime       time.Time // UTC
}

// RebuildDesktopPoolRequest rebuilds the system disks of a pool's desktops
// onto an image.
type RebuildDesktopPoolRequest struct {
	ImageID     string           // required: the image to rebuild onto
	ImageType   string           // optional: ImageTypeGold, ImageTypePrivate, ...
	OSType      string           // optional: OSTypeWindows, OSTypeLinux, ...
	DelayTime   int              // minutes users get to save their work, 0 to 15; 0: not sent
	Message     string           // shown to users, at most 400 characters
	IsFix       bool             // only the desktops whose image differs from the pool's (repairs a failed image change)
	HandleType  VolumeHandleType // optional: which desktops of the pool it applies to
	EncryptType EncryptType      // optional: KEEP, UNENCRYPTED, ENCRYPTED
	KMSID       string           // the KMS key; required with ENCRYPTED
	DesktopIDs  []string         // optional: only these desktops of the pool
}

// RebuildDesktopPoolResult names the job of a rebuild.
type RebuildDesktopPoolResult struct {
	JobID string // the job's id, for JobsService.Get and Wait
}

// BatchAddVolumesRequest adds data disks to a pool.
type BatchAddVolumesRequest struct {
	Volumes    []VolumeInfo     // 1 to 10 per call; each a Type and a Size (10 to 32760 GB); IOPS, Throughput, KMSID optional
	HandleType VolumeHandleType // optional: which desktops of the pool it applies to
	DesktopIDs []string         // optional: only these desktops, at most 100
}

// BatchAddVolumesResult names the job adding the disks.
type BatchAddVolumesResult struct {
	JobID string // the job's id, for JobsService.Get and Wait
}

// ExecuteScriptsRequest runs scripts of the script library, or a command
// line, on a pool's desktops: ScriptIDs or CommandContent, not both.
type ExecuteScriptsRequest struct {
	ScriptIDs         []string    // the scripts to run; or CommandContent
	CommandContent    string      // the command line to run; or ScriptIDs
	CommandType       CommandType // POWERSHELL, BAT, SHELL: required with CommandContent
	DesktopIDs        []string    // only these desktops of the pool; empty: all
	GrayCount         int         // size of a first batch run before the rest; 0: not sent (takes precedence over GrayDesktopIDs)
	GrayDesktopIDs    []string    // the desktops of the first batch
	GrayFailThreshold int         // failures in the first batch that stop the rest; 0: not sent
	PreStart          string      // a step before the scripts
	PostFinish        string      // a step after them: PostFinishStop or PostFinishReboot
	ExecutionTimeout  int         // minutes a script may run; 0: not sent (the API's default of 1)
}

// ExecuteScriptsResult names the script execution task started: not a
// job, but a ScriptExecutionTask listed by ListScriptExecutionTasks with
// TaskIDs.
type ExecuteScriptsResult struct {
	TaskID string // a ScriptExecutionTask's ID
}

// BatchCreateSnapshotsRequest snapshots the disks of up to 100 desktops.
type BatchCreateSnapshotsRequest struct {
	DesktopIDs []string     // 1 to 100 per call
	DiskType   DiskType     // SYSTEM_DISK, DATA_DISKS, ALL; "": not sent
	SystemDisk SnapshotSpec // name and description of the system disks' snapshots; zero: not sent
	DataDisk   SnapshotSpec // those of the data disks' snapshots; zero: not sent
}

// SnapshotSpec names the snapshots of one kind of disk. In a batch the
// API names each snapshot desktop name + Name + a timestamp.
type SnapshotSpec struct {
	Name        string // the snapshots' name
	Description string // their description
}

// BatchSnapshotsResult names the job of a snapshot batch.
type BatchSnapshotsResult struct {
	JobID string // the job's id, for JobsService.Get and Wait
}

// ListSubJobsOptions filters JobsService.ListSubJobs: give JobID or
// JobType. The vendor's reference only recommends one of the two; a list
// of every sub-job of the project is not what a caller means, so this SDK
// requires one.
type ListSubJobsOptions struct {
	JobID         string    // the sub-jobs of this job
	JobType       string    // sub-jobs of this type (createDesktops, addVolumes, rebuildDesktops, ...)
	DesktopPoolID string    // sub-jobs acting on this pool
	Status        JobStatus // SUCCESS, RUNNING, FAILED, WAITING
	Offset        int       // sub-jobs to skip, from 0
	Limit         int       // sub-jobs per page, 0 to 1000 (0: not sent, the server's default of 1000)
}
