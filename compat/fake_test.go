package compat

import (
	"context"
	"testing"
	"time"

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
					got, err := tc.vendor(t, p.vendor)
					require.NoError(t, err, "vendor client")
					want, err := tc.ours(ctx, p.ours)
					require.NoError(t, err, "our client")
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
	}
}
