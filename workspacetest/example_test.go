package workspacetest_test

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"log"
	"net/http"
	"sync"
	"time"

	"github.com/hwcloud-go/workspace"
	"github.com/hwcloud-go/workspace/workspacetest"
	"github.com/jarcoal/httpmock"
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

// AddJob seeds a job in any state, for code that reads or waits for jobs;
// UpdateJob moves it on while the code under test polls.
func ExampleServer_AddJob() {
	srv := workspacetest.NewServer()
	defer srv.Close()
	srv.AddJob(workspace.Job{
		ID: "job-1", Status: "RUNNING", SubJobsTotal: 2,
		SubJobs: []workspace.SubJob{{ID: "sub-1", Status: "SUCCESS"}, {ID: "sub-2", Status: "RUNNING"}},
	})
	c := srv.Client()

	go func() {
		time.Sleep(30 * time.Millisecond) // a few polls later
		srv.UpdateJob("job-1", func(j *workspace.Job) {
			j.Status = "SUCCESS" // the job is done ...
			j.SubJobs[1].Status = "FAILED"
			j.SubJobs[1].FailReason = "volume is in use" // ... but one sub-job failed
		})
	}()
	job, err := c.Jobs.Wait(context.Background(), "job-1", nil)
	var failed *workspace.JobFailedError
	fmt.Println(job.Status, errors.As(err, &failed))
	fmt.Println(err)
	// Output:
	// SUCCESS true
	// workspace: job job-1 SUCCESS (1 of 2 sub-jobs did not succeed): volume is in use
}

// InjectFault makes the next calls of an operation fail in ways FailNext
// does not cover: an HTML page from a gateway, a code of the test's
// choosing, a lost answer to a request that took effect.
func ExampleServer_InjectFault() {
	srv := workspacetest.NewServer()
	defer srv.Close()
	srv.AddPool(workspacetest.Pool{ID: "pool-1", Volumes: []workspace.VolumeInfo{{ID: "vol-1", Type: "SAS", Size: 100}}})
	c := srv.Client()

	srv.InjectFault(workspacetest.OpGetInconsistentStatistics, 1, workspacetest.Fault{
		Status: http.StatusForbidden, Code: "WKS.00010001", Message: "not allowed for this user",
	})
	_, err := c.DesktopPools.GetInconsistentStatistics(context.Background(), "pool-1")
	var apiErr *workspace.APIError
	if errors.As(err, &apiErr) {
		fmt.Println(errors.Is(err, workspace.ErrForbidden), apiErr.StatusCode, apiErr.Code, apiErr.Message)
	}

	// The batch-delete takes effect, then the answer is a 502: a write is
	// not retried (it may have happened), so the caller sees the 502 ...
	srv.InjectFault(workspacetest.OpBatchDeleteVolumes, 1, workspacetest.Fault{Status: http.StatusBadGateway, AfterEffect: true})
	_, err = c.DesktopPools.BatchDeleteVolumes(context.Background(), "pool-1", &workspace.BatchDeleteVolumesRequest{
		Volumes: []workspace.VolumeInfo{{ID: "vol-1", Type: "SAS", Size: 100}},
	})
	fmt.Println(errors.Is(err, workspace.ErrServer), len(srv.RequestsFor(workspacetest.OpBatchDeleteVolumes)))
	// ... and the job ran anyway.
	p, _ := srv.Pool("pool-1")
	fmt.Println("volumes left:", len(p.Volumes))
	// Output:
	// true 403 WKS.00010001 not allowed for this user
	// true 1
	// volumes left: 0
}

// WithClock lets a test move the fake's time itself: here a job with a
// one-hour delay finishes at once, and an AK/SK signature from a client
// whose clock is off is refused.
func ExampleWithClock() {
	var mu sync.Mutex
	now := time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC)
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	advance := func(d time.Duration) { mu.Lock(); defer mu.Unlock(); now = now.Add(d) }

	srv := workspacetest.NewServer(workspacetest.WithClock(clock), workspacetest.WithJobDelay(time.Hour))
	defer srv.Close()
	srv.AddPool(workspacetest.Pool{ID: "pool-1", Volumes: []workspace.VolumeInfo{{ID: "vol-1", Type: "SAS", Size: 100}}})
	c := srv.Client()

	res, err := c.DesktopPools.BatchDeleteVolumes(context.Background(), "pool-1", &workspace.BatchDeleteVolumesRequest{
		Volumes: []workspace.VolumeInfo{{ID: "vol-1", Type: "SAS", Size: 100}},
	})
	if err != nil {
		log.Fatal(err)
	}
	job, _ := c.Jobs.Get(context.Background(), res.JobID)
	fmt.Println(job.Status, job.BeginTime.Format(time.TimeOnly))
	advance(time.Hour)
	job, _ = c.Jobs.Get(context.Background(), res.JobID)
	fmt.Println(job.Status, job.EndTime.Format(time.TimeOnly))

	// The fake's clock is now 2026-01-01 10:00 UTC, and the signing
	// client's is today's: more than 15 minutes apart.
	signed := srv.Client(workspace.WithAccessKey(srv.AccessKey, srv.SecretKey))
	_, err = signed.Snapshots.List(context.Background(), nil)
	fmt.Println(errors.Is(err, workspace.ErrUnauthorized))
	// Output:
	// RUNNING 09:00:00
	// SUCCESS 10:00:00
	// true
}

// With AK/SK the fake verifies each request's SDK-HMAC-SHA256 signature
// as the gateway does; a wrong secret key is a 401.
func Example_accessKey() {
	srv := workspacetest.NewServer()
	defer srv.Close()

	c := srv.Client(workspace.WithAccessKey(srv.AccessKey, srv.SecretKey)) // instead of the fake's token
	_, err := c.Snapshots.List(context.Background(), nil)
	fmt.Println("signed:", err, srv.Requests()[0].Auth, srv.Requests()[0].Header.Get("X-Project-Id") == srv.ProjectID)

	wrong := srv.Client(workspace.WithAccessKey(srv.AccessKey, "not-the-secret-key"))
	_, err = wrong.Snapshots.List(context.Background(), nil)
	fmt.Println("wrong key:", errors.Is(err, workspace.ErrUnauthorized))
	// Output:
	// signed: <nil> aksk true
	// wrong key: true
}
