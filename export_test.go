package workspace

import "time"

// Hooks for the external tests (package workspace_test) of configuration
// sources: they keep the process's environment, home directory and the
// real metadata bound out of the tests, so the tests can run in parallel.

// WithLookupEnv makes NewClient read the environment from m.
func WithLookupEnv(m map[string]string) Option { return fakeEnv(m) }

// WithHomeDir makes the default credentials file dir/.huaweicloud/credentials.
func WithHomeDir(dir string) Option {
	return option(func(c *config) error {
		c.src.homeDir = func() (string, error) { return dir, nil }
		return nil
	})
}

// WithMetadataBound replaces DefaultConfigMetadataTimeout.
func WithMetadataBound(d time.Duration) Option {
	return option(func(c *config) error {
		c.src.metaTimeout = d
		return nil
	})
}

// A test that forgets HUAWEICLOUD_SDK_METADATA_ENDPOINT
// meets a closed loopback port, never 169.254.169.254.
var _ = func() bool {
	defaultConfigMetadataEndpoint = "http://127.0.0.1:1"
	return true
}()
