package workspace_test

import (
	"context"
	"fmt"
	"log"

	"github.com/hwcloud-go/workspace"
	"github.com/hwcloud-go/workspace/workspacetest"
)

// The operations around the five, each on the fake (workspacetest), seeded
// as a small project: one pool of three desktops, one of which runs an
// older image than the pool.

func examplePool() *workspacetest.Server {
	srv := workspacetest.NewServer()
	srv.AddImage(workspacetest.Image{ID: "img-w11", Name: "Windows 11", Type: workspace.ImageTypePrivate, OSType: workspace.OSTypeWindows})
	srv.AddImage(workspacetest.Image{ID: "img-w10", Name: "Windows 10", Type: workspace.ImageTypeGold, OSType: workspace.OSTypeWindows})
	srv.AddPool(workspacetest.Pool{
		ID: "pool-1", Name: "finance", ProductID: "office.large", ImageID: "img-w11",
		Volumes: []workspace.VolumeInfo{{ID: "vol-1", Type: workspace.VolumeTypeSAS, Size: 100}},
	})
	for _, d := range []workspacetest.Desktop{
		{ID: "d-1", Name: "FIN-01", ImageID: "img-w11", UserName: "alice"},
		{ID: "d-2", Name: "FIN-02", ImageID: "img-w11"},
		{ID: "d-3", Name: "FIN-03", ImageID: "img-w10", UserName: "bob"},
	} {
		d.PoolID, d.ProductID = "pool-1", "office.large"
		d.DataDisks = []workspace.VolumeInfo{{ID: "vol-1", Type: workspace.VolumeTypeSAS, Size: 100}}
		srv.AddDesktop(d)
	}
	return srv
}

func ExampleDesktopPoolsService_List() {
	srv := examplePool()
	defer srv.Close()
	c := srv.Client()

	page, err := c.DesktopPools.List(context.Background(), &workspace.ListDesktopPoolsOptions{Type: workspace.PoolTypeDynamic})
	if err != nil {
		log.Fatal(err)
	}
	for _, p := range page.Items {
		fmt.Printf("%s %s: %d desktops, %d assigned, image %s\n", p.ID, p.Name, p.DesktopCount, p.DesktopUsed, p.ImageName)
	}
	// Output:
	// pool-1 finance: 3 desktops, 2 assigned, image Windows 11
}

func ExampleDesktopPoolsService_All() {
	srv := examplePool()
	defer srv.Close()
	c := srv.Client()

	for p, err := range c.DesktopPools.All(context.Background(), nil) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(p.ID, p.Status)
	}
	// Output:
	// pool-1 STEADY
}

func ExampleDesktopPoolsService_Get() {
	srv := examplePool()
	defer srv.Close()
	c := srv.Client()

	pool, err := c.DesktopPools.Get(context.Background(), "pool-1")
	if err != nil {
		log.Fatal(err)
	}
	for _, v := range pool.DataVolumes {
		fmt.Println(v.ID, v.Type, v.Size, "GB") // the ids BatchDeleteVolumes takes
	}
	// Output:
	// vol-1 SAS 100 GB
}

func ExampleDesktopPoolsService_ListDesktops() {
	srv := examplePool()
	defer srv.Close()
	c := srv.Client()

	// The desktops GetInconsistentStatistics counts in ImageID.
	page, err := c.DesktopPools.ListDesktops(context.Background(), "pool-1", &workspace.ListPoolDesktopsOptions{
		InconsistentType: workspace.InconsistentTypeImageID,
	})
	if err != nil {
		log.Fatal(err)
	}
	for _, d := range page.Items {
		fmt.Println(d.Name, d.ImageName, d.UserName, d.InconsistentTypes)
	}
	// Output:
	// FIN-03 Windows 10 bob [IMAGE]
}

func ExampleDesktopPoolsService_AllDesktops() {
	srv := examplePool()
	defer srv.Close()
	c := srv.Client()

	for d, err := range c.DesktopPools.AllDesktops(context.Background(), "pool-1", &workspace.ListPoolDesktopsOptions{
		UserAttached: new(bool), // false: the desktops no user has
	}) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(d.ID, d.AttachState)
	}
	// Output:
	// d-2 UNATTACH
}

