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

func TestTelemetryOnTheFake(t *testing.T) {
	var out bytes.Buffer
	require.NoError(t, run(context.Background(), &out, []string{"-demo"}))
	text := out.String()
	first, _, _ := strings.Cut(text, "\n")
	assert.Contains(t, first, "embedded fake Workspace API")
	for _, want := range []string{
		"cleanup-run",
		"  Workspace.ListDesktopSnapshot",
		"      http.request.resend_count = 1",
		"  Workspace.ShowJob",
		`ERROR "GET /v2/`,
		"  Workspace.DeleteDesktopPoolVolumes",
		"    POST",
		"huaweicloud.request_id = ",
		"rpc.client.call.duration (s)",
		"http.client.request.duration (s)",
		"huaweicloud.workspace.client.attempts ({attempt})",
		"huaweicloud.workspace.client.errors ({error})",
	} {
		assert.Contains(t, text, want)
	}
	assert.Equal(t, 1, strings.Count(text, "http.request.resend_count"), "one retry")
}

// The child process of main_test.go runs on the fake too with -demo.
func TestTelemetryMainOnTheFake(t *testing.T) {
	stderr, status := runMain(t, "-demo")
	assert.Equal(t, 0, status, stderr)
}

// Without -demo the program uses the API the environment names, here a
// fake the test starts: what a copied example does with your cloud.
func TestTelemetryWithoutDemoUsesTheEnvironment(t *testing.T) {
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
	assert.Contains(t, out.String(), "  Workspace.ShowJob")
}
