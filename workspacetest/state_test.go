package workspacetest_test

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hwcloud-go/workspace"
)

// A job with every field set goes through the fake's answer and the
// client's decoding unchanged: the fake sends every field of the job
// answer and the client keeps every one.
func TestFakeJobEveryFieldRoundTrips(t *testing.T) {
	t.Parallel()
	t0 := time.Date(2026, 2, 10, 8, 30, 0, 0, time.UTC)
	full := workspace.Job{
		ID: "job-1", Type: "BATCH_DELETE_POOL_VOLUMES", Status: workspace.JobStatusFailed,
		ErrorCode: "WKS.00010004", FailReason: "1 of 1 volumes could not be deleted",
		BeginTime: t0, EndTime: t0.Add(time.Minute), SubJobsTotal: 1,
		SubJobs: []workspace.SubJob{{
			ID: "sub-1", Type: "DELETE_POOL_VOLUME", Status: workspace.JobStatusFail, ErrorCode: "WKS.00010004",
			FailReason: "volume not found", BeginTime: t0, EndTime: t0.Add(30 * time.Second), Host: "host-1",
			ProjectID: "project-1", JobID: "job-1", Process: 40,
			DesktopID: "d-1", ProductID: "workspace.x86.ultimate.large2", UserName: "alice", DesktopName: "alice-pc",
			IPAddress: "192.168.0.11", AttachUser: "alice", Entity: "volume v-1", SubJobIPAddress: "192.168.0.12",
			SubJobDesktopName: "alice-pc-renamed", MACAddress: "fa:16:3e:00:00:01", Message: "volume not found",
		}},
	}
	assertNoZeroField(t, reflect.ValueOf(full), "Job")
	assertNoZeroField(t, reflect.ValueOf(full.SubJobs[0]), "SubJob")

	srv := fakeNewServer(t)
	srv.AddJob(full)
	got, err := srv.Client().Jobs.Get(context.Background(), "job-1")
	require.NoError(t, err)
	assert.Equal(t, &full, got)
}

// assertNoZeroField fails for any zero field of the struct v, so that a
// field added later must be set (and so round-tripped) here too.
func assertNoZeroField(t *testing.T, v reflect.Value, name string) {
	t.Helper()
	for i := range v.NumField() {
		assert.False(t, v.Field(i).IsZero(), "%s.%s is zero: set it in the test", name, v.Type().Field(i).Name)
	}
}
