package config_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hwcloud-go/workspace"
	"github.com/hwcloud-go/workspace/config"
	"github.com/hwcloud-go/workspace/workspacetest"
)

// The environment variables, spelt out: the names are the vendor's
// promise, so the tests do not take them from the package that holds
// them.
const (
	envAK              = "HUAWEICLOUD_SDK_AK"
	envSK              = "HUAWEICLOUD_SDK_SK"
	envSecurityToken   = "HUAWEICLOUD_SDK_SECURITY_TOKEN"
	envProjectID       = "HUAWEICLOUD_SDK_PROJECT_ID"
	envRegion          = "HUAWEICLOUD_SDK_REGION"
	envIAMEndpoint     = "HUAWEICLOUD_SDK_IAM_ENDPOINT"
	envIdPID           = "HUAWEICLOUD_SDK_IDP_ID"
	envIDTokenFile     = "HUAWEICLOUD_SDK_ID_TOKEN_FILE"
	envCredentialsFile = "HUAWEICLOUD_SDK_CREDENTIALS_FILE"
	envEndpoint        = "HUAWEICLOUD_SDK_WORKSPACE_ENDPOINT"
	envToken           = "HUAWEICLOUD_SDK_TOKEN"
	envMetadata        = "HUAWEICLOUD_SDK_METADATA_ENDPOINT"
	// envRegionAPSE3 is the vendor's endpoint variable for ap-southeast-3,
	// the fakes' region.
	envRegionAPSE3 = "HUAWEICLOUD_SDK_REGION_WORKSPACE_AP_SOUTHEAST_3"
)

// fileSK is the secret key of the credentials files below.
const fileSK = "file-sk-secret-0000"

// lookupEnv is m as the environment.
func lookupEnv(m map[string]string) config.LoadOption {
	return config.WithLookupEnv(func(k string) (string, bool) { v, ok := m[k]; return v, ok })
}

// withHome is env with HOME (and USERPROFILE) an empty temporary directory
// unless env sets it.
func withHome(t *testing.T, env map[string]string) map[string]string {
	t.Helper()
	home := t.TempDir()
	m := map[string]string{"HOME": home, "USERPROFILE": home}
	for k, v := range env {
		m[k] = v
	}
	return m
}

// closedPort is the URL of a loopback port nobody listens on.
func closedPort(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())
	return "http://" + addr
}

// load runs Load under a test context with env as the whole environment
// (see withHome) and the metadata service at a closed loopback port, then
// opts (a later WithMetadataEndpoint wins).
func load(t *testing.T, env map[string]string, opts ...config.LoadOption) (*config.Config, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	all := append([]config.LoadOption{lookupEnv(withHome(t, env)), config.WithMetadataEndpoint(closedPort(t))}, opts...)
	return config.Load(ctx, all...)
}

// writeFile writes content to a new temporary file and returns its path.
func writeFile(t *testing.T, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "credentials")
	require.NoError(t, os.WriteFile(path, []byte(content), 0o600))
	return path
}

// newFake is a workspacetest server closed at the end of the test.
func newFake(t *testing.T, opts ...workspacetest.Option) *workspacetest.Server {
	t.Helper()
	srv := workspacetest.NewServer(opts...)
	t.Cleanup(srv.Close)
	return srv
}

// settings are the exported fields of a Config.
type settings struct{ Region, Endpoint, IAMEndpoint, ProjectID string }

func settingsOf(c *config.Config) settings {
	return settings{c.Region, c.Endpoint, c.IAMEndpoint, c.ProjectID}
}

// with is m and the pairs kv.
func with(m map[string]string, kv ...string) map[string]string {
	out := map[string]string{}
	for k, v := range m {
		out[k] = v
	}
	for i := 0; i+1 < len(kv); i += 2 {
		out[kv[i]] = kv[i+1]
	}
	return out
}

