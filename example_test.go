package workspace_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
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
	// [WithProjectID HUAWEICLOUD_SDK_PROJECT_ID]
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
	// 400 WKS.0001 true
	// true
}

// These examples run against workspacetest, the in-memory fake of the
// Workspace API: srv.Client() is a *workspace.Client wired to it, as
// workspace.NewClient(workspace.WithRegion(...), ...) is to the cloud.

func ExampleSnapshotsService_All() {
	srv := workspacetest.NewServer(workspacetest.WithDemoData())
	defer srv.Close()
	c := srv.Client()

	// All fetches page after page (of opts.Limit, else 1000) as the loop
	// asks; breaking out of the loop stops it.
	byStatus := map[workspace.SnapshotStatus]int{}
	for snap, err := range c.Snapshots.All(context.Background(), &workspace.ListSnapshotsOptions{
		CreateType: workspace.CreateTypeAuto,
		Limit:      100,
	}) {
		if err != nil {
			log.Fatal(err) // yielded once; the loop then ends
		}
		byStatus[snap.Status]++
	}
	fmt.Println("automatic snapshots created:", byStatus[workspace.SnapshotStatusCreateSuccess])
	fmt.Println("automatic snapshots that failed:", byStatus[workspace.SnapshotStatusCreateFailed])
	fmt.Println("requests:", len(srv.RequestsFor(workspacetest.OpListSnapshots)))
	// Output:
	// automatic snapshots created: 150
	// automatic snapshots that failed: 22
	// requests: 3
}

func ExampleDesktopPoolsService_AllScriptExecutionTasks() {
	srv := workspacetest.NewServer(workspacetest.WithDemoData())
	defer srv.Close()
	c := srv.Client()

	failedDesktops := 0
	tasks := 0
	for task, err := range c.DesktopPools.AllScriptExecutionTasks(context.Background(), &workspace.ListScriptExecutionTasksOptions{
		Status: workspace.TaskStatusFailed,
	}) {
		if err != nil {
			log.Fatal(err)
		}
		tasks++
		failedDesktops += task.FailedNum // desktops the task failed on
	}
	fmt.Println("failed tasks:", tasks, "failed on desktops:", failedDesktops)
	// Output:
	// failed tasks: 34 failed on desktops: 110
}

func ExampleJobsService_Get() {
	srv := workspacetest.NewServer()
	defer srv.Close()
	// A job as the API reports it, seeded into the fake.
	srv.AddJob(workspace.Job{
		ID: "job-1", Type: "DELETE_POOL_VOLUMES", Status: "RUNNING", SubJobsTotal: 2,
		SubJobs: []workspace.SubJob{
			{ID: "sub-1", Status: "SUCCESS"},
			{ID: "sub-2", Status: "RUNNING"},
		},
	})
	c := srv.Client()

	job, err := c.Jobs.Get(context.Background(), "job-1")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(job.ID, job.Type, job.Status)
	for _, sj := range job.SubJobs {
		fmt.Println(" ", sj.ID, sj.Status)
	}

	_, err = c.Jobs.Get(context.Background(), "job-2")
	fmt.Println("job-2 exists:", !errors.Is(err, workspace.ErrNotFound))
	// Output:
	// job-1 DELETE_POOL_VOLUMES RUNNING
	//   sub-1 SUCCESS
	//   sub-2 RUNNING
	// job-2 exists: false
}

