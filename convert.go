package workspace

import "github.com/hwcloud-go/workspace/internal/wire"

// Conversions between the public types and their JSON forms in
// internal/wire, which holds every JSON name.

// statisticsWire is s as its wire form, to decode into: the two have the
// same fields, so the one allocation of a call is the result itself.
func statisticsWire(s *InconsistentStatistics) *wire.Statistics { return (*wire.Statistics)(s) }

func (req *BatchDeleteVolumesRequest) wire() *wire.BatchDeleteRequest {
	return &wire.BatchDeleteRequest{Volumes: volumesToWire(req.Volumes), HandleType: string(req.HandleType), DesktopIDs: req.DesktopIDs}
}

func imagesFromWire(w []wire.ImageInfo) []DesktopImageInfo {
	out := make([]DesktopImageInfo, len(w))
	for i, im := range w {
		out[i] = DesktopImageInfo(im)
	}
	return out
}

func taskFromWire(w *wire.Task) ScriptExecutionTask {
	var scripts []Script
	if w.Scripts != nil {
		scripts = make([]Script, len(w.Scripts))
		for i, sc := range w.Scripts {
			scripts[i] = Script(sc)
		}
	}
	return ScriptExecutionTask{
		ID: w.ID, DesktopPoolID: w.DesktopPoolID, DesktopPoolName: w.DesktopPoolName,
		Scripts: scripts, CommandContent: w.CommandContent, CommandType: CommandType(w.CommandType),
		StartTime: w.StartTime.Time(), EndTime: w.EndTime.Time(), Status: TaskStatus(w.Status),
		SuccessNum: w.SuccessNum, FailedNum: w.FailedNum, SkipNum: w.SkipNum,
	}
}

// snapshotFields points at the fields of s, for the fast path to decode
// into as snapshotFromWire would convert.
func snapshotFields(s *Snapshot) wire.SnapshotFields {
	return wire.SnapshotFields{
		ID: &s.ID, Name: &s.Name, DesktopID: &s.DesktopID, DesktopName: &s.DesktopName, DesktopSID: &s.DesktopSID,
		DesktopPoolID: &s.DesktopPoolID, IsSystemDisk: &s.IsSystemDisk, Status: (*string)(&s.Status), Process: &s.Process,
		Description: &s.Description, CreateTime: &s.CreateTime, LastRestoreTime: &s.LastRestoreTime,
		CreateType: (*string)(&s.CreateType), RestoreFailReason: &s.RestoreFailReason,
	}
}

func snapshotFromWire(w *wire.Snapshot) Snapshot {
	return Snapshot{
		ID: w.ID, Name: w.Name, DesktopID: w.DesktopID, DesktopName: w.DesktopName,
		DesktopSID: w.DesktopSID, DesktopPoolID: w.DesktopPoolID, IsSystemDisk: w.IsSystemDisk,
		Status: SnapshotStatus(w.Status), Process: w.Process, Description: w.Description,
		CreateTime: w.CreateTime.Time(), LastRestoreTime: w.LastRestoreTime.Time(),
		CreateType: CreateType(w.CreateType), RestoreFailReason: w.RestoreFailReason,
	}
}

func jobFromWire(w *wire.Job) *Job {
	j := &Job{
		ID: w.ID, Type: w.Type, Status: JobStatus(w.Status), ErrorCode: w.ErrorCode, FailReason: w.FailReason,
		BeginTime: w.BeginTime.Time(), EndTime: w.EndTime.Time(), SubJobsTotal: w.SubJobsTotal,
	}
	if len(w.SubJobs) > 0 {
		j.SubJobs = make([]SubJob, len(w.SubJobs))
	}
	for i := range w.SubJobs {
		j.SubJobs[i] = subJobFromWire(&w.SubJobs[i])
	}
	return j
}