func ExampleDesktopPoolsService_Rebuild() {
	srv := examplePool()
	defer srv.Close()
	c := srv.Client()
	ctx := context.Background()

	pool, err := c.DesktopPools.Get(ctx, "pool-1")
	if err != nil {
		log.Fatal(err)
	}
	// IsFix: only the desktops whose image differs from the pool's.
	res, err := c.DesktopPools.Rebuild(ctx, pool.ID, &workspace.RebuildDesktopPoolRequest{
		ImageID: pool.ImageID, IsFix: true, DelayTime: 5, Message: "Your desktop restarts in 5 minutes.",
	})
	if err != nil {
		log.Fatal(err)
	}
	job, err := c.Jobs.Wait(ctx, res.JobID, nil)
	if err != nil {
		log.Fatal(err)
	}
	stats, err := c.DesktopPools.GetInconsistentStatistics(ctx, pool.ID)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(job.Status, len(job.SubJobs), "desktop rebuilt; desktops on another image:", stats.ImageID)
	// Output:
	// SUCCESS 1 desktop rebuilt; desktops on another image: 0
}

func ExampleDesktopPoolsService_BatchAddVolumes() {
	srv := examplePool()
	defer srv.Close()
	c := srv.Client()
	ctx := context.Background()

	res, err := c.DesktopPools.BatchAddVolumes(ctx, "pool-1", &workspace.BatchAddVolumesRequest{
		Volumes:    []workspace.VolumeInfo{{Type: workspace.VolumeTypeSSD, Size: 50}},
		HandleType: workspace.VolumeHandleForExpandAndAll, // existing desktops too
	})
	if err != nil {
		log.Fatal(err)
	}
	if _, err := c.Jobs.Wait(ctx, res.JobID, nil); err != nil {
		log.Fatal(err)
	}
	pool, err := c.DesktopPools.Get(ctx, "pool-1")
	if err != nil {
		log.Fatal(err)
	}
	for _, v := range pool.DataVolumes {
		fmt.Println(v.Type, v.Size, v.ID != "")
	}
	// Output:
	// SAS 100 true
	// SSD 50 true
}

func ExampleDesktopPoolsService_ExecuteScripts() {
	srv := examplePool()
	defer srv.Close()
	c := srv.Client()
	ctx := context.Background()

	res, err := c.DesktopPools.ExecuteScripts(ctx, "pool-1", &workspace.ExecuteScriptsRequest{
		CommandContent: "ipconfig /flushdns", CommandType: workspace.CommandTypeBat,
	})
	if err != nil {
		log.Fatal(err)
	}
	// A script task, not a job: list it by its id.
	page, err := c.DesktopPools.ListScriptExecutionTasks(ctx, &workspace.ListScriptExecutionTasksOptions{TaskIDs: []string{res.TaskID}})
	if err != nil {
		log.Fatal(err)
	}
	t := page.Items[0]
	fmt.Println(t.DesktopPoolName, t.CommandType, t.Status, t.SuccessNum)
	// Output:
	// finance BAT FINISH 3
}

func ExampleDesktopsService_List() {
	srv := examplePool()
	defer srv.Close()
	c := srv.Client()
	ctx := context.Background()

	page, err := c.Desktops.List(ctx, &workspace.ListDesktopsOptions{PoolIDs: []string{"pool-1"}, UserNames: []string{"alice", "bob"}})
	if err != nil {
		log.Fatal(err)
	}
	var ids []string
	for _, d := range page.Items {
		ids = append(ids, d.ID)
	}
	images, err := c.Desktops.CheckImages(ctx, ids)
	if err != nil {
		log.Fatal(err)
	}
	for _, im := range images {
		fmt.Println(im.DesktopID, im.ImageName)
	}
	// Output:
	// d-1 Windows 11
	// d-3 Windows 10
}

func ExampleDesktopsService_All() {
	srv := examplePool()
	defer srv.Close()
	c := srv.Client()

	n := 0
	for _, err := range c.Desktops.All(context.Background(), &workspace.ListDesktopsOptions{Limit: 2}) {
		if err != nil {
			log.Fatal(err)
		}
		n++
	}
	fmt.Println("desktops:", n)
	// Output:
	// desktops: 3
}