func ExampleJobsService_Wait() {
	srv := workspacetest.NewServer(workspacetest.WithJobDelay(50 * time.Millisecond))
	defer srv.Close()
	srv.AddPool(workspacetest.Pool{ID: "pool-1", Volumes: []workspace.VolumeInfo{{ID: "vol-1", Type: "SAS", Size: 100}}})
	c := srv.Client()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute) // bounds the whole wait
	defer cancel()

	res, err := c.DesktopPools.BatchDeleteVolumes(ctx, "pool-1", &workspace.BatchDeleteVolumesRequest{
		Volumes: []workspace.VolumeInfo{{ID: "vol-1", Type: "SAS", Size: 100}},
	})
	if err != nil {
		log.Fatal(err)
	}
	// nil options: poll at the client's WithWaitInterval (the fake's
	// clients: 10 ms), else every 10 s.
	job, err := c.Jobs.Wait(ctx, res.JobID, nil)
	var failed *workspace.JobFailedError
	switch {
	case errors.As(err, &failed):
		fmt.Println("failed:", failed.Job.FailReason)
	case err != nil:
		log.Fatal(err) // a 404 for the job, the context's end, ...
	default:
		fmt.Println(job.Status, len(job.SubJobs), "sub-job")
	}
	// Output:
	// SUCCESS 1 sub-job
}

func ExampleJobFailedError() {
	srv := workspacetest.NewServer()
	defer srv.Close()
	srv.AddPool(workspacetest.Pool{ID: "pool-1"})
	c := srv.Client()

	// The pool has no such volume: the job fails.
	res, err := c.DesktopPools.BatchDeleteVolumes(context.Background(), "pool-1", &workspace.BatchDeleteVolumesRequest{
		Volumes: []workspace.VolumeInfo{{ID: "vol-9", Type: "SAS", Size: 100}},
	})
	if err != nil {
		log.Fatal(err)
	}
	_, err = c.Jobs.Wait(context.Background(), res.JobID, nil)
	var failed *workspace.JobFailedError
	if errors.As(err, &failed) {
		for _, sj := range failed.Job.SubJobs {
			fmt.Println(failed.Job.Status, "sub-job:", sj.Status, sj.ErrorCode)
		}
	}
	// Output:
	// FAILED sub-job: FAILED WKS.00010004
}

func ExampleWithWaitInterval() {
	srv := workspacetest.NewServer()
	defer srv.Close()
	srv.AddJob(workspace.Job{ID: "job-1", Status: "SUCCESS"})

	// Clients built by hand poll every 10 s unless told otherwise.
	c, err := workspace.NewClient(
		workspace.WithEndpoint(srv.URL), workspace.WithProjectID(srv.ProjectID), workspace.WithToken(srv.Token),
		workspace.WithWaitInterval(2*time.Second),
	)
	if err != nil {
		log.Fatal(err)
	}
	job, err := c.Jobs.Wait(context.Background(), "job-1", nil) // or &workspace.WaitOptions{Interval: d} per call
	fmt.Println(job.Status, err)
	// Output:
	// SUCCESS <nil>
}

func ExampleWithRetryPolicy() {
	srv := workspacetest.NewServer()
	defer srv.Close()
	srv.FailNext(workspacetest.OpListSnapshots, 2, http.StatusServiceUnavailable, "")

	c, err := workspace.NewClient(
		workspace.WithEndpoint(srv.URL), workspace.WithProjectID(srv.ProjectID), workspace.WithToken(srv.Token),
		workspace.WithRetryPolicy(workspace.RetryPolicy{
			MaxAttempts: 3,                      // the first try and two retries (1: no retries)
			BaseDelay:   10 * time.Millisecond,  // back-off before the first retry, at most
			MaxDelay:    100 * time.Millisecond, // cap on any wait, Retry-After included
		}),
	)
	if err != nil {
		log.Fatal(err)
	}
	_, err = c.Snapshots.List(context.Background(), nil)
	fmt.Println("after two 503s:", err)

	srv.FailNext(workspacetest.OpListSnapshots, 3, http.StatusServiceUnavailable, "")
	_, err = c.Snapshots.List(context.Background(), nil)
	fmt.Println("after three 503s, ErrServer:", errors.Is(err, workspace.ErrServer))
	// Output:
	// after two 503s: <nil>
	// after three 503s, ErrServer: true
}

