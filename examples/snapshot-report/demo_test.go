//go:build demo

package main

import (
	"bytes"
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hwcloud-go/workspace/internal/exampletest"
	"github.com/hwcloud-go/workspace/workspacetest"

	"github.com/hwcloud-go/workspace"
)

// With -demo the program runs on the fake whatever the environment says.
func TestSnapshotReportOnTheFake(t *testing.T) {
	t.Setenv("HUAWEICLOUD_SDK_REGION", "ap-southeast-3")
	var out bytes.Buffer
	require.NoError(t, run(context.Background(), &out, []string{"-demo"}))
	text := out.String()
	first, _, _ := strings.Cut(text, "\n")
	assert.Contains(t, first, "embedded fake Workspace API")
	assert.Contains(t, text, "360 snapshots, read in 4 pages of up to 100.")
	for _, st := range statusOrder {
		assert.Regexp(t, regexp.MustCompile(`(?m)^\s*`+string(st)+`\s+\d+`), text)
	}
	assert.Regexp(t, regexp.MustCompile(`(?m)^\s*all\s+360\s`), text)
	assert.Contains(t, text, "restore failed:")
}

func TestSnapshotReportFilters(t *testing.T) {
	var out bytes.Buffer
	require.NoError(t, run(context.Background(), &out, []string{"-demo", "-create-type", "MANUALLY", "-page-size", "1000"}))
	text := out.String()
	assert.Regexp(t, regexp.MustCompile(`read in 1 page of up to 1000`), text)
	assert.Regexp(t, regexp.MustCompile(`(?m)^\s*all\s+(\d+)\s+0\s+`), text, "no AUTO snapshots")

	out.Reset()
	err := run(context.Background(), &out, []string{"-demo", "-create-type", "SOMETIMES"})
	require.ErrorIs(t, err, workspace.ErrBadRequest)
	assert.Equal(t, 1, exitStatus(err))
	out.Reset()
	require.NoError(t, run(context.Background(), &out, []string{"-demo", "-desktop", "nobody"}))
	assert.Contains(t, out.String(), "0 snapshots, read in 1 page ")
}

// The child process of main_test.go runs on the fake too with -demo.
func TestSnapshotReportMainOnTheFake(t *testing.T) {
	stderr, status := runMain(t, "-demo")
	assert.Equal(t, 0, status, stderr)
}

// Without -demo the program uses the API the environment names, here a
// fake the test starts: what a copied example does with your cloud.
func TestSnapshotReportWithoutDemoUsesTheEnvironment(t *testing.T) {
	srv := workspacetest.NewServer(workspacetest.WithDemoData())
	defer srv.Close()
	exampletest.ClearEnv(t)
	t.Setenv("HUAWEICLOUD_SDK_WORKSPACE_ENDPOINT", srv.URL)
	t.Setenv("HUAWEICLOUD_SDK_TOKEN", srv.Token)
	t.Setenv("HUAWEICLOUD_SDK_PROJECT_ID", srv.ProjectID)
	var out bytes.Buffer
	require.NoError(t, run(context.Background(), &out, nil))
	first, _, _ := strings.Cut(out.String(), "\n")
	assert.Contains(t, first, "named by the HUAWEICLOUD_SDK_* variables")
	assert.Contains(t, out.String(), "360 snapshots, read in 4 pages")
}
