package compat

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	vendorws "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/workspace/v2"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/services/workspace/v2/model"
	"github.com/hwcloud-go/workspace"
	"github.com/hwcloud-go/workspace/workspacetest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fixture holds ids and names of the fake's demo data that the cases use.
type fixture struct {
	poolID        string
	volumeIDs     []string // of poolID's configuration
	desktopIDs    []string
	desktopNames  []string
	snapshotNames []string
	taskIDs       []string
	scriptID      string
	scriptName    string
	jobID         string
	imageID       string   // an image other than poolID's, to rebuild onto
	snapshotIDs   []string // of the first snapshots
	execStart     time.Time
	execEnd       time.Time
}

// fullJob is a job with every field the API sends, added to the fake for
// the ShowJob cases.
func fullJob() workspace.Job {
	t0 := time.Date(2026, 2, 10, 8, 30, 0, 0, time.UTC)
	return workspace.Job{
		ID: "job-compat-1", Type: "BATCH_DELETE_POOL_VOLUMES", Status: workspace.JobStatusSuccess,
		ErrorCode: "", FailReason: "", BeginTime: t0, EndTime: t0.Add(90 * time.Second), SubJobsTotal: 2,
		SubJobs: []workspace.SubJob{
			{
				ID: "sub-1", Type: "DELETE_POOL_VOLUME", Status: workspace.JobStatusSuccess,
				BeginTime: t0, EndTime: t0.Add(30 * time.Second), Host: "cn-north-4a", ProjectID: workspacetest.DefaultProjectID,
				JobID: "job-compat-1", Process: 100,
				DesktopID: "d-1", ProductID: "workspace.x86.ultimate.large2", UserName: "alice", DesktopName: "pool-a-001",
				IPAddress: "192.168.0.11", AttachUser: "alice", Entity: "volume v-1", SubJobIPAddress: "192.168.0.11",
				SubJobDesktopName: "pool-a-001", MACAddress: "fa:16:3e:00:00:01", Message: "deleted",
			},
			{
				ID: "sub-2", Type: "DELETE_POOL_VOLUME", Status: workspace.JobStatusFailed, ErrorCode: "WKS.00010004",
				FailReason: "volume not found", BeginTime: t0, Host: "cn-north-4b", ProjectID: workspacetest.DefaultProjectID,
				JobID: "job-compat-1", Process: 40,
				DesktopID: "d-2", ProductID: "workspace.x86.ultimate.large2", UserName: "bob", DesktopName: "pool-a-002",
				IPAddress: "192.168.0.12", AttachUser: "bob", Entity: "volume v-2", SubJobIPAddress: "192.168.0.12",
				SubJobDesktopName: "pool-a-002", MACAddress: "fa:16:3e:00:00:02", Message: "volume not found",
			},
		},
	}
}

// newFixture reads the ids the cases need from a demo fake, and adds the
// job of the ShowJob cases.
func newFixture(t *testing.T, srv *workspacetest.Server) fixture {
	t.Helper()
	f := fixture{}
	pools := srv.Pools()
	f.poolID = pools[0].ID
	for _, v := range pools[0].Volumes {
		f.volumeIDs = append(f.volumeIDs, v.ID)
	}
	for i, d := range srv.Desktops("") {
		if i%7 == 0 {
			f.desktopIDs = append(f.desktopIDs, d.ID)
			f.desktopNames = append(f.desktopNames, d.Name)
		}
	}
	snaps := srv.Snapshots()
	f.snapshotNames = []string{snaps[3].Name, snaps[40].Name, snaps[41].Name}
	f.snapshotIDs = []string{snaps[0].ID, snaps[1].ID, snaps[2].ID}
	for _, im := range srv.Images() {
		if im.ID != pools[0].ImageID {
			f.imageID = im.ID
			break
		}
	}
	tasks := srv.ScriptTasks()
	f.taskIDs = []string{tasks[1].ID, tasks[5].ID, tasks[9].ID}
	for _, task := range tasks {
		if len(task.Scripts) > 0 {
			f.scriptID, f.scriptName = task.Scripts[0].ID, task.Scripts[0].Name
			break
		}
	}
	f.execStart = tasks[len(tasks)/2].StartTime.Add(-time.Hour)
	f.execEnd = tasks[len(tasks)/2].StartTime.Add(48 * time.Hour)
	f.jobID = srv.AddJob(fullJob()).ID
	return f
}

// opCase is one call made with both clients, from the same inputs. ours
// and vendor return the decoded answer as this SDK's type (the vendor's
// converted), or the error.
type opCase struct {
	name   string
	op     workspacetest.Operation
	ours   func(ctx context.Context, c *workspace.Client) (any, error)
	vendor func(t *testing.T, vc *vendorws.WorkspaceClient) (any, error)
}

func ptr[T any](v T) *T { return &v }

// vendorTasksRequest is the vendor's request for the same options.
func vendorTasksRequest(o *workspace.ListScriptExecutionTasksOptions) *model.ShowDesktopPoolsScriptExecTasksRequest {
	r := &model.ShowDesktopPoolsScriptExecTasksRequest{}
	if o == nil {
		return r
	}
	setStr := func(dst **string, v string) {
		if v != "" {
			*dst = ptr(v)
		}
	}
	setStr(&r.DesktopPoolId, o.DesktopPoolID)
	setStr(&r.ScriptId, o.ScriptID)
	setStr(&r.ScriptName, o.ScriptName)
	setStr(&r.Status, string(o.Status))
	setStr(&r.TaskType, string(o.TaskType))
	if o.Offset != 0 {
		r.Offset = ptr(int32(o.Offset))
	}
	if o.Limit != 0 {
		r.Limit = ptr(int32(o.Limit))
	}
	if !o.ExecuteTimeStart.IsZero() {
		r.ExecuteTimeStart = ptr(o.ExecuteTimeStart.UTC().Format("2006-01-02T15:04:05Z"))
	}
	if !o.ExecuteTimeEnd.IsZero() {
		r.ExecuteTimeEnd = ptr(o.ExecuteTimeEnd.UTC().Format("2006-01-02T15:04:05Z"))
	}
	if len(o.TaskIDs) > 0 {
		r.TaskId = ptr(append([]string(nil), o.TaskIDs...))
	}
	return r
}

