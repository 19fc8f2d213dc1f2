//go:build demo

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

// With -demo the program runs on the fake whatever the environment says.
func TestCleanupVolumesOnTheFake(t *testing.T) {
	t.Setenv("HUAWEICLOUD_SDK_REGION", "ap-southeast-3")
	var out bytes.Buffer
	require.NoError(t, run(context.Background(), &out, []string{"-demo"}))
	text := out.String()
	first, _, _ := strings.Cut(text, "\n")
	assert.Contains(t, first, "embedded fake Workspace API")
	for _, want := range []string{"Deleting 2 volume(s) of pool ", "status now: RUNNING", "SUCCESS", "The pool now has 0 volume(s)."} {
		assert.Contains(t, text, want)
	}
	assert.NotContains(t, text, "FAILED")
}

func TestCleanupVolumesMissingVolumeFails(t *testing.T) {
	var out bytes.Buffer
	require.NoError(t, run(context.Background(), &out, []string{"-demo", "-volume", "SAS:100", "-volume", "GPSSD:999", "-handle-type", "FOR_EXPAND_AND_ALL"}))
	text := out.String()
	assert.Contains(t, text, "status after")
	assert.Contains(t, text, "FAILED")
	assert.Contains(t, text, "The pool now has 1 volume(s).")
	assert.Contains(t, text, "The job failed: 1 of 2 volumes could not be deleted")
}

func TestCleanupVolumesBadFlags(t *testing.T) {
	var out bytes.Buffer
	err := run(context.Background(), &out, []string{"-demo", "-volume", "SAS:x"})
	require.Error(t, err)
	assert.Equal(t, 2, exitStatus(err))
	err = run(context.Background(), &out, []string{"-demo", "-pool", "no-such-pool", "-volume", "SAS:100"})
	require.ErrorIs(t, err, workspace.ErrNotFound)
	assert.Equal(t, 1, exitStatus(err))
	err = run(context.Background(), &out, []string{"-demo", "-pool", "no-such-pool"})
	assert.ErrorContains(t, err, "-volume")
}

// The child process of main_test.go runs on the fake too with -demo.
func TestCleanupVolumesMainOnTheFake(t *testing.T) {
	stderr, status := runMain(t, "-demo")
	assert.Equal(t, 0, status, stderr)
}
