//go:build !unix

package workspace

import "os"

// openConfigFile opens a credentials or ID token file for reading.
func openConfigFile(path string) (*os.File, error) { return os.Open(path) }
