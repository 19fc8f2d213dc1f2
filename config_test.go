package workspace

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fileSecret is the secret key of the credentials files below; no error
// may show it.
const fileSecret = "file-sk-secret-0000"

// writeTempFile writes a credentials file and returns its path.
func writeTempFile(t *testing.T, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "credentials")
	require.NoError(t, os.WriteFile(path, []byte(content), 0o600))
	return path
}

func TestParseINI(t *testing.T) {
	t.Parallel()
	good := "\xef\xbb\xbf# the vendor's file\n; another comment\n\n[Basic]\n AK = file-ak \nsk=\"" + fileSecret + "\"\n" +
		"project_id = 'proj' ; inline comment\niam_endpoint = iam.example.com # inline\nunknown_key = kept\n\n[global]\nak = other\n"
	sections, err := parseINI("f", []byte(good))
	require.NoError(t, err)
	assert.Equal(t, map[string]string{
		"ak": "file-ak", "sk": fileSecret, "project_id": "proj", "iam_endpoint": "iam.example.com", "unknown_key": "kept",
	}, sections["basic"])
	assert.Equal(t, map[string]string{"ak": "other"}, sections["global"])

	for _, tt := range []struct {
		name, content, want string
	}{
		{"key before any section", "sk = " + fileSecret + "\n[basic]\n", "line 1: has a key before the first [section]"},
		{"not key = value", "[basic]\n" + fileSecret + "\n", "line 2: is neither"},
		{"repeated key", "[basic]\nsk = a\nsk = " + fileSecret + "\n", "line 3: repeats key sk"},
		{"repeated section", "[basic]\n[basic]\n", "line 2: repeats section [basic]"},
		{"broken header", "[basic\nsk = " + fileSecret + "\n", "line 1: is not a [section] header"},
		{"empty header", "[ ]\n", "line 1: is not a [section] header"},
		{"no key name", "[basic]\n = " + fileSecret + "\n", "line 2: has no key name"},
		{"space in key name", "[basic]\nmy sk = " + fileSecret + "\n", "line 2: has no key name"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := parseINI("/x/credentials", []byte(tt.content))
			var ce *ConfigError
			require.ErrorAs(t, err, &ce)
			var ve *ValidationError
			require.ErrorAs(t, err, &ve)
			assert.Contains(t, err.Error(), tt.want)
			assert.Contains(t, ve.Field, "/x/credentials")
			assert.NotContains(t, err.Error(), fileSecret)
		})
	}
}

func TestReadCredentialsFile(t *testing.T) {
	t.Parallel()
	_, err := readCredentialsFile(filepath.Join(t.TempDir(), "absent"))
	var ce *ConfigError
	require.ErrorAs(t, err, &ce)
	assert.ErrorIs(t, err, os.ErrNotExist)

	_, err = readCredentialsFile(writeTempFile(t, "[global]\nak = x\n"))
	require.ErrorAs(t, err, &ce)
	assert.Contains(t, err.Error(), "has no [basic] section")

	_, err = readCredentialsFile(writeTempFile(t, "[basic]\nsk = "+strings.Repeat("x", maxCredentialsFile)+"\n"))
	assert.ErrorContains(t, err, "larger than")

	_, err = readCredentialsFile(t.TempDir()) // a directory
	require.ErrorAs(t, err, &ce)
}

// writeIDTokenFile is an ID token file for the configurations below.
func writeIDTokenFile(t *testing.T) string {
	t.Helper()
	return writeTempFile(t, "id-token-secret")
}

