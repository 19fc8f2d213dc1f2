package workspace

import "github.com/hwcloud-go/workspace/internal/wire"

// Conversions between the public types and their JSON forms in
// internal/wire, which holds every JSON name.

// statisticsWire is s as its wire form, to decode into: the two have the
// same fields, so the one allocation of a call is the result itself.
func statisticsWire(s *InconsistentStatistics) *wire.Statistics { return (*wire.Statistics)(s) }

func (req *BatchDeleteVolumesRequest) wire() *wire.BatchDeleteRequest {
	w := &wire.BatchDeleteRequest{
		Volumes:    make([]wire.Volume, len(req.Volumes)),
		HandleType: string(req.HandleType),
		DesktopIDs: req.DesktopIDs,
	}
	for i, v := range req.Volumes {
		w.Volumes[i] = wire.Volume(v)
	}
	return w
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
		ws := &w.SubJobs[i]
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
		j.SubJobs[i] = sj
	}
	return j
}
