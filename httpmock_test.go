package workspace_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"testing"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hwcloud-go/workspace"
)

// TestHTTPMock_DownstreamUse tests the client the way a user's own tests
// would: httpmock's transport in an http.Client given to WithHTTPClient,
// with the region's real endpoint that is never contacted.
func TestHTTPMock_DownstreamUse(t *testing.T) {
	t.Parallel()
	const base = "https://workspace.ap-southeast-3.myhuaweicloud.com/v2/proj-1"
	mt := httpmock.NewMockTransport()
	mt.RegisterResponder("GET", base+"/desktop-pools/pool-1/inconsistent-statics",
		httpmock.NewStringResponder(http.StatusOK, `{"product_id":2,"image_id":2,"disk_num":3,"disk_size":4}`))
	mt.RegisterResponderWithQuery("GET", base+"/snapshots",
		url.Values{"desktop_ids": {"d1", "d2"}, "sort_field": {"create_time"}, "sort_type": {"DESC"}},
		httpmock.NewStringResponder(http.StatusOK, `{"total_count":1,"desktop_snapshots":[{"snapshot_id":"s1","process":null}]}`))
	mt.RegisterResponder("POST", base+"/desktops/check-images",
		func(r *http.Request) (*http.Response, error) {
			if r.Header.Get("X-Auth-Token") != "user-token" {
				return httpmock.NewStringResponse(http.StatusUnauthorized, `{"error_code":"APIGW.0301"}`), nil
			}
			return httpmock.NewJsonResponse(http.StatusOK, map[string]any{
				"image_infos": []map[string]string{{"desktop_id": "d1", "image_id": "img", "os_type": "Linux"}},
			})
		})
	mt.RegisterResponder("GET", base+"/workspace-jobs/missing",
		httpmock.NewStringResponder(http.StatusNotFound, `{"error_code":"WKS.0404","error_msg":"job not found"}`))

	hc := &http.Client{Transport: mt}
	c, err := workspace.NewClient(
		workspace.WithRegion("ap-southeast-3"),
		workspace.WithProjectID("proj-1"),
		workspace.WithToken("user-token"),
		workspace.WithHTTPClient(hc),
		workspace.WithRetryPolicy(workspace.RetryPolicy{MaxAttempts: 1}),
	)
	require.NoError(t, err)
	ctx := context.Background()

	stats, err := c.DesktopPools.GetInconsistentStatistics(ctx, "pool-1")
	require.NoError(t, err)
	assert.Equal(t, &workspace.InconsistentStatistics{ProductID: 2, ImageID: 2, DiskNum: 3, DiskSize: 4}, stats)

	page, err := c.Snapshots.List(ctx, &workspace.ListSnapshotsOptions{
		DesktopIDs: []string{"d1", "d2"}, SortField: workspace.SortFieldCreateTime, SortType: workspace.SortTypeDesc,
	})
	require.NoError(t, err)
	require.Len(t, page.Items, 1)
	assert.Equal(t, "s1", page.Items[0].ID)
	assert.Nil(t, page.Items[0].Process)

	infos, err := c.Desktops.CheckImages(ctx, []string{"d1"})
	require.NoError(t, err)
	assert.Equal(t, []workspace.DesktopImageInfo{{DesktopID: "d1", ImageID: "img", OSType: "Linux"}}, infos)

	_, err = c.Jobs.Get(ctx, "missing")
	assert.ErrorIs(t, err, workspace.ErrNotFound)
	var apiErr *workspace.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, "WKS.0404", apiErr.Code)

	// An unregistered URL is httpmock's error, never a request to the cloud.
	_, err = c.DesktopPools.GetInconsistentStatistics(ctx, "unknown-pool")
	require.Error(t, err)
	assert.False(t, errors.As(err, &apiErr))

	info := mt.GetCallCountInfo()
	assert.Equal(t, 1, info["GET "+base+"/desktop-pools/pool-1/inconsistent-statics"])
	assert.Equal(t, 1, info["POST "+base+"/desktops/check-images"])
	assert.Equal(t, 4, mt.GetTotalCallCount(), "calls that matched a responder")
	assert.Nil(t, hc.CheckRedirect, "WithHTTPClient does not modify the caller's client")
}