// vendorSnapshotsRequest is the vendor's request for the same options.
func vendorSnapshotsRequest(o *workspace.ListSnapshotsOptions) *model.ListDesktopSnapshotRequest {
	r := &model.ListDesktopSnapshotRequest{}
	if o == nil {
		return r
	}
	setStr := func(dst **string, v string) {
		if v != "" {
			*dst = ptr(v)
		}
	}
	setList := func(dst **[]string, v []string) {
		if len(v) > 0 {
			*dst = ptr(append([]string(nil), v...))
		}
	}
	setStr(&r.DesktopId, o.DesktopID)
	setStr(&r.DesktopName, o.DesktopName)
	setStr(&r.SnapshotName, o.SnapshotName)
	setList(&r.DesktopIds, o.DesktopIDs)
	setList(&r.DesktopNames, o.DesktopNames)
	setList(&r.SnapshotNames, o.SnapshotNames)
	setStr(&r.Status, string(o.Status))
	disk := model.GetListDesktopSnapshotRequestDiskTypeEnum()
	switch o.DiskType {
	case workspace.DiskTypeSystemDisk:
		r.DiskType = &disk.SYSTEM_DISK
	case workspace.DiskTypeDataDisks:
		r.DiskType = &disk.DATA_DISKS
	case workspace.DiskTypeAll:
		r.DiskType = &disk.ALL
	}
	create := model.GetListDesktopSnapshotRequestCreateTypeEnum()
	switch o.CreateType {
	case workspace.CreateTypeAuto:
		r.CreateType = &create.AUTO
	case workspace.CreateTypeManually:
		r.CreateType = &create.MANUALLY
	}
	field := model.GetListDesktopSnapshotRequestSortFieldEnum()
	switch o.SortField {
	case workspace.SortFieldCreateTime:
		r.SortField = &field.CREATE_TIME
	case workspace.SortFieldSnapshotName:
		r.SortField = &field.SNAPSHOT_NAME
	}
	order := model.GetListDesktopSnapshotRequestSortTypeEnum()
	switch o.SortType {
	case workspace.SortTypeAsc:
		r.SortType = &order.ASC
	case workspace.SortTypeDesc:
		r.SortType = &order.DESC
	}
	if o.Offset != 0 {
		r.Offset = ptr(int32(o.Offset))
	}
	if o.Limit != 0 {
		r.Limit = ptr(int32(o.Limit))
	}
	return r
}

// taskCase lists tasks with opts through both clients.
func taskCase(name string, opts *workspace.ListScriptExecutionTasksOptions) opCase {
	return opCase{
		name: "tasks/" + name, op: workspacetest.OpListScriptExecutionTasks,
		ours: func(ctx context.Context, c *workspace.Client) (any, error) {
			return c.DesktopPools.ListScriptExecutionTasks(ctx, opts)
		},
		vendor: func(t *testing.T, vc *vendorws.WorkspaceClient) (any, error) {
			r, err := vc.ShowDesktopPoolsScriptExecTasks(vendorTasksRequest(opts))
			if err != nil {
				return nil, err
			}
			return fromVendorTasks(t, r), nil
		},
	}
}

// snapshotCase lists snapshots with opts through both clients.
func snapshotCase(name string, opts *workspace.ListSnapshotsOptions) opCase {
	return opCase{
		name: "snapshots/" + name, op: workspacetest.OpListSnapshots,
		ours: func(ctx context.Context, c *workspace.Client) (any, error) { return c.Snapshots.List(ctx, opts) },
		vendor: func(t *testing.T, vc *vendorws.WorkspaceClient) (any, error) {
			r, err := vc.ListDesktopSnapshot(vendorSnapshotsRequest(opts))
			if err != nil {
				return nil, err
			}
			return fromVendorSnapshots(t, r), nil
		},
	}
}

// readCases are the calls that change nothing, with filters, sorting,
// paging and arrays: the same inputs for both clients.
func readCases(f fixture) []opCase {
	cases := []opCase{
		{
			name: "inconsistent-statics", op: workspacetest.OpGetInconsistentStatistics,
			ours: func(ctx context.Context, c *workspace.Client) (any, error) {
				return c.DesktopPools.GetInconsistentStatistics(ctx, f.poolID)
			},
			vendor: func(_ *testing.T, vc *vendorws.WorkspaceClient) (any, error) {
				r, err := vc.ListInconsistentStatics(&model.ListInconsistentStaticsRequest{PoolId: f.poolID})
				if err != nil {
					return nil, err
				}
				return fromVendorStats(r), nil
			},
		},
		{
			name: "check-images", op: workspacetest.OpCheckImages,
			ours: func(ctx context.Context, c *workspace.Client) (any, error) {
				return c.Desktops.CheckImages(ctx, f.desktopIDs)
			},
			vendor: func(_ *testing.T, vc *vendorws.WorkspaceClient) (any, error) {
				ids := append([]string(nil), f.desktopIDs...)
				r, err := vc.CheckDesktopImages(&model.CheckDesktopImagesRequest{Body: &model.CheckDesktopImagesReq{DesktopIds: &ids}})
				if err != nil {
					return nil, err
				}
				return fromVendorImages(r), nil
			},
		},
		{
			name: "show-job", op: workspacetest.OpGetJob,
			ours: func(ctx context.Context, c *workspace.Client) (any, error) { return c.Jobs.Get(ctx, f.jobID) },
			vendor: func(t *testing.T, vc *vendorws.WorkspaceClient) (any, error) {
				r, err := vc.ShowJob(&model.ShowJobRequest{JobId: f.jobID})
				if err != nil {
					return nil, err
				}
				return fromVendorJob(t, r), nil
			},
		},
		taskCase("no filter", nil),
		taskCase("paged", &workspace.ListScriptExecutionTasksOptions{Offset: 3, Limit: 7}),
		taskCase("last page", &workspace.ListScriptExecutionTasksOptions{Offset: 120, Limit: 100}),
		taskCase("status FAILED", &workspace.ListScriptExecutionTasksOptions{Status: workspace.TaskStatusFailed, Limit: 100}),
		taskCase("status SUCCESS", &workspace.ListScriptExecutionTasksOptions{Status: workspace.TaskStatusSuccess, Limit: 100}),
		taskCase("type COMMAND", &workspace.ListScriptExecutionTasksOptions{TaskType: workspace.TaskTypeCommand, Limit: 50}),
		taskCase("pool", &workspace.ListScriptExecutionTasksOptions{DesktopPoolID: f.poolID, Limit: 100}),
		taskCase("script id and name", &workspace.ListScriptExecutionTasksOptions{ScriptID: f.scriptID, ScriptName: f.scriptName}),
		taskCase("task ids (array)", &workspace.ListScriptExecutionTasksOptions{TaskIDs: f.taskIDs}),
		taskCase("execute time window", &workspace.ListScriptExecutionTasksOptions{
			ExecuteTimeStart: f.execStart, ExecuteTimeEnd: f.execEnd, Limit: 100,
		}),
		taskCase("everything", &workspace.ListScriptExecutionTasksOptions{
			DesktopPoolID: f.poolID, TaskType: workspace.TaskTypeScript, Status: workspace.TaskStatusSuccess,
			ExecuteTimeStart: f.execStart.Add(-720 * time.Hour), Offset: 1, Limit: 5,
		}),
		snapshotCase("no filter", nil),
		snapshotCase("paged", &workspace.ListSnapshotsOptions{Offset: 20, Limit: 10}),
		snapshotCase("desktop id", &workspace.ListSnapshotsOptions{DesktopID: f.desktopIDs[0]}),
		snapshotCase("desktop ids (array)", &workspace.ListSnapshotsOptions{DesktopIDs: f.desktopIDs[:3]}),
		snapshotCase("desktop name", &workspace.ListSnapshotsOptions{DesktopName: f.desktopNames[1]}),
		snapshotCase("desktop names (array)", &workspace.ListSnapshotsOptions{DesktopNames: f.desktopNames[1:3]}),
		snapshotCase("snapshot name", &workspace.ListSnapshotsOptions{SnapshotName: f.snapshotNames[0]}),
		snapshotCase("snapshot names (array)", &workspace.ListSnapshotsOptions{SnapshotNames: f.snapshotNames}),
		snapshotCase("data disks", &workspace.ListSnapshotsOptions{DiskType: workspace.DiskTypeDataDisks}),
		snapshotCase("system disk, manual", &workspace.ListSnapshotsOptions{DiskType: workspace.DiskTypeSystemDisk, CreateType: workspace.CreateTypeManually}),
		snapshotCase("status restore_failed", &workspace.ListSnapshotsOptions{Status: workspace.SnapshotStatusRestoreFailed}),
		snapshotCase("sorted by name, descending, paged", &workspace.ListSnapshotsOptions{
			SortField: workspace.SortFieldSnapshotName, SortType: workspace.SortTypeDesc, Offset: 5, Limit: 25,
		}),
		snapshotCase("sorted by create time, ascending", &workspace.ListSnapshotsOptions{
			SortField: workspace.SortFieldCreateTime, SortType: workspace.SortTypeAsc, CreateType: workspace.CreateTypeAuto,
		}),
		snapshotCase("everything", &workspace.ListSnapshotsOptions{
			DesktopIDs: f.desktopIDs, DiskType: workspace.DiskTypeAll, CreateType: workspace.CreateTypeAuto,
			Status: workspace.SnapshotStatusCreateSuccess, SortField: workspace.SortFieldCreateTime,
			SortType: workspace.SortTypeDesc, Offset: 2, Limit: 15,
		}),
	}
	return append(cases, workflowReadCases(f)...)
}

