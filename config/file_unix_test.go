//go:build unix

package config

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

	"github.com/hwcloud-go/workspace"
	"github.com/hwcloud-go/workspace/internal/envnames"
)

// A credentials file that is a named pipe nobody writes
// (HUAWEICLOUD_SDK_CREDENTIALS_FILE=/some/fifo) must not hang Load
// forever: opening it blocked until a writer came.
func TestLoadCredentialsFileFIFONobodyWrites(t *testing.T) {
	t.Parallel()
	fifo := filepath.Join(t.TempDir(), "fifo")
	require.NoError(t, syscall.Mkfifo(fifo, 0o600))

	done := make(chan error, 1)
	go func() {
		_, err := loadWith(t, map[string]string{envnames.CredentialsFile: fifo}, WithRegion("ap-southeast-3"))
		done <- err
	}()
	select {
	case err := <-done:
		var ce *workspace.ConfigError
		assert.ErrorAs(t, err, &ce)
	case <-time.After(5 * time.Second):
		t.Fatal("Load hangs on a credentials file that is a FIFO")
	}
}

// A pipe with a writer is still read: process substitution
// (HUAWEICLOUD_SDK_CREDENTIALS_FILE=<(vault read ...)) keeps working.
func TestCredentialsFileFromAPipeWriter(t *testing.T) {
	t.Parallel()
	r, w, err := os.Pipe()
	require.NoError(t, err)
	t.Cleanup(func() { _ = r.Close() })
	go func() {
		defer w.Close()
		time.Sleep(20 * time.Millisecond)
		_, _ = w.WriteString("[basic]\nak = pipe-ak\nsk = pipe-sk\n")
	}()
	kv, err := readCredentialsFile(context.Background(), fmt.Sprintf("/dev/fd/%d", r.Fd()))
	require.NoError(t, err)
	assert.Equal(t, "pipe-ak", kv["ak"])
}

// A credentials file that is a pipe whose writer holds it open and says
// nothing is read only as long as Load's context lasts: Load returns at
// the context's end with its error, not at the pipe's own read bound.
func TestLoadCredentialsFilePipeStopsWithContext(t *testing.T) {
	t.Parallel()
	fifo := filepath.Join(t.TempDir(), "fifo")
	require.NoError(t, syscall.Mkfifo(fifo, 0o600))
	// Opened for reading and writing (Linux does not block on that): a
	// writer that keeps the pipe open and writes nothing.
	w, err := os.OpenFile(fifo, os.O_RDWR, 0)
	require.NoError(t, err)
	t.Cleanup(func() { _ = w.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	noEnv := func(string) (string, bool) { return "", false }
	_, err = Load(ctx, WithLookupEnv(noEnv), WithCredentialsFile(fifo), WithSources(SourceFile))
	assert.Less(t, time.Since(start), time.Second, "Load waited for the pipe after its context ended")
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	var ce *workspace.ConfigError
	assert.ErrorAs(t, err, &ce)
}
