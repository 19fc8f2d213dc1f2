//go:build !unix

package credcall

import "os"

// OpenFile opens a credentials or ID token file for reading.
func OpenFile(path string) (*os.File, error) { return os.Open(path) }
