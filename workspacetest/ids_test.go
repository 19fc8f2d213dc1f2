package workspacetest_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hwcloud-go/workspace"
	"github.com/hwcloud-go/workspace/workspacetest"
)

// firstIDs adds one pool, one job and one snapshot without ids, makes one
// request, and returns the ids the server generated.
func firstIDs(t *testing.T, srv *workspacetest.Server) (pool, job, snapshot, request string) {
	t.Helper()
	pool = srv.AddPool(workspacetest.Pool{}).ID
	job = srv.AddJob(workspace.Job{}).ID
	snapshot = srv.AddSnapshot(workspace.Snapshot{}).ID
	_, err := srv.Client().Jobs.Get(context.Background(), job)
	require.NoError(t, err)
	reqs := srv.Requests()
	require.Len(t, reqs, 1)
	return pool, job, snapshot, reqs[0].RequestID
}

func TestIDsPerServerAndKind(t *testing.T) {
	t.Parallel()

	a, b := workspacetest.NewServer(), workspacetest.NewServer()
	defer a.Close()
	defer b.Close()
	poolA, jobA, snapA, reqA := firstIDs(t, a)
	poolB, jobB, snapB, reqB := firstIDs(t, b)
	assert.NotEqual(t, poolA, poolB, "two servers must not hand out the same ids")
	assert.NotEqual(t, jobA, jobB)
	assert.NotEqual(t, snapA, snapB)
	assert.NotEqual(t, reqA, reqB)

	// With one seed, the kinds still have their own sequences: the first
	// job id is not the first pool id.
	s1, s2 := workspacetest.NewServer(workspacetest.WithIDSeed(7)), workspacetest.NewServer(workspacetest.WithIDSeed(7))
	defer s1.Close()
	defer s2.Close()
	pool1, job1, snap1, req1 := firstIDs(t, s1)
	pool2, job2, snap2, req2 := firstIDs(t, s2)
	assert.Equal(t, []string{pool1, job1, snap1, req1}, []string{pool2, job2, snap2, req2}, "the same seed gives the same ids")
	seen := map[string]bool{}
	for _, id := range []string{pool1, job1, snap1} {
		assert.False(t, seen[id], "id %s given to two kinds", id)
		seen[id] = true
		assert.Regexp(t, `^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-8[0-9a-f]{3}-[0-9a-f]{12}$`, id)
	}
	assert.NotContains(t, req1, "-")
	assert.NotContains(t, []string{pool1, job1, snap1}, req1[:8]+"-"+req1[8:12]+"-"+req1[12:16]+"-"+req1[16:20]+"-"+req1[20:])
}

func TestDemoIDsAreFixed(t *testing.T) {
	t.Parallel()
	a := workspacetest.NewServer(workspacetest.WithDemoData(), workspacetest.WithIDSeed(1))
	defer a.Close()
	b := workspacetest.NewServer(workspacetest.WithDemoData())
	defer b.Close()
	pa, pb := a.Pools(), b.Pools()
	require.NotEmpty(t, pa)
	require.Len(t, pb, len(pa))
	for i := range pa {
		assert.Equal(t, pa[i].ID, pb[i].ID)
	}
	// What a test adds after the demo data still gets the server's own ids.
	assert.NotEqual(t, a.AddPool(workspacetest.Pool{}).ID, b.AddPool(workspacetest.Pool{}).ID)
}

func TestZeroOptionIgnored(t *testing.T) {
	t.Parallel()
	srv := workspacetest.NewServer(workspacetest.Option{}, workspacetest.WithProjectID("p1"), workspacetest.Option{})
	defer srv.Close()
	assert.Equal(t, "p1", srv.ProjectID)
	_, err := srv.NewClient(workspace.Option{})
	assert.NoError(t, err)
}
