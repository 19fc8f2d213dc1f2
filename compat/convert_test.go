package compat

import (
	"testing"
	"time"

	"github.com/huaweicloud/huaweicloud-sdk-go-v3/services/workspace/v2/model"
	"github.com/stretchr/testify/require"

	"github.com/hwcloud-go/workspace"
)

// The vendor's models hold pointers and keep times as strings; these turn
// them into this SDK's types so that the two clients' decoded answers can
// be compared with one assert.Equal. A time string is parsed here the way
// a user of the vendor SDK would (RFC 3339); a failure fails the test.

func str(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

func num(p *int32) int {
	if p == nil {
		return 0
	}
	return int(*p)
}

func vendorTime(t *testing.T, p *string) time.Time {
	t.Helper()
	if p == nil || *p == "" {
		return time.Time{}
	}
	v, err := time.Parse(time.RFC3339Nano, *p)
	require.NoError(t, err, "vendor time %q", *p)
	return v.UTC()
}

func fromVendorStats(r *model.ListInconsistentStaticsResponse) *workspace.InconsistentStatistics {
	return &workspace.InconsistentStatistics{
		ProductID: num(r.ProductId), ImageID: num(r.ImageId), DiskNum: num(r.DiskNum), DiskSize: num(r.DiskSize),
	}
}

func fromVendorTasks(t *testing.T, r *model.ShowDesktopPoolsScriptExecTasksResponse) *workspace.Page[workspace.ScriptExecutionTask] {
	t.Helper()
	p := &workspace.Page[workspace.ScriptExecutionTask]{TotalCount: num(r.TotalCount), Items: []workspace.ScriptExecutionTask{}}
	if r.ScriptExecutionTasks == nil {
		return p
	}
	for _, v := range *r.ScriptExecutionTasks {
		task := workspace.ScriptExecutionTask{
			ID: str(v.Id), DesktopPoolID: str(v.DesktopPoolId), DesktopPoolName: str(v.DesktopPoolName),
			CommandContent: str(v.CommandContent), CommandType: workspace.CommandType(str(v.CommandType)),
			StartTime: vendorTime(t, v.StartTime), EndTime: vendorTime(t, v.EndTime),
			SuccessNum: num(v.SuccessNum), FailedNum: num(v.FailedNum), SkipNum: num(v.SkipNum),
		}
		if v.Status != nil {
			task.Status = workspace.TaskStatus(v.Status.Value())
		}
		if v.Scripts != nil {
			task.Scripts = make([]workspace.Script, 0, len(*v.Scripts))
			for _, s := range *v.Scripts {
				task.Scripts = append(task.Scripts, workspace.Script{ID: str(s.Id), Name: str(s.Name)})
			}
		}
		p.Items = append(p.Items, task)
	}
	return p
}

func fromVendorSnapshots(t *testing.T, r *model.ListDesktopSnapshotResponse) *workspace.Page[workspace.Snapshot] {
	t.Helper()
	p := &workspace.Page[workspace.Snapshot]{TotalCount: num(r.TotalCount), Items: []workspace.Snapshot{}}
	if r.DesktopSnapshots == nil {
		return p
	}
	for _, v := range *r.DesktopSnapshots {
		s := workspace.Snapshot{
			ID: str(v.SnapshotId), Name: str(v.SnapshotName), DesktopID: str(v.DesktopId),
			DesktopName: str(v.DesktopName), DesktopSID: str(v.DesktopSid), DesktopPoolID: str(v.DesktopPoolId),
			IsSystemDisk: v.IsSystemDisk != nil && *v.IsSystemDisk, Status: workspace.SnapshotStatus(str(v.Status)),
			Description: str(v.Description), CreateTime: vendorTime(t, v.CreateTime),
			LastRestoreTime: vendorTime(t, v.LastRestoreTime), RestoreFailReason: str(v.RestoreFailReason),
		}
		if v.Process != nil {
			n := int(*v.Process)
			s.Process = &n
		}
		if v.CreateType != nil {
			s.CreateType = workspace.CreateType(v.CreateType.Value())
		}
		p.Items = append(p.Items, s)
	}
	return p
}

func fromVendorImages(r *model.CheckDesktopImagesResponse) []workspace.DesktopImageInfo {
	out := []workspace.DesktopImageInfo{}
	if r.ImageInfos == nil {
		return out
	}
	for _, v := range *r.ImageInfos {
		out = append(out, workspace.DesktopImageInfo{
			DesktopID: str(v.DesktopId), ImageID: str(v.ImageId), ImageName: str(v.ImageName),
			ImageType: str(v.ImageType), OSType: str(v.OsType),
		})
	}
	return out
}

func fromVendorJob(t *testing.T, r *model.ShowJobResponse) *workspace.Job {
	t.Helper()
	j := &workspace.Job{
		ID: str(r.Id), Type: str(r.JobType), Status: workspace.JobStatus(str(r.Status)),
		ErrorCode: str(r.JobErrorCode), FailReason: str(r.FailReason),
		BeginTime: vendorTime(t, r.BeginTime), EndTime: vendorTime(t, r.EndTime), SubJobsTotal: num(r.SubJobsTotal),
	}
	if r.SubJobs == nil {
		return j
	}
	for _, v := range *r.SubJobs {
		sj := workspace.SubJob{
			ID: str(v.Id), Type: str(v.JobType), Status: workspace.JobStatus(str(v.Status)),
			ErrorCode: str(v.ErrorCode), FailReason: str(v.FailReason),
			BeginTime: vendorTime(t, v.BeginTime), EndTime: vendorTime(t, v.EndTime),
			Host: str(v.Host), ProjectID: str(v.ProjectId), JobID: str(v.JobId), Process: num(v.Process),
			AttachUser: str(v.AttachUser), Entity: str(v.Entity), SubJobIPAddress: str(v.IpAddress),
			// v0.1.207's model has no desktop_name, mac_address or message
			// beside entities: see withoutVendorlessFields.
		}
		if e := v.Entities; e != nil {
			sj.DesktopID, sj.ProductID, sj.UserName = str(e.DesktopId), str(e.ProductId), str(e.UserName)
			sj.DesktopName, sj.IPAddress = str(e.DesktopName), str(e.IpAddress)
		}
		j.SubJobs = append(j.SubJobs, sj)
	}
	return j
}

// withoutVendorlessFields returns a copy of j without the sub-job fields
// the vendor's model (v0.1.207) does not have but its OpenAPI definition
// lists and ours keeps: the sub-job's own desktop_name, mac_address and
// message. A deliberate difference: ours decodes more of the answer.
func withoutVendorlessFields(j *workspace.Job) *workspace.Job {
	c := *j
	c.SubJobs = append([]workspace.SubJob(nil), j.SubJobs...)
	for i := range c.SubJobs {
		c.SubJobs[i].SubJobDesktopName, c.SubJobs[i].MACAddress, c.SubJobs[i].Message = "", "", ""
	}
	return &c
}
