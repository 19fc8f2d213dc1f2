package compat

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/sdkerr"
	vendorws "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/workspace/v2"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/services/workspace/v2/model"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hwcloud-go/workspace"
	"github.com/hwcloud-go/workspace/workspacetest"
)

// errCase is a failing call made with both clients. setup, when not nil,
// runs before each client's call (to inject a fault, say).
type errCase struct {
	name    string
	setup   func(srv *workspacetest.Server)
	ours    func(ctx context.Context, c *workspace.Client) error
	vendor  func(vc *vendorws.WorkspaceClient) error
	status  int
	code    string
	is      error // the sentinel our error matches
	notIs   error // a sentinel it must not match
	message bool  // the two clients must also agree on the message
}

func errorCases(f fixture) []errCase {
	return []errCase{
		{
			name: "missing pool (400 WKS.0001, as the API answers it)", status: 400, code: workspacetest.ErrCodePoolNotFound, is: workspace.ErrNotFound,
			notIs: workspace.ErrNoSuchAPI, message: true,
			ours: func(ctx context.Context, c *workspace.Client) error {
				_, err := c.DesktopPools.GetInconsistentStatistics(ctx, "no-such-pool")
				return err
			},
			vendor: func(vc *vendorws.WorkspaceClient) error {
				_, err := vc.ListInconsistentStatics(&model.ListInconsistentStaticsRequest{PoolId: "no-such-pool"})
				return err
			},
		},
		{
			name: "detail of a missing pool", status: 400, code: workspacetest.ErrCodePoolNotFound, is: workspace.ErrNotFound,
			notIs: workspace.ErrNoSuchAPI, message: true,
			ours: func(ctx context.Context, c *workspace.Client) error {
				_, err := c.DesktopPools.Get(ctx, "no-such-pool")
				return err
			},
			vendor: func(vc *vendorws.WorkspaceClient) error {
				_, err := vc.ShowDesktopPoolDetail(&model.ShowDesktopPoolDetailRequest{PoolId: "no-such-pool"})
				return err
			},
		},
		{
			name: "missing job", status: 404, code: workspacetest.ErrCodeJobNotFound, is: workspace.ErrNotFound, message: true,
			ours: func(ctx context.Context, c *workspace.Client) error {
				_, err := c.Jobs.Get(ctx, "no-such-job")
				return err
			},
			vendor: func(vc *vendorws.WorkspaceClient) error {
				_, err := vc.ShowJob(&model.ShowJobRequest{JobId: "no-such-job"})
				return err
			},
		},
		{
			name: "batch-delete on a missing pool", status: 400, code: workspacetest.ErrCodePoolNotFound, is: workspace.ErrNotFound, message: true,
			ours: func(ctx context.Context, c *workspace.Client) error {
				_, err := c.DesktopPools.BatchDeleteVolumes(ctx, "no-such-pool", &workspace.BatchDeleteVolumesRequest{
					Volumes: []workspace.VolumeInfo{{ID: "v-1"}},
				})
				return err
			},
			vendor: func(vc *vendorws.WorkspaceClient) error {
				_, err := vc.DeleteDesktopPoolVolumes(&model.DeleteDesktopPoolVolumesRequest{
					PoolId: "no-such-pool",
					Body:   &model.DeleteDesktopPoolVolumesReq{Volumes: &[]model.DeleteDesktopPoolVolumesReqVolumes{{Id: "v-1"}}},
				})
				return err
			},
		},
		{
			name: "throttled", status: 429, code: workspacetest.ErrCodeThrottled, is: workspace.ErrThrottled,
			setup: func(srv *workspacetest.Server) {
				srv.FailNext(workspacetest.OpListSnapshots, 1, http.StatusTooManyRequests, "1")
			},
			ours: func(ctx context.Context, c *workspace.Client) error {
				_, err := c.Snapshots.List(ctx, &workspace.ListSnapshotsOptions{Limit: 5})
				return err
			},
			vendor: func(vc *vendorws.WorkspaceClient) error {
				_, err := vc.ListDesktopSnapshot(&model.ListDesktopSnapshotRequest{Limit: ptr(int32(5))})
				return err
			},
		},
		{
			name: "service unavailable", status: 503, code: workspacetest.ErrCodeInternal, is: workspace.ErrServer,
			setup: func(srv *workspacetest.Server) {
				srv.FailNext(workspacetest.OpCheckImages, 1, http.StatusServiceUnavailable, "")
			},
			ours: func(ctx context.Context, c *workspace.Client) error {
				_, err := c.Desktops.CheckImages(ctx, f.desktopIDs)
				return err
			},
			vendor: func(vc *vendorws.WorkspaceClient) error {
				ids := append([]string(nil), f.desktopIDs...)
				_, err := vc.CheckDesktopImages(&model.CheckDesktopImagesRequest{Body: &model.CheckDesktopImagesReq{DesktopIds: &ids}})
				return err
			},
		},
		{
			name: "conflict", status: 409, code: workspacetest.ErrCodeConflict, is: workspace.ErrConflict,
			setup: func(srv *workspacetest.Server) {
				srv.FailNext(workspacetest.OpListScriptExecutionTasks, 1, http.StatusConflict, "")
			},
			ours: func(ctx context.Context, c *workspace.Client) error {
				_, err := c.DesktopPools.ListScriptExecutionTasks(ctx, &workspace.ListScriptExecutionTasksOptions{TaskIDs: f.taskIDs})
				return err
			},
			vendor: func(vc *vendorws.WorkspaceClient) error {
				_, err := vc.ShowDesktopPoolsScriptExecTasks(&model.ShowDesktopPoolsScriptExecTasksRequest{TaskId: &f.taskIDs})
				return err
			},
		},
	}
}