// The operations around the five through both clients: the same inputs,
// the same decoded answers (the vendor's converted here), and the wire
// forms compared with the pins of wire_test.go.

func boolp(p *bool) bool { return p != nil && *p }

func vendorVolume(v model.VolumeInfo) workspace.VolumeInfo {
	return workspace.VolumeInfo{
		ID: str(v.Id), Type: v.Type, Size: int(v.Size), ResourceSpecCode: str(v.ResourceSpecCode),
		IOPS: num(v.Iops), Throughput: num(v.Throughput), KMSID: str(v.KmsId),
	}
}

func vendorTags(p *[]model.Tag) []workspace.Tag {
	if p == nil {
		return nil
	}
	out := make([]workspace.Tag, 0, len(*p))
	for _, tg := range *p {
		out = append(out, workspace.Tag{Key: tg.Key, Value: str(tg.Value)})
	}
	return out
}

// vendorPool is what both of the vendor's pool models carry.
type vendorPool struct {
	id, name, typ, desc, created, charging, az, image, imageName, osType, osVersion, osPlatform, status, ep, vpc *string
	count, used, isolation                                                                                       *int32
	subnets                                                                                                      *[]string
	product                                                                                                      *model.ProductInfo
	root                                                                                                         *model.VolumeInfo
	data                                                                                                         *[]model.VolumeInfo
	groups                                                                                                       *[]model.SecurityGroupInfo
	autoscale, maintenance                                                                                       *bool
	tags                                                                                                         *[]model.Tag
}

func fromVendorPool(t *testing.T, v vendorPool) workspace.DesktopPool {
	t.Helper()
	p := workspace.DesktopPool{
		ID: str(v.id), Name: str(v.name), Description: str(v.desc), Type: workspace.PoolType(str(v.typ)),
		Status: workspace.PoolStatus(str(v.status)), CreateTime: vendorTime(t, v.created),
		ChargeMode: workspace.ChargeMode(str(v.charging)), DesktopCount: num(v.count), DesktopUsed: num(v.used),
		IsolationNum: num(v.isolation), ImageID: str(v.image), ImageName: str(v.imageName),
		ImageOSType: str(v.osType), ImageOSVersion: str(v.osVersion), ImageOSPlatform: str(v.osPlatform),
		AvailabilityZone: str(v.az), VPCID: str(v.vpc), EnableAutoscale: boolp(v.autoscale),
		InMaintenanceMode: boolp(v.maintenance), EnterpriseProjectID: str(v.ep), Tags: vendorTags(v.tags),
	}
	if v.subnets != nil {
		p.SubnetIDs = append([]string{}, *v.subnets...)
	}
	if pr := v.product; pr != nil {
		p.Product = workspace.Product{
			ID: str(pr.ProductId), FlavorID: str(pr.FlavorId), Type: str(pr.Type), Architecture: str(pr.Architecture),
			PackageType: str(pr.PackageType), SystemDiskType: str(pr.SystemDiskType), Description: str(pr.Descriptions),
			CPU: str(pr.Cpu), Memory: str(pr.Memory), SystemDiskSize: str(pr.SystemDiskSize), IsGPU: boolp(pr.IsGpu),
			ChargeMode: workspace.ChargeMode(str(pr.ChargeMode)),
		}
	}
	if v.root != nil {
		p.RootVolume = vendorVolume(*v.root)
	}
	if v.data != nil {
		p.DataVolumes = []workspace.VolumeInfo{}
		for _, d := range *v.data {
			p.DataVolumes = append(p.DataVolumes, vendorVolume(d))
		}
	}
	if v.groups != nil {
		p.SecurityGroups = []workspace.SecurityGroup{}
		for _, g := range *v.groups {
			p.SecurityGroups = append(p.SecurityGroups, workspace.SecurityGroup{ID: str(g.Id), Name: str(g.Name)})
		}
	}
	return p
}

