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

// quickstartClearEnv makes sure the example runs against the fake.
func quickstartClearEnv(t *testing.T) {
	for _, name := range []string{
		workspace.EnvAccessKey, workspace.EnvSecretKey, workspace.EnvSecurityToken, workspace.EnvToken,
		workspace.EnvProjectID, workspace.EnvRegion, workspace.EnvEndpoint,
	} {
		t.Setenv(name, "")
	}
}

func TestQuickstartOnTheFake(t *testing.T) {
	quickstartClearEnv(t)
	var out bytes.Buffer
	require.NoError(t, run(context.Background(), &out, nil))
	text := out.String()
	first, _, _ := strings.Cut(text, "\n")
	assert.Contains(t, first, "embedded fake Workspace API")
	for _, want := range []string{
		"that differ from its configuration:",
		"3 in product, 2 in image, 2 in number of data disks, 3 in data disk capacity",
		"2. Images of 10 desktops:",
		"image no longer exists for 1: ",
		"3. Script execution tasks: 130 in all; the first 5:",
		"failed in the last 7 days:",
		"4. Snapshots: 360 in all; the 5 newest:",
		"5. Deleting volume SAS:100:",
		"job SUCCESS after",
		"Next: read examples/quickstart/main.go",
	} {
		assert.Contains(t, text, want)
	}
}

func TestQuickstartVolumeFlag(t *testing.T) {
	quickstartClearEnv(t)
	var out bytes.Buffer
	require.NoError(t, run(context.Background(), &out, []string{"-delete-volume", "SAS:10:missing"}))
	assert.Contains(t, out.String(), "job FAILED after")

	err := run(context.Background(), &out, []string{"-delete-volume", "SAS"})
	assert.ErrorContains(t, err, "TYPE:SIZE")
	assert.Error(t, run(context.Background(), &out, []string{"-no-such-flag"}))
}

// -h is not an error (exit status 0) and names the environment variables.
func TestQuickstartHelp(t *testing.T) {
	var out bytes.Buffer
	require.NoError(t, run(context.Background(), &out, []string{"-h"}))
	for _, want := range []string{"-pool", "-delete-volume", workspace.EnvAccessKey, workspace.EnvToken, workspace.EnvProjectID, workspace.EnvRegion, workspace.EnvEndpoint} {
		assert.Contains(t, out.String(), want)
	}
	assert.NotContains(t, out.String(), "Using the", "help must not connect")
}
