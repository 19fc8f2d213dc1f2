package workspace_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"time"

	"github.com/hwcloud-go/workspace"
	"github.com/hwcloud-go/workspace/workspacetest"
)

// Each example runs against workspacetest's fake Workspace API on loopback,
// seeded with what the example needs, and prints the request the fake
// received where the request is the point.

func ExampleNewClient() {
	api := workspacetest.NewServer()
	defer api.Close()

	c, err := workspace.NewClient(
		workspace.WithEndpoint(api.URL), // in production: workspace.WithRegion("ap-southeast-3")
		workspace.WithProjectID(api.ProjectID),
		workspace.WithToken(api.Token), // or WithAccessKey(ak, sk), WithTokenSource(ts)
		workspace.WithUserAgent("my-tool/1.0"),
	)
	if err != nil {
		log.Fatal(err)
	}
	page, err := c.Snapshots.List(context.Background(), nil)
	if err != nil {
		log.Fatal(err)
	}
	r := api.Requests()[0]
	fmt.Println(r.Method, r.Path, "auth:", r.Auth)
	fmt.Println("snapshots:", page.TotalCount)

	// A missing setting is reported by NewClient, before any request, as
	// a *ConfigError naming what would supply it.
	_, err = workspace.NewClient(workspace.WithRegion("ap-southeast-3"), workspace.WithToken("an-IAM-token"))
	var ce *workspace.ConfigError
	if errors.As(err, &ce) {
		fmt.Println(ce.Missing)
	}
	// Output:
	// GET /v2/0bec5db98280d2d02fd6c00c2de791ce/snapshots auth: token
	// snapshots: 0
	// [WithProjectID]
}

func ExampleDesktopPoolsService_GetInconsistentStatistics() {
	api := workspacetest.NewServer(workspacetest.WithProjectID("proj"))
	defer api.Close()
	const poolID = "a130ab3a-72bf-4b71-baa9-af4987c8e338"
	disk := workspace.VolumeInfo{Type: "SAS", Size: 10}
	api.AddPool(workspacetest.Pool{ID: poolID, ProductID: "office.medium", ImageID: "img-1", Volumes: []workspace.VolumeInfo{disk}})
	api.AddDesktop(workspacetest.Desktop{ID: "d-1", PoolID: poolID, ProductID: "office.medium", ImageID: "img-1", DataDisks: []workspace.VolumeInfo{disk}})
	api.AddDesktop(workspacetest.Desktop{ID: "d-2", PoolID: poolID, ProductID: "office.large", ImageID: "img-1"})
	api.AddDesktop(workspacetest.Desktop{ID: "d-3", PoolID: poolID, ProductID: "office.large", ImageID: "img-2", DataDisks: []workspace.VolumeInfo{disk, disk}})
	c := api.Client()

	stats, err := c.DesktopPools.GetInconsistentStatistics(context.Background(), poolID)
	if err != nil {
		log.Fatal(err)
	}
	r := api.Requests()[0]
	fmt.Println(r.Method, r.Path)
	fmt.Printf("desktops differing in product %d, image %d, disk count %d, disk size %d\n",
		stats.ProductID, stats.ImageID, stats.DiskNum, stats.DiskSize)
	// Output:
	// GET /v2/proj/desktop-pools/a130ab3a-72bf-4b71-baa9-af4987c8e338/inconsistent-statics
	// desktops differing in product 2, image 1, disk count 2, disk size 2
}

func ExampleDesktopPoolsService_BatchDeleteVolumes() {
	api := workspacetest.NewServer(workspacetest.WithProjectID("proj"))
	defer api.Close()
	const volumeID = "305d3c76-199f-4407-8d82-2a42d970595e"
	api.AddPool(workspacetest.Pool{ID: "pool-1", Volumes: []workspace.VolumeInfo{{ID: volumeID, Type: "SAS", Size: 10}}})
	c := api.Client()
	ctx := context.Background()

	res, err := c.DesktopPools.BatchDeleteVolumes(ctx, "pool-1", &workspace.BatchDeleteVolumesRequest{
		Volumes:    []workspace.VolumeInfo{{ID: volumeID, Type: "SAS", Size: 10}},
		HandleType: workspace.VolumeHandleForExpandAndIdle,
	})
	if err != nil {
		log.Fatal(err)
	}
	r := api.Requests()[0]
	fmt.Println(r.Method, r.Path)
	fmt.Println(string(r.Body))
	job, err := c.Jobs.Wait(ctx, res.JobID, &workspace.WaitOptions{Interval: time.Millisecond})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("job:", job.Status)

	// Invalid input never leaves the process.
	_, err = c.DesktopPools.BatchDeleteVolumes(ctx, "pool-1", &workspace.BatchDeleteVolumesRequest{
		Volumes: []workspace.VolumeInfo{{Type: "SAS", Size: 5}},
	})
	var ve *workspace.ValidationError
	if errors.As(err, &ve) {
		fmt.Println("rejected:", ve.Field)
	}
	// Output:
	// POST /v2/proj/desktop-pools/pool-1/volumes/batch-delete
	// {"volumes":[{"id":"305d3c76-199f-4407-8d82-2a42d970595e","type":"SAS","size":10}],"handle_type":"FOR_EXPAND_AND_IDLE"}
	// job: SUCCESS
	// rejected: req.Volumes[0].Size
}