func fromVendorPools(t *testing.T, r *model.ListDesktopPoolsResponse) *workspace.Page[workspace.DesktopPool] {
	t.Helper()
	p := &workspace.Page[workspace.DesktopPool]{TotalCount: num(r.TotalCount), Items: []workspace.DesktopPool{}}
	if r.DesktopPools == nil {
		return p
	}
	for _, v := range *r.DesktopPools {
		p.Items = append(p.Items, fromVendorPool(t, vendorPool{
			id: v.Id, name: v.Name, typ: v.Type, desc: v.Description, created: v.CreatedTime, charging: v.ChargingMode,
			az: v.AvailabilityZone, image: v.ImageId, imageName: v.ImageName, osType: v.ImageOsType,
			osVersion: v.ImageOsVersion, osPlatform: v.ImageOsPlatform, status: v.Status, ep: v.EnterpriseProjectId,
			vpc: v.VpcId, count: v.DesktopCount, used: v.DesktopUsed, isolation: v.IsolationNum, subnets: v.SubnetIds,
			product: v.Product, root: v.RootVolume, data: v.DataVolumes, groups: v.SecurityGroups,
			autoscale: v.EnableAutoscale, maintenance: v.InMaintenanceMode, tags: v.Tags,
		}))
	}
	return p
}

func fromVendorPoolDetail(t *testing.T, v *model.ShowDesktopPoolDetailResponse) *workspace.DesktopPool {
	t.Helper()
	p := fromVendorPool(t, vendorPool{
		id: v.Id, name: v.Name, typ: v.Type, desc: v.Description, created: v.CreatedTime, charging: v.ChargingMode,
		az: v.AvailabilityZone, image: v.ImageId, imageName: v.ImageName, osType: v.ImageOsType,
		osVersion: v.ImageOsVersion, osPlatform: v.ImageOsPlatform, status: v.Status, ep: v.EnterpriseProjectId,
		vpc: v.VpcId, count: v.DesktopCount, used: v.DesktopUsed, isolation: v.IsolationNum, subnets: v.SubnetIds,
		product: v.Product, root: v.RootVolume, data: v.DataVolumes, groups: v.SecurityGroups,
		autoscale: v.EnableAutoscale, maintenance: v.InMaintenanceMode, tags: v.Tags,
	})
	return &p
}

// vendorDesktop is what both of the vendor's desktop models carry.
type vendorDesktop struct {
	id, name, host, sid, typ, status, task, login, product, osVersion, ipv4, ipv6, user, created, az, subnet, ep *string
	attach                                                                                                       string
	process                                                                                                      *int32
	flavor                                                                                                       *model.FlavorInfo
	metadata                                                                                                     map[string]string
	ips, inconsistent                                                                                            *[]string
	users                                                                                                        *[]model.AttachInstancesUserInfo
	root                                                                                                         *model.VolumeDetail
	data                                                                                                         *[]model.VolumeDetail
	tags                                                                                                         *[]model.Tag
	maintenance, isolated                                                                                        *bool
}

func vendorDesktopVolume(t *testing.T, v model.VolumeDetail) workspace.DesktopVolume {
	return workspace.DesktopVolume{
		ID: str(v.Id), VolumeID: str(v.VolumeId), PoolVolumeID: str(v.DesktopPoolDiskId), Type: v.Type,
		Device: str(v.Device), Name: str(v.DisplayName), ResourceSpecCode: str(v.ResourceSpecCode), KMSID: str(v.KmsId),
		Size: int(v.Size), IOPS: num(v.Iops), Throughput: num(v.Throughput), CreateTime: vendorTime(t, v.CreateTime),
	}
}

func fromVendorDesktop(t *testing.T, v vendorDesktop, poolID string) workspace.Desktop {
	t.Helper()
	d := workspace.Desktop{
		ID: str(v.id), Name: str(v.name), HostName: str(v.host), SID: str(v.sid), PoolID: poolID,
		Type: workspace.DesktopType(str(v.typ)), Status: workspace.DesktopStatus(str(v.status)), TaskState: str(v.task),
		LoginStatus: workspace.LoginStatus(str(v.login)), AttachState: workspace.AttachState(v.attach),
		ProductID: str(v.product), ImageID: v.metadata["metering.image_id"], ImageName: v.metadata["image_name"],
		OSType: v.metadata["os_type"], OSVersion: str(v.osVersion), IPv4: str(v.ipv4), IPv6: str(v.ipv6),
		UserName: str(v.user), CreateTime: vendorTime(t, v.created), Tags: vendorTags(v.tags),
		AvailabilityZone: str(v.az), SubnetID: str(v.subnet), EnterpriseProjectID: str(v.ep),
		InMaintenanceMode: boolp(v.maintenance), Isolated: boolp(v.isolated),
	}
	if v.process != nil {
		n := int(*v.process)
		d.Process = &n
	}
	if v.flavor != nil {
		d.FlavorID = str(v.flavor.Id)
	}
	if v.ips != nil {
		d.IPAddresses = append([]string{}, *v.ips...)
	}
	if v.inconsistent != nil {
		d.InconsistentTypes = append([]string{}, *v.inconsistent...)
	}
	if v.users != nil {
		d.AttachedUsers = []workspace.AttachedUser{}
		for _, u := range *v.users {
			au := workspace.AttachedUser{ID: str(u.UserId), Name: u.UserName, Group: u.UserGroup, Domain: str(u.Domain)}
			if u.Type != nil {
				au.Type = u.Type.Value()
			}
			d.AttachedUsers = append(d.AttachedUsers, au)
		}
	}
	if v.root != nil {
		d.RootVolume = vendorDesktopVolume(t, *v.root)
	}
	if v.data != nil {
		d.DataVolumes = []workspace.DesktopVolume{}
		for _, dv := range *v.data {
			d.DataVolumes = append(d.DataVolumes, vendorDesktopVolume(t, dv))
		}
	}
	return d
}

