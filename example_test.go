package workspace_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/hwcloud-go/workspace"
)

// Each example runs against a small loopback server standing in for the
// Workspace API, which prints the request it receives.

func ExampleNewClient() {
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Println(r.Method, r.URL.Path, "token:", r.Header.Get("X-Auth-Token") != "")
		fmt.Fprint(w, `{"total_count":0,"desktop_snapshots":[]}`)
	}))
	defer api.Close()

	c, err := workspace.NewClient(
		workspace.WithEndpoint(api.URL), // in production: workspace.WithRegion("ap-southeast-3")
		workspace.WithProjectID("0bec5db98280d2d02fd6c00c2de791ce"),
		workspace.WithToken("an-IAM-token"), // or WithAccessKey(ak, sk), WithTokenSource(ts)
		workspace.WithUserAgent("my-tool/1.0"),
	)
	if err != nil {
		log.Fatal(err)
	}
	page, err := c.Snapshots.List(context.Background(), nil)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("snapshots:", page.TotalCount)

	// A missing setting is reported by NewClient, before any request, as
	// a *ConfigError naming what would supply it.
	_, err = workspace.NewClient(workspace.WithRegion("ap-southeast-3"), workspace.WithToken("an-IAM-token"))
	var ce *workspace.ConfigError
	if errors.As(err, &ce) {
		fmt.Println(ce.Missing)
	}
	// Output:
	// GET /v2/0bec5db98280d2d02fd6c00c2de791ce/snapshots token: true
	// snapshots: 0
	// [WithProjectID]
}

func ExampleDesktopPoolsService_GetInconsistentStatistics() {
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Println(r.Method, r.URL.Path)
		fmt.Fprint(w, `{"product_id":2,"image_id":2,"disk_num":3,"disk_size":4}`)
	}))
	defer api.Close()
	c, err := workspace.NewClient(workspace.WithEndpoint(api.URL), workspace.WithProjectID("proj"), workspace.WithToken("t"))
	if err != nil {
		log.Fatal(err)
	}

	stats, err := c.DesktopPools.GetInconsistentStatistics(context.Background(), "a130ab3a-72bf-4b71-baa9-af4987c8e338")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("desktops differing in product %d, image %d, disk count %d, disk size %d\n",
		stats.ProductID, stats.ImageID, stats.DiskNum, stats.DiskSize)
	// Output:
	// GET /v2/proj/desktop-pools/a130ab3a-72bf-4b71-baa9-af4987c8e338/inconsistent-statics
	// desktops differing in product 2, image 2, disk count 3, disk size 4
}

func ExampleDesktopPoolsService_BatchDeleteVolumes() {
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		fmt.Println(r.Method, r.URL.Path)
		fmt.Println(string(body))
		fmt.Fprint(w, `{"job_id":"abc85365-0b2e-4b4f-a091-f7db72072d4b"}`)
	}))
	defer api.Close()
	c, err := workspace.NewClient(workspace.WithEndpoint(api.URL), workspace.WithProjectID("proj"), workspace.WithToken("t"))
	if err != nil {
		log.Fatal(err)
	}

	res, err := c.DesktopPools.BatchDeleteVolumes(context.Background(), "pool-1", &workspace.BatchDeleteVolumesRequest{
		Volumes:    []workspace.VolumeInfo{{ID: "305d3c76-199f-4407-8d82-2a42d970595e", Type: "SAS", Size: 10}},
		HandleType: workspace.VolumeHandleForExpandAndIdle,
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("job:", res.JobID) // wait for it with c.Jobs.Wait

	// Invalid input never leaves the process.
	_, err = c.DesktopPools.BatchDeleteVolumes(context.Background(), "pool-1", &workspace.BatchDeleteVolumesRequest{
		Volumes: []workspace.VolumeInfo{{Type: "SAS", Size: 5}},
	})
	var ve *workspace.ValidationError
	if errors.As(err, &ve) {
		fmt.Println("rejected:", ve.Field)
	}
	// Output:
	// POST /v2/proj/desktop-pools/pool-1/volumes/batch-delete
	// {"volumes":[{"id":"305d3c76-199f-4407-8d82-2a42d970595e","type":"SAS","size":10}],"handle_type":"FOR_EXPAND_AND_IDLE"}
	// job: abc85365-0b2e-4b4f-a091-f7db72072d4b
	// rejected: req.Volumes[0].Size
}

func ExampleDesktopPoolsService_ListScriptExecutionTasks() {
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Println(r.Method, r.URL.Path)
		fmt.Println(r.URL.RawQuery)
		fmt.Fprint(w, `{"total_count":1,"script_execution_tasks":[{"id":"task-1","desktop_pool_name":"finance",
			"command_type":"POWERSHELL","status":"FAILED","start_time":"2024-04-20T08:36:16Z","success_num":9,"failed_num":1}]}`)
	}))
	defer api.Close()
	c, err := workspace.NewClient(workspace.WithEndpoint(api.URL), workspace.WithProjectID("proj"), workspace.WithToken("t"))
	if err != nil {
		log.Fatal(err)
	}

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
	for _, task := range page.Items {
		fmt.Println(task.ID, task.DesktopPoolName, task.Status, task.SuccessNum, task.FailedNum, task.StartTime.Format(time.RFC3339))
	}
	// Output:
	// GET /v2/proj/desktop-pools/script-execution-tasks/detail
	// execute_time_start=2024-04-20T01%3A00%3A00Z&limit=50&status=FAILED&task_id=task-1&task_id=task-2
	// task-1 finance FAILED 9 1 2024-04-20T08:36:16Z
}

