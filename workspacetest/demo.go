package workspacetest

import (
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/hwcloud-go/workspace"
)

// Sizes of the demo data set of WithDemoData.
const (
	DemoPools               = 3
	DemoSnapshotsPerDisk    = 6 // per desktop and disk kind (system, data)
	DemoScriptTasks         = 130
	demoDesktopsPerPool     = 10
	demoGoneImageID         = "img-win10-2019-retired"
	demoTaskSpacing         = 5*time.Hour + 17*time.Minute
	demoSnapshotMaxAge      = 90 * 24 * time.Hour
	demoSnapshotsPerDesktop = 2 * DemoSnapshotsPerDisk
)

type demoPool struct {
	name, product, image, os, prefix string
	volumes                          []workspace.VolumeInfo
	commandType                      workspace.CommandType
	command                          string
}

var demoPoolSpecs = [DemoPools]demoPool{
	{
		name: "finance-office", product: "workspace.x86.ultimate.large2", image: "img-win11-office-2024",
		os: "Windows", prefix: "FIN", commandType: workspace.CommandTypePowerShell,
		command: "Get-Service -Name Spooler | Restart-Service",
		volumes: []workspace.VolumeInfo{{Type: "SAS", Size: 100}, {Type: "SSD", Size: 200}},
	},
	{
		name: "dev-linux", product: "workspace.x86.enterprise.xlarge4", image: "img-ubuntu-2204-dev",
		os: "Linux", prefix: "DEV", commandType: workspace.CommandTypeShell,
		command: "sudo apt-get -y upgrade",
		volumes: []workspace.VolumeInfo{{Type: "GPSSD", Size: 500}},
	},
	{
		name: "call-center", product: "workspace.x86.office.medium2", image: "img-win10-gold-22h2",
		os: "Windows", prefix: "CC", commandType: workspace.CommandTypeBat,
		command: "ipconfig /flushdns",
		volumes: []workspace.VolumeInfo{{Type: "SAS", Size: 50}, {Type: "SAS", Size: 50}, {Type: "SATA", Size: 100}},
	},
}

var demoImages = []Image{
	{ID: "img-win11-office-2024", Name: "Windows 11 Enterprise with Office 2024", Type: "private", OSType: "Windows"},
	{ID: "img-ubuntu-2204-dev", Name: "Ubuntu 22.04 developer desktop", Type: "market", OSType: "Linux"},
	{ID: "img-win10-gold-22h2", Name: "Windows 10 Enterprise 22H2", Type: "gold", OSType: "Windows"},
	{ID: "img-win10-shared-lab", Name: "Windows 10 training lab", Type: "shared", OSType: "Windows"},
}

var demoScripts = []workspace.Script{
	{ID: "scr-0001", Name: "install-office-updates.ps1"},
	{ID: "scr-0002", Name: "clean-temp-files.bat"},
	{ID: "scr-0003", Name: "rotate-logs.sh"},
	{ID: "scr-0004", Name: "inventory-report.ps1"},
	{ID: "scr-0005", Name: "set-proxy.sh"},
}

// demoIDSeed seeds the ids of the demo data.
const demoIDSeed = 2024