func fromVendorPoolDesktops(t *testing.T, r *model.ListPoolDesktopsDetailResponse, poolID string) *workspace.Page[workspace.Desktop] {
	t.Helper()
	p := &workspace.Page[workspace.Desktop]{TotalCount: num(r.TotalCount), Items: []workspace.Desktop{}}
	if r.PoolDesktops == nil {
		return p
	}
	for _, v := range *r.PoolDesktops {
		vd := vendorDesktop{
			id: v.DesktopId, name: v.ComputerName, host: v.OsHostName, sid: v.Sid, typ: v.DesktopType, status: v.Status,
			task: v.TaskStatus, login: v.LoginStatus, product: v.ProductId, osVersion: v.OsVersion, ipv4: v.Ipv4,
			ipv6: v.Ipv6, user: v.UserName, created: v.Created, az: v.AvailabilityZone, subnet: v.SubnetId,
			ep: v.EnterpriseProjectId, process: v.Process, flavor: v.Flavor, metadata: v.Metadata, ips: v.IpAddresses,
			inconsistent: v.InconsistentTypes, users: v.AttachUserInfos, root: v.RootVolume, data: v.DataVolumes,
			tags: v.Tags, maintenance: v.InMaintenanceMode, isolated: v.Isolated,
		}
		if v.AttachState != nil {
			vd.attach = v.AttachState.Value()
		}
		p.Items = append(p.Items, fromVendorDesktop(t, vd, poolID))
	}
	return p
}

func fromVendorDesktops(t *testing.T, r *model.ListDesktopsDetailResponse) *workspace.Page[workspace.Desktop] {
	t.Helper()
	p := &workspace.Page[workspace.Desktop]{TotalCount: num(r.TotalCount), Items: []workspace.Desktop{}}
	if r.Desktops == nil {
		return p
	}
	for _, v := range *r.Desktops {
		vd := vendorDesktop{
			id: v.DesktopId, name: v.ComputerName, host: v.OsHostName, sid: v.Sid, typ: v.DesktopType, status: v.Status,
			task: v.TaskStatus, login: v.LoginStatus, product: v.ProductId, osVersion: v.OsVersion, ipv4: v.Ipv4,
			ipv6: v.Ipv6, user: v.UserName, created: v.Created, az: v.AvailabilityZone, subnet: v.SubnetId,
			ep: v.EnterpriseProjectId, process: v.Process, flavor: v.Flavor, metadata: v.Metadata, ips: v.IpAddresses,
			users: v.AttachUserInfos, root: v.RootVolume, data: v.DataVolumes, tags: v.Tags,
			maintenance: v.InMaintenanceMode, isolated: v.Isolated,
		}
		if v.AttachState != nil {
			vd.attach = v.AttachState.Value()
		}
		p.Items = append(p.Items, fromVendorDesktop(t, vd, ""))
	}
	return p
}

func fromVendorSubJobs(t *testing.T, r *model.ListItaSubJobsResponse) *workspace.Page[workspace.SubJob] {
	t.Helper()
	p := &workspace.Page[workspace.SubJob]{TotalCount: num(r.TotalCount), Items: []workspace.SubJob{}}
	if r.Jobs == nil {
		return p
	}
	for _, v := range *r.Jobs {
		sj := workspace.SubJob{
			ID: str(v.Id), Type: str(v.JobType), Status: workspace.JobStatus(str(v.Status)),
			ErrorCode: str(v.ErrorCode), FailReason: str(v.FailReason),
			BeginTime: vendorTime(t, v.BeginTime), EndTime: vendorTime(t, v.EndTime),
			Host: str(v.Host), ProjectID: str(v.ProjectId), JobID: str(v.JobId), Process: num(v.Process),
			AttachUser: str(v.AttachUser), Entity: str(v.Entity), SubJobIPAddress: str(v.IpAddress),
		}
		if e := v.Entities; e != nil {
			sj.DesktopID, sj.ProductID, sj.UserName = str(e.DesktopId), str(e.ProductId), str(e.UserName)
			sj.DesktopName, sj.IPAddress = str(e.DesktopName), str(e.IpAddress)
		}
		p.Items = append(p.Items, sj)
	}
	return p
}

// withoutVendorlessSubJobFields is page without the sub-job fields the
// vendor's model lacks (see withoutVendorlessFields).
func withoutVendorlessSubJobFields(page *workspace.Page[workspace.SubJob]) *workspace.Page[workspace.SubJob] {
	j := withoutVendorlessFields(&workspace.Job{SubJobs: page.Items})
	return &workspace.Page[workspace.SubJob]{TotalCount: page.TotalCount, Items: j.SubJobs}
}

// vendorPoolDesktopsRequest is the vendor's request for the same options.
func vendorPoolDesktopsRequest(poolID string, o *workspace.ListPoolDesktopsOptions) *model.ListPoolDesktopsDetailRequest {
	r := &model.ListPoolDesktopsDetailRequest{PoolId: poolID}
	if o == nil {
		return r
	}
	it := model.GetListPoolDesktopsDetailRequestInconsistentTypeEnum()
	switch o.InconsistentType {
	case workspace.InconsistentTypeProductID:
		r.InconsistentType = &it.PRODUCT_ID
	case workspace.InconsistentTypeImageID:
		r.InconsistentType = &it.IMAGE_ID
	case workspace.InconsistentTypeDiskNum:
		r.InconsistentType = &it.DISK_NUM
	case workspace.InconsistentTypeDiskSize:
		r.InconsistentType = &it.DISK_SIZE
	}
	if o.Status != "" {
		r.Status = ptr(string(o.Status))
	}
	if len(o.UserNames) > 0 {
		r.UserNames = ptr(append([]string(nil), o.UserNames...))
	}
	if len(o.DesktopIDs) > 0 {
		r.DesktopId = ptr(append([]string(nil), o.DesktopIDs...))
	}
	sf := model.GetListPoolDesktopsDetailRequestSortFieldEnum()
	switch o.SortField {
	case workspace.DesktopSortCreated:
		r.SortField = &sf.CREATED
	case workspace.DesktopSortComputerName:
		r.SortField = &sf.COMPUTER_NAME
	}
	st := model.GetListPoolDesktopsDetailRequestSortTypeEnum()
	switch o.SortType {
	case workspace.SortTypeAsc:
		r.SortType = &st.ASC
	case workspace.SortTypeDesc:
		r.SortType = &st.DESC
	}
	r.UserAttached = o.UserAttached
	if o.Offset != 0 {
		r.Offset = ptr(int32(o.Offset))
	}
	if o.Limit != 0 {
		r.Limit = ptr(int32(o.Limit))
	}
	return r
}