// TestLoadPrecedence pins every precedence rule between the sources and
// Load's options (docs/configuration.md); the options of NewClient given
// after Config.Options are config_test.go's.
func TestLoadPrecedence(t *testing.T) {
	t.Parallel()
	tokenFile := writeFile(t, "id-token-secret")
	file := writeFile(t, "[basic]\nak = file-ak\nsk = "+fileSK+"\nproject_id = file-project\niam_endpoint = iam.file.example.com\n")
	iamFile := writeFile(t, "[basic]\niam_endpoint = iam.file.example.com\n")
	envAKSK := map[string]string{envAK: "env-ak", envSK: "env-sk-secret", envProjectID: "p"}
	const region = "ap-southeast-3"
	tests := []struct {
		name  string
		env   map[string]string
		opts  []config.LoadOption
		want  settings
		creds string // Config.String's credentials line
	}{
		{name: "environment over the file",
			env: with(envAKSK, envProjectID, "env-project", envRegion, region), opts: []config.LoadOption{config.WithCredentialsFile(file)},
			want:  settings{Region: region, IAMEndpoint: "https://iam.file.example.com", ProjectID: "env-project"},
			creds: "AK/SK (env HUAWEICLOUD_SDK_AK, env HUAWEICLOUD_SDK_SK)"},
		{name: "file fills what the environment leaves",
			env: map[string]string{envRegion: region}, opts: []config.LoadOption{config.WithCredentialsFile(file)},
			want:  settings{Region: region, IAMEndpoint: "https://iam.file.example.com", ProjectID: "file-project"},
			creds: "AK/SK (ak in " + file + ", sk in " + file + ")"},
		{name: "WithRegion over the environment's",
			env: with(envAKSK, envRegion, "eu-west-101"), opts: []config.LoadOption{config.WithRegion(region)},
			want: settings{Region: region, ProjectID: "p"}},
		{name: "vendor's region endpoint over ours",
			env: with(envAKSK, envRegion, region, envEndpoint, "https://ours.example.com",
				envRegionAPSE3, " https://vendor.example.com/gw , https://second.example.com"),
			want: settings{Region: region, Endpoint: "https://vendor.example.com/gw", ProjectID: "p"}},
		{name: "ours where the vendor's is not set",
			env:  with(envAKSK, envRegion, region, envEndpoint, "https://ours.example.com"),
			want: settings{Region: region, Endpoint: "https://ours.example.com", ProjectID: "p"}},
		{name: "ours without a region",
			env:  with(envAKSK, envEndpoint, "https://ours.example.com"),
			want: settings{Endpoint: "https://ours.example.com", ProjectID: "p"}},
		{name: "vendor's region endpoint for a region given as an option",
			env:  with(envAKSK, "HUAWEICLOUD_SDK_REGION_WORKSPACE_EU_WEST_101", "https://eu.example.com"),
			opts: []config.LoadOption{config.WithRegion("eu-west-101")},
			want: settings{Region: "eu-west-101", Endpoint: "https://eu.example.com", ProjectID: "p"}},
		{name: "identity provider over AK/SK over our token",
			env:   with(envAKSK, envRegion, region, envIdPID, "idp", envIDTokenFile, tokenFile, envToken, "env-token"),
			want:  settings{Region: region, ProjectID: "p"},
			creds: "ID token (env HUAWEICLOUD_SDK_IDP_ID, env HUAWEICLOUD_SDK_ID_TOKEN_FILE)"},
		{name: "AK/SK over our token",
			env:   with(envAKSK, envRegion, region, envToken, "env-token"),
			want:  settings{Region: region, ProjectID: "p"},
			creds: "AK/SK (env HUAWEICLOUD_SDK_AK, env HUAWEICLOUD_SDK_SK)"},
		{name: "temporary AK/SK",
			env:   with(envAKSK, envRegion, region, envSecurityToken, "env-st-secret"),
			want:  settings{Region: region, ProjectID: "p"},
			creds: "temporary AK/SK (env HUAWEICLOUD_SDK_AK, env HUAWEICLOUD_SDK_SK, env HUAWEICLOUD_SDK_SECURITY_TOKEN)"},
		{name: "our token",
			env:   map[string]string{envToken: "env-token", envProjectID: "p", envRegion: region},
			want:  settings{Region: region, ProjectID: "p"},
			creds: "IAM token (env HUAWEICLOUD_SDK_TOKEN)"},
		{name: "IAM endpoint: the environment's over the file's",
			env: with(envAKSK, envRegion, region, envIAMEndpoint, "iam.env.example.com"), opts: []config.LoadOption{config.WithCredentialsFile(iamFile)},
			want: settings{Region: region, IAMEndpoint: "https://iam.env.example.com", ProjectID: "p"}},
		{name: "IAM endpoint: the option's over the environment's",
			env: with(envAKSK, envRegion, region, envIAMEndpoint, "iam.env.example.com"), opts: []config.LoadOption{config.WithIAMEndpoint("https://iam.opt.example.com/")},
			want: settings{Region: region, IAMEndpoint: "https://iam.opt.example.com", ProjectID: "p"}},
		{name: "IAM endpoint: the file's",
			env: with(envAKSK, envRegion, region), opts: []config.LoadOption{config.WithCredentialsFile(iamFile)},
			want: settings{Region: region, IAMEndpoint: "https://iam.file.example.com", ProjectID: "p"}},
		{name: "IAM endpoint: none given (the region's)",
			env:  with(envAKSK, envRegion, region),
			want: settings{Region: region, ProjectID: "p"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cfg, err := load(t, tt.env, tt.opts...)
			require.NoError(t, err)
			assert.Equal(t, tt.want, settingsOf(cfg))
			if tt.creds != "" {
				assert.Contains(t, cfg.String(), "\ncredentials: "+tt.creds)
			}
		})
	}
}

