//go:build unix

package credentials

import (
	"context"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// An ID token file that is a named pipe nobody writes must not hang the
// exchange forever: opening it blocked until a writer came. Nothing is
// sent to IAM without a token.
func TestIDTokenSourceFileFIFONobodyWrites(t *testing.T) {
	t.Parallel()
	fifo := filepath.Join(t.TempDir(), "fifo")
	require.NoError(t, syscall.Mkfifo(fifo, 0o600))
	f := newFakeIDTokenExchange(t, newFakeClock())
	ts, err := NewIDTokenSource(IDTokenConfig{IdPID: "idp-1", TokenFile: fifo, ProjectID: "project-1", Endpoint: f.srv.URL})
	require.NoError(t, err)
	done := make(chan error, 1)
	go func() {
		_, err := ts.Token(context.Background())
		done <- err
	}()
	select {
	case err := <-done:
		require.Error(t, err)
		assert.Contains(t, err.Error(), "ID token file")
	case <-time.After(5 * time.Second):
		t.Fatal("Token hangs on an ID token file that is a FIFO")
	}
	assert.Empty(t, f.tokens())
}
