//go:build !demo

package main

import (
	"bytes"
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A build without -tags demo has no fake: -demo says how to get one and
// exits with status 2.
func TestTelemetryDemoNeedsTheTag(t *testing.T) {
	var out bytes.Buffer
	err := run(context.Background(), &out, []string{"-demo"})
	require.ErrorIs(t, err, errNoDemo)
	assert.Equal(t, 2, exitStatus(err))

	stderr, status := runMain(t, "-demo")
	assert.Equal(t, 2, status)
	assert.Contains(t, stderr, "go run -tags demo . -demo")
}