// WithSources chooses the sources and their order: the first to give a
// setting wins.
func TestLoadSourcesInOrder(t *testing.T) {
	t.Parallel()
	file := writeFile(t, "[basic]\nak = file-ak\nsk = "+fileSK+"\nproject_id = file-project\n")
	env := map[string]string{envAK: "env-ak", envSK: "env-sk-secret", envProjectID: "env-project", envCredentialsFile: file}

	cfg, err := load(t, env, config.WithSources(config.SourceFile, config.SourceEnv))
	require.NoError(t, err)
	assert.Equal(t, "file-project", cfg.ProjectID, "the file first")
	assert.Contains(t, cfg.String(), "credentials: AK/SK (ak in "+file)

	cfg, err = load(t, env, config.WithSources(config.SourceEnv, config.SourceEnv))
	require.NoError(t, err)
	assert.Equal(t, "env-project", cfg.ProjectID)

	_, err = load(t, nil, config.WithSources())
	var ve *workspace.ValidationError
	require.ErrorAs(t, err, &ve)
	assert.Equal(t, "sources", ve.Field)
	_, err = load(t, nil, config.WithSources(config.Source(7)))
	require.ErrorAs(t, err, &ve)
	assert.Contains(t, err.Error(), "Source(7)")
	assert.Equal(t, "the environment", config.SourceEnv.String())
	assert.Equal(t, "the credentials file", config.SourceFile.String())
	assert.Equal(t, "the ECS metadata service", config.SourceMetadata.String())
}

// With no credentials from any source, the error lists what would have
// supplied them and says what was tried.
func TestLoadNoCredentialsNamesEverySource(t *testing.T) {
	t.Parallel()
	addr := closedPort(t)
	home := t.TempDir()
	_, err := load(t, map[string]string{"HOME": home}, config.WithMetadataEndpoint(addr))
	var ce *workspace.ConfigError
	require.ErrorAs(t, err, &ce)
	assert.Equal(t, []string{
		envAK + " and " + envSK, envIdPID + " and " + envIDTokenFile, envToken,
		"ak and sk in the credentials file", "idp_id and id_token_file in the credentials file",
		"an ECS instance's metadata service",
	}, ce.Missing)
	for _, source := range []string{"the environment", "the credentials file " + filepath.Join(home, ".huaweicloud", "credentials") + " (not found)", "the ECS metadata service at " + addr} {
		assert.Contains(t, ce.Reason, source)
	}
	assert.True(t, strings.HasPrefix(err.Error(), "workspace: configuration: no credentials"), err.Error())

	_, err = load(t, nil, config.WithSources(config.SourceEnv))
	require.ErrorAs(t, err, &ce)
	assert.Equal(t, []string{envAK + " and " + envSK, envIdPID + " and " + envIDTokenFile, envToken}, ce.Missing, "only the sources consulted")
}

