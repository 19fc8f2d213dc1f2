//go:build demo

package main

import (
	"bytes"
	"context"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hwcloud-go/workspace/internal/exampletest"
	"github.com/hwcloud-go/workspace/workspacetest"
)

// Without a cleanup flag the program reports and deletes nothing.
func TestPoolSnapshotsReportsOnTheFake(t *testing.T) {
	var out bytes.Buffer
	require.NoError(t, run(context.Background(), &out, []string{"-demo"}))
	text := out.String()
	first, _, _ := strings.Cut(text, "\n")
	assert.Contains(t, first, "embedded fake Workspace API")
	assert.Contains(t, text, "pool finance-office")
	assert.Contains(t, text, "10 desktops, 120 snapshots")
	assert.Regexp(t, regexp.MustCompile(`(?m)^\s*DESKTOP\s+creating\s+create_success\s+create_failed`), text)
	assert.NotContains(t, text, "deleting")
}

// -delete-failed deletes exactly the snapshots whose creation failed.
func TestPoolSnapshotsDeletesTheFailedOnes(t *testing.T) {
	var out bytes.Buffer
	require.NoError(t, run(context.Background(), &out, []string{"-demo", "-delete-failed"}))
	text := out.String()
	m := regexp.MustCompile(`deleting (\d+) snapshots`).FindStringSubmatch(text)
	require.NotNil(t, m, text)
	assert.NotEqual(t, "0", m[1])
	assert.Contains(t, text, m[1]+" deleted")
	assert.Contains(t, text, "snapshots left: ")
}

// Without -demo the program uses the API the environment names, here a
// fake the test starts: what a copied example does with your cloud.
func TestPoolSnapshotsWithoutDemoUsesTheEnvironment(t *testing.T) {
	srv := workspacetest.NewServer(workspacetest.WithDemoData())
	defer srv.Close()
	exampletest.ClearEnv(t)
	t.Setenv("HUAWEICLOUD_SDK_WORKSPACE_ENDPOINT", srv.URL)
	t.Setenv("HUAWEICLOUD_SDK_TOKEN", srv.Token)
	t.Setenv("HUAWEICLOUD_SDK_PROJECT_ID", srv.ProjectID)
	pool := srv.Pools()[2]
	before := 0
	for _, d := range srv.Desktops(pool.ID) {
		for _, s := range srv.Snapshots() {
			if s.DesktopID == d.ID && s.Process == nil {
				before++
			}
		}
	}
	var out bytes.Buffer
	// Every snapshot of the demo is younger than 100 days; with no task
	// running each is old enough to go at -older-than 1ns.
	require.NoError(t, run(context.Background(), &out, []string{"-pool", pool.ID, "-older-than", time.Nanosecond.String()}))
	first, _, _ := strings.Cut(out.String(), "\n")
	assert.Contains(t, first, "named by the HUAWEICLOUD_SDK_* variables")
	assert.Contains(t, out.String(), "pool "+pool.Name)
	assert.Contains(t, out.String(), "deleting "+strconv.Itoa(before)+" snapshots")

	out.Reset()
	err := run(context.Background(), &out, []string{"-pool", "no-such-pool"})
	require.Error(t, err)
	assert.Equal(t, 2, exitStatus(err))
}

// The child process of main_test.go runs on the fake too with -demo.
func TestPoolSnapshotsMainOnTheFake(t *testing.T) {
	stderr, status := runMain(t, "-demo")
	assert.Equal(t, 0, status, stderr)
}
