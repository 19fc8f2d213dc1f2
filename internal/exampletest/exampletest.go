// Package exampletest holds what the tests of the example programs share:
// running a program's main in a child process, as a user runs it, and an
// environment from which no client can be configured and no test reaches
// the real ECS metadata service.
package exampletest

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/hwcloud-go/workspace/internal/envnames"
)

// noMetadata is a closed loopback port for config.Load's metadata
// service: never 169.254.169.254.
const noMetadata = "http://127.0.0.1:1"

// Main is a test binary's TestMain: where RunMain started the binary
// (runVar is "1"), it runs the program's main and exits 0 (main exits
// otherwise itself); else it runs the tests.
func Main(m *testing.M, runVar string, main func()) {
	if os.Getenv(runVar) == "1" {
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// RunMain runs the program (the test binary, through Main) with args in
// an empty environment, as a copied example runs where nothing is
// configured, and returns its standard error and exit status.
func RunMain(t *testing.T, runVar string, args ...string) (stderr string, status int) {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = []string{runVar + "=1", "HOME=" + t.TempDir(), envnames.MetadataEndpoint + "=" + noMetadata}
	var errOut bytes.Buffer
	cmd.Stderr = &errOut
	err := cmd.Run()
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		return errOut.String(), exit.ExitCode()
	}
	require.NoError(t, err)
	return errOut.String(), 0
}

// ClearEnv empties, for the test, every variable a client could be
// configured from, and points the home directory at an empty one and the
// metadata service at a closed loopback port.
func ClearEnv(t *testing.T) {
	t.Setenv("HOME", t.TempDir())
	t.Setenv(envnames.MetadataEndpoint, noMetadata)
	for _, name := range []string{
		envnames.AccessKey, envnames.SecretKey, envnames.SecurityToken, envnames.Token,
		envnames.IdPID, envnames.IDTokenFile, envnames.ProjectID, envnames.Region,
		envnames.Endpoint, envnames.CredentialsFile, envnames.IAMEndpoint,
	} {
		t.Setenv(name, "")
	}
}