// Incomplete credentials name what is missing; ID-token credentials need
// a project id and IAM's endpoint or a region.
func TestLoadIncompleteCredentials(t *testing.T) {
	t.Parallel()
	tokenFile := writeFile(t, "id-token-secret")
	for _, tt := range []struct {
		name string
		env  map[string]string
		want string
	}{
		{"ID token: a project id", map[string]string{envIdPID: "idp", envIDTokenFile: tokenFile, envRegion: "ap-southeast-3"}, envProjectID},
		{"ID token: a region or IAM endpoint", map[string]string{envIdPID: "idp", envIDTokenFile: tokenFile, envProjectID: "p", envEndpoint: "https://ws.example.com"}, envIAMEndpoint},
		{"ID token: the token file", map[string]string{envIdPID: "idp", envProjectID: "p", envRegion: "ap-southeast-3"}, envIDTokenFile},
		{"ID token: the identity provider", map[string]string{envIDTokenFile: tokenFile, envProjectID: "p", envRegion: "ap-southeast-3"}, envIdPID},
		{"AK/SK: the secret key", map[string]string{envAK: "ak", envProjectID: "p"}, envSK},
		{"AK/SK: the access key", map[string]string{envSK: "sk-secret", envProjectID: "p"}, envAK},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := load(t, tt.env)
			var ce *workspace.ConfigError
			require.ErrorAs(t, err, &ce)
			assert.Contains(t, ce.Missing, tt.want)
			assert.NotContains(t, err.Error(), "sk-secret")
		})
	}
	_, err := load(t, map[string]string{envIdPID: "idp", envIDTokenFile: tokenFile, envProjectID: "p"})
	var ce *workspace.ConfigError
	require.ErrorAs(t, err, &ce)
	assert.Equal(t, []string{envRegion, envIAMEndpoint, "config.WithRegion", "config.WithIAMEndpoint"}, ce.Missing)
}

// ID-token credentials from the environment end to end: the exchange at
// the IAM fake, then the API call with the token.
func TestLoadIDTokenFromTheEnvironment(t *testing.T) {
	t.Parallel()
	srv := newFake(t)
	file := writeFile(t, srv.IDToken)
	env := map[string]string{
		envIdPID:       srv.IdPID,
		envIDTokenFile: file,
		envIAMEndpoint: srv.IAMURL(),
		envProjectID:   srv.ProjectID,
		envRegion:      "ap-southeast-3",
		envRegionAPSE3: srv.URL,
		// The vendor's order: the identity provider wins over AK/SK.
		envAK: "ignored-ak",
		envSK: "ignored-sk",
	}
	cfg, err := load(t, env)
	require.NoError(t, err)
	assert.Empty(t, srv.Requests(), "the token file is read and exchanged on the first call")
	c, err := workspace.NewClient(append(cfg.Options(), quickRetries)...)
	require.NoError(t, err)
	_, err = c.Snapshots.List(context.Background(), nil)
	require.NoError(t, err)
	assert.Equal(t, []workspacetest.Operation{workspacetest.OpIAMIDToken, workspacetest.OpListSnapshots}, operations(srv))
	assert.Equal(t, "token", srv.Requests()[1].Auth)
}

// The vendor's endpoint list with a blank first entry: the first
// non-blank entry is the endpoint, not silently the public one.
func TestLoadRegionEndpointListWithBlanks(t *testing.T) {
	t.Parallel()
	for _, v := range []string{" , https://ws.example.test", ",https://ws.example.test,https://other.example.test"} {
		base := map[string]string{envAK: "AK", envSK: "SK", envProjectID: "p", envRegionAPSE3: v}
		cfg, err := load(t, with(base, envRegion, "ap-southeast-3"))
		require.NoError(t, err)
		assert.Equal(t, "https://ws.example.test", cfg.Endpoint, "for %q", v)
		cfg, err = load(t, base, config.WithRegion("ap-southeast-3"))
		require.NoError(t, err)
		assert.Equal(t, "https://ws.example.test", cfg.Endpoint, "for %q with WithRegion", v)
	}
	cfg, err := load(t, map[string]string{envAK: "AK", envSK: "SK", envProjectID: "p", envRegion: "ap-southeast-3", envRegionAPSE3: " , "})
	require.NoError(t, err)
	assert.Empty(t, cfg.Endpoint, "a list of blanks sets nothing")
}

