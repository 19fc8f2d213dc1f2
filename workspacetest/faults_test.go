package workspacetest_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/hwcloud-go/workspace"
	"github.com/hwcloud-go/workspace/workspacetest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestFakeFailNextWithRetryAfter(t *testing.T) {
	t.Parallel()
	srv := fakeNewServer(t)
	srv.FailNext(workspacetest.OpListSnapshots, 2, http.StatusServiceUnavailable, "0")
	srv.FailNext(workspacetest.OpCheckImages, 1, http.StatusTooManyRequests, "7")

	// Other operations are not affected.
	_, err := srv.Client().DesktopPools.ListScriptExecutionTasks(context.Background(), nil)
	require.NoError(t, err)

	// The raw answer carries the status, Retry-After and the error body.
	res := fakeRaw(t, srv, "POST", "/desktops/check-images", "", []byte(`{"desktop_ids":["x"]}`), nil)
	assert.Equal(t, http.StatusTooManyRequests, res.Status)
	assert.Equal(t, "7", res.Header.Get("Retry-After"))
	assert.Equal(t, workspacetest.ErrCodeThrottled, res.ErrorCode)
	assert.Equal(t, http.StatusOK, fakeRaw(t, srv, "POST", "/desktops/check-images", "", []byte(`{"desktop_ids":["x"]}`), nil).Status, "used up")

	// The client retries the two 503s and succeeds on the third try.
	_, err = srv.Client(fakeQuickRetries).Snapshots.List(context.Background(), nil)
	require.NoError(t, err)
	var statuses []int
	for _, r := range srv.RequestsFor(workspacetest.OpListSnapshots) {
		statuses = append(statuses, r.Status)
	}
	assert.Equal(t, []int{503, 503, 200}, statuses)

	// Without retries, the client sees the status.
	srv.FailNext(workspacetest.OpAny, 1, http.StatusConflict, "")
	_, err = srv.Client().Snapshots.List(context.Background(), nil)
	require.ErrorIs(t, err, workspace.ErrConflict)
	assert.Equal(t, workspacetest.ErrCodeConflict, fakeAPIError(t, err).Code)
}

func TestFakeInjectFaultVariants(t *testing.T) {
	t.Parallel()
	srv := fakeNewServer(t)
	p := fakeSeedPool(srv)
	c := srv.Client(workspace.WithRetryPolicy(workspace.RetryPolicy{MaxAttempts: 1}))
	ctx := context.Background()

	srv.InjectFault(workspacetest.OpGetInconsistentStatistics, 1, workspacetest.Fault{Status: 502, Body: "<html><body>Bad Gateway</body></html>"})
	_, err := c.DesktopPools.GetInconsistentStatistics(ctx, p.ID)
	require.ErrorIs(t, err, workspace.ErrServer)
	assert.Contains(t, fakeAPIError(t, err).Message, "Bad Gateway")

	srv.InjectFault(workspacetest.OpGetInconsistentStatistics, 1, workspacetest.Fault{Status: 500, Code: "WKS.9", Message: "boom"})
	_, err = c.DesktopPools.GetInconsistentStatistics(ctx, p.ID)
	ae := fakeAPIError(t, err)
	assert.Equal(t, "WKS.9", ae.Code)
	assert.Equal(t, "boom", ae.Message)

	// A lost answer to a batch-delete that took effect.
	srv.InjectFault(workspacetest.OpBatchDeleteVolumes, 1, workspacetest.Fault{Status: 504, AfterEffect: true})
	_, err = c.DesktopPools.BatchDeleteVolumes(ctx, p.ID, &workspace.BatchDeleteVolumesRequest{Volumes: []workspace.VolumeInfo{{Type: "SAS", Size: 100}}})
	require.ErrorIs(t, err, workspace.ErrServer)
	assert.Len(t, srv.Jobs(), 1, "the job started anyway")

	srv.ClearFaults()
	srv.FailNext(workspacetest.OpAny, 5, 500, "")
	srv.ClearFaults()
	_, err = c.DesktopPools.GetInconsistentStatistics(ctx, p.ID)
	require.NoError(t, err)
}
