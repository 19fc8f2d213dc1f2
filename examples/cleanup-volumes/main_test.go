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
	require.NoError(t, run(context.Background(), &out, nil, nil))
	text := out.String()
	first, _, _ := strings.Cut(text, "\n")
	assert.Contains(t, first, "embedded fake Workspace API")
	for _, want := range []string{"Deleting 2 volumes of pool finance-office", "status now: RUNNING", "SUCCESS", "The pool now has 0 volumes."} {
		assert.Contains(t, text, want)
	}
	assert.NotContains(t, text, "FAILED")
}

func TestCleanupVolumesMissingVolumeFails(t *testing.T) {
	cleanupClearEnv(t)
	var out bytes.Buffer
	require.NoError(t, run(context.Background(), &out, []string{"-volume", "SAS:100", "-volume", "GPSSD:999", "-handle-type", "FOR_EXPAND_AND_ALL"}, nil))
	text := out.String()
	assert.Contains(t, text, "status after")
	assert.Contains(t, text, "FAILED")
	assert.Contains(t, text, "The pool now has 1 volume.")
	assert.Contains(t, text, "The job failed: 1 of 2 volumes could not be deleted")
}

func TestCleanupVolumesBadFlags(t *testing.T) {
	cleanupClearEnv(t)
	var out bytes.Buffer
	assert.Error(t, run(context.Background(), &out, []string{"-volume", "SAS:x"}, nil))
	err := run(context.Background(), &out, []string{"-pool", "no-such-pool", "-volume", "SAS:100"}, nil)
	require.ErrorIs(t, err, workspace.ErrNotFound)
	err = run(context.Background(), &out, []string{"-pool", "no-such-pool"}, nil)
	assert.ErrorContains(t, err, "-volume")
}
