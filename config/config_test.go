package config_test

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hwcloud-go/workspace"
	"github.com/hwcloud-go/workspace/config"
	"github.com/hwcloud-go/workspace/internal/testdump"
	"github.com/hwcloud-go/workspace/workspacetest"
)

// The names of API.md's "Package config", pinned.
var (
	_ func(context.Context, ...config.LoadOption) (*config.Config, error) = config.Load
	_ func(string) config.LoadOption                                      = config.WithRegion
	_ func(string) config.LoadOption                                      = config.WithCredentialsFile
	_ func(...config.Source) config.LoadOption                            = config.WithSources
	_ func(func(string) (string, bool)) config.LoadOption                 = config.WithLookupEnv
	_ func(string) config.LoadOption                                      = config.WithMetadataEndpoint
	_ func(string) config.LoadOption                                      = config.WithIAMEndpoint
	_ func(*http.Client) config.LoadOption                                = config.WithHTTPClient
	_ func(*config.Config) []workspace.Option                             = (*config.Config).Options
	_                                                                     = []config.Source{config.SourceEnv, config.SourceFile, config.SourceMetadata}
	_                                                                     = config.Config{Region: "", Endpoint: "", IAMEndpoint: "", ProjectID: ""}
	_ fmt.Stringer                                                        = config.Config{}
	_ fmt.Formatter                                                       = config.Config{}
	_ slog.LogValuer                                                      = config.Config{}
)

// String lists each setting with its source, one a line, and no secret.
func TestConfigStringSaysWhereEachSettingCameFrom(t *testing.T) {
	t.Parallel()
	env := map[string]string{envAK: "env-ak", envSK: "env-sk-secret", envProjectID: "p-1", envRegion: "ap-southeast-3",
		envIAMEndpoint: "iam.example.com", envEndpoint: "https://ws.example.com/gw"}
	cfg, err := load(t, env)
	require.NoError(t, err)
	assert.Equal(t, `region: ap-southeast-3 (env HUAWEICLOUD_SDK_REGION)
endpoint: https://ws.example.com/gw (env HUAWEICLOUD_SDK_WORKSPACE_ENDPOINT)
IAM endpoint: https://iam.example.com (env HUAWEICLOUD_SDK_IAM_ENDPOINT)
project id: p-1 (env HUAWEICLOUD_SDK_PROJECT_ID)
credentials: AK/SK (env HUAWEICLOUD_SDK_AK, env HUAWEICLOUD_SDK_SK)`, cfg.String())

	cfg, err = load(t, map[string]string{envToken: "env-token-secret"}, config.WithRegion("eu-west-101"))
	require.NoError(t, err)
	assert.Equal(t, "region: eu-west-101 (option WithRegion)\ncredentials: IAM token (env HUAWEICLOUD_SDK_TOKEN)", cfg.String())

	assert.Equal(t, "credentials: none", config.Config{}.String())
	assert.Equal(t, "region: r\nproject id: p\ncredentials: none", config.Config{Region: "r", ProjectID: "p"}.String())
}

// printedEveryWay is v printed with every fmt verb, json.Marshal and slog
// (text and JSON), hex output decoded too.
func printedEveryWay(t *testing.T, v any) string {
	t.Helper()
	var b strings.Builder
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "% x", "%d", "%T", "%10.4v", "%-8s"} {
		out := fmt.Sprintf(verb, v)
		b.WriteString(out + "\n")
		if raw, err := hex.DecodeString(strings.ReplaceAll(out, " ", "")); err == nil {
			b.Write(raw)
			b.WriteString("\n")
		}
	}
	data, err := json.Marshal(v)
	require.NoError(t, err)
	b.Write(data)
	var logs bytes.Buffer
	slog.New(slog.NewTextHandler(&logs, nil)).Info("loaded", "cfg", v)
	slog.New(slog.NewJSONHandler(&logs, nil)).Info("loaded", "cfg", v)
	b.WriteString("\n" + logs.String())
	return b.String()
}