func ExampleSnapshotsService_BatchCreate() {
	srv := examplePool()
	defer srv.Close()
	c := srv.Client()
	ctx := context.Background()

	res, err := c.Snapshots.BatchCreate(ctx, &workspace.BatchCreateSnapshotsRequest{
		DesktopIDs: []string{"d-1", "d-3"},
		DiskType:   workspace.DiskTypeSystemDisk,
		SystemDisk: workspace.SnapshotSpec{Name: "before-upgrade"},
	})
	if err != nil {
		log.Fatal(err)
	}
	if _, err := c.Jobs.Wait(ctx, res.JobID, nil); err != nil {
		log.Fatal(err)
	}
	page, err := c.Snapshots.List(ctx, &workspace.ListSnapshotsOptions{DesktopIDs: []string{"d-1", "d-3"}})
	if err != nil {
		log.Fatal(err)
	}
	for _, sn := range page.Items {
		fmt.Println(sn.DesktopName, sn.IsSystemDisk, sn.Status)
	}
	// Output:
	// FIN-01 true create_success
	// FIN-03 true create_success
}

// snapshotIDs makes a system-disk snapshot of each desktop and returns
// their ids.
func snapshotIDs(srv *workspacetest.Server, desktopIDs ...string) []string {
	var ids []string
	for _, id := range desktopIDs {
		sn := srv.AddSnapshot(workspace.Snapshot{DesktopID: id, Name: id + "-nightly", IsSystemDisk: true,
			Status: workspace.SnapshotStatusCreateSuccess, CreateType: workspace.CreateTypeAuto})
		ids = append(ids, sn.ID)
	}
	return ids
}

func ExampleSnapshotsService_BatchDelete() {
	srv := examplePool()
	defer srv.Close()
	c := srv.Client()
	ctx := context.Background()
	ids := snapshotIDs(srv, "d-1", "d-2")

	res, err := c.Snapshots.BatchDelete(ctx, ids)
	if err != nil {
		log.Fatal(err)
	}
	job, err := c.Jobs.Wait(ctx, res.JobID, nil)
	if err != nil {
		log.Fatal(err)
	}
	page, err := c.Snapshots.List(ctx, nil)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(job.Status, "snapshots left:", page.TotalCount)
	// Output:
	// SUCCESS snapshots left: 0
}

func ExampleSnapshotsService_BatchRestore() {
	srv := examplePool()
	defer srv.Close()
	c := srv.Client()
	ctx := context.Background()
	ids := snapshotIDs(srv, "d-3")

	res, err := c.Snapshots.BatchRestore(ctx, ids)
	if err != nil {
		log.Fatal(err)
	}
	if _, err := c.Jobs.Wait(ctx, res.JobID, nil); err != nil {
		log.Fatal(err)
	}
	page, err := c.Snapshots.List(ctx, &workspace.ListSnapshotsOptions{DesktopID: "d-3"})
	if err != nil {
		log.Fatal(err)
	}
	sn := page.Items[0]
	fmt.Println(sn.Name, sn.Status, !sn.LastRestoreTime.IsZero())
	// Output:
	// d-3-nightly restore_success true
}

func ExampleJobsService_ListSubJobs() {
	// A job's answer may carry fewer sub-jobs than SubJobsTotal.
	srv := workspacetest.NewServer(workspacetest.WithSubJobsPerAnswer(1))
	defer srv.Close()
	c := srv.Client()
	ctx := context.Background()

	res, err := c.Snapshots.BatchDelete(ctx, []string{"s-1", "s-2", "s-3"}) // none exists: each sub-job fails
	if err != nil {
		log.Fatal(err)
	}
	job, err := c.Jobs.Get(ctx, res.JobID)
	if err != nil {
		log.Fatal(err)
	}
	page, err := c.Jobs.ListSubJobs(ctx, &workspace.ListSubJobsOptions{JobID: job.ID, Status: workspace.JobStatusFailed})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("in the answer:", len(job.SubJobs), "of", job.SubJobsTotal, "- listed failed:", page.TotalCount)
	for _, sj := range page.Items {
		fmt.Println(sj.Entity, sj.ErrorCode)
	}
	// Output:
	// in the answer: 1 of 3 - listed failed: 3
	// s-1 WKS.00010006
	// s-2 WKS.00010006
	// s-3 WKS.00010006
}

func ExampleJobsService_AllSubJobs() {
	srv := examplePool()
	defer srv.Close()
	c := srv.Client()
	ctx := context.Background()

	res, err := c.DesktopPools.Rebuild(ctx, "pool-1", &workspace.RebuildDesktopPoolRequest{ImageID: "img-w11"})
	if err != nil {
		log.Fatal(err)
	}
	for sj, err := range c.Jobs.AllSubJobs(ctx, &workspace.ListSubJobsOptions{JobID: res.JobID}) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(sj.DesktopName, sj.Status)
	}
	// Output:
	// FIN-01 SUCCESS
	// FIN-02 SUCCESS
	// FIN-03 SUCCESS
}