// A password written into an endpoint URL (user information, as in a
// proxy URL) never appears in the error that refuses the URL.
func TestLoadEndpointUserInfoNotEchoed(t *testing.T) {
	t.Parallel()
	const secret = "endpoint-password-secret"
	for _, raw := range []string{
		"https://user:" + secret + "@iam.example.test",
		"https://user:" + secret + "%zz@iam.example.test",
		"ftp://user:" + secret + "@iam.example.test",
		"https://user:" + secret + "@",
		"https://user:" + secret + "@iam.example.test/#frag",
	} {
		for _, name := range []string{envIAMEndpoint, envEndpoint, envMetadata} {
			env := withHome(t, map[string]string{envRegion: "ap-southeast-3", name: raw})
			if name != envMetadata {
				env[envAK], env[envSK], env[envProjectID] = "AK", "SK", "p"
			}
			// No WithMetadataEndpoint: the variable's malformed value is
			// refused before any call (and the package's TestMain traps the
			// default address).
			_, err := config.Load(context.Background(), lookupEnv(env))
			var ce *workspace.ConfigError
			require.ErrorAs(t, err, &ce, "%s=%s", name, raw)
			assert.NotContains(t, err.Error(), secret, "%s", name)
		}
		for _, opt := range []config.LoadOption{config.WithIAMEndpoint(raw), config.WithMetadataEndpoint(raw)} {
			_, err := load(t, nil, opt)
			var ve *workspace.ValidationError
			require.ErrorAs(t, err, &ve)
			assert.NotContains(t, err.Error(), secret)
		}
	}
}

// Every error of Load is a *workspace.ConfigError; a malformed value wraps
// its *workspace.ValidationError, named after the option or the variable.
func TestLoadErrorsAreConfigErrors(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name       string
		env        map[string]string
		opts       []config.LoadOption
		field      string // of the *ValidationError; "": none
		missing    string // in Missing; "": not checked
		nilContext bool
	}{
		{name: "nothing configured", missing: envAK + " and " + envSK},
		{name: "bad region option", opts: []config.LoadOption{config.WithRegion("Not a region")}, field: "region"},
		{name: "plain http IAM endpoint", opts: []config.LoadOption{config.WithIAMEndpoint("http://iam.example.com")}, field: "iamEndpoint"},
		{name: "empty IAM endpoint", opts: []config.LoadOption{config.WithIAMEndpoint(" ")}, field: "iamEndpoint"},
		{name: "nil lookup", opts: []config.LoadOption{config.WithLookupEnv(nil)}, field: "lookupEnv"},
		{name: "nil HTTP client", opts: []config.LoadOption{config.WithHTTPClient(nil)}, field: "httpClient"},
		{name: "bad region variable", env: map[string]string{envRegion: "AP South/3", envToken: "t"}, field: "region (from env HUAWEICLOUD_SDK_REGION)"},
		{name: "bad project variable", env: map[string]string{envProjectID: "a/b", envToken: "t"}, field: "projectID (from env HUAWEICLOUD_SDK_PROJECT_ID)"},
		{name: "project variable with NUL", env: map[string]string{envProjectID: "a\x00b", envToken: "t"}, field: "projectID (from env HUAWEICLOUD_SDK_PROJECT_ID)"},
		{name: "bad endpoint variable", env: map[string]string{envEndpoint: "ftp://x", envToken: "t"}, field: "endpoint (from env HUAWEICLOUD_SDK_WORKSPACE_ENDPOINT)"},
		{name: "plain http IAM variable", env: map[string]string{envIAMEndpoint: "http://iam.example.com", envToken: "t"}, field: "iamEndpoint (from env HUAWEICLOUD_SDK_IAM_ENDPOINT)"},
		{name: "nil context", nilContext: true, field: "ctx"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var err error
			if tt.nilContext {
				var nilCtx context.Context
				_, err = config.Load(nilCtx, config.WithSources(config.SourceEnv))
			} else {
				_, err = load(t, tt.env, tt.opts...)
			}
			var ce *workspace.ConfigError
			require.ErrorAs(t, err, &ce)
			assert.True(t, strings.HasPrefix(err.Error(), "workspace: configuration: "), err.Error())
			var ve *workspace.ValidationError
			if tt.field != "" {
				require.ErrorAs(t, err, &ve)
				assert.Equal(t, tt.field, ve.Field)
			} else {
				assert.False(t, errors.As(err, &ve))
			}
			if tt.missing != "" {
				assert.Contains(t, ce.Missing, tt.missing)
			}
		})
	}
}

