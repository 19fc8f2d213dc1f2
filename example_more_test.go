package workspace_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"time"

	"github.com/hwcloud-go/workspace"
	"github.com/hwcloud-go/workspace/workspacetest"
)

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

func ExampleWithEnv() {
	srv := workspacetest.NewServer()
	defer srv.Close()
	// What a deployment sets; here, the fake's endpoint, project and keys
	// (restored afterwards).
	for name, value := range map[string]string{
		workspace.EnvEndpoint:      srv.URL, // or workspace.EnvRegion: "ap-southeast-3"
		workspace.EnvProjectID:     srv.ProjectID,
		workspace.EnvAccessKey:     srv.AccessKey, // or workspace.EnvToken
		workspace.EnvSecretKey:     srv.SecretKey,
		workspace.EnvSecurityToken: "", // only with temporary keys
	} {
		if old, ok := os.LookupEnv(name); ok {
			defer os.Setenv(name, old)
		} else {
			defer os.Unsetenv(name)
		}
		os.Setenv(name, value)
	}

	c, err := workspace.NewClient(workspace.WithEnv(), workspace.WithUserAgent("my-tool/1.0"))
	if err != nil {
		log.Fatal(err) // names every variable that is missing
	}
	page, err := c.Snapshots.List(context.Background(), nil)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("snapshots:", page.TotalCount)
	// Output:
	// snapshots: 0
}

func ExampleNewIAMTokenSource() {
	// A stand-in for IAM: it hands out a token valid for 24 hours.
	iam := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Println("IAM:", r.Method, r.URL.Path)
		w.Header().Set("X-Subject-Token", "token-from-iam")
		w.WriteHeader(http.StatusCreated)
		fmt.Fprintf(w, `{"token":{"expires_at":%q}}`, time.Now().Add(24*time.Hour).UTC().Format(time.RFC3339))
	}))
	defer iam.Close()
	srv := workspacetest.NewServer(workspacetest.WithToken("token-from-iam"))
	defer srv.Close()

	src, err := workspace.NewIAMTokenSource(workspace.IAMConfig{
		Endpoint: iam.URL, // or Region: "ap-southeast-3"
		UserName: "ops-robot", Password: workspace.NewSecret("its-password"), DomainName: "my-account",
		ProjectID: srv.ProjectID,
	})
	if err != nil {
		log.Fatal(err)
	}
	c, err := workspace.NewClient(workspace.WithEndpoint(srv.URL), workspace.WithProjectID(srv.ProjectID), workspace.WithTokenSource(src))
	if err != nil {
		log.Fatal(err)
	}
	// The token is fetched once and cached: two calls, one IAM request.
	for range 2 {
		if _, err := c.Snapshots.List(context.Background(), nil); err != nil {
			log.Fatal(err)
		}
	}
	// fmt.Println(src) shows the user, domain and project, never the
	// password or the token.

	// Output:
	// IAM: POST /v3/auth/tokens
}

func ExampleNewMetadataCredentialsProvider() {
	srv := workspacetest.NewServer(workspacetest.WithSecurityToken("temporary-security-token"))
	defer srv.Close()
	// A stand-in for the ECS metadata service at http://169.254.169.254:
	// the temporary keys of the instance's agency.
	meta := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/openstack/latest/securitykey" {
			http.NotFound(w, r)
			return
		}
		fmt.Fprintf(w, `{"credential":{"access":%q,"secret":%q,"securitytoken":%q,"expires_at":%q}}`,
			srv.AccessKey, srv.SecretKey, srv.SecurityToken, time.Now().Add(time.Hour).UTC().Format(time.RFC3339))
	}))
	defer meta.Close()

	p, err := workspace.NewMetadataCredentialsProvider(workspace.MetadataConfig{
		Endpoint: meta.URL, // on an ECS instance: leave empty
	})
	if err != nil {
		log.Fatal(err)
	}
	c, err := workspace.NewClient(workspace.WithEndpoint(srv.URL), workspace.WithProjectID(srv.ProjectID), workspace.WithCredentialsProvider(p))
	if err != nil {
		log.Fatal(err)
	}
	page, err := c.Snapshots.List(context.Background(), nil) // signed with the temporary keys
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("snapshots:", page.TotalCount, "auth:", srv.Requests()[0].Auth)
	// Output:
	// snapshots: 0 auth: aksk
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