func ExampleWithLogger() {
	srv := workspacetest.NewServer()
	defer srv.Close()
	srv.FailNext(workspacetest.OpListSnapshots, 1, http.StatusTooManyRequests, "0")

	// Debug level: one record per attempt. Time, duration and request id
	// vary, so this example leaves them out.
	logger := slog.New(slog.NewTextHandler(os.Stdout, &slog.HandlerOptions{
		Level: slog.LevelDebug,
		ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
			switch a.Key {
			case slog.TimeKey, "duration", "request_id", "delay", "error":
				return slog.Attr{}
			}
			return a
		},
	}))
	c := srv.Client(workspace.WithLogger(logger))
	if _, err := c.Snapshots.List(context.Background(), nil); err != nil {
		log.Fatal(err)
	}
	// Output:
	// level=DEBUG msg="workspace: attempt" method=GET path=/v2/0bec5db98280d2d02fd6c00c2de791ce/snapshots attempt=1 status=429 retry=true
	// level=DEBUG msg="workspace: attempt" method=GET path=/v2/0bec5db98280d2d02fd6c00c2de791ce/snapshots attempt=2 status=200 retry=false
}

func ExampleWithRateLimit() {
	srv := workspacetest.NewServer()
	defer srv.Close()
	c := srv.Client(workspace.WithRateLimit(0.1, 1)) // one request every 10 s, no bursts

	_, err := c.Snapshots.List(context.Background(), nil)
	fmt.Println("first call:", err)

	// The next token comes in 10 s; the context ends sooner.
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err = c.Snapshots.List(ctx, nil)
	fmt.Println("second call within 50 ms:", errors.Is(err, context.DeadlineExceeded))
	// Output:
	// first call: <nil>
	// second call within 50 ms: true
}

func ExampleValidationError() {
	srv := workspacetest.NewServer()
	defer srv.Close()
	c := srv.Client()

	// Checked before anything is sent.
	_, err := c.Snapshots.List(context.Background(), &workspace.ListSnapshotsOptions{Limit: 5000})
	var ve *workspace.ValidationError
	if errors.As(err, &ve) {
		fmt.Println(ve.Field, "-", ve.Reason)
	}
	fmt.Println("requests sent:", len(srv.Requests()))
	// Output:
	// opts.Limit - must be between 0 (not sent) and 1000, got 5000
	// requests sent: 0
}

func ExampleDecodeError() {
	srv := workspacetest.NewServer()
	defer srv.Close()
	// A gateway answers 200 with an HTML page instead of the API's JSON.
	srv.InjectFault(workspacetest.OpListSnapshots, 1, workspacetest.Fault{Status: http.StatusOK, Body: "<html>maintenance</html>"})
	c := srv.Client()

	_, err := c.Snapshots.List(context.Background(), nil)
	var de *workspace.DecodeError
	if errors.As(err, &de) {
		fmt.Println(de.StatusCode, de.Method, de.Path)
	}
	// Output:
	// 200 GET /v2/0bec5db98280d2d02fd6c00c2de791ce/snapshots
}

// Client.Do reaches an operation the SDK does not wrap, here "list
// desktops" (GET /v2/{project_id}/desktops), with the client's
// credentials, retries and errors. The answer is decoded into a struct of
// the caller's.
func ExampleClient_Do() {
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Println(r.Method, r.URL.Path, r.URL.RawQuery)
		fmt.Fprint(w, `{"total_count": 2, "desktops": [
			{"desktop_id": "d-1", "computer_name": "FIN-001", "status": "ACTIVE"},
			{"desktop_id": "d-2", "computer_name": "FIN-002", "status": "SHUTOFF"}]}`)
	}))
	defer api.Close()
	c, err := workspace.NewClient(workspace.WithEndpoint(api.URL), workspace.WithProjectID("proj"), workspace.WithToken("t"))
	if err != nil {
		log.Fatal(err)
	}

	var page struct {
		TotalCount int `json:"total_count"`
		Desktops   []struct {
			ID     string `json:"desktop_id"`
			Name   string `json:"computer_name"`
			Status string `json:"status"`
		} `json:"desktops"`
	}
	err = c.Do(context.Background(), http.MethodGet, "/desktops", url.Values{"limit": {"10"}}, nil, &page)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("desktops:", page.TotalCount)
	for _, d := range page.Desktops {
		fmt.Println(d.ID, d.Name, d.Status)
	}
	// Output:
	// GET /v2/proj/desktops limit=10
	// desktops: 2
	// d-1 FIN-001 ACTIVE
	// d-2 FIN-002 SHUTOFF
}