// No Config, whatever its credentials, prints a secret by any fmt verb,
// json.Marshal or slog, as a value or behind a pointer.
func TestConfigNeverPrintsASecret(t *testing.T) {
	t.Parallel()
	srv := newAgency(t)
	tokenFile := writeFile(t, "id-token-secret")
	secrets := []string{"env-sk-secret", "env-st-secret", "env-token-secret", "id-token-secret", fileSK, srv.SecretKey, srv.SecurityToken, "mdtoken-", "url-password-secret", "sig-secret"}
	for _, tt := range []struct {
		name string
		env  map[string]string
		opts []config.LoadOption
	}{
		{"temporary AK/SK", map[string]string{envAK: "env-ak", envSK: "env-sk-secret", envSecurityToken: "env-st-secret", envProjectID: "p"}, nil},
		{"token", map[string]string{envToken: "env-token-secret"}, nil},
		{"ID token", map[string]string{envIdPID: "idp", envIDTokenFile: tokenFile, envProjectID: "p", envRegion: "ap-southeast-3"}, nil},
		{"credentials file", nil, []config.LoadOption{config.WithCredentialsFile(writeFile(t, "[basic]\nak = file-ak\nsk = "+fileSK+"\nproject_id = p\n"))}},
		{"ECS metadata", nil, []config.LoadOption{config.WithMetadataEndpoint(srv.MetadataURL())}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cfg, err := load(t, tt.env, tt.opts...)
			require.NoError(t, err)
			for _, v := range []any{cfg, *cfg, struct{ C *config.Config }{cfg}, []config.Config{*cfg}} {
				out := printedEveryWay(t, v)
				for _, s := range secrets {
					assert.NotContains(t, out, s)
				}
				assert.Contains(t, out, "credentials: ")
			}
		})
	}
	// A Config built by hand with a password in an endpoint URL.
	hand := config.Config{Endpoint: "https://u:url-password-secret@ws.example.com/?sig=sig-secret", IAMEndpoint: "https://u:url-password-secret@iam.example.com"}
	for _, v := range []any{hand, &hand} {
		for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%d"} {
			out := fmt.Sprintf(verb, v)
			raw, _ := hex.DecodeString(out)
			for _, s := range []string{"url-password-secret", "sig-secret"} {
				assert.NotContains(t, out+string(raw), s, verb)
			}
		}
	}
	var logs bytes.Buffer
	slog.New(slog.NewJSONHandler(&logs, nil)).Info("hand", "cfg", hand)
	assert.NotContains(t, logs.String(), "url-password-secret")
}

// Format agrees with String for a Config and a *Config: %v, %+v, %#v and
// %s print it, %q quotes it, %x encodes it; no verb shows a field raw.
func TestConfigFormatVerbsAgree(t *testing.T) {
	t.Parallel()
	cfg, err := load(t, map[string]string{envToken: "env-token-secret", envRegion: "ap-southeast-3", envProjectID: "p"})
	require.NoError(t, err)
	s := cfg.String()
	for _, v := range []any{cfg, *cfg} {
		for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%d"} {
			assert.Equal(t, s, fmt.Sprintf(verb, v), "%s of %T", verb, v)
		}
		assert.Equal(t, fmt.Sprintf("%q", s), fmt.Sprintf("%q", v))
		assert.Equal(t, fmt.Sprintf("%x", s), fmt.Sprintf("%x", v))
		assert.Equal(t, s, fmt.Sprint(v))
	}
	data, err := json.Marshal(cfg)
	require.NoError(t, err)
	assert.JSONEq(t, `{"Region": "ap-southeast-3", "Endpoint": "", "IAMEndpoint": "", "ProjectID": "p"}`, string(data), "the exported settings only")
	var logs bytes.Buffer
	slog.New(slog.NewJSONHandler(&logs, nil)).Info("loaded", "cfg", cfg)
	var rec map[string]any
	require.NoError(t, json.Unmarshal(logs.Bytes(), &rec))
	assert.Equal(t, s, rec["cfg"], "slog logs String")

	var nilCfg *config.Config
	assert.NotPanics(t, func() { _ = fmt.Sprintf("%v %+v %s", nilCfg, nilCfg, nilCfg) })
	assert.Nil(t, nilCfg.Options())
}