func subJobFromWire(ws *wire.SubJob) SubJob {
	sj := SubJob{
		ID: ws.ID, Type: ws.Type, Status: JobStatus(ws.Status), ErrorCode: ws.ErrorCode, FailReason: ws.FailReason,
		BeginTime: ws.BeginTime.Time(), EndTime: ws.EndTime.Time(), Host: ws.Host,
		ProjectID: ws.ProjectID, JobID: ws.JobID, Process: int(ws.Process),
		AttachUser: ws.AttachUser, Entity: ws.Entity, SubJobIPAddress: ws.IPAddress,
		SubJobDesktopName: ws.DesktopName, MACAddress: ws.MACAddress, Message: ws.Message,
	}
	if e := ws.Entities; e != nil {
		sj.DesktopID, sj.ProductID, sj.UserName = e.DesktopID, e.ProductID, e.UserName
		sj.DesktopName, sj.IPAddress = e.DesktopName, e.IPAddress
	}
	return sj
}

func volumesToWire(vs []VolumeInfo) []wire.Volume {
	out := make([]wire.Volume, len(vs))
	for i, v := range vs {
		out[i] = wire.Volume(v)
	}
	return out
}

func volumesFromWire(ws []wire.Volume) []VolumeInfo {
	if ws == nil {
		return nil
	}
	out := make([]VolumeInfo, len(ws))
	for i, v := range ws {
		out[i] = VolumeInfo(v)
	}
	return out
}

func tagsFromWire(ws []wire.Tag) []Tag {
	if ws == nil {
		return nil
	}
	out := make([]Tag, len(ws))
	for i, t := range ws {
		out[i] = Tag(t)
	}
	return out
}

func poolFromWire(w *wire.Pool) DesktopPool {
	p := DesktopPool{
		ID: w.ID, Name: w.Name, Description: w.Description, Type: PoolType(w.Type), Status: PoolStatus(w.Status),
		CreateTime: w.CreatedTime.Time(), ChargeMode: ChargeMode(w.ChargingMode),
		DesktopCount: w.DesktopCount, DesktopUsed: w.DesktopUsed, IsolationNum: w.IsolationNum,
		ImageID: w.ImageID, ImageName: w.ImageName, ImageOSType: w.ImageOSType,
		ImageOSVersion: w.ImageOSVersion, ImageOSPlatform: w.ImageOSPlatform,
		DataVolumes: volumesFromWire(w.DataVolumes), AvailabilityZone: w.AvailabilityZone, VPCID: w.VPCID,
		SubnetIDs: w.SubnetIDs, EnableAutoscale: w.EnableAutoscale, InMaintenanceMode: w.InMaintenanceMode,
		EnterpriseProjectID: w.EnterpriseProjectID, Tags: tagsFromWire(w.Tags),
	}
	if w.Product != nil {
		pr := w.Product
		p.Product = Product{
			ID: pr.ProductID, FlavorID: pr.FlavorID, Type: pr.Type, Architecture: pr.Architecture,
			PackageType: pr.PackageType, SystemDiskType: pr.SystemDiskType, Description: pr.Descriptions,
			CPU: pr.CPU, Memory: pr.Memory, SystemDiskSize: pr.SystemDiskSize, IsGPU: pr.IsGPU,
			ChargeMode: ChargeMode(pr.ChargeMode),
		}
	}
	if w.RootVolume != nil {
		p.RootVolume = VolumeInfo(*w.RootVolume)
	}
	if w.SecurityGroups != nil {
		p.SecurityGroups = make([]SecurityGroup, len(w.SecurityGroups))
		for i, sg := range w.SecurityGroups {
			p.SecurityGroups[i] = SecurityGroup(sg)
		}
	}
	return p
}

func desktopVolumeFromWire(w *wire.DesktopVolume) DesktopVolume {
	return DesktopVolume{
		ID: w.ID, VolumeID: w.VolumeID, PoolVolumeID: w.DesktopPoolDiskID, Type: w.Type, Device: w.Device,
		Name: w.DisplayName, ResourceSpecCode: w.ResourceSpecCode, KMSID: w.KMSID, Size: w.Size,
		IOPS: w.IOPS, Throughput: w.Throughput, CreateTime: w.CreateTime.Time(),
	}
}