func ExampleDesktopPoolsService_ListScriptExecutionTasks() {
	api := workspacetest.NewServer(workspacetest.WithProjectID("proj"))
	defer api.Close()
	api.AddScriptTask(workspace.ScriptExecutionTask{
		ID: "task-1", DesktopPoolName: "finance", Scripts: []workspace.Script{{ID: "s-1", Name: "install.ps1"}},
		CommandType: workspace.CommandTypePowerShell, Status: workspace.TaskStatusFailed,
		StartTime: time.Date(2024, 4, 20, 8, 36, 16, 0, time.UTC), SuccessNum: 9, FailedNum: 1,
	})
	c := api.Client()

	since := time.Date(2024, 4, 20, 9, 0, 0, 0, time.FixedZone("UTC+8", 8*3600)) // sent as UTC
	page, err := c.DesktopPools.ListScriptExecutionTasks(context.Background(), &workspace.ListScriptExecutionTasksOptions{
		Status:           workspace.TaskStatusFailed,
		TaskIDs:          []string{"task-1", "task-2"}, // repeated task_id parameters
		ExecuteTimeStart: since,
		Limit:            50,
	})
	if err != nil {
		log.Fatal(err)
	}
	r := api.Requests()[0]
	fmt.Println(r.Method, r.Path)
	fmt.Println(r.Query.Encode())
	for _, task := range page.Items {
		fmt.Println(task.ID, task.DesktopPoolName, task.Status, task.SuccessNum, task.FailedNum, task.StartTime.Format(time.RFC3339))
	}
	// Output:
	// GET /v2/proj/desktop-pools/script-execution-tasks/detail
	// execute_time_start=2024-04-20T01%3A00%3A00Z&limit=50&status=FAILED&task_id=task-1&task_id=task-2
	// task-1 finance FAILED 9 1 2024-04-20T08:36:16Z
}

func ExampleDesktopsService_CheckImages() {
	api := workspacetest.NewServer(workspacetest.WithProjectID("proj"))
	defer api.Close()
	api.AddImage(workspacetest.Image{ID: "b669106a", Type: "market", OSType: "Windows"})
	api.AddDesktop(workspacetest.Desktop{ID: "d-1", ImageID: "b669106a"})
	api.AddDesktop(workspacetest.Desktop{ID: "d-2", ImageID: "deleted-image"})
	c := api.Client()

	// d-2's image no longer exists, so the answer leaves it out.
	infos, err := c.Desktops.CheckImages(context.Background(), []string{"d-1", "d-2"})
	if err != nil {
		log.Fatal(err)
	}
	r := api.Requests()[0]
	fmt.Println(r.Method, r.Path, string(r.Body))
	for _, info := range infos {
		fmt.Println(info.DesktopID, info.ImageID, info.ImageType, info.OSType)
	}
	// Output:
	// POST /v2/proj/desktops/check-images {"desktop_ids":["d-1","d-2"]}
	// d-1 b669106a market Windows
}

func ExampleSnapshotsService_List() {
	api := workspacetest.NewServer(workspacetest.WithProjectID("proj"))
	defer api.Close()
	forty := 40
	api.AddSnapshot(workspace.Snapshot{ID: "s-2", Name: "before-upgrade", DesktopID: "desk-2", Status: workspace.SnapshotStatusRestoring,
		Process: &forty, CreateTime: time.Date(2024, 4, 20, 6, 50, 11, 0, time.UTC), CreateType: workspace.CreateTypeManually})
	api.AddSnapshot(workspace.Snapshot{ID: "s-1", Name: "nightly", DesktopID: "desk-1", Status: workspace.SnapshotStatusCreateSuccess,
		CreateTime: time.Date(2024, 4, 20, 8, 36, 16, 0, time.UTC), CreateType: workspace.CreateTypeAuto})
	api.AddSnapshot(workspace.Snapshot{ID: "s-3", Name: "other desktop", DesktopID: "desk-3", Status: workspace.SnapshotStatusCreateSuccess})
	c := api.Client()

	page, err := c.Snapshots.List(context.Background(), &workspace.ListSnapshotsOptions{
		DesktopIDs: []string{"desk-1", "desk-2"},
		SortField:  workspace.SortFieldCreateTime, // needs SortType
		SortType:   workspace.SortTypeDesc,
		Limit:      100,
	})
	if err != nil {
		log.Fatal(err)
	}
	r := api.Requests()[0]
	fmt.Println(r.Method, r.Path)
	fmt.Println(r.Query.Encode())
	fmt.Println("total:", page.TotalCount)
	for _, s := range page.Items {
		progress := "idle"
		if s.Process != nil {
			progress = fmt.Sprintf("%d%%", *s.Process)
		}
		fmt.Println(s.ID, s.Name, s.Status, progress, s.CreateTime.Format(time.DateTime))
	}
	// Output:
	// GET /v2/proj/snapshots
	// desktop_ids=desk-1&desktop_ids=desk-2&limit=100&sort_field=create_time&sort_type=DESC
	// total: 2
	// s-1 nightly create_success idle 2024-04-20 08:36:16
	// s-2 before-upgrade restoring 40% 2024-04-20 06:50:11
}

func ExampleAPIError() {
	api := workspacetest.NewServer()
	defer api.Close()
	c := api.Client()

	_, err := c.DesktopPools.GetInconsistentStatistics(context.Background(), "no-such-pool")
	var apiErr *workspace.APIError
	if errors.As(err, &apiErr) {
		fmt.Println(apiErr.StatusCode, apiErr.Code, apiErr.RequestID != "")
	}
	fmt.Println(errors.Is(err, workspace.ErrNotFound))
	// Output:
	// 404 WKS.00010002 true
	// true
}