// vendorDesktopsRequest is the vendor's request for the same options:
// pool_id one comma-joined string, as its model has it.
func vendorDesktopsRequest(o *workspace.ListDesktopsOptions) *model.ListDesktopsDetailRequest {
	r := &model.ListDesktopsDetailRequest{}
	if o == nil {
		return r
	}
	if len(o.PoolIDs) > 0 {
		r.PoolId = ptr(strings.Join(o.PoolIDs, ","))
	}
	if len(o.DesktopIDs) > 0 {
		r.DesktopId = ptr(append([]string(nil), o.DesktopIDs...))
	}
	if len(o.ComputerNames) > 0 {
		r.ComputerNames = ptr(append([]string(nil), o.ComputerNames...))
	}
	if o.DesktopType != "" {
		r.DesktopType = ptr(string(o.DesktopType))
	}
	sf := model.GetListDesktopsDetailRequestSortFieldEnum()
	if o.SortField == workspace.DesktopSortComputerName {
		r.SortField = &sf.COMPUTER_NAME
	}
	st := model.GetListDesktopsDetailRequestSortTypeEnum()
	if o.SortType == workspace.SortTypeDesc {
		r.SortType = &st.DESC
	}
	r.InMaintenanceMode = o.InMaintenanceMode
	if o.Offset != 0 {
		r.Offset = ptr(int32(o.Offset))
	}
	if o.Limit != 0 {
		r.Limit = ptr(int32(o.Limit))
	}
	return r
}

func poolDesktopsCase(name, poolID string, opts *workspace.ListPoolDesktopsOptions) opCase {
	return opCase{
		name: "pool-desktops/" + name, op: workspacetest.OpListPoolDesktops,
		ours: func(ctx context.Context, c *workspace.Client) (any, error) {
			return c.DesktopPools.ListDesktops(ctx, poolID, opts)
		},
		vendor: func(t *testing.T, vc *vendorws.WorkspaceClient) (any, error) {
			r, err := vc.ListPoolDesktopsDetail(vendorPoolDesktopsRequest(poolID, opts))
			if err != nil {
				return nil, err
			}
			return fromVendorPoolDesktops(t, r, poolID), nil
		},
	}
}

func desktopsCase(name string, opts *workspace.ListDesktopsOptions) opCase {
	return opCase{
		name: "desktops/" + name, op: workspacetest.OpListDesktops,
		ours: func(ctx context.Context, c *workspace.Client) (any, error) { return c.Desktops.List(ctx, opts) },
		vendor: func(t *testing.T, vc *vendorws.WorkspaceClient) (any, error) {
			r, err := vc.ListDesktopsDetail(vendorDesktopsRequest(opts))
			if err != nil {
				return nil, err
			}
			return fromVendorDesktops(t, r), nil
		},
	}
}

// workflowReadCases are the reads among the operations around the five.
func workflowReadCases(f fixture) []opCase {
	maintenance := false
	attached := false
	return []opCase{
		{
			name: "pools/filtered", op: workspacetest.OpListDesktopPools,
			ours: func(ctx context.Context, c *workspace.Client) (any, error) {
				return c.DesktopPools.List(ctx, &workspace.ListDesktopPoolsOptions{
					Type: workspace.PoolTypeDynamic, InMaintenanceMode: &maintenance, Offset: 1, Limit: 2,
				})
			},
			vendor: func(t *testing.T, vc *vendorws.WorkspaceClient) (any, error) {
				r, err := vc.ListDesktopPools(&model.ListDesktopPoolsRequest{
					Type: ptr("DYNAMIC"), InMaintenanceMode: &maintenance, Offset: ptr(int32(1)), Limit: ptr(int32(2)),
				})
				if err != nil {
					return nil, err
				}
				return fromVendorPools(t, r), nil
			},
		},
		{
			name: "pool-detail", op: workspacetest.OpGetDesktopPool,
			ours: func(ctx context.Context, c *workspace.Client) (any, error) { return c.DesktopPools.Get(ctx, f.poolID) },
			vendor: func(t *testing.T, vc *vendorws.WorkspaceClient) (any, error) {
				r, err := vc.ShowDesktopPoolDetail(&model.ShowDesktopPoolDetailRequest{PoolId: f.poolID})
				if err != nil {
					return nil, err
				}
				return fromVendorPoolDetail(t, r), nil
			},
		},
		poolDesktopsCase("no filter", f.poolID, nil),
		poolDesktopsCase("image differs, paged", f.poolID, &workspace.ListPoolDesktopsOptions{
			InconsistentType: workspace.InconsistentTypeImageID, Offset: 1, Limit: 3,
		}),
		poolDesktopsCase("not assigned, sorted by name", f.poolID, &workspace.ListPoolDesktopsOptions{
			UserAttached: &attached, SortField: workspace.DesktopSortComputerName, SortType: workspace.SortTypeDesc,
			Status: workspace.DesktopStatusActive,
		}),
		desktopsCase("no filter", &workspace.ListDesktopsOptions{Limit: 20}),
		desktopsCase("pools (comma-joined), desktop ids (repeated)", &workspace.ListDesktopsOptions{
			PoolIDs: []string{f.poolID, "no-such-pool"}, DesktopIDs: f.desktopIDs,
		}),
		desktopsCase("names, type, sorted", &workspace.ListDesktopsOptions{
			ComputerNames: f.desktopNames, DesktopType: workspace.DesktopTypePooled, InMaintenanceMode: &maintenance,
			SortField: workspace.DesktopSortComputerName, SortType: workspace.SortTypeDesc,
		}),
		{
			name: "sub-jobs", op: workspacetest.OpListSubJobs,
			ours: func(ctx context.Context, c *workspace.Client) (any, error) {
				p, err := c.Jobs.ListSubJobs(ctx, &workspace.ListSubJobsOptions{JobID: f.jobID, Limit: 10})
				if err != nil {
					return nil, err
				}
				return withoutVendorlessSubJobFields(p), nil
			},
			vendor: func(t *testing.T, vc *vendorws.WorkspaceClient) (any, error) {
				r, err := vc.ListItaSubJobs(&model.ListItaSubJobsRequest{JobId: ptr(f.jobID), Limit: ptr(int32(10))})
				if err != nil {
					return nil, err
				}
				return fromVendorSubJobs(t, r), nil
			},
		},
	}
}