// desktopFromWire converts a desktop of a list; poolID is the pool of the
// path it was listed under ("" for the project's list).
func desktopFromWire(w *wire.Desktop, poolID string) Desktop {
	d := Desktop{
		ID: w.DesktopID, Name: w.ComputerName, HostName: w.OSHostName, SID: w.SID, PoolID: poolID,
		Type: DesktopType(w.DesktopType), Status: DesktopStatus(w.Status), TaskState: w.TaskStatus,
		Process: w.Process, LoginStatus: LoginStatus(w.LoginStatus), AttachState: AttachState(w.AttachState),
		ProductID: w.ProductID, ImageID: w.Metadata[wire.MetaImageID], ImageName: w.Metadata[wire.MetaImageName],
		OSType: w.Metadata[wire.MetaOSType], OSVersion: w.OSVersion, IPAddresses: w.IPAddresses,
		IPv4: w.IPv4, IPv6: w.IPv6, UserName: w.UserName, CreateTime: w.Created.Time(),
		Tags: tagsFromWire(w.Tags), AvailabilityZone: w.AvailabilityZone, SubnetID: w.SubnetID,
		EnterpriseProjectID: w.EnterpriseProjectID, InMaintenanceMode: w.InMaintenanceMode,
		Isolated: w.Isolated, InconsistentTypes: w.InconsistentTypes,
	}
	if w.Flavor != nil {
		d.FlavorID = w.Flavor.ID
	}
	if w.AttachUserInfos != nil {
		d.AttachedUsers = make([]AttachedUser, len(w.AttachUserInfos))
		for i, u := range w.AttachUserInfos {
			d.AttachedUsers[i] = AttachedUser{ID: u.UserID, Name: u.UserName, Group: u.UserGroup, Domain: u.Domain, Type: u.Type}
		}
	}
	if w.RootVolume != nil {
		d.RootVolume = desktopVolumeFromWire(w.RootVolume)
	}
	if w.DataVolumes != nil {
		d.DataVolumes = make([]DesktopVolume, len(w.DataVolumes))
		for i := range w.DataVolumes {
			d.DataVolumes[i] = desktopVolumeFromWire(&w.DataVolumes[i])
		}
	}
	return d
}

func (req *RebuildDesktopPoolRequest) wire() *wire.RebuildRequest {
	return &wire.RebuildRequest{
		ImageID: req.ImageID, ImageType: req.ImageType, OSType: req.OSType, DelayTime: req.DelayTime,
		Message: req.Message, IsFix: req.IsFix, HandleType: string(req.HandleType),
		EncryptType: string(req.EncryptType), KMSID: req.KMSID, DesktopIDs: req.DesktopIDs,
	}
}

func (req *BatchAddVolumesRequest) wire() *wire.AddVolumesRequest {
	return &wire.AddVolumesRequest{Volumes: volumesToWire(req.Volumes), HandleType: string(req.HandleType), DesktopIDs: req.DesktopIDs}
}

func (req *ExecuteScriptsRequest) wire() *wire.ExecuteScriptsRequest {
	return &wire.ExecuteScriptsRequest{
		ScriptIDs: req.ScriptIDs, CommandContent: req.CommandContent, CommandType: string(req.CommandType),
		DesktopIDs: req.DesktopIDs, GrayCount: req.GrayCount, GrayDesktopIDs: req.GrayDesktopIDs,
		GrayFailThreshold: req.GrayFailThreshold, PreStart: req.PreStart, PostFinish: req.PostFinish,
		ExecutionTimeout: req.ExecutionTimeout,
	}
}

func (req *BatchCreateSnapshotsRequest) wire() *wire.CreateSnapshotsRequest {
	w := &wire.CreateSnapshotsRequest{DesktopIDs: req.DesktopIDs, DiskType: string(req.DiskType)}
	if req.SystemDisk != (SnapshotSpec{}) {
		w.SystemDisk = &wire.SnapshotSpec{Name: req.SystemDisk.Name, Description: req.SystemDisk.Description}
	}
	if req.DataDisk != (SnapshotSpec{}) {
		w.DataDisk = &wire.SnapshotSpec{Name: req.DataDisk.Name, Description: req.DataDisk.Description}
	}
	return w
}
