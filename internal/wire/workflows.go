package wire

// The JSON forms of the operations around the first five: pools and their
// desktops, desktop lists, the snapshot lifecycle and sub-jobs. Names are
// the vendor's API reference's and its Go SDK models' (v0.1.207).

import (
	"encoding/json"
	"strings"
)

// PoolPage is the answer of GET .../desktop-pools.
type PoolPage struct {
	Pools      []Pool `json:"desktop_pools"`
	TotalCount int    `json:"total_count"`
}

// Pool is one desktop pool, in a PoolPage or as the whole answer of GET
// .../desktop-pools/{pool_id} (which is not wrapped in an object).
type Pool struct {
	ID                  string          `json:"id"`
	Name                string          `json:"name"`
	Type                string          `json:"type"`
	Description         string          `json:"description"`
	CreatedTime         Time            `json:"created_time"`
	ChargingMode        string          `json:"charging_mode"`
	DesktopCount        int             `json:"desktop_count"`
	DesktopUsed         int             `json:"desktop_used"`
	AvailabilityZone    string          `json:"availability_zone"`
	SubnetIDs           []string        `json:"subnet_ids"`
	Product             *Product        `json:"product,omitempty"`
	ImageID             string          `json:"image_id"`
	ImageName           string          `json:"image_name"`
	ImageOSType         string          `json:"image_os_type"`
	ImageOSVersion      string          `json:"image_os_version"`
	ImageOSPlatform     string          `json:"image_os_platform"`
	RootVolume          *Volume         `json:"root_volume,omitempty"`
	DataVolumes         []Volume        `json:"data_volumes"`
	SecurityGroups      []SecurityGroup `json:"security_groups"`
	EnableAutoscale     bool            `json:"enable_autoscale"`
	Status              string          `json:"status"`
	EnterpriseProjectID string          `json:"enterprise_project_id"`
	InMaintenanceMode   bool            `json:"in_maintenance_mode"`
	Tags                []Tag           `json:"tags"`
	VPCID               string          `json:"vpc_id"`
	IsolationNum        int             `json:"isolation_num"`
}

// Product is a pool's or a desktop's product (package). CPU, memory and
// the system disk's size come as strings.
type Product struct {
	ProductID      string `json:"product_id"`
	FlavorID       string `json:"flavor_id"`
	Type           string `json:"type"`
	CPU            string `json:"cpu"`
	Memory         string `json:"memory"`
	Descriptions   string `json:"descriptions"`
	ChargeMode     string `json:"charge_mode"`
	Architecture   string `json:"architecture"`
	IsGPU          bool   `json:"is_gpu"`
	PackageType    string `json:"package_type"`
	SystemDiskType string `json:"system_disk_type"`
	SystemDiskSize string `json:"system_disk_size"`
}

// SecurityGroup is one security group of a pool.
type SecurityGroup struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// Tag is a key and a value.
type Tag struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// DesktopPage is the answer of GET .../desktops/detail.
type DesktopPage struct {
	Desktops   []Desktop `json:"desktops"`
	TotalCount int       `json:"total_count"`
}

// PoolDesktopPage is the answer of GET .../desktop-pools/{pool_id}/desktops.
type PoolDesktopPage struct {
	Desktops   []Desktop `json:"pool_desktops"`
	TotalCount int       `json:"total_count"`
}

// Desktop is one desktop of a DesktopPage or a PoolDesktopPage.
type Desktop struct {
	DesktopID           string            `json:"desktop_id"`
	ComputerName        string            `json:"computer_name"`
	OSHostName          string            `json:"os_host_name"`
	IPAddresses         []string          `json:"ip_addresses"`
	IPv4                string            `json:"ipv4"`
	IPv6                string            `json:"ipv6"`
	DesktopType         string            `json:"desktop_type"`
	Metadata            map[string]string `json:"metadata"`
	Flavor              *Flavor           `json:"flavor,omitempty"`
	Status              string            `json:"status"`
	TaskStatus          string            `json:"task_status"`
	InMaintenanceMode   bool              `json:"in_maintenance_mode"`
	Created             Time              `json:"created"`
	LoginStatus         string            `json:"login_status"`
	UserName            string            `json:"user_name"`
	AttachUserInfos     []AttachUser      `json:"attach_user_infos"`
	ProductID           string            `json:"product_id"`
	RootVolume          *DesktopVolume    `json:"root_volume,omitempty"`
	DataVolumes         []DesktopVolume   `json:"data_volumes"`
	AvailabilityZone    string            `json:"availability_zone"`
	OSVersion           string            `json:"os_version"`
	SID                 string            `json:"sid"`
	Tags                []Tag             `json:"tags"`
	AttachState         string            `json:"attach_state"`
	EnterpriseProjectID string            `json:"enterprise_project_id"`
	SubnetID            string            `json:"subnet_id"`
	Process             *int              `json:"process"`
	Isolated            bool              `json:"isolated"`
	InconsistentTypes   []string          `json:"inconsistent_types,omitempty"`
}