// WithHTTPClient carries the calls Load makes (here the project lookup)
// and those of the sources it builds.
func TestLoadWithHTTPClient(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var hosts []string
	hc := &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		mu.Lock()
		defer mu.Unlock()
		hosts = append(hosts, r.URL.Host)
		return nil, errors.New("no network in tests")
	})}
	_, err := load(t, map[string]string{envAK: "AK", envSK: "SK", envRegion: "ap-southeast-3"}, config.WithHTTPClient(hc))
	var ce *workspace.ConfigError
	require.ErrorAs(t, err, &ce)
	mu.Lock()
	defer mu.Unlock()
	assert.Equal(t, []string{"iam.ap-southeast-3.myhuaweicloud.com"}, hosts, "the region's IAM, through the client given")
	assert.Contains(t, err.Error(), "no network in tests")
}

// roundTripFunc is an http.RoundTripper from a function.
type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// quickRetries keeps the API client's retries to milliseconds.
var quickRetries = workspace.WithRetryPolicy(workspace.RetryPolicy{MaxAttempts: 2, BaseDelay: time.Millisecond, MaxDelay: time.Millisecond})

// operations lists the operations the fake received, in order.
func operations(srv *workspacetest.Server) []workspacetest.Operation {
	var ops []workspacetest.Operation
	for _, r := range srv.Requests() {
		ops = append(ops, r.Operation)
	}
	return ops
}

// Without WithLookupEnv, Load reads the process's environment.
func TestLoadReadsTheProcessEnvironment(t *testing.T) {
	t.Setenv("HUAWEICLOUD_SDK_TOKEN", "process-token")
	t.Setenv("HUAWEICLOUD_SDK_PROJECT_ID", "process-project")
	t.Setenv("HUAWEICLOUD_SDK_REGION", "ap-southeast-3")
	cfg, err := config.Load(context.Background(), config.WithSources(config.SourceEnv))
	require.NoError(t, err)
	assert.Equal(t, "process-project", cfg.ProjectID)
	assert.Equal(t, "ap-southeast-3", cfg.Region)
	assert.Contains(t, cfg.String(), "credentials: IAM token (env HUAWEICLOUD_SDK_TOKEN)")
	assert.NotContains(t, fmt.Sprint(cfg), "process-token")
}

// A context that is done is Load's answer, whatever a source would have
// complained of: the error matches context.Canceled and is a
// *workspace.ConfigError, even where the environment or the credentials
// file is malformed or incomplete.
func TestLoadDoneContextWinsOverSourceErrors(t *testing.T) {
	t.Parallel()
	malformed := writeFile(t, "not an INI file")
	for _, tt := range []struct {
		name string
		env  map[string]string
	}{
		{"malformed credentials file", map[string]string{envCredentialsFile: malformed}},
		{"missing named credentials file", map[string]string{envCredentialsFile: filepath.Join(t.TempDir(), "absent")}},
		{"half an AK/SK pair", map[string]string{envAK: "ak"}},
		{"half an ID-token pair", map[string]string{envIdPID: "idp"}},
		{"malformed region", map[string]string{envRegion: "../x", envToken: "t"}},
		{"malformed project id", map[string]string{envProjectID: "a/b", envToken: "t"}},
		{"malformed endpoint", map[string]string{envEndpoint: "ftp://x", envToken: "t"}},
		{"complete", map[string]string{envToken: "t", envProjectID: "p", envRegion: "ap-southeast-3"}},
		{"nothing", nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			cfg, err := config.Load(ctx, lookupEnv(withHome(t, tt.env)), config.WithMetadataEndpoint(closedPort(t)))
			assert.Nil(t, cfg)
			assert.ErrorIs(t, err, context.Canceled)
			var ce *workspace.ConfigError
			assert.ErrorAs(t, err, &ce)
		})
	}
}
