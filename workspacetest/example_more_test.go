package workspacetest_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net/http"
	"sync"
	"time"

	"github.com/hwcloud-go/workspace"
	"github.com/hwcloud-go/workspace/workspacetest"
)

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
