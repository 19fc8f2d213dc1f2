package compat

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/huaweicloud/huaweicloud-sdk-go-v3/services/workspace/v2/model"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hwcloud-go/workspace"
	"github.com/hwcloud-go/workspace/workspacetest"
)

// credModes are the two kinds of vendor credentials: a permanent AK/SK,
// and temporary credentials with a security token.
var credModes = []struct {
	name string
	opts []workspacetest.Option
}{
	{name: "AK/SK"},
	{name: "temporary credentials", opts: []workspacetest.Option{
		workspacetest.WithAccessKey("TEMPORARYACCESSKEY01", "temporary-secret-key-000000000000000000"),
		workspacetest.WithSecurityToken("temporary-security-token-for-compat"),
	}},
}

// newPair starts a demo fake and returns it with a vendor client and one
// of ours, both signing with the fake's AK/SK (and security token).
func newPair(t *testing.T, opts ...workspacetest.Option) (*workspacetest.Server, *vendorPair) {
	t.Helper()
	srv := workspacetest.NewServer(append([]workspacetest.Option{workspacetest.WithDemoData()}, opts...)...)
	t.Cleanup(srv.Close)
	return srv, newVendorPair(t, srv.URL, srv)
}

// The vendor's client, with both kinds of credentials, against the fake:
// every call succeeds and decodes to what ours decodes.
func TestVendorClientAgainstTheFake(t *testing.T) {
	t.Parallel()
	for _, mode := range credModes {
		t.Run(mode.name, func(t *testing.T) {
			t.Parallel()
			srv, p := newPair(t, mode.opts...)
			f := newFixture(t, srv)
			for _, tc := range readCases(f) {
				t.Run(tc.name, func(t *testing.T) {
					ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
					defer cancel()
					srv.ResetRequests()
					got, err := tc.vendor(t, p.vendor)
					require.NoError(t, err, "vendor client")
					assertVendorSigned(t, srv, tc.op)
					want, err := tc.ours(ctx, p.ours)
					require.NoError(t, err, "our client")
					if j, ok := want.(*workspace.Job); ok {
						assert.Equal(t, fullJob().SubJobs, j.SubJobs, "ours keeps every sub-job field")
						want = withoutVendorlessFields(j)
					}
					assert.Equal(t, want, got)
					assertNotEmpty(t, tc.name, got)
				})
			}
		})
	}
}

// assertNotEmpty guards against comparing two empty answers: every read
// case is chosen to match something in the demo data.
func assertNotEmpty(t *testing.T, name string, v any) {
	t.Helper()
	switch x := v.(type) {
	case *workspace.Page[workspace.Snapshot]:
		assert.NotEmpty(t, x.Items, name)
	case *workspace.Page[workspace.ScriptExecutionTask]:
		assert.NotEmpty(t, x.Items, name)
	case []workspace.DesktopImageInfo:
		assert.NotEmpty(t, x, name)
	case *workspace.Job:
		assert.NotEmpty(t, x.SubJobs, name)
	case *workspace.InconsistentStatistics:
		assert.NotZero(t, *x, name)
	case *workspace.Page[workspace.DesktopPool]:
		assert.NotEmpty(t, x.Items, name)
	case *workspace.DesktopPool:
		assert.NotEmpty(t, x.DataVolumes, name)
	case *workspace.Page[workspace.Desktop]:
		assert.NotEmpty(t, x.Items, name)
	case *workspace.Page[workspace.SubJob]:
		assert.NotEmpty(t, x.Items, name)
	}
}

// assertVendorSigned checks that the one request the fake saw was the
// vendor's, AK/SK-signed without host, for op, and answered 200.
func assertVendorSigned(t *testing.T, srv *workspacetest.Server, op workspacetest.Operation) {
	t.Helper()
	reqs := srv.Requests()
	require.Len(t, reqs, 1)
	r := reqs[0]
	assert.Equal(t, op, r.Operation)
	assert.Equal(t, "aksk", r.Auth)
	assert.Equal(t, http.StatusOK, r.Status)
	assert.Contains(t, r.Header.Get("User-Agent"), "huaweicloud-usdk-go")
	assert.Contains(t, r.Header.Get("Authorization"), "SignedHeaders=user-agent;x-project-id;x-sdk-date")
	assert.NotContains(t, r.Header.Get("Authorization"), "host")
	if srv.SecurityToken != "" {
		assert.Contains(t, r.Header.Get("Authorization"), ";x-security-token,")
	}
}

// The vendor's batch-delete names volumes by id alone (the current
// revision); the fake carries it out, and the job it started reads the
// same through both clients, sub-jobs and all.
func TestVendorBatchDeleteAgainstTheFake(t *testing.T) {
	t.Parallel()
	for _, mode := range credModes {
		t.Run(mode.name, func(t *testing.T) {
			t.Parallel()
			srv, p := newPair(t, mode.opts...)
			pool := srv.Pools()[0]
			require.GreaterOrEqual(t, len(pool.Volumes), 2)
			handle := model.GetDeleteDesktopPoolVolumesReqHandleTypeEnum().ONLY_FOR_EXPAND
			res, err := p.vendor.DeleteDesktopPoolVolumes(&model.DeleteDesktopPoolVolumesRequest{
				PoolId: pool.ID,
				Body: &model.DeleteDesktopPoolVolumesReq{
					HandleType: &handle,
					Volumes:    &[]model.DeleteDesktopPoolVolumesReqVolumes{{Id: pool.Volumes[0].ID}, {Id: "no-such-volume"}},
				},
			})
			require.NoError(t, err)
			require.NotNil(t, res.JobId)
			assertVendorSignedLast(t, srv, workspacetest.OpBatchDeleteVolumes)

			vj, err := p.vendor.ShowJob(&model.ShowJobRequest{JobId: *res.JobId})
			require.NoError(t, err)
			got := fromVendorJob(t, vj)
			want, err := p.ours.Jobs.Get(context.Background(), *res.JobId)
			require.NoError(t, err)
			assert.Equal(t, withoutVendorlessFields(want), got)
			assert.NotEmpty(t, want.SubJobs[0].Message, "the fake sends message; the vendor's model drops it")

			// One volume deleted, the unknown one failed: a partly failed job.
			assert.Equal(t, workspace.JobStatusFailed, got.Status)
			require.Len(t, got.SubJobs, 2)
			assert.Equal(t, workspace.JobStatusSuccess, got.SubJobs[0].Status)
			assert.Equal(t, workspace.JobStatusFailed, got.SubJobs[1].Status)
			assert.True(t, got.Failed())
			after, _ := srv.Pool(pool.ID)
			assert.Len(t, after.Volumes, len(pool.Volumes)-1)
			assert.NotContains(t, after.Volumes, pool.Volumes[0])
		})
	}
}

// assertVendorSignedLast checks the last request the fake saw like
// assertVendorSigned.
func assertVendorSignedLast(t *testing.T, srv *workspacetest.Server, op workspacetest.Operation) {
	t.Helper()
	reqs := srv.Requests()
	require.NotEmpty(t, reqs)
	r := reqs[len(reqs)-1]
	assert.Equal(t, op, r.Operation)
	assert.Equal(t, "aksk", r.Auth)
	assert.Equal(t, http.StatusOK, r.Status)
	assert.NotContains(t, r.Header.Get("Authorization"), "host")
}
