//go:build !linux

package workspacetest

import "time"

// preciseSleep reports false: here the timer waits to the end.
func preciseSleep(time.Duration) bool { return false }