func TestWithCredentialsFile(t *testing.T) {
	t.Parallel()
	tokenFile := writeIDTokenFile(t)
	full := "[basic]\nak = file-ak\nsk = " + fileSecret + "\nsecurity_token = file-st-secret\nproject_id = file-project\n"
	tests := []struct {
		name     string
		file     string
		opts     []Option
		wantAuth authWant
		wantPID  string
	}{
		{name: "AK/SK, security token and project id", file: full,
			wantAuth: authWant{ak: "file-ak", sk: fileSecret, secToken: "file-st-secret"}, wantPID: "file-project"},
		{name: "ID token wins over AK/SK", file: full + "idp_id = idp\nid_token_file = " + tokenFile + "\niam_endpoint = iam.example.com\n",
			wantAuth: authWant{tokenSource: true}, wantPID: "file-project"},
		{name: "options win", file: full, opts: []Option{WithProjectID("opt-project"), WithToken("opt-token")},
			wantAuth: authWant{token: "opt-token"}, wantPID: "opt-project"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			path := writeTempFile(t, tt.file)
			opts := append([]Option{fakeEnv(map[string]string{}), WithRegion("ap-southeast-3"), WithCredentialsFile(path)}, tt.opts...)
			c, err := NewClient(opts...)
			require.NoError(t, err)
			assert.Equal(t, tt.wantAuth, authOf(t, c))
			assert.Equal(t, tt.wantPID, c.core.projectID)
			assertNoSecret(t, fmt.Sprintf("%v %+v %#v", c, c, c), fileSecret, "file-st-secret")
		})
	}

	t.Run("ID-token source from the file", func(t *testing.T) {
		t.Parallel()
		path := writeTempFile(t, "[basic]\nidp_id = idp\nid_token_file = "+tokenFile+"\niam_endpoint = iam.example.com\nproject_id = p\n")
		c, err := NewClient(fakeEnv(map[string]string{}), WithRegion("ap-southeast-3"), WithCredentialsFile(path))
		require.NoError(t, err)
		ts := c.core.auth.(tokenAuth).src.(*IDTokenSource)
		assert.Equal(t, "https://iam.example.com/v3.0/OS-AUTH/id-token/tokens", ts.st().url, "iam_endpoint without a scheme gets https://")
		assert.Equal(t, tokenFile, ts.st().file)
		assert.Equal(t, "idp", ts.st().idpID)
	})

	t.Run("named file missing", func(t *testing.T) {
		t.Parallel()
		_, err := NewClient(fakeEnv(map[string]string{}), WithCredentialsFile(filepath.Join(t.TempDir(), "nope")))
		var ce *ConfigError
		require.ErrorAs(t, err, &ce)
		assert.ErrorIs(t, err, os.ErrNotExist)
	})
	t.Run("file named by HUAWEICLOUD_SDK_CREDENTIALS_FILE missing", func(t *testing.T) {
		t.Parallel()
		env := map[string]string{EnvCredentialsFile: filepath.Join(t.TempDir(), "nope")}
		_, err := NewClient(fakeEnv(env), WithCredentialsFile(""))
		assert.ErrorIs(t, err, os.ErrNotExist)
	})
	t.Run("file named by HUAWEICLOUD_SDK_CREDENTIALS_FILE", func(t *testing.T) {
		t.Parallel()
		env := map[string]string{EnvCredentialsFile: writeTempFile(t, full)}
		c, err := NewClient(fakeEnv(env), WithCredentialsFile(""), WithRegion("ap-southeast-3"))
		require.NoError(t, err)
		assert.Equal(t, "file-project", c.core.projectID)
	})
	t.Run("default file missing is not an error", func(t *testing.T) {
		t.Parallel()
		home := t.TempDir()
		_, err := NewClient(fakeEnv(map[string]string{}), WithHomeDir(home), WithCredentialsFile(""))
		var ce *ConfigError
		require.ErrorAs(t, err, &ce)
		assert.Contains(t, ce.Missing, "ak and sk in the credentials file")
		assert.Contains(t, ce.Reason, filepath.Join(home, ".huaweicloud", "credentials")+" (not found)")
		assert.NotErrorIs(t, err, os.ErrNotExist)
	})
	t.Run("default file in the home directory", func(t *testing.T) {
		t.Parallel()
		home := t.TempDir()
		require.NoError(t, os.MkdirAll(filepath.Join(home, ".huaweicloud"), 0o700))
		require.NoError(t, os.WriteFile(filepath.Join(home, ".huaweicloud", "credentials"), []byte(full), 0o600))
		c, err := NewClient(fakeEnv(map[string]string{}), WithHomeDir(home), WithCredentialsFile(""), WithRegion("ap-southeast-3"))
		require.NoError(t, err)
		assert.Equal(t, authWant{ak: "file-ak", sk: fileSecret, secToken: "file-st-secret"}, authOf(t, c))
	})
	t.Run("incomplete keys", func(t *testing.T) {
		t.Parallel()
		for content, want := range map[string]string{
			"[basic]\nak = file-ak\n":                      "sk in ",
			"[basic]\nsk = " + fileSecret + "\n":           "ak in ",
			"[basic]\nidp_id = idp\n":                      "id_token_file in ",
			"[basic]\nid_token_file = " + tokenFile + "\n": "idp_id in ",
		} {
			path := writeTempFile(t, content)
			_, err := NewClient(fakeEnv(map[string]string{}), WithRegion("ap-southeast-3"), WithProjectID("p"), WithCredentialsFile(path))
			var ce *ConfigError
			require.ErrorAs(t, err, &ce, content)
			require.Len(t, ce.Missing, 1)
			assert.Equal(t, want+path, ce.Missing[0])
			assert.NotContains(t, err.Error(), fileSecret)
		}
	})
	t.Run("malformed value names the key", func(t *testing.T) {
		t.Parallel()
		path := writeTempFile(t, full+"iam_endpoint = ftp://iam.example.com\n")
		_, err := NewClient(fakeEnv(map[string]string{}), WithRegion("ap-southeast-3"), WithCredentialsFile(path))
		var ve *ValidationError
		require.ErrorAs(t, err, &ve)
		assert.Contains(t, ve.Field, "iam_endpoint in "+path)
	})
}