// workflowWriteCases are the writes among the operations around the
// five, with the fields each client writes in the same order (the
// vendor's struct order and ours agree for these), so that the bodies are
// byte for byte the same JSON.
func workflowWriteCases(f fixture) []wireCase {
	jobResult := func(id *string) (any, error) { return &workspace.BatchSnapshotsResult{JobID: str(id)}, nil }
	write := func(name string, op workspacetest.Operation, ours func(ctx context.Context, c *workspace.Client) (any, error),
		vendor func(vc *vendorws.WorkspaceClient) (any, error)) wireCase {
		return wireCase{post: true, opCase: opCase{
			name: name, op: op, ours: ours,
			vendor: func(_ *testing.T, vc *vendorws.WorkspaceClient) (any, error) { return vendor(vc) },
		}}
	}
	cmd := model.GetExecuteDesktopPoolScriptsReqCommandTypeEnum()
	disk := model.GetBatchCreateDesktopSnapshotReqDiskTypeEnum()
	return []wireCase{
		write("rebuild", workspacetest.OpRebuildDesktopPool,
			func(ctx context.Context, c *workspace.Client) (any, error) {
				r, err := c.DesktopPools.Rebuild(ctx, f.poolID, &workspace.RebuildDesktopPoolRequest{
					ImageID: f.imageID, DelayTime: 5, Message: "Save your work.", IsFix: true,
				})
				if err != nil {
					return nil, err
				}
				return &workspace.BatchSnapshotsResult{JobID: r.JobID}, nil
			},
			func(vc *vendorws.WorkspaceClient) (any, error) {
				r, err := vc.RebuildDesktopPool(&model.RebuildDesktopPoolRequest{PoolId: f.poolID, Body: &model.RebuildDesktopPoolReq{
					ImageId: f.imageID, DelayTime: ptr(int32(5)), Message: ptr("Save your work."), IsFix: ptr(true),
				}})
				if err != nil {
					return nil, err
				}
				return jobResult(r.JobId)
			}),
		write("batch-add", workspacetest.OpBatchAddVolumes,
			func(ctx context.Context, c *workspace.Client) (any, error) {
				r, err := c.DesktopPools.BatchAddVolumes(ctx, f.poolID, &workspace.BatchAddVolumesRequest{
					Volumes: []workspace.VolumeInfo{{Type: "SAS", Size: 100}, {Type: "GPSSD", Size: 200, IOPS: 3000, Throughput: 125}},
				})
				if err != nil {
					return nil, err
				}
				return &workspace.BatchSnapshotsResult{JobID: r.JobID}, nil
			},
			func(vc *vendorws.WorkspaceClient) (any, error) {
				r, err := vc.AddDesktopPoolVolumes(&model.AddDesktopPoolVolumesRequest{PoolId: f.poolID, Body: &model.AddDesktopPoolVolumesReq{
					Volumes: &[]model.VolumeAddInfo{{Type: "SAS", Size: 100}, {Type: "GPSSD", Size: 200, Iops: ptr(int32(3000)), Throughput: ptr(int32(125))}},
				}})
				if err != nil {
					return nil, err
				}
				return jobResult(r.JobId)
			}),
		write("execute-scripts", workspacetest.OpExecuteScripts,
			func(ctx context.Context, c *workspace.Client) (any, error) {
				r, err := c.DesktopPools.ExecuteScripts(ctx, f.poolID, &workspace.ExecuteScriptsRequest{
					CommandContent: "ipconfig /flushdns", CommandType: workspace.CommandTypeBat, ExecutionTimeout: 3,
				})
				if err != nil {
					return nil, err
				}
				return &workspace.BatchSnapshotsResult{JobID: r.TaskID}, nil
			},
			func(vc *vendorws.WorkspaceClient) (any, error) {
				r, err := vc.ExecuteDesktopPoolScript(&model.ExecuteDesktopPoolScriptRequest{PoolId: f.poolID, Body: &model.ExecuteDesktopPoolScriptsReq{
					CommandContent: ptr("ipconfig /flushdns"), CommandType: &cmd.BAT, ExecutionTimeout: ptr(int32(3)),
				}})
				if err != nil {
					return nil, err
				}
				return &workspace.BatchSnapshotsResult{JobID: str(r.TaskId)}, nil
			}),
		write("snapshots-create", workspacetest.OpBatchCreateSnapshots,
			func(ctx context.Context, c *workspace.Client) (any, error) {
				return c.Snapshots.BatchCreate(ctx, &workspace.BatchCreateSnapshotsRequest{
					DesktopIDs: f.desktopIDs[:2], DiskType: workspace.DiskTypeSystemDisk,
					SystemDisk: workspace.SnapshotSpec{Name: "compat", Description: "both clients"},
				})
			},
			func(vc *vendorws.WorkspaceClient) (any, error) {
				r, err := vc.BatchCreateDesktopSnapshot(&model.BatchCreateDesktopSnapshotRequest{Body: &model.BatchCreateDesktopSnapshotReq{
					DesktopIds: ptr(append([]string(nil), f.desktopIDs[:2]...)), DiskType: &disk.SYSTEM_DISK,
					SystemDiskSnapshot: &model.DiskSnapshotInfo{Name: ptr("compat"), Description: ptr("both clients")},
				}})
				if err != nil {
					return nil, err
				}
				return jobResult(r.JobId)
			}),
		write("snapshots-delete", workspacetest.OpBatchDeleteSnapshots,
			func(ctx context.Context, c *workspace.Client) (any, error) {
				return c.Snapshots.BatchDelete(ctx, f.snapshotIDs[:1])
			},
			func(vc *vendorws.WorkspaceClient) (any, error) {
				r, err := vc.BatchDeleteDesktopSnapshot(&model.BatchDeleteDesktopSnapshotRequest{Body: &model.BatchDeleteDesktopSnapshotReq{
					SnapshotIds: ptr(append([]string(nil), f.snapshotIDs[:1]...)),
				}})
				if err != nil {
					return nil, err
				}
				return jobResult(r.JobId)
			}),
		write("snapshots-restore", workspacetest.OpBatchRestoreSnapshots,
			func(ctx context.Context, c *workspace.Client) (any, error) {
				return c.Snapshots.BatchRestore(ctx, f.snapshotIDs[1:3])
			},
			func(vc *vendorws.WorkspaceClient) (any, error) {
				r, err := vc.BatchRestoreDesktopSnapshot(&model.BatchRestoreDesktopSnapshotRequest{Body: &model.BatchRestoreSnapshotReq{
					SnapshotIds: ptr(append([]string(nil), f.snapshotIDs[1:3]...)),
				}})
				if err != nil {
					return nil, err
				}
				return jobResult(r.JobId)
			}),
	}
}