// Both clients against the fake's failures: the same status, code and
// message, and our error matches its sentinel.
func TestVendorClientErrorsAgainstTheFake(t *testing.T) {
	t.Parallel()
	srv, p := newPair(t)
	f := newFixture(t, srv)
	for _, tc := range errorCases(f) {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			if tc.setup != nil {
				tc.setup(srv)
			}
			vErr := tc.vendor(p.vendor)
			if tc.setup != nil {
				tc.setup(srv)
			}
			oErr := tc.ours(ctx, p.ours)

			var sre *sdkerr.ServiceResponseError
			require.ErrorAs(t, vErr, &sre, "vendor error")
			var ae *workspace.APIError
			require.ErrorAs(t, oErr, &ae, "our error")
			assert.Equal(t, tc.status, sre.StatusCode, "vendor status")
			assert.Equal(t, tc.status, ae.StatusCode, "our status")
			assert.Equal(t, tc.code, sre.ErrorCode, "vendor code")
			assert.Equal(t, tc.code, ae.Code, "our code")
			assert.NotEmpty(t, sre.RequestId)
			assert.NotEmpty(t, ae.RequestID)
			if tc.message {
				assert.Equal(t, sre.ErrorMessage, ae.Message)
			}
			assert.ErrorIs(t, oErr, tc.is)
			if tc.notIs != nil {
				assert.False(t, errors.Is(oErr, tc.notIs))
			}
		})
	}
}

// Input the fake refuses with a 400 reaches it from the vendor's client,
// which checks nothing; ours refuses it before sending anything. Pinned:
// the same mistakes, found earlier.
func TestVendorSendsWhatWeValidate(t *testing.T) {
	t.Parallel()
	srv, p := newPair(t)
	ctx := context.Background()
	tests := []struct {
		name   string
		vendor func() error
		ours   func() error
		field  string
	}{
		{
			name: "snapshot limit over 1000",
			vendor: func() error {
				_, err := p.vendor.ListDesktopSnapshot(&model.ListDesktopSnapshotRequest{Limit: ptr(int32(1001))})
				return err
			},
			ours: func() error {
				_, err := p.ours.Snapshots.List(ctx, &workspace.ListSnapshotsOptions{Limit: 1001})
				return err
			},
			field: "opts.Limit",
		},
		{
			name: "sort field without sort type",
			vendor: func() error {
				f := model.GetListDesktopSnapshotRequestSortFieldEnum().CREATE_TIME
				_, err := p.vendor.ListDesktopSnapshot(&model.ListDesktopSnapshotRequest{SortField: &f})
				return err
			},
			ours: func() error {
				_, err := p.ours.Snapshots.List(ctx, &workspace.ListSnapshotsOptions{SortField: workspace.SortFieldCreateTime})
				return err
			},
			field: "opts.SortType",
		},
		{
			name: "task limit over 100",
			vendor: func() error {
				_, err := p.vendor.ShowDesktopPoolsScriptExecTasks(&model.ShowDesktopPoolsScriptExecTasksRequest{Limit: ptr(int32(101))})
				return err
			},
			ours: func() error {
				_, err := p.ours.DesktopPools.ListScriptExecutionTasks(ctx, &workspace.ListScriptExecutionTasksOptions{Limit: 101})
				return err
			},
			field: "opts.Limit",
		},
		{
			name: "batch-delete volume with neither id nor description",
			vendor: func() error {
				_, err := p.vendor.DeleteDesktopPoolVolumes(&model.DeleteDesktopPoolVolumesRequest{
					PoolId: srv.Pools()[0].ID,
					Body:   &model.DeleteDesktopPoolVolumesReq{Volumes: &[]model.DeleteDesktopPoolVolumesReqVolumes{{Id: ""}}},
				})
				return err
			},
			ours: func() error {
				_, err := p.ours.DesktopPools.BatchDeleteVolumes(ctx, srv.Pools()[0].ID, &workspace.BatchDeleteVolumesRequest{
					Volumes: []workspace.VolumeInfo{{}},
				})
				return err
			},
			field: "req.Volumes[0]",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := len(srv.Requests())
			var sre *sdkerr.ServiceResponseError
			require.ErrorAs(t, tt.vendor(), &sre)
			assert.Equal(t, http.StatusBadRequest, sre.StatusCode)
			assert.Equal(t, workspacetest.ErrCodeBadParameter, sre.ErrorCode)

			var ve *workspace.ValidationError
			require.ErrorAs(t, tt.ours(), &ve)
			assert.Equal(t, tt.field, ve.Field)
			assert.Len(t, srv.Requests(), before+1, "only the vendor's request reached the fake")
		})
	}
}