// TestConfigPrecedence pins every precedence rule of the table in docs/configuration.md.
func TestConfigPrecedence(t *testing.T) {
	t.Parallel()
	tokenFile := writeIDTokenFile(t)
	file := writeTempFile(t, "[basic]\nak = file-ak\nsk = "+fileSecret+"\nproject_id = file-project\niam_endpoint = iam.file.example.com\n")
	envAKSK := map[string]string{EnvAccessKey: "env-ak", EnvSecretKey: "env-sk-secret"}
	with := func(m map[string]string, kv ...string) map[string]string {
		out := map[string]string{}
		for k, v := range m {
			out[k] = v
		}
		for i := 0; i+1 < len(kv); i += 2 {
			out[kv[i]] = kv[i+1]
		}
		return out
	}
	tests := []struct {
		name       string
		env        map[string]string
		opts       []Option
		wantOrigin string
		wantPID    string
		wantIAM    string // the lookup's IAM origin, when the project is looked up
		wantAuth   *authWant
	}{
		{name: "option project id over the environment's",
			env: with(envAKSK, EnvProjectID, "env-project", EnvRegion, "ap-southeast-3"), opts: []Option{WithEnv(), WithProjectID("opt")},
			wantOrigin: "https://workspace.ap-southeast-3.myhuaweicloud.com", wantPID: "opt"},
		{name: "environment over the file, whatever the option order",
			env: with(envAKSK, EnvProjectID, "env-project", EnvRegion, "ap-southeast-3"), opts: []Option{WithCredentialsFile(file), WithEnv()},
			wantOrigin: "https://workspace.ap-southeast-3.myhuaweicloud.com", wantPID: "env-project",
			wantAuth: &authWant{ak: "env-ak", sk: "env-sk-secret"}},
		{name: "file fills what the environment leaves",
			env: map[string]string{EnvRegion: "ap-southeast-3"}, opts: []Option{WithEnv(), WithCredentialsFile(file)},
			wantOrigin: "https://workspace.ap-southeast-3.myhuaweicloud.com", wantPID: "file-project",
			wantAuth: &authWant{ak: "file-ak", sk: fileSecret}},
		{name: "vendor's region endpoint over ours",
			env: with(envAKSK, EnvProjectID, "p", EnvRegion, "ap-southeast-3", EnvEndpoint, "https://ours.example.com",
				"HUAWEICLOUD_SDK_REGION_WORKSPACE_AP_SOUTHEAST_3", " https://vendor.example.com/gw , https://second.example.com"),
			opts: []Option{WithEnv()}, wantOrigin: "https://vendor.example.com", wantPID: "p"},
		{name: "ours where the vendor's is not set",
			env:  with(envAKSK, EnvProjectID, "p", EnvRegion, "ap-southeast-3", EnvEndpoint, "https://ours.example.com"),
			opts: []Option{WithEnv()}, wantOrigin: "https://ours.example.com", wantPID: "p"},
		{name: "vendor's region endpoint for a region given as an option",
			env:  with(envAKSK, EnvProjectID, "p", "HUAWEICLOUD_SDK_REGION_WORKSPACE_EU_WEST_101", "https://eu.example.com"),
			opts: []Option{WithEnv(), WithRegion("eu-west-101")}, wantOrigin: "https://eu.example.com", wantPID: "p"},
		{name: "WithEndpoint over the vendor's region endpoint",
			env:  with(envAKSK, EnvProjectID, "p", EnvRegion, "ap-southeast-3", "HUAWEICLOUD_SDK_REGION_WORKSPACE_AP_SOUTHEAST_3", "https://vendor.example.com"),
			opts: []Option{WithEnv(), WithEndpoint("https://opt.example.com")}, wantOrigin: "https://opt.example.com", wantPID: "p"},
		{name: "identity provider over AK/SK over our token",
			env:  with(envAKSK, EnvProjectID, "p", EnvRegion, "ap-southeast-3", EnvIdPID, "idp", EnvIDTokenFile, tokenFile, EnvToken, "env-token"),
			opts: []Option{WithEnv()}, wantOrigin: "https://workspace.ap-southeast-3.myhuaweicloud.com", wantPID: "p",
			wantAuth: &authWant{tokenSource: true}},
		{name: "AK/SK over our token",
			env:  with(envAKSK, EnvProjectID, "p", EnvRegion, "ap-southeast-3", EnvToken, "env-token"),
			opts: []Option{WithEnv()}, wantOrigin: "https://workspace.ap-southeast-3.myhuaweicloud.com", wantPID: "p",
			wantAuth: &authWant{ak: "env-ak", sk: "env-sk-secret"}},
		{name: "IAM endpoint: the environment's over the file's",
			env: with(envAKSK, EnvRegion, "ap-southeast-3", EnvIAMEndpoint, "iam.env.example.com"), opts: []Option{WithEnv(), WithCredentialsFile(writeTempFile(t, "[basic]\niam_endpoint = iam.file.example.com\n"))},
			wantOrigin: "https://workspace.ap-southeast-3.myhuaweicloud.com", wantIAM: "https://iam.env.example.com"},
		{name: "IAM endpoint: the option's over the environment's",
			env: with(envAKSK, EnvRegion, "ap-southeast-3", EnvIAMEndpoint, "iam.env.example.com"), opts: []Option{WithEnv(), WithIAMEndpoint("https://iam.opt.example.com")},
			wantOrigin: "https://workspace.ap-southeast-3.myhuaweicloud.com", wantIAM: "https://iam.opt.example.com"},
		{name: "IAM endpoint: the file's",
			env: with(envAKSK, EnvRegion, "ap-southeast-3"), opts: []Option{WithEnv(), WithCredentialsFile(writeTempFile(t, "[basic]\niam_endpoint = iam.file.example.com\n"))},
			wantOrigin: "https://workspace.ap-southeast-3.myhuaweicloud.com", wantIAM: "https://iam.file.example.com"},
		{name: "IAM endpoint: the region's by default",
			env: with(envAKSK, EnvRegion, "ap-southeast-3"), opts: []Option{WithEnv()},
			wantOrigin: "https://workspace.ap-southeast-3.myhuaweicloud.com", wantIAM: "https://iam.ap-southeast-3.myhuaweicloud.com"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, err := NewClient(append([]Option{fakeEnv(tt.env)}, tt.opts...)...)
			require.NoError(t, err)
			assert.Equal(t, tt.wantOrigin, c.core.origin)
			if tt.wantIAM != "" {
				require.NotNil(t, c.core.lookup, "the project id is looked up")
				assert.Equal(t, tt.wantIAM, c.core.lookup.origin)
			} else {
				assert.Equal(t, tt.wantPID, c.core.projectID)
				assert.Nil(t, c.core.lookup)
			}
			if tt.wantAuth != nil {
				assert.Equal(t, *tt.wantAuth, authOf(t, c))
			}
		})
	}
}

