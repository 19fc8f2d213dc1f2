//go:build unix

package workspace

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A credentials or ID token file that is a named pipe nobody writes
// (HUAWEICLOUD_SDK_CREDENTIALS_FILE=/some/fifo) must not hang NewClient
// or the token exchange forever: opening it blocked until a writer came.
func TestAdversaryConfigFileIsAFIFO(t *testing.T) {
	t.Parallel()
	fifo := filepath.Join(t.TempDir(), "fifo")
	require.NoError(t, syscall.Mkfifo(fifo, 0o600))

	done := make(chan error, 1)
	go func() {
		_, err := NewClient(fakeEnv(map[string]string{EnvCredentialsFile: fifo}), WithCredentialsFile(""), WithRegion("ap-southeast-3"))
		done <- err
	}()
	select {
	case err := <-done:
		var ce *ConfigError
		assert.ErrorAs(t, err, &ce)
	case <-time.After(5 * time.Second):
		t.Fatal("NewClient hangs on a credentials file that is a FIFO")
	}

	ts, err := NewIDTokenSource(IDTokenConfig{IdPID: "idp", TokenFile: fifo, ProjectID: "p", Endpoint: "http://127.0.0.1:1"})
	require.NoError(t, err)
	go func() {
		_, err := ts.Token(context.Background())
		done <- err
	}()
	select {
	case err := <-done:
		assert.Error(t, err)
	case <-time.After(5 * time.Second):
		t.Fatal("Token hangs on an ID token file that is a FIFO")
	}
}

// A pipe with a writer is still read: process substitution
// (HUAWEICLOUD_SDK_CREDENTIALS_FILE=<(vault read ...)) keeps working.
func TestAdversaryConfigFileFromAPipeWriter(t *testing.T) {
	t.Parallel()
	r, w, err := os.Pipe()
	require.NoError(t, err)
	t.Cleanup(func() { _ = r.Close() })
	go func() {
		defer w.Close()
		time.Sleep(20 * time.Millisecond)
		_, _ = w.WriteString("[basic]\nak = pipe-ak\nsk = pipe-sk\n")
	}()
	kv, err := readCredentialsFile(fmt.Sprintf("/dev/fd/%d", r.Fd()))
	require.NoError(t, err)
	assert.Equal(t, "pipe-ak", kv["ak"])
}
