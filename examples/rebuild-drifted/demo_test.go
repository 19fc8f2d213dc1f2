//go:build demo

package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hwcloud-go/workspace/internal/exampletest"
	"github.com/hwcloud-go/workspace/workspacetest"
)

// Without -apply the program reports and changes nothing.
func TestRebuildDriftedReportsOnTheFake(t *testing.T) {
	t.Setenv("HUAWEICLOUD_SDK_REGION", "ap-southeast-3")
	var out bytes.Buffer
	require.NoError(t, run(context.Background(), &out, []string{"-demo"}))
	text := out.String()
	first, _, _ := strings.Cut(text, "\n")
	assert.Contains(t, first, "embedded fake Workspace API")
	assert.Contains(t, text, "pool finance-office")
	assert.Contains(t, text, "FIN-004")
	assert.Contains(t, text, "3 of 3 pools have desktops on another image; run with -apply")
	assert.NotContains(t, text, "rebuilding")
}

// With -apply each pool's drifted desktops are rebuilt and the image count
// drops to 0.
func TestRebuildDriftedAppliesOnTheFake(t *testing.T) {
	var out bytes.Buffer
	require.NoError(t, run(context.Background(), &out, []string{"-demo", "-apply", "-delay", "0"}))
	text := out.String()
	assert.Equal(t, 3, strings.Count(text, "rebuilding: job "))
	assert.Equal(t, 3, strings.Count(text, "on another image now: 0"))
}

func TestRebuildDriftedFlags(t *testing.T) {
	var out bytes.Buffer
	err := run(context.Background(), &out, []string{"-demo", "-pool", "no-such-pool"})
	require.Error(t, err)
	assert.Equal(t, 2, exitStatus(err))
	assert.Contains(t, err.Error(), "no desktop pool")

	err = run(context.Background(), &out, []string{"-demo", "-delay", "16"})
	assert.Equal(t, 2, exitStatus(err))
}

// The child process of main_test.go runs on the fake too with -demo.
func TestRebuildDriftedMainOnTheFake(t *testing.T) {
	stderr, status := runMain(t, "-demo")
	assert.Equal(t, 0, status, stderr)
}

// Without -demo the program uses the API the environment names, here a
// fake the test starts: what a copied example does with your cloud.
func TestRebuildDriftedWithoutDemoUsesTheEnvironment(t *testing.T) {
	srv := workspacetest.NewServer(workspacetest.WithDemoData())
	defer srv.Close()
	exampletest.ClearEnv(t)
	t.Setenv("HUAWEICLOUD_SDK_WORKSPACE_ENDPOINT", srv.URL)
	t.Setenv("HUAWEICLOUD_SDK_TOKEN", srv.Token)
	t.Setenv("HUAWEICLOUD_SDK_PROJECT_ID", srv.ProjectID)
	pool := srv.Pools()[1]
	var out bytes.Buffer
	require.NoError(t, run(context.Background(), &out, []string{"-pool", pool.ID, "-apply"}))
	first, _, _ := strings.Cut(out.String(), "\n")
	assert.Contains(t, first, "named by the HUAWEICLOUD_SDK_* variables")
	assert.Contains(t, out.String(), "pool "+pool.Name)
	assert.Contains(t, out.String(), "on another image now: 0")
}