func TestConfigMissingNamesEverySource(t *testing.T) {
	t.Parallel()
	env := map[string]string{EnvMetadataEndpoint: "http://" + deadAddr(t)}
	_, err := NewClient(fakeEnv(env), WithHomeDir(t.TempDir()), WithDefaultConfig())
	var ce *ConfigError
	require.ErrorAs(t, err, &ce)
	for _, name := range []string{"WithProjectID", EnvProjectID, "project_id in the credentials file", "WithRegion", EnvRegion,
		"WithAccessKey", EnvAccessKey + " and " + EnvSecretKey, EnvIdPID + " and " + EnvIDTokenFile, "ak and sk in the credentials file"} {
		assert.Contains(t, ce.Missing, name)
	}
	for _, source := range []string{"the environment", "the credentials file", "(not found)", "the ECS metadata service at " + env[EnvMetadataEndpoint]} {
		assert.Contains(t, ce.Reason, source)
	}
}

// silentListener accepts connections and never answers, as a
// firewalled metadata address may behave.
func silentListener(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	done := make(chan struct{})
	go func() {
		var conns []net.Conn
		defer func() {
			for _, c := range conns {
				c.Close()
			}
			close(done)
		}()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			conns = append(conns, c)
		}
	}()
	t.Cleanup(func() { ln.Close(); <-done })
	return "http://" + ln.Addr().String()
}