// Wrong credentials and a wrong endpoint: both clients get the gateway's
// answer; ours tells a wrong endpoint (ErrNoSuchAPI) from a missing
// resource.
func TestVendorClientAuthAndEndpointErrors(t *testing.T) {
	t.Parallel()
	tmp := credModes[1].opts
	srv := workspacetest.NewServer(append([]workspacetest.Option{workspacetest.WithDemoData()}, tmp...)...)
	t.Cleanup(srv.Close)
	pool := srv.Pools()[0].ID
	good := vendorCreds{ak: srv.AccessKey, sk: srv.SecretKey, securityToken: srv.SecurityToken, projectID: srv.ProjectID}
	tests := []struct {
		name     string
		endpoint string
		creds    func(vendorCreds) vendorCreds
		ours     []workspace.Option
		status   int
		code     string
		is       error
		vendorOK bool // the vendor's call succeeds (pinned difference)
	}{
		{
			name: "wrong secret key", endpoint: srv.URL,
			creds:  func(c vendorCreds) vendorCreds { c.sk = "not-the-secret-key"; return c },
			ours:   []workspace.Option{workspace.WithAccessKey(srv.AccessKey, "not-the-secret-key"), workspace.WithSecurityToken(srv.SecurityToken)},
			status: 401, code: workspacetest.ErrCodeUnauthorized, is: workspace.ErrUnauthorized,
		},
		{
			name: "wrong security token", endpoint: srv.URL,
			creds:  func(c vendorCreds) vendorCreds { c.securityToken = "expired-token"; return c },
			ours:   []workspace.Option{workspace.WithAccessKey(srv.AccessKey, srv.SecretKey), workspace.WithSecurityToken("expired-token")},
			status: 401, code: workspacetest.ErrCodeUnauthorized, is: workspace.ErrUnauthorized,
		},
		{
			// A path prefix in the endpoint (a private gateway's, say) is
			// honoured by ours; the vendor's client replaces the endpoint's
			// path with the operation's, so its call never sees the typo.
			name: "typo in the endpoint's path", endpoint: srv.URL + "/typo",
			creds:  func(c vendorCreds) vendorCreds { return c },
			ours:   []workspace.Option{workspace.WithAccessKey(srv.AccessKey, srv.SecretKey), workspace.WithSecurityToken(srv.SecurityToken)},
			status: 404, code: workspacetest.ErrCodeNoSuchAPI, is: workspace.ErrNoSuchAPI, vendorOK: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			vc := newVendorClient(t, tt.endpoint, tt.creds(good))
			_, vErr := vc.ListInconsistentStatics(&model.ListInconsistentStaticsRequest{PoolId: pool})
			sre := &sdkerr.ServiceResponseError{}
			if tt.vendorOK {
				require.NoError(t, vErr)
			} else {
				require.ErrorAs(t, vErr, &sre)
				assert.Equal(t, tt.status, sre.StatusCode)
				assert.Equal(t, tt.code, sre.ErrorCode)
			}

			ours, err := workspace.NewClient(append([]workspace.Option{
				workspace.WithEndpoint(tt.endpoint), workspace.WithProjectID(srv.ProjectID),
				workspace.WithRetryPolicy(workspace.RetryPolicy{MaxAttempts: 1}),
			}, tt.ours...)...)
			require.NoError(t, err)
			_, oErr := ours.DesktopPools.GetInconsistentStatistics(context.Background(), pool)
			var ae *workspace.APIError
			require.ErrorAs(t, oErr, &ae)
			assert.Equal(t, tt.status, ae.StatusCode)
			assert.Equal(t, tt.code, ae.Code)
			if !tt.vendorOK {
				assert.Equal(t, sre.ErrorMessage, ae.Message)
			}
			assert.ErrorIs(t, oErr, tt.is)
			if tt.is == workspace.ErrNoSuchAPI {
				assert.False(t, errors.Is(oErr, workspace.ErrNotFound), "a wrong endpoint is not a missing pool")
			}
		})
	}
}
