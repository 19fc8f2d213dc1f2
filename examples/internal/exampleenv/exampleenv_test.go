package exampleenv

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hwcloud-go/workspace"
)

func envLookup(vars map[string]string) LookupEnv {
	return func(name string) (string, bool) {
		v, ok := vars[name]
		return v, ok
	}
}

func TestExampleEnvMissingSettings(t *testing.T) {
	t.Parallel()
	full := map[string]string{
		workspace.EnvAccessKey: "ak", workspace.EnvSecretKey: "sk",
		workspace.EnvProjectID: "p", workspace.EnvRegion: "ap-southeast-3",
	}
	tests := []struct {
		name    string
		vars    map[string]string
		missing int
	}{
		{"nothing", nil, 3},
		{"everything", full, 0},
		{"token instead of keys", map[string]string{workspace.EnvToken: "t", workspace.EnvProjectID: "p", workspace.EnvEndpoint: "https://x.example.com"}, 0},
		{"AK without SK", map[string]string{workspace.EnvAccessKey: "ak", workspace.EnvProjectID: "p", workspace.EnvRegion: "r"}, 1},
		{"blank values", map[string]string{workspace.EnvAccessKey: " ", workspace.EnvSecretKey: " ", workspace.EnvProjectID: " ", workspace.EnvRegion: " "}, 3},
		{"no region", map[string]string{workspace.EnvToken: "t", workspace.EnvProjectID: "p"}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			assert.Len(t, missingSettings(envLookup(tt.vars)), tt.missing)
		})
	}
}

func TestExampleEnvSetupFake(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	env, err := Setup(&out, envLookup(nil))
	require.NoError(t, err)
	defer env.Close()
	require.NotNil(t, env.Fake)
	first, _, _ := strings.Cut(out.String(), "\n")
	assert.Contains(t, first, "embedded fake Workspace API with demo data")
	assert.Contains(t, first, workspace.EnvProjectID)
	poolID := env.PoolID("")
	assert.NotEmpty(t, poolID)
	assert.Equal(t, "given", env.PoolID("given"))
	assert.Len(t, env.DesktopIDs("", poolID), 10)
	assert.Equal(t, []string{"a", "b"}, env.DesktopIDs(" a, ,b", poolID))
	assert.Contains(t, env.PoolName(poolID), "finance-office")
	assert.Equal(t, "FIN-001", env.DesktopName(env.DesktopIDs("", poolID)[0]))
}

func TestExampleEnvSetupReal(t *testing.T) {
	// Setup builds the client from the process environment (WithEnv); no
	// request is sent.
	t.Setenv(workspace.EnvAccessKey, "AKEXAMPLE")
	t.Setenv(workspace.EnvSecretKey, "sk-example")
	t.Setenv(workspace.EnvProjectID, "proj-1")
	t.Setenv(workspace.EnvRegion, "ap-southeast-3")
	t.Setenv(workspace.EnvEndpoint, "")
	t.Setenv(workspace.EnvToken, "")
	t.Setenv(workspace.EnvSecurityToken, "")
	var out bytes.Buffer
	env, err := Setup(&out, nil)
	require.NoError(t, err)
	defer env.Close()
	assert.Nil(t, env.Fake)
	assert.Equal(t, "Using the Huawei Cloud Workspace API (ap-southeast-3, project proj-1).\n", out.String())
	assert.Equal(t, workspace.DefaultWaitInterval, env.Wait.Interval)
	assert.NotContains(t, env.Client.String(), "sk-example")
	assert.Empty(t, env.PoolID(""), "no pool is guessed against the cloud")
	assert.Empty(t, env.DesktopIDs("", ""))
}

func TestExampleEnvParseVolume(t *testing.T) {
	t.Parallel()
	v, err := ParseVolume("sas:100")
	require.NoError(t, err)
	assert.Equal(t, workspace.VolumeInfo{Type: "SAS", Size: 100}, v)
	v, err = ParseVolume("SSD:200:vol-1")
	require.NoError(t, err)
	assert.Equal(t, workspace.VolumeInfo{ID: "vol-1", Type: "SSD", Size: 200}, v)
	assert.Equal(t, "SSD:200:vol-1", VolumeString(v))
	for _, bad := range []string{"SAS", "SAS:big", ""} {
		_, err := ParseVolume(bad)
		assert.Error(t, err, bad)
	}
}