func ExampleDesktopsService_CheckImages() {
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		fmt.Println(r.Method, r.URL.Path, string(body))
		fmt.Fprint(w, `{"image_infos":[{"desktop_id":"d-1","image_id":"b669106a","image_type":"market","os_type":"Windows"}]}`)
	}))
	defer api.Close()
	c, err := workspace.NewClient(workspace.WithEndpoint(api.URL), workspace.WithProjectID("proj"), workspace.WithToken("t"))
	if err != nil {
		log.Fatal(err)
	}

	// d-2's image no longer exists, so the answer leaves it out.
	infos, err := c.Desktops.CheckImages(context.Background(), []string{"d-1", "d-2"})
	if err != nil {
		log.Fatal(err)
	}
	for _, info := range infos {
		fmt.Println(info.DesktopID, info.ImageID, info.ImageType, info.OSType)
	}
	// Output:
	// POST /v2/proj/desktops/check-images {"desktop_ids":["d-1","d-2"]}
	// d-1 b669106a market Windows
}

func ExampleSnapshotsService_List() {
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Println(r.Method, r.URL.Path)
		fmt.Println(r.URL.RawQuery)
		fmt.Fprint(w, `{"total_count":2,"desktop_snapshots":[
			{"snapshot_id":"s-1","snapshot_name":"nightly","status":"create_success","process":null,"create_time":"2024-04-20T08:36:16Z","create_type":"AUTO"},
			{"snapshot_id":"s-2","snapshot_name":"before-upgrade","status":"restoring","process":40,"create_time":"2024-04-20T06:50:11Z","create_type":"MANUALLY"}]}`)
	}))
	defer api.Close()
	c, err := workspace.NewClient(workspace.WithEndpoint(api.URL), workspace.WithProjectID("proj"), workspace.WithToken("t"))
	if err != nil {
		log.Fatal(err)
	}

	page, err := c.Snapshots.List(context.Background(), &workspace.ListSnapshotsOptions{
		DesktopIDs: []string{"desk-1", "desk-2"},
		SortField:  workspace.SortFieldCreateTime, // needs SortType
		SortType:   workspace.SortTypeDesc,
		Limit:      100,
	})
	if err != nil {
		log.Fatal(err)
	}
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
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Request-Id", "req-42")
		w.WriteHeader(http.StatusNotFound)
		fmt.Fprint(w, `{"error_code":"WKS.00010004","error_msg":"The desktop pool does not exist."}`)
	}))
	defer api.Close()
	c, err := workspace.NewClient(workspace.WithEndpoint(api.URL), workspace.WithProjectID("proj"), workspace.WithToken("t"))
	if err != nil {
		log.Fatal(err)
	}

	_, err = c.DesktopPools.GetInconsistentStatistics(context.Background(), "no-such-pool")
	var apiErr *workspace.APIError
	if errors.As(err, &apiErr) {
		fmt.Println(apiErr.StatusCode, apiErr.Code, apiErr.RequestID)
	}
	fmt.Println(errors.Is(err, workspace.ErrNotFound))
	// Output:
	// 404 WKS.00010004 req-42
	// true
}