// Metadata keys of a Desktop that the SDK reads.
const (
	MetaImageID   = "metering.image_id"
	MetaImageName = "image_name"
	MetaOSType    = "os_type"
)

// Flavor is a desktop's flavour.
type Flavor struct {
	ID string `json:"id"`
}

// AttachUser is a user or group a desktop is assigned to.
type AttachUser struct {
	UserID    string `json:"user_id"`
	UserName  string `json:"user_name"`
	Domain    string `json:"domain"`
	UserGroup string `json:"user_group"`
	Type      string `json:"type"`
}

// DesktopVolume is one disk of a desktop.
type DesktopVolume struct {
	ID                string `json:"id"`
	VolumeID          string `json:"volume_id"`
	DesktopPoolDiskID string `json:"desktop_pool_disk_id"`
	Type              string `json:"type"`
	Size              int    `json:"size"`
	IOPS              int    `json:"iops"`
	Throughput        int    `json:"throughput"`
	Device            string `json:"device"`
	DisplayName       string `json:"display_name"`
	ResourceSpecCode  string `json:"resource_spec_code"`
	KMSID             string `json:"kms_id"`
	CreateTime        Time   `json:"create_time"`
}

// RebuildRequest is the body of POST .../desktop-pools/{pool_id}/rebuild.
type RebuildRequest struct {
	ImageID     string   `json:"image_id"`
	ImageType   string   `json:"image_type,omitempty"`
	OSType      string   `json:"os_type,omitempty"`
	DelayTime   int      `json:"delay_time,omitempty"`
	Message     string   `json:"message,omitempty"`
	IsFix       bool     `json:"is_fix,omitempty"`
	HandleType  string   `json:"handle_type,omitempty"`
	EncryptType string   `json:"encrypt_type,omitempty"`
	KMSID       string   `json:"kms_id,omitempty"`
	DesktopIDs  []string `json:"desktop_ids,omitempty"`
}

// AddVolumesRequest is the body of POST .../volumes/batch-add.
type AddVolumesRequest struct {
	Volumes    []Volume `json:"volumes"`
	HandleType string   `json:"handle_type,omitempty"`
	DesktopIDs []string `json:"desktop_ids,omitempty"`
}

// ExecuteScriptsRequest is the body of POST .../script-executions.
type ExecuteScriptsRequest struct {
	ScriptIDs         []string `json:"script_ids,omitempty"`
	CommandContent    string   `json:"command_content,omitempty"`
	CommandType       string   `json:"command_type,omitempty"`
	DesktopIDs        []string `json:"desktop_ids,omitempty"`
	GrayCount         int      `json:"gray_count,omitempty"`
	GrayDesktopIDs    []string `json:"gray_desktop_ids,omitempty"`
	GrayFailThreshold int      `json:"gray_fail_threshold,omitempty"`
	PreStart          string   `json:"pre_start,omitempty"`
	PostFinish        string   `json:"post_finish,omitempty"`
	ExecutionTimeout  int      `json:"execution_timeout,omitempty"`
}

// TaskRef is the answer of POST .../script-executions.
type TaskRef struct {
	TaskID string `json:"task_id"`
}

// UnmarshalJSON refuses an answer without a task_id, as JobRef's does
// without a job_id.
func (r *TaskRef) UnmarshalJSON(data []byte) error {
	type plain TaskRef
	var p plain
	if err := json.Unmarshal(data, &p); err != nil {
		return err
	}
	if strings.TrimSpace(p.TaskID) == "" {
		return errNoID("task_id")
	}
	*r = TaskRef(p)
	return nil
}

// CreateSnapshotsRequest is the body of POST .../snapshots/batch-create.
type CreateSnapshotsRequest struct {
	DesktopIDs []string      `json:"desktop_ids"`
	DiskType   string        `json:"disk_type,omitempty"`
	SystemDisk *SnapshotSpec `json:"system_disk_snapshot,omitempty"`
	DataDisk   *SnapshotSpec `json:"data_disk_snapshot,omitempty"`
}

// SnapshotSpec names the snapshots of one kind of disk.
type SnapshotSpec struct {
	Name        string `json:"name,omitempty"`
	Description string `json:"description,omitempty"`
}

// SnapshotIDsRequest is the body of POST .../snapshots/batch-delete and
// .../snapshots/batch-restore.
type SnapshotIDsRequest struct {
	SnapshotIDs []string `json:"snapshot_ids"`
}

// SubJobPage is the answer of GET .../workspace-sub-jobs.
type SubJobPage struct {
	SubJobs    []SubJob `json:"jobs"`
	TotalCount int      `json:"total_count"`
}
