//go:build unix

package credcall

import (
	"io"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A named pipe nobody writes opens at once and reads as empty, where a
// plain open would block until a writer came.
func TestOpenFileFIFONobodyWrites(t *testing.T) {
	t.Parallel()
	fifo := filepath.Join(t.TempDir(), "fifo")
	require.NoError(t, syscall.Mkfifo(fifo, 0o600))
	start := time.Now()
	f, err := OpenFile(fifo)
	require.NoError(t, err)
	defer f.Close()
	data, _ := io.ReadAll(f)
	assert.Empty(t, data)
	assert.Less(t, time.Since(start), fileReadTimeout+time.Second)
}

// A regular file is read whole, as os.Open would.
func TestOpenFileRegular(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "file")
	require.NoError(t, os.WriteFile(path, []byte("content"), 0o600))
	f, err := OpenFile(path)
	require.NoError(t, err)
	defer f.Close()
	data, err := io.ReadAll(f)
	require.NoError(t, err)
	assert.Equal(t, "content", string(data))

	_, err = OpenFile(filepath.Join(t.TempDir(), "absent"))
	assert.ErrorIs(t, err, os.ErrNotExist)
}
