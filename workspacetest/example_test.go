package workspacetest_test

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"net/http"
	"time"

	"github.com/jarcoal/httpmock"

	"github.com/hwcloud-go/workspace"
	"github.com/hwcloud-go/workspace/workspacetest"
)

// Recipe 1: the fake server. Seed it, point the client at it, assert on
// the results and on the requests it received.
func ExampleNewServer() {
	srv := workspacetest.NewServer()
	defer srv.Close()
	srv.AddPool(workspacetest.Pool{ID: "pool-1", ProductID: "office.medium", ImageID: "img-1"})
	srv.AddDesktop(workspacetest.Desktop{ID: "d-1", PoolID: "pool-1", ProductID: "office.large", ImageID: "img-1"})
	srv.AddDesktop(workspacetest.Desktop{ID: "d-2", PoolID: "pool-1", ProductID: "office.medium", ImageID: "img-1"})

	c := srv.Client() // or workspace.NewClient(workspace.WithEndpoint(srv.URL), ...)
	stats, err := c.DesktopPools.GetInconsistentStatistics(context.Background(), "pool-1")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("desktops with another product:", stats.ProductID)

	_, err = c.DesktopPools.GetInconsistentStatistics(context.Background(), "pool-2")
	fmt.Println("unknown pool is ErrNotFound:", errors.Is(err, workspace.ErrNotFound))

	for _, r := range srv.Requests() {
		fmt.Println(r.Method, r.Path, r.Status)
	}
	// Output:
	// desktops with another product: 1
	// unknown pool is ErrNotFound: true
	// GET /v2/0bec5db98280d2d02fd6c00c2de791ce/desktop-pools/pool-1/inconsistent-statics 200
	// GET /v2/0bec5db98280d2d02fd6c00c2de791ce/desktop-pools/pool-2/inconsistent-statics 400
}

// The fake can fail the next calls of an operation, here with two 503s,
// which the client's retries absorb.
func ExampleServer_FailNext() {
	srv := workspacetest.NewServer(workspacetest.WithDemoData())
	defer srv.Close()
	srv.FailNext(workspacetest.OpListSnapshots, 2, http.StatusServiceUnavailable, "0")

	page, err := srv.Client().Snapshots.List(context.Background(), &workspace.ListSnapshotsOptions{Limit: 10})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("snapshots:", page.TotalCount, "on this page:", len(page.Items))
	for _, r := range srv.RequestsFor(workspacetest.OpListSnapshots) {
		fmt.Println("answered", r.Status)
	}
	// Output:
	// snapshots: 360 on this page: 10
	// answered 503
	// answered 503
	// answered 200
}

// A batch-delete job stays RUNNING for the job delay (here 30 ms), then
// succeeds, or fails for a volume the pool does not have. Jobs.Wait with
// nil options polls every ClientWaitInterval (10 ms) on a client of the
// fake, every 10 s on a real one.
func ExampleWithJobDelay() {
	srv := workspacetest.NewServer(workspacetest.WithJobDelay(30 * time.Millisecond))
	defer srv.Close()
	srv.AddPool(workspacetest.Pool{ID: "pool-1", Volumes: []workspace.VolumeInfo{{ID: "vol-1", Type: "SAS", Size: 100}}})
	c := srv.Client()
	ctx := context.Background()

	for _, id := range []string{"vol-1", "vol-9"} {
		start := time.Now()
		res, err := c.DesktopPools.BatchDeleteVolumes(ctx, "pool-1", &workspace.BatchDeleteVolumesRequest{
			Volumes: []workspace.VolumeInfo{{ID: id, Type: "SAS", Size: 100}},
		})
		if err != nil {
			fmt.Println(err)
			return
		}
		job, err := c.Jobs.Wait(ctx, res.JobID, nil)
		var failed *workspace.JobFailedError
		fmt.Println(id, job.Status, errors.As(err, &failed), "after the delay:", time.Since(start) >= 30*time.Millisecond)
	}
	// Output:
	// vol-1 SUCCESS false after the delay: true
	// vol-9 FAILED true after the delay: true
}

// Recipe 2: the service interfaces. Code that takes a
// workspace.SnapshotsAPI (or DesktopPoolsAPI, DesktopsAPI, JobsAPI, or all
// four in a workspace.Services) instead of the *workspace.Client can be
// tested with a few lines of hand-written fake, without any HTTP.
func Example_serviceInterfaces() {
	fake := &snapshotsFake{items: []workspace.Snapshot{
		{ID: "s-1", Status: workspace.SnapshotStatusCreateFailed},
		{ID: "s-2", Status: workspace.SnapshotStatusCreateSuccess},
		{ID: "s-3", Status: workspace.SnapshotStatusCreateFailed},
	}}
	n, err := countFailedSnapshots(context.Background(), fake)
	fmt.Println(n, err)

	// A failing page: Seq yields the items, then the error once.
	n, err = countFailedSnapshots(context.Background(), &snapshotsFake{items: fake.items[:1], err: errors.New("page 2: 503")})
	fmt.Println(n, err)

	// In production the same function takes the client's service,
	// countFailedSnapshots(ctx, c.Snapshots): a *workspace.SnapshotsService.
	var _ workspace.SnapshotsAPI = (*workspace.SnapshotsService)(nil)
	// Output:
	// 2 <nil>
	// 0 page 2: 503
}

