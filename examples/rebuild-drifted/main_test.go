package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hwcloud-go/workspace"
)

// These tests run in every build. The ones on the embedded fake are in
// demo_test.go: go test -tags demo ./examples/...

// TestMain runs main itself, in a child process, when runMain asks.
func TestMain(m *testing.M) {
	if os.Getenv("REBUILD_DRIFTED_RUN_MAIN") == "1" {
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// noMetadata points config.Load at a closed loopback port: no test reaches
// the real metadata service.
const noMetadata = "HUAWEICLOUD_SDK_METADATA_ENDPOINT=http://127.0.0.1:1"

// runMain runs the program with args and an empty environment, as a copied
// example would run where nothing is configured, and returns its standard
// error and exit status.
func runMain(t *testing.T, args ...string) (stderr string, status int) {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = []string{"REBUILD_DRIFTED_RUN_MAIN=1", "HOME=" + t.TempDir(), noMetadata}
	var errOut bytes.Buffer
	cmd.Stderr = &errOut
	err := cmd.Run()
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		return errOut.String(), exit.ExitCode()
	}
	require.NoError(t, err)
	return errOut.String(), 0
}

// driftClearEnv empties every variable the client could be configured from,
// points the home directory at an empty one and the metadata service at a
// closed loopback port.
func driftClearEnv(t *testing.T) {
	t.Setenv("HOME", t.TempDir())
	t.Setenv("HUAWEICLOUD_SDK_METADATA_ENDPOINT", "http://127.0.0.1:1") // never 169.254.169.254
	for _, name := range []string{
		"HUAWEICLOUD_SDK_AK", "HUAWEICLOUD_SDK_SK", "HUAWEICLOUD_SDK_SECURITY_TOKEN", "HUAWEICLOUD_SDK_TOKEN",
		"HUAWEICLOUD_SDK_IDP_ID", "HUAWEICLOUD_SDK_ID_TOKEN_FILE", "HUAWEICLOUD_SDK_PROJECT_ID", "HUAWEICLOUD_SDK_REGION",
		"HUAWEICLOUD_SDK_WORKSPACE_ENDPOINT", "HUAWEICLOUD_SDK_CREDENTIALS_FILE",
	} {
		t.Setenv(name, "")
	}
}

// Without -demo an incomplete environment is an error naming what is
// missing, and never a run on the fake.
func TestRebuildDriftedNeedsConfiguration(t *testing.T) {
	driftClearEnv(t)
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
