package workspacetest

import (
	"syscall"
	"time"
)

// preciseSleep sleeps the thread for d (at most preciseWindow), which the
// kernel ends within microseconds, and reports true (false: it could not
// sleep; the caller waits on a timer). The goroutine's processor goes on
// with other goroutines meanwhile.
func preciseSleep(d time.Duration) bool {
	ts := syscall.NsecToTimespec(int64(d))
	for ts.Sec > 0 || ts.Nsec > 0 {
		var left syscall.Timespec
		switch err := syscall.Nanosleep(&ts, &left); err {
		case nil:
			return true
		case syscall.EINTR:
			ts = left // a signal woke the thread: sleep the rest
		default:
			return false
		}
	}
	return true
}