// loadDemo fills the state with the demo data set. Nothing else runs yet,
// so the fixed seeds make it the same on every run.
func (s *Server) loadDemo() {
	s.mu.Lock()
	defer s.mu.Unlock()
	rng := rand.New(rand.NewPCG(2024, 11))
	ids := newIDGen(demoIDSeed) // the same demo ids on every server
	now := s.now().UTC().Truncate(time.Second)

	for i := range demoImages {
		im := demoImages[i]
		s.st.images = append(s.st.images, &im)
	}
	var pools []*Pool
	for pi, spec := range demoPoolSpecs {
		p := &Pool{ID: ids.next(idPool), Name: spec.name, ProductID: spec.product, ImageID: spec.image}
		for _, v := range spec.volumes {
			v.ID = ids.next(idVolume)
			p.Volumes = append(p.Volumes, v)
		}
		s.st.pools = append(s.st.pools, p)
		pools = append(pools, p)
		for di := range demoDesktopsPerPool {
			d := &Desktop{
				ID: ids.next(idDesktop), Name: fmt.Sprintf("%s-%03d", spec.prefix, di+1), PoolID: p.ID,
				SID:       fmt.Sprintf("S-1-5-21-%d-%d-%d-%d", 3000000000+rng.Int64N(1e8), 1000000000+rng.Int64N(1e8), 2000000000+rng.Int64N(1e8), 1100+di),
				ProductID: p.ProductID, ImageID: p.ImageID,
			}
			for _, v := range p.Volumes {
				d.DataDisks = append(d.DataDisks, workspace.VolumeInfo{ID: ids.next(idVolume), Type: v.Type, Size: v.Size})
			}
			// Drift from the pool's configuration, different in each pool.
			switch {
			case (di+pi)%4 == 1:
				d.ProductID = "workspace.x86.ultimate.large4"
			case (di+2*pi)%5 == 2:
				d.DataDisks = append(d.DataDisks, workspace.VolumeInfo{ID: ids.next(idVolume), Type: "SAS", Size: 40})
			case (di+pi)%6 == 3 && len(d.DataDisks) > 0:
				d.DataDisks[0].Size *= 2
			}
			switch {
			case di%7 == 3:
				d.ImageID = demoGoneImageID // the image no longer exists
			case di%9 == 5 && spec.os == "Windows":
				d.ImageID = "img-win10-shared-lab"
			}
			s.st.addDesktop(d)
		}
	}

	// Snapshots: every desktop, system and data disk, both create types,
	// every status, over the last 90 days.
	statuses := []struct {
		status workspace.SnapshotStatus
		weight int
	}{
		{workspace.SnapshotStatusCreateSuccess, 60},
		{workspace.SnapshotStatusCreating, 6},
		{workspace.SnapshotStatusCreateFailed, 10},
		{workspace.SnapshotStatusRestoring, 4},
		{workspace.SnapshotStatusRestoreSuccess, 13},
		{workspace.SnapshotStatusRestoreFailed, 7},
	}
	pickStatus := func() workspace.SnapshotStatus {
		n := rng.IntN(100)
		for _, st := range statuses {
			if n < st.weight {
				return st.status
			}
			n -= st.weight
		}
		return workspace.SnapshotStatusCreateSuccess
	}
	for _, d := range s.st.desktops {
		for k := range demoSnapshotsPerDesktop {
			created := now.Add(-time.Duration(rng.Int64N(int64(demoSnapshotMaxAge)))).Truncate(time.Second)
			sn := workspace.Snapshot{
				ID: ids.next(idSnapshot), DesktopID: d.ID, DesktopName: d.Name, DesktopSID: d.SID, DesktopPoolID: d.PoolID,
				IsSystemDisk: k%2 == 0, Status: pickStatus(), CreateTime: created,
				CreateType: workspace.CreateTypeAuto,
			}
			disk := "system"
			if !sn.IsSystemDisk {
				disk = "data"
			}
			if rng.IntN(10) < 3 {
				sn.CreateType = workspace.CreateTypeManually
				sn.Name = fmt.Sprintf("%s-%s-manual-%d", d.Name, disk, k/2+1)
				sn.Description = "taken by an administrator before maintenance"
			} else {
				sn.Name = fmt.Sprintf("%s-%s-auto-%s", d.Name, disk, created.Format("20060102-1504"))
				sn.Description = "scheduled backup"
			}
			switch sn.Status {
			case workspace.SnapshotStatusCreating, workspace.SnapshotStatusRestoring:
				p := rng.IntN(100)
				sn.Process = &p
			}
			switch sn.Status {
			case workspace.SnapshotStatusRestoring, workspace.SnapshotStatusRestoreSuccess, workspace.SnapshotStatusRestoreFailed:
				sn.LastRestoreTime = created.Add(time.Duration(rng.Int64N(int64(now.Sub(created)) + 1))).Truncate(time.Second)
			}
			if sn.Status == workspace.SnapshotStatusRestoreFailed {
				sn.RestoreFailReason = "the desktop was not stopped before the restore"
			}
			s.st.snapshots = append(s.st.snapshots, sn)
		}
	}

	// Script execution tasks, newest first: a few still waiting or
	// running, then finished and failed ones, every few hours back.
	for i := range DemoScriptTasks {
		pi := rng.IntN(len(pools))
		p, spec := pools[pi], demoPoolSpecs[pi]
		start := now.Add(-time.Duration(i)*demoTaskSpacing - time.Duration(rng.IntN(3600))*time.Second)
		t := workspace.ScriptExecutionTask{ID: ids.next(idTask), DesktopPoolID: p.ID, DesktopPoolName: p.Name}
		if rng.IntN(10) < 6 {
			k := rng.IntN(len(demoScripts))
			t.Scripts = []workspace.Script{demoScripts[k]}
			if rng.IntN(4) == 0 {
				t.Scripts = append(t.Scripts, demoScripts[(k+1+rng.IntN(len(demoScripts)-1))%len(demoScripts)])
			}
		} else {
			t.CommandType, t.CommandContent = spec.commandType, spec.command
		}
		total := demoDesktopsPerPool
		switch {
		case i < 3:
			t.Status = workspace.TaskStatusInit
		case i < 7:
			t.Status = workspace.TaskStatusRunning
			t.StartTime = start
			t.SuccessNum = rng.IntN(total / 2)
		case rng.IntN(10) < 7:
			t.Status = workspace.TaskStatusFinish
			t.StartTime, t.EndTime = start, start.Add(time.Duration(30+rng.IntN(600))*time.Second)
			t.SkipNum = rng.IntN(2)
			t.SuccessNum = total - t.SkipNum
		default:
			t.Status = workspace.TaskStatusFailed
			t.StartTime, t.EndTime = start, start.Add(time.Duration(30+rng.IntN(900))*time.Second)
			t.FailedNum = 1 + rng.IntN(total/2)
			t.SuccessNum = total - t.FailedNum
		}
		s.st.tasks = append(s.st.tasks, t)
	}
}