// workflowFieldOrderCases are writes with every field, where the vendor
// writes its struct's field order and ours the API reference's: the same
// JSON object, the bytes pinned.
func workflowFieldOrderCases(f fixture) []wireCase {
	handle := model.GetRebuildDesktopPoolReqHandleTypeEnum()
	encrypt := model.GetEncryptTypeEnum()
	addHandle := model.GetAddDesktopPoolVolumesReqHandleTypeEnum()
	ids := f.desktopIDs[:2]
	rebuildOurs := `{"image_id":"` + f.imageID + `","image_type":"private","os_type":"Windows","handle_type":"FOR_EXPAND_AND_ALL","encrypt_type":"KEEP","desktop_ids":` + mustJSONValue(ids) + `}`
	rebuildVendor := `{"image_type":"private","image_id":"` + f.imageID + `","os_type":"Windows","handle_type":"FOR_EXPAND_AND_ALL","encrypt_type":"KEEP","desktop_ids":` + mustJSONValue(ids) + "}\n"
	addOurs := `{"volumes":[{"type":"SSD","size":50}],"handle_type":"FOR_EXPAND_AND_IDLE","desktop_ids":` + mustJSONValue(ids) + `}`
	addVendor := `{"handle_type":"FOR_EXPAND_AND_IDLE","desktop_ids":` + mustJSONValue(ids) + `,"volumes":[{"type":"SSD","size":50}]}` + "\n"
	return []wireCase{
		{post: true, extra: []string{"body bytes: vendor " + rebuildVendor + ", ours " + rebuildOurs}, opCase: opCase{
			name: "rebuild, every field", op: workspacetest.OpRebuildDesktopPool,
			ours: func(ctx context.Context, c *workspace.Client) (any, error) {
				return c.DesktopPools.Rebuild(ctx, f.poolID, &workspace.RebuildDesktopPoolRequest{
					ImageID: f.imageID, ImageType: workspace.ImageTypePrivate, OSType: workspace.OSTypeWindows,
					HandleType: workspace.VolumeHandleForExpandAndAll, EncryptType: workspace.EncryptTypeKeep, DesktopIDs: ids,
				})
			},
			vendor: func(_ *testing.T, vc *vendorws.WorkspaceClient) (any, error) {
				return vc.RebuildDesktopPool(&model.RebuildDesktopPoolRequest{PoolId: f.poolID, Body: &model.RebuildDesktopPoolReq{
					ImageId: f.imageID, ImageType: ptr("private"), OsType: ptr("Windows"), HandleType: &handle.FOR_EXPAND_AND_ALL,
					EncryptType: &encrypt.KEEP, DesktopIds: ptr(append([]string(nil), ids...)),
				}})
			},
		}},
		{post: true, extra: []string{"body bytes: vendor " + addVendor + ", ours " + addOurs}, opCase: opCase{
			name: "batch-add, every field", op: workspacetest.OpBatchAddVolumes,
			ours: func(ctx context.Context, c *workspace.Client) (any, error) {
				return c.DesktopPools.BatchAddVolumes(ctx, f.poolID, &workspace.BatchAddVolumesRequest{
					Volumes: []workspace.VolumeInfo{{Type: "SSD", Size: 50}}, HandleType: workspace.VolumeHandleForExpandAndIdle, DesktopIDs: ids,
				})
			},
			vendor: func(_ *testing.T, vc *vendorws.WorkspaceClient) (any, error) {
				return vc.AddDesktopPoolVolumes(&model.AddDesktopPoolVolumesRequest{PoolId: f.poolID, Body: &model.AddDesktopPoolVolumesReq{
					Volumes: &[]model.VolumeAddInfo{{Type: "SSD", Size: 50}}, HandleType: &addHandle.FOR_EXPAND_AND_IDLE,
					DesktopIds: ptr(append([]string(nil), ids...)),
				}})
			},
		}},
	}
}

// mustJSONValue is v as compact JSON.
func mustJSONValue(v any) string {
	b, _ := json.Marshal(v) // plain values: cannot fail
	return string(b)
}

// The vendor's client runs each write of the workflows against the fake,
// and the jobs they start read the same through both clients, sub-jobs
// and all (the vendor's sub-job list included).
func TestVendorWorkflowWritesAgainstTheFake(t *testing.T) {
	t.Parallel()
	srv, p := newPair(t)
	f := newFixture(t, srv)
	ctx := context.Background()
	for _, tc := range workflowWriteCases(f) {
		t.Run(tc.name, func(t *testing.T) {
			srv.ResetRequests()
			got, err := tc.vendor(t, p.vendor)
			require.NoError(t, err, "vendor client")
			assertVendorSigned(t, srv, tc.op)
			id := got.(*workspace.BatchSnapshotsResult).JobID
			require.NotEmpty(t, id)
			if tc.op == workspacetest.OpExecuteScripts {
				page, err := p.ours.DesktopPools.ListScriptExecutionTasks(ctx, &workspace.ListScriptExecutionTasksOptions{TaskIDs: []string{id}})
				require.NoError(t, err)
				require.Len(t, page.Items, 1, "the vendor's script task, listed by ours")
				return
			}
			vj, err := p.vendor.ShowJob(&model.ShowJobRequest{JobId: id})
			require.NoError(t, err)
			want, err := p.ours.Jobs.Wait(ctx, id, nil)
			if err != nil {
				var failed *workspace.JobFailedError
				require.ErrorAs(t, err, &failed)
			}
			assert.Equal(t, withoutVendorlessFields(want), fromVendorJob(t, vj))
			vs, err := p.vendor.ListItaSubJobs(&model.ListItaSubJobsRequest{JobId: ptr(id)})
			require.NoError(t, err)
			assert.Equal(t, len(want.SubJobs), num(vs.TotalCount))
		})
	}
	pool, _ := srv.Pool(f.poolID)
	assert.Equal(t, f.imageID, pool.ImageID, "the vendor's rebuild moved the pool")
	assert.Len(t, pool.Volumes, len(f.volumeIDs)+2, "the vendor's two disks were added")
}

// The wire forms of the workflows' writes: the same bodies, only the
// pinned differences.
func TestWireFormOfWorkflowWrites(t *testing.T) {
	t.Parallel()
	demo := workspacetest.NewServer(workspacetest.WithDemoData())
	t.Cleanup(demo.Close)
	f := newFixture(t, demo)
	rec := newRecorder(t)
	p := newVendorPair(t, rec.URL, demo)
	for _, tc := range append(workflowWriteCases(f), workflowFieldOrderCases(f)...) {
		t.Run(tc.name, func(t *testing.T) {
			_, err := tc.vendor(t, p.vendor)
			require.NoError(t, err, "vendor")
			_, err = tc.ours(context.Background(), p.ours)
			require.NoError(t, err, "ours")
			reqs := rec.take(t, 2)
			assert.Equal(t, expectedDiffs(true, false, tc.extra...), wireDiff(t, reqs[0], reqs[1]))
		})
	}
}
