//go:build unix

package workspace

import (
	"os"
	"syscall"
	"time"
)

// openConfigFile opens a credentials or ID token file for reading. A
// named pipe (HUAWEICLOUD_SDK_CREDENTIALS_FILE=<(vault read ...)) is
// opened without waiting for a writer (O_NONBLOCK: a pipe nobody writes
// reads as empty, where a plain open would block forever), and a pipe or
// device is read for configFileReadTimeout at the most. A regular file is
// opened and read as usual.
func openConfigFile(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, err
	}
	_ = f.SetReadDeadline(time.Now().Add(configFileReadTimeout)) // os.ErrNoDeadline for a regular file
	return f, nil
}
