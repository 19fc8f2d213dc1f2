package main

import (
	"bytes"
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hwcloud-go/workspace"
	"github.com/hwcloud-go/workspace/internal/exampletest"
)

// These tests run in every build. The ones on the embedded fake are in
// demo_test.go: go test -tags demo ./examples/...

// TestMain runs main itself, in a child process, when runMain asks.
func TestMain(m *testing.M) { exampletest.Main(m, runVar, main) }

// runVar makes the test binary run main (exampletest.Main).
const runVar = "REBUILD_DRIFTED_RUN_MAIN"

// runMain runs the program with args where nothing is configured
// (exampletest.RunMain).
func runMain(t *testing.T, args ...string) (stderr string, status int) {
	t.Helper()
	return exampletest.RunMain(t, runVar, args...)
}

// Without -demo an incomplete environment is an error naming what is
// missing, and never a run on the fake.
func TestRebuildDriftedNeedsConfiguration(t *testing.T) {
	exampletest.ClearEnv(t)
	var out bytes.Buffer
	err := run(context.Background(), &out, nil)
	var ce *workspace.ConfigError
	require.ErrorAs(t, err, &ce)
	assert.Equal(t, 2, exitStatus(err))
	assert.Empty(t, out.String(), "nothing runs")

	stderr, status := runMain(t)
	assert.Equal(t, 2, status)
	for _, want := range []string{"rebuild-drifted: workspace: configuration:", "HUAWEICLOUD_SDK_AK", "no credentials", "metadata service"} {
		assert.Contains(t, stderr, want)
	}
	assert.NotContains(t, stderr, "fake")
}

func TestRebuildDriftedBadFlagExits2(t *testing.T) {
	stderr, status := runMain(t, "-no-such-flag")
	assert.Equal(t, 2, status)
	assert.Contains(t, stderr, "no-such-flag")
}

// -h is not an error (exit status 0) and names the environment variables.
func TestRebuildDriftedHelp(t *testing.T) {
	var out bytes.Buffer
	require.NoError(t, run(context.Background(), &out, []string{"-h"}))
	for _, want := range []string{"-demo", "-tags demo", "HUAWEICLOUD_SDK_AK", "HUAWEICLOUD_SDK_TOKEN", "HUAWEICLOUD_SDK_PROJECT_ID", "HUAWEICLOUD_SDK_REGION"} {
		assert.Contains(t, out.String(), want)
	}
	assert.NotContains(t, out.String(), "Using the", "help must not connect")
}

// A build without -tags demo has no fake: -demo says how to get one and
// exits with status 2.
func TestRebuildDriftedDemoNeedsTheTag(t *testing.T) {
	if startDemo != nil {
		t.Skip("built with -tags demo: this checks the build without the fake")
	}
	var out bytes.Buffer
	err := run(context.Background(), &out, []string{"-demo"})
	require.ErrorIs(t, err, errNoDemo)
	assert.Equal(t, 2, exitStatus(err))

	stderr, status := runMain(t, "-demo")
	assert.Equal(t, 2, status)
	assert.Contains(t, stderr, "go run -tags demo ./examples/rebuild-drifted -demo")
}