// A path the gateway does not know is a 404 with the gateway's code
// APIGW.0101, as the fake answers too.
func ExampleClient_Do_noSuchAPI() {
	srv := workspacetest.NewServer()
	defer srv.Close()
	c := srv.Client()

	err := c.Do(context.Background(), http.MethodGet, "/no-such-resource", nil, nil, nil)
	var apiErr *workspace.APIError
	if errors.As(err, &apiErr) {
		fmt.Println(apiErr.StatusCode, apiErr.Code, apiErr.RequestID != "")
	}
	// Output:
	// 404 APIGW.0101 true
}

func ExampleDesktopPoolsService_BatchDeleteVolumesAndWait() {
	srv := workspacetest.NewServer()
	defer srv.Close()
	srv.AddPool(workspacetest.Pool{ID: "pool-1"})
	var volumes []workspace.VolumeInfo
	for range 35 {
		v, err := srv.AddVolume("pool-1", workspace.VolumeInfo{Type: "SSD", Size: 50})
		if err != nil {
			log.Fatal(err)
		}
		volumes = append(volumes, workspace.VolumeInfo{ID: v.ID})
	}
	// The pool is busy with another operation for the first two tries:
	// the chunk did not take effect and is sent again a wait interval later.
	srv.InjectFault(workspacetest.OpBatchDeleteVolumes, 2, workspacetest.Fault{Status: http.StatusConflict, Code: "WKS.00010032"})
	c := srv.Client()

	jobs, err := c.DesktopPools.BatchDeleteVolumesAndWait(context.Background(), "pool-1", &workspace.BatchDeleteVolumesRequest{Volumes: volumes}, nil)
	if err != nil {
		log.Fatal(err)
	}
	pool, _ := srv.Pool("pool-1")
	fmt.Println(len(jobs), "jobs,", len(srv.RequestsFor(workspacetest.OpBatchDeleteVolumes)), "requests,", len(pool.Volumes), "volumes left")
	// Output:
	// 4 jobs, 6 requests, 0 volumes left
}

func ExampleBulkError() {
	srv := workspacetest.NewServer()
	defer srv.Close()
	srv.AddPool(workspacetest.Pool{ID: "pool-1"})
	var volumes []workspace.VolumeInfo
	for range 15 {
		v, _ := srv.AddVolume("pool-1", workspace.VolumeInfo{Type: "SSD", Size: 50})
		volumes = append(volumes, workspace.VolumeInfo{ID: v.ID})
	}
	// The first chunk takes effect, and its answer is lost with the
	// connection: it is not sent again, nor is the chunk after it.
	srv.InjectFault(workspacetest.OpBatchDeleteVolumes, 1, workspacetest.Fault{Drop: true, AfterEffect: true})
	c := srv.Client()

	jobs, err := c.DesktopPools.BatchDeleteVolumesAndWait(context.Background(), "pool-1", &workspace.BatchDeleteVolumesRequest{Volumes: volumes}, nil)
	var bulk *workspace.BulkError
	if errors.As(err, &bulk) {
		for _, ch := range bulk.Chunks {
			switch {
			case ch.Err == nil:
				fmt.Println(len(ch.Indexes), "volumes: done")
			case errors.Is(ch.Err, workspace.ErrNotSent):
				fmt.Println(len(ch.Indexes), "volumes: not sent")
			case errors.Is(ch.Err, workspace.ErrUnknownOutcome):
				fmt.Println(len(ch.Indexes), "volumes: may have been deleted; look before sending them again")
			}
		}
	}
	pool, _ := srv.Pool("pool-1")
	fmt.Println(len(jobs), "jobs returned,", len(pool.Volumes), "volumes left")
	// Output:
	// 10 volumes: may have been deleted; look before sending them again
	// 5 volumes: not sent
	// 0 jobs returned, 5 volumes left
}