func TestDefaultConfigMetadataIsBounded(t *testing.T) {
	t.Parallel()
	assert.Equal(t, 2*time.Second, DefaultConfigMetadataTimeout)
	t.Run("closed port", func(t *testing.T) {
		t.Parallel()
		start := time.Now()
		_, err := NewClient(fakeEnv(map[string]string{EnvMetadataEndpoint: "http://" + deadAddr(t)}), WithHomeDir(t.TempDir()), WithDefaultConfig())
		assert.Less(t, time.Since(start), DefaultConfigMetadataTimeout)
		var ce *ConfigError
		require.ErrorAs(t, err, &ce)
		assert.Contains(t, ce.Reason, "refused")
	})
	t.Run("no answer", func(t *testing.T) {
		t.Parallel()
		addr := silentListener(t)
		start := time.Now()
		_, err := NewClient(fakeEnv(map[string]string{EnvMetadataEndpoint: addr}), WithHomeDir(t.TempDir()),
			WithDefaultConfig(), WithMetadataBound(100*time.Millisecond))
		elapsed := time.Since(start)
		assert.GreaterOrEqual(t, elapsed, 100*time.Millisecond)
		assert.Less(t, elapsed, time.Second)
		var ce *ConfigError
		require.ErrorAs(t, err, &ce)
		assert.Contains(t, ce.Reason, "the ECS metadata service at "+addr+" (no answer within 100ms)")
	})
	t.Run("tests never reach the real address", func(t *testing.T) {
		t.Parallel()
		assert.Equal(t, "http://127.0.0.1:1", defaultConfigMetadataEndpoint)
	})
}

func TestDefaultConfigMetadataWrongAnswers(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name string
		info string // meta_data.json
		key  int    // status of securitykey
		want string
	}{
		{"meta_data.json not JSON", "<html>", 200, "could not be decoded"},
		{"no agency bound", `{"project_id": "p", "region_id": "ap-southeast-3"}`, 404, "404 Not Found"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				switch r.URL.Path {
				case metadataInfoPath:
					_, _ = w.Write([]byte(tt.info))
				case metadataSecurityKeyPath:
					w.WriteHeader(tt.key)
				default:
					http.NotFound(w, r)
				}
			}))
			t.Cleanup(srv.Close)
			_, err := NewClient(fakeEnv(map[string]string{EnvMetadataEndpoint: srv.URL}), WithHomeDir(t.TempDir()), WithDefaultConfig())
			var ce *ConfigError
			require.ErrorAs(t, err, &ce)
			assert.Contains(t, ce.Reason, tt.want)
		})
	}
}

func TestConfigErrorText(t *testing.T) {
	t.Parallel()
	ce := &ConfigError{Reason: "no project id", Missing: []string{"WithProjectID", EnvProjectID}}
	assert.Equal(t, "workspace: configuration: no project id (set WithProjectID, or HUAWEICLOUD_SDK_PROJECT_ID)", ce.Error())
	assert.Nil(t, ce.Unwrap())
	ve := invalid("x", "bad")
	wrapped := asConfigError(ve)
	assert.Same(t, ve, errors.Unwrap(wrapped))
	assert.Same(t, wrapped, asConfigError(wrapped))
	assert.NoError(t, asConfigError(nil))
}

func TestEnvIDTokenNeeds(t *testing.T) {
	t.Parallel()
	tokenFile := writeIDTokenFile(t)
	for _, tt := range []struct {
		name string
		env  map[string]string
		want string
	}{
		{"a project id", map[string]string{EnvIdPID: "idp", EnvIDTokenFile: tokenFile, EnvRegion: "ap-southeast-3"}, EnvProjectID},
		{"a region or IAM endpoint", map[string]string{EnvIdPID: "idp", EnvIDTokenFile: tokenFile, EnvProjectID: "p", EnvEndpoint: "https://ws.example.com"}, EnvIAMEndpoint},
		{"the token file", map[string]string{EnvIdPID: "idp", EnvProjectID: "p", EnvRegion: "ap-southeast-3"}, EnvIDTokenFile},
		{"the identity provider", map[string]string{EnvIDTokenFile: tokenFile, EnvProjectID: "p", EnvRegion: "ap-southeast-3"}, EnvIdPID},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := NewClient(fakeEnv(tt.env), WithEnv())
			var ce *ConfigError
			require.ErrorAs(t, err, &ce)
			assert.Contains(t, ce.Missing, tt.want)
		})
	}
}
