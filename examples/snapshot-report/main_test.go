package main

import (
	"bytes"
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hwcloud-go/workspace"
)

// reportClearEnv makes sure the example runs against the fake.
func reportClearEnv(t *testing.T) {
	for _, name := range []string{
		workspace.EnvAccessKey, workspace.EnvSecretKey, workspace.EnvSecurityToken, workspace.EnvToken,
		workspace.EnvProjectID, workspace.EnvRegion, workspace.EnvEndpoint,
	} {
		t.Setenv(name, "")
	}
}

func TestSnapshotReportOnTheFake(t *testing.T) {
	reportClearEnv(t)
	var out bytes.Buffer
	require.NoError(t, run(context.Background(), &out, nil))
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
	reportClearEnv(t)
	var out bytes.Buffer
	require.NoError(t, run(context.Background(), &out, []string{"-create-type", "MANUALLY", "-page-size", "1000"}))
	text := out.String()
	assert.Regexp(t, regexp.MustCompile(`read in 1 page of up to 1000`), text)
	assert.Regexp(t, regexp.MustCompile(`(?m)^\s*all\s+(\d+)\s+0\s+`), text, "no AUTO snapshots")

	out.Reset()
	require.ErrorIs(t, run(context.Background(), &out, []string{"-create-type", "SOMETIMES"}), workspace.ErrBadRequest)
	out.Reset()
	require.NoError(t, run(context.Background(), &out, []string{"-desktop", "nobody"}))
	assert.Contains(t, out.String(), "0 snapshots, read in 1 page ")
}

// -h is not an error (exit status 0) and names the environment variables.
func TestSnapshotReportHelp(t *testing.T) {
	var out bytes.Buffer
	require.NoError(t, run(context.Background(), &out, []string{"-h"}))
	for _, want := range []string{"-page-size", workspace.EnvAccessKey, workspace.EnvToken, workspace.EnvProjectID, workspace.EnvRegion} {
		assert.Contains(t, out.String(), want)
	}
	assert.NotContains(t, out.String(), "Using the", "help must not connect")
}