func ExampleWithConcurrency() {
	srv := workspacetest.NewServer(workspacetest.WithDemoData())
	defer srv.Close()
	// Up to 4 pages in flight, the one being yielded included; 1 fetches
	// strictly one page at a time.
	c := srv.Client(workspace.WithConcurrency(4))
	n := 0
	for _, err := range c.Snapshots.All(context.Background(), &workspace.ListSnapshotsOptions{Limit: 2}) {
		if err != nil {
			log.Fatal(err)
		}
		n++
	}
	fmt.Println(n == len(srv.Snapshots()))
	// Output: true
}

func ExampleDesktopPoolsService_BatchAddVolumesAndWait() {
	srv := examplePool()
	defer srv.Close()
	c := srv.Client()
	ctx := context.Background()

	volumes := make([]workspace.VolumeInfo, 12) // more than the API's 10 a call
	for i := range volumes {
		volumes[i] = workspace.VolumeInfo{Type: workspace.VolumeTypeSSD, Size: 50}
	}
	jobs, err := c.DesktopPools.BatchAddVolumesAndWait(ctx, "pool-1", &workspace.BatchAddVolumesRequest{Volumes: volumes}, nil)
	if err != nil {
		log.Fatal(err)
	}
	pool, err := c.DesktopPools.Get(ctx, "pool-1")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(jobs), "jobs,", len(pool.DataVolumes), "data volumes")
	// Output:
	// 2 jobs, 13 data volumes
}

func ExampleSnapshotsService_BatchCreateAndWait() {
	srv := examplePool()
	defer srv.Close()
	c := srv.Client()
	ctx := context.Background()

	jobs, err := c.Snapshots.BatchCreateAndWait(ctx, &workspace.BatchCreateSnapshotsRequest{
		DesktopIDs: []string{"d-1", "d-2", "d-3"}, // any number: sent 100 at a time
		DiskType:   workspace.DiskTypeSystemDisk,
		SystemDisk: workspace.SnapshotSpec{Name: "before-upgrade"},
	}, nil)
	if err != nil {
		log.Fatal(err)
	}
	page, err := c.Snapshots.List(ctx, nil)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(jobs), "job,", page.TotalCount, "snapshots")
	// Output:
	// 1 job, 3 snapshots
}

func ExampleSnapshotsService_BatchDeleteAndWait() {
	srv := examplePool()
	defer srv.Close()
	c := srv.Client()
	ctx := context.Background()

	jobs, err := c.Snapshots.BatchDeleteAndWait(ctx, snapshotIDs(srv, "d-1", "d-2", "d-3"), nil)
	if err != nil {
		log.Fatal(err)
	}
	page, err := c.Snapshots.List(ctx, nil)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(jobs), "job, snapshots left:", page.TotalCount)
	// Output:
	// 1 job, snapshots left: 0
}

func ExampleSnapshotsService_BatchRestoreAndWait() {
	srv := examplePool()
	defer srv.Close()
	c := srv.Client()
	ctx := context.Background()

	jobs, err := c.Snapshots.BatchRestoreAndWait(ctx, snapshotIDs(srv, "d-3"), nil)
	if err != nil {
		log.Fatal(err)
	}
	page, err := c.Snapshots.List(ctx, &workspace.ListSnapshotsOptions{DesktopID: "d-3"})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(jobs), "job,", page.Items[0].Status)
	// Output:
	// 1 job, restore_success
}

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
