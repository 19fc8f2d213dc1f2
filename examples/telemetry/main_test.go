package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestTelemetryOnTheFake(t *testing.T) {
	var out bytes.Buffer
	require.NoError(t, run(context.Background(), &out))
	text := out.String()
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
