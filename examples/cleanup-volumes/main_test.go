package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hwcloud-go/workspace"
)

// cleanupClearEnv makes sure the example runs against the fake.
func cleanupClearEnv(t *testing.T) {
	for _, name := range []string{
		workspace.EnvAccessKey, workspace.EnvSecretKey, workspace.EnvSecurityToken, workspace.EnvToken,
		workspace.EnvProjectID, workspace.EnvRegion, workspace.EnvEndpoint,
	} {
		t.Setenv(name, "")
	}
}

func TestCleanupVolumesOnTheFake(t *testing.T) {
	cleanupClearEnv(t)
	var out bytes.Buffer
	require.NoError(t, run(context.Background(), &out, nil))
	text := out.String()
	first, _, _ := strings.Cut(text, "\n")
	assert.Contains(t, first, "embedded fake Workspace API")
	for _, want := range []string{"Deleting 2 volume(s) of pool ", "status now: RUNNING", "SUCCESS", "The pool now has 0 volume(s)."} {
		assert.Contains(t, text, want)
	}
	assert.NotContains(t, text, "FAILED")
}

func TestCleanupVolumesMissingVolumeFails(t *testing.T) {
	cleanupClearEnv(t)
	var out bytes.Buffer
	require.NoError(t, run(context.Background(), &out, []string{"-volume", "SAS:100", "-volume", "GPSSD:999", "-handle-type", "FOR_EXPAND_AND_ALL"}))
	text := out.String()
	assert.Contains(t, text, "status after")
	assert.Contains(t, text, "FAILED")
	assert.Contains(t, text, "The pool now has 1 volume(s).")
	assert.Contains(t, text, "The job failed: 1 of 2 volumes could not be deleted")
}

func TestCleanupVolumesBadFlags(t *testing.T) {
	cleanupClearEnv(t)
	var out bytes.Buffer
	assert.Error(t, run(context.Background(), &out, []string{"-volume", "SAS:x"}))
	err := run(context.Background(), &out, []string{"-pool", "no-such-pool", "-volume", "SAS:100"})
	require.ErrorIs(t, err, workspace.ErrNotFound)
	err = run(context.Background(), &out, []string{"-pool", "no-such-pool"})
	assert.ErrorContains(t, err, "-volume")
}

// -h is not an error (exit status 0) and names the environment variables.
func TestCleanupVolumesHelp(t *testing.T) {
	var out bytes.Buffer
	require.NoError(t, run(context.Background(), &out, []string{"-h"}))
	for _, want := range []string{"-volume", "-handle-type", workspace.EnvAccessKey, workspace.EnvToken, workspace.EnvProjectID, workspace.EnvRegion} {
		assert.Contains(t, out.String(), want)
	}
	assert.NotContains(t, out.String(), "Using the", "help must not connect")
}