// Options configures a client as the Config says: the endpoint over the
// region, the project id, the credentials of each kind.
func TestConfigOptions(t *testing.T) {
	t.Parallel()
	t.Run("temporary AK/SK", func(t *testing.T) {
		t.Parallel()
		srv := newAgency(t)
		cfg, err := load(t, map[string]string{envAK: srv.AccessKey, envSK: srv.SecretKey, envSecurityToken: srv.SecurityToken,
			envProjectID: srv.ProjectID, envRegion: "ap-southeast-3", envRegionAPSE3: srv.URL})
		require.NoError(t, err)
		c, err := workspace.NewClient(append(cfg.Options(), quickRetries)...)
		require.NoError(t, err)
		_, err = c.Snapshots.List(context.Background(), nil)
		require.NoError(t, err, "signed with the keys and the security token")
		assert.Equal(t, "aksk", srv.RequestsFor(workspacetest.OpListSnapshots)[0].Auth)
	})
	t.Run("token", func(t *testing.T) {
		t.Parallel()
		srv := newFake(t)
		cfg, err := load(t, map[string]string{envToken: srv.Token, envProjectID: srv.ProjectID, envEndpoint: srv.URL})
		require.NoError(t, err)
		c, err := workspace.NewClient(append(cfg.Options(), quickRetries)...)
		require.NoError(t, err)
		_, err = c.Snapshots.List(context.Background(), nil)
		require.NoError(t, err)
		assert.Equal(t, "token", srv.RequestsFor(workspacetest.OpListSnapshots)[0].Auth)
	})
	t.Run("ECS metadata: keys refused with a 401 are read again once", func(t *testing.T) {
		t.Parallel()
		srv := newAgency(t, workspacetest.WithMetadataTokens(workspacetest.MetadataTokensRequired))
		cfg, err := load(t, map[string]string{envRegionAPSE3: srv.URL}, config.WithMetadataEndpoint(srv.MetadataURL()))
		require.NoError(t, err)
		require.Len(t, srv.RequestsFor(workspacetest.OpMetadataSecurityKey), 1, "Load read the keys")
		c, err := workspace.NewClient(append(cfg.Options(), quickRetries)...)
		require.NoError(t, err)

		srv.FailNext(workspacetest.OpListSnapshots, 1, http.StatusUnauthorized, "")
		_, err = c.Snapshots.List(context.Background(), nil)
		require.NoError(t, err, "fresh keys after the 401")
		assert.Len(t, srv.RequestsFor(workspacetest.OpMetadataSecurityKey), 2, "the keys were read again, once")
		lists := srv.RequestsFor(workspacetest.OpListSnapshots)
		require.Len(t, lists, 2)
		assert.Equal(t, http.StatusUnauthorized, lists[0].Status)
		assert.Equal(t, http.StatusOK, lists[1].Status)
		assert.Equal(t, "aksk", lists[1].Auth)
	})
	t.Run("endpoint over region", func(t *testing.T) {
		t.Parallel()
		srv := newFake(t)
		cfg := config.Config{Region: "ap-southeast-3", Endpoint: srv.URL, ProjectID: srv.ProjectID}
		c, err := workspace.NewClient(append(cfg.Options(), workspace.WithToken(srv.Token), quickRetries)...)
		require.NoError(t, err)
		_, err = c.Snapshots.List(context.Background(), nil)
		require.NoError(t, err)
		assert.Len(t, srv.RequestsFor(workspacetest.OpListSnapshots), 1)
	})
	t.Run("nothing found, nothing given", func(t *testing.T) {
		t.Parallel()
		assert.Empty(t, (&config.Config{}).Options())
		_, err := workspace.NewClient((&config.Config{Region: "ap-southeast-3", ProjectID: "p"}).Options()...)
		var ce *workspace.ConfigError
		require.ErrorAs(t, err, &ce, "no credentials")
	})
}

// Options given to NewClient after Config.Options win: the project id,
// the endpoint, and the credentials (which replace the Config's, security
// token included).
func TestConfigOptionsLaterOptionsWin(t *testing.T) {
	t.Parallel()
	srv := newFake(t)
	cfg, err := load(t, map[string]string{envAK: "WRONGAK", envSK: "wrong-sk-secret", envSecurityToken: "wrong-st-secret",
		envProjectID: "env-project", envEndpoint: closedPort(t)})
	require.NoError(t, err)
	c, err := workspace.NewClient(append(cfg.Options(),
		workspace.WithEndpoint(srv.URL), workspace.WithProjectID(srv.ProjectID), workspace.WithToken(srv.Token), quickRetries)...)
	require.NoError(t, err)
	_, err = c.Snapshots.List(context.Background(), nil)
	require.NoError(t, err)
	lists := srv.RequestsFor(workspacetest.OpListSnapshots)
	require.Len(t, lists, 1)
	assert.Equal(t, "token", lists[0].Auth)
	assert.Empty(t, lists[0].Header.Get("X-Security-Token"), "the Config's security token went with its keys")
	assert.Equal(t, "/v2/"+srv.ProjectID+"/snapshots", lists[0].Path)

	// WithRegion after a Config with an endpoint: the region's endpoint.
	c, err = workspace.NewClient(append(cfg.Options(), workspace.WithRegion("eu-west-101"))...)
	require.NoError(t, err)
	assert.Contains(t, c.String(), "workspace.eu-west-101.myhuaweicloud.com")
}

// A reflection-based dumper (go-spew, in testify's failure output) that
// follows pointers into unexported fields finds no key of a Config, nor of
// the client built from it: the credentials sit in a closure.
func TestConfigSecretsNotInReflectionDump(t *testing.T) {
	t.Parallel()
	const sk, st, tok = "dump-secret-key-456", "dump-security-token-789", "dump-token-value-123"
	for name, env := range map[string]map[string]string{
		"AK/SK":   {"HUAWEICLOUD_SDK_AK": "dump-ak", "HUAWEICLOUD_SDK_SK": sk, "HUAWEICLOUD_SDK_SECURITY_TOKEN": st},
		"a token": {"HUAWEICLOUD_SDK_TOKEN": tok},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			env["HUAWEICLOUD_SDK_PROJECT_ID"] = "p"
			env["HUAWEICLOUD_SDK_WORKSPACE_ENDPOINT"] = "http://127.0.0.1:1"
			cfg, err := load(t, env)
			require.NoError(t, err)
			c, err := workspace.NewClient(cfg.Options()...)
			require.NoError(t, err)
			for what, v := range map[string]any{"Config": cfg, "Client": c} {
				found := testdump.Strings(v)
				require.Contains(t, found, "http://127.0.0.1:1", "the walk reaches %s's fields", what)
				for _, secret := range []string{sk, st, tok} {
					assert.NotContains(t, found, secret, what)
				}
			}
		})
	}
}
