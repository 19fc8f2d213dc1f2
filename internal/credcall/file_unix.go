//go:build unix

package credcall

import (
	"os"
	"syscall"
	"time"
)

// OpenFile opens a credentials or ID token file for reading. A
// named pipe (HUAWEICLOUD_SDK_CREDENTIALS_FILE=<(vault read ...)) is
// opened without waiting for a writer (O_NONBLOCK: a pipe nobody writes
// reads as empty, where a plain open would block forever), and a pipe or
// device is read for fileReadTimeout at the most. A regular file is
// opened and read as usual.
func OpenFile(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, err
	}
	_ = f.SetReadDeadline(time.Now().Add(fileReadTimeout)) // os.ErrNoDeadline for a regular file
	return f, nil
}

// fileReadTimeout bounds the reading of a pipe or device given as a
// configuration file.
const fileReadTimeout = 2 * time.Second
