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

// With -demo the program runs on the fake whatever the environment says.
func TestQuickstartOnTheFake(t *testing.T) {
	t.Setenv("HUAWEICLOUD_SDK_REGION", "ap-southeast-3")
	var out bytes.Buffer
	require.NoError(t, run(context.Background(), &out, []string{"-demo"}))
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
	var out bytes.Buffer
	require.NoError(t, run(context.Background(), &out, []string{"-demo", "-delete-volume", "SAS:10:missing"}))
	assert.Contains(t, out.String(), "job FAILED after")

	err := run(context.Background(), &out, []string{"-demo", "-delete-volume", "SAS"})
	assert.ErrorContains(t, err, "TYPE:SIZE")
	assert.Equal(t, 1, exitStatus(err))
	assert.Error(t, run(context.Background(), &out, []string{"-demo", "-no-such-flag"}))
}

// The child process of main_test.go runs on the fake too with -demo.
func TestQuickstartMainOnTheFake(t *testing.T) {
	stderr, status := runMain(t, "-demo")
	assert.Equal(t, 0, status, stderr)
}

// Without -demo the program uses the API the environment names, here a
// fake the test starts: what a copied example does with your cloud.
func TestQuickstartWithoutDemoUsesTheEnvironment(t *testing.T) {
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
	assert.Contains(t, out.String(), "3. Script execution tasks: 130 in all")
}