// countFailedSnapshots is the code under test: it depends on the
// interface, not on the client.
func countFailedSnapshots(ctx context.Context, snapshots workspace.SnapshotsAPI) (int, error) {
	n := 0
	for s, err := range snapshots.All(ctx, &workspace.ListSnapshotsOptions{Status: workspace.SnapshotStatusCreateFailed}) {
		if err != nil {
			return 0, err
		}
		if s.Status == workspace.SnapshotStatusCreateFailed { // the fake below does not filter
			n++
		}
	}
	return n, nil
}

// snapshotsFake is a hand-written workspace.SnapshotsAPI. Embedding the
// interface (left nil) makes the struct satisfy it whatever methods the
// interface has; write only the methods the code under test calls. One
// that is not written panics with a nil dereference if called, which
// shows at once in the test.
type snapshotsFake struct {
	workspace.SnapshotsAPI
	items []workspace.Snapshot
	err   error
}

func (f *snapshotsFake) All(context.Context, *workspace.ListSnapshotsOptions) iter.Seq2[workspace.Snapshot, error] {
	return workspacetest.Seq(f.items, f.err)
}

// Code that needs several services takes a workspace.Services; the client
// supplies all four with c.Services(), a test only the ones it fakes.
func Example_services() {
	srv := workspacetest.NewServer(workspacetest.WithDemoData())
	defer srv.Close()
	c := srv.Client()

	n, err := countSnapshots(context.Background(), c.Services()) // production: the client's services
	fmt.Println("against the fake server:", n, err)

	fake := workspace.Services{ // a test: only what countSnapshots calls
		Snapshots: &snapshotsFake{items: make([]workspace.Snapshot, 3)},
	}
	n, err = countSnapshots(context.Background(), fake)
	fmt.Println("against a hand-written fake:", n, err)
	// Output:
	// against the fake server: 360 <nil>
	// against a hand-written fake: 3 <nil>
}

// countSnapshots counts snapshots through a workspace.Services.
func countSnapshots(ctx context.Context, api workspace.Services) (int, error) {
	n := 0
	for _, err := range api.Snapshots.All(ctx, nil) {
		if err != nil {
			return 0, err
		}
		n++
	}
	return n, nil
}

// Recipe 3: httpmock through WithHTTPClient. The client sends through the
// mock transport; nothing leaves the process.
func Example_httpmock() {
	mock := httpmock.NewMockTransport()
	const base = "https://workspace.example.com/v2/my-project"
	mock.RegisterResponder("GET", base+"/desktop-pools/pool-1/inconsistent-statics",
		httpmock.NewStringResponder(200, `{"product_id": 1, "image_id": 0, "disk_num": 2, "disk_size": 3}`))
	mock.RegisterResponder("POST", base+"/desktop-pools/pool-1/volumes/batch-delete",
		httpmock.NewStringResponder(200, `{"job_id": "job-1"}`))
	mock.RegisterResponder("GET", base+"/workspace-jobs/job-1",
		httpmock.NewStringResponder(200, `{"id": "job-1", "job_type": "BATCH_DELETE_POOL_VOLUMES", "status": "SUCCESS",
			"sub_jobs_total": 1, "sub_jobs": [{"id": "sub-1", "status": "SUCCESS"}]}`))
	mock.RegisterResponder("POST", base+"/desktops/check-images",
		httpmock.NewStringResponder(404, `{"error_code": "APIGW.0101", "error_msg": "no such API"}`).
			HeaderSet(http.Header{"X-Request-Id": {"req-42"}}))

	c, err := workspace.NewClient(
		workspace.WithEndpoint("https://workspace.example.com"),
		workspace.WithProjectID("my-project"),
		workspace.WithToken("test-token"),
		workspace.WithHTTPClient(&http.Client{Transport: mock}),
		// One attempt: a request with no responder fails at once instead
		// of being retried with back-off.
		workspace.WithRetryPolicy(workspace.RetryPolicy{MaxAttempts: 1}),
	)
	if err != nil {
		fmt.Println(err)
		return
	}
	ctx := context.Background()
	stats, err := c.DesktopPools.GetInconsistentStatistics(ctx, "pool-1")
	fmt.Printf("%+v %v\n", *stats, err)

	res, err := c.DesktopPools.BatchDeleteVolumes(ctx, "pool-1", &workspace.BatchDeleteVolumesRequest{
		Volumes: []workspace.VolumeInfo{{ID: "vol-1", Type: "SAS", Size: 10}},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	job, err := c.Jobs.Wait(ctx, res.JobID, nil) // done at the first poll
	fmt.Println(job.ID, job.Status, len(job.SubJobs), err)

	_, err = c.Desktops.CheckImages(ctx, []string{"d-1"})
	var apiErr *workspace.APIError
	if errors.As(err, &apiErr) {
		fmt.Println(apiErr.StatusCode, apiErr.Code, apiErr.RequestID)
	}
	_, err = c.Snapshots.List(ctx, nil) // no responder: one call, an error
	fmt.Println("no responder:", err != nil, "answered calls:", mock.GetTotalCallCount())
	// Output:
	// {ProductID:1 ImageID:0 DiskNum:2 DiskSize:3} <nil>
	// job-1 SUCCESS 1 <nil>
	// 404 APIGW.0101 req-42
	// no responder: true answered calls: 4
}
