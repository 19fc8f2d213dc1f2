package workspace

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fakeEnv makes NewClient read the environment from m instead of the
// process's, so that these tests can run in parallel.
func fakeEnv(m map[string]string) Option {
	return option(func(c *config) error {
		c.lookupEnv = func(name string) (string, bool) {
			v, ok := m[name]
			return v, ok
		}
		return nil
	})
}

// stubTokenSource and stubProvider stand for a user's own source and
// provider.
type stubTokenSource struct{}

func (stubTokenSource) Token(context.Context) (string, error) { return "t", nil }

type stubProvider struct{}

func (stubProvider) Credentials(context.Context) (Credentials, error) {
	return Credentials{AccessKey: "p", SecretKey: "q"}, nil
}

// fullEnv is a complete AK/SK environment.
func fullEnv() map[string]string {
	return map[string]string{
		EnvAccessKey:     "env-ak",
		EnvSecretKey:     "env-sk-secret",
		EnvSecurityToken: "env-st-secret",
		EnvProjectID:     "env-project",
		EnvRegion:        "ap-southeast-3",
	}
}

// authWant describes the authentication a client ended up with.
type authWant struct {
	token             string // static token
	tokenSource       bool
	ak, sk, secToken  string
	credsFromProvider bool
}

func authOf(t *testing.T, c *Client) authWant {
	t.Helper()
	switch a := c.core.auth.(type) {
	case tokenAuth:
		if st, ok := a.src.(staticToken); ok {
			return authWant{token: st.get()}
		}
		return authWant{tokenSource: true}
	case signingAuth:
		if sc, ok := a.src.(staticCredentials); ok {
			cr := sc.get()
			return authWant{ak: cr.AccessKey, sk: cr.SecretKey, secToken: cr.SecurityToken}
		}
		return authWant{credsFromProvider: true}
	}
	t.Fatalf("unknown authenticator %T", c.core.auth)
	return authWant{}
}

func TestWithEnvFills(t *testing.T) {
	t.Parallel()
	edit := func(f func(m map[string]string)) map[string]string {
		m := fullEnv()
		f(m)
		return m
	}
	ts := stubTokenSource{}
	tests := []struct {
		name       string
		env        map[string]string
		opts       []Option
		wantOrigin string
		wantPrefix string
		wantAuth   authWant
	}{
		{
			name:       "AK/SK and security token from the environment",
			env:        fullEnv(),
			wantOrigin: "https://workspace.ap-southeast-3.myhuaweicloud.com",
			wantPrefix: "/v2/env-project",
			wantAuth:   authWant{ak: "env-ak", sk: "env-sk-secret", secToken: "env-st-secret"},
		},
		{
			name:       "permanent AK/SK: no security token",
			env:        edit(func(m map[string]string) { delete(m, EnvSecurityToken) }),
			wantOrigin: "https://workspace.ap-southeast-3.myhuaweicloud.com",
			wantPrefix: "/v2/env-project",
			wantAuth:   authWant{ak: "env-ak", sk: "env-sk-secret"},
		},
		{
			name: "token from the environment",
			env: edit(func(m map[string]string) {
				delete(m, EnvAccessKey)
				delete(m, EnvSecretKey)
				m[EnvToken] = "env-token-secret"
			}),
			wantOrigin: "https://workspace.ap-southeast-3.myhuaweicloud.com",
			wantPrefix: "/v2/env-project",
			wantAuth:   authWant{token: "env-token-secret"},
		},
		{
			name:       "AK/SK win over a token",
			env:        edit(func(m map[string]string) { m[EnvToken] = "env-token-secret" }),
			wantOrigin: "https://workspace.ap-southeast-3.myhuaweicloud.com",
			wantPrefix: "/v2/env-project",
			wantAuth:   authWant{ak: "env-ak", sk: "env-sk-secret", secToken: "env-st-secret"},
		},
		{
			name:       "endpoint variable wins over the region variable",
			env:        edit(func(m map[string]string) { m[EnvEndpoint] = "https://gw.example.com/ws/" }),
			wantOrigin: "https://gw.example.com",
			wantPrefix: "/ws/v2/env-project",
			wantAuth:   authWant{ak: "env-ak", sk: "env-sk-secret", secToken: "env-st-secret"},
		},
		{
			name:       "values are trimmed",
			env:        edit(func(m map[string]string) { m[EnvRegion] = " la-south-2\n"; m[EnvProjectID] = " p2 " }),
			wantOrigin: "https://workspace.la-south-2.myhuaweicloud.com",
			wantPrefix: "/v2/p2",
			wantAuth:   authWant{ak: "env-ak", sk: "env-sk-secret", secToken: "env-st-secret"},
		},
		{
			name:       "explicit options given before WithEnv win",
			env:        edit(func(m map[string]string) { m[EnvEndpoint] = "https://gw.example.com" }),
			opts:       []Option{WithRegion("cn-north-4"), WithProjectID("explicit-project"), WithToken("explicit-token"), WithEnv()},
			wantOrigin: "https://workspace.cn-north-4.myhuaweicloud.com",
			wantPrefix: "/v2/explicit-project",
			wantAuth:   authWant{token: "explicit-token"},
		},
		{
			name:       "explicit options given after WithEnv win",
			env:        fullEnv(),
			opts:       []Option{WithEnv(), WithEndpoint("https://private.example.com"), WithProjectID("explicit-project"), WithTokenSource(ts)},
			wantOrigin: "https://private.example.com",
			wantPrefix: "/v2/explicit-project",
			wantAuth:   authWant{tokenSource: true},
		},
		{
			name:       "explicit AK/SK: the environment's security token is not theirs",
			env:        fullEnv(),
			opts:       []Option{WithEnv(), WithAccessKey("explicit-ak", "explicit-sk")},
			wantOrigin: "https://workspace.ap-southeast-3.myhuaweicloud.com",
			wantPrefix: "/v2/env-project",
			wantAuth:   authWant{ak: "explicit-ak", sk: "explicit-sk"},
		},
		{
			name:       "explicit security token wins over the environment's",
			env:        fullEnv(),
			opts:       []Option{WithSecurityToken("explicit-st"), WithEnv()},
			wantOrigin: "https://workspace.ap-southeast-3.myhuaweicloud.com",
			wantPrefix: "/v2/env-project",
			wantAuth:   authWant{ak: "env-ak", sk: "env-sk-secret", secToken: "explicit-st"},
		},
		{
			name:       "explicit credentials provider",
			env:        fullEnv(),
			opts:       []Option{WithCredentialsProvider(stubProvider{}), WithEnv()},
			wantOrigin: "https://workspace.ap-southeast-3.myhuaweicloud.com",
			wantPrefix: "/v2/env-project",
			wantAuth:   authWant{credsFromProvider: true},
		},
		{
			name:       "explicit region: the environment's endpoint is not used",
			env:        edit(func(m map[string]string) { m[EnvEndpoint] = "https://gw.example.com" }),
			opts:       []Option{WithEnv(), WithRegion("cn-north-4")},
			wantOrigin: "https://workspace.cn-north-4.myhuaweicloud.com",
			wantPrefix: "/v2/env-project",
			wantAuth:   authWant{ak: "env-ak", sk: "env-sk-secret", secToken: "env-st-secret"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			opts := append([]Option{fakeEnv(tt.env)}, tt.opts...)
			if len(tt.opts) == 0 {
				opts = append(opts, WithEnv())
			}
			c, err := NewClient(opts...)
			require.NoError(t, err)
			assert.Equal(t, tt.wantOrigin, c.core.origin)
			assert.Equal(t, tt.wantPrefix, c.core.prefix)
			assert.Equal(t, tt.wantAuth, authOf(t, c))
			assertNoSecrets(t, c.String(), "env-sk-secret", "env-st-secret", "env-token-secret")
		})
	}
}

func TestWithEnvMissing(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		env         map[string]string
		opts        []Option
		wantMissing []string
		notNamed    []string
	}{
		{
			name:        "empty environment",
			env:         map[string]string{},
			wantMissing: []string{EnvProjectID, EnvRegion, EnvEndpoint, EnvAccessKey, EnvSecretKey, EnvToken},
		},
		{
			name:        "blank values count as missing",
			env:         map[string]string{EnvProjectID: "  ", EnvRegion: "\t", EnvAccessKey: " ", EnvSecretKey: "", EnvToken: " "},
			wantMissing: []string{EnvProjectID, EnvRegion, EnvAccessKey, EnvSecretKey, EnvToken},
		},
		{
			name:        "AK without SK",
			env:         map[string]string{EnvProjectID: "p", EnvRegion: "ap-southeast-3", EnvAccessKey: "env-ak"},
			wantMissing: []string{EnvSecretKey},
			notNamed:    []string{EnvProjectID, EnvRegion, EnvToken, EnvAccessKey},
		},
		{
			name:        "SK without AK",
			env:         map[string]string{EnvProjectID: "p", EnvRegion: "ap-southeast-3", EnvSecretKey: "env-sk-secret", EnvToken: "env-token-secret"},
			wantMissing: []string{EnvAccessKey},
			notNamed:    []string{EnvProjectID, EnvRegion, EnvSecretKey},
		},
		{
			name:        "only what the options leave out is named",
			env:         map[string]string{EnvAccessKey: "env-ak", EnvSecretKey: "env-sk-secret"},
			opts:        []Option{WithProjectID("p")},
			wantMissing: []string{EnvRegion},
			notNamed:    []string{EnvProjectID, EnvAccessKey, EnvSecretKey},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			opts := append([]Option{fakeEnv(tt.env), WithEnv()}, tt.opts...)
			_, err := NewClient(opts...)
			require.Error(t, err)
			for _, name := range tt.wantMissing {
				assert.Contains(t, err.Error(), name)
			}
			for _, name := range tt.notNamed {
				assert.NotContains(t, err.Error(), name+" ")
				assert.NotRegexp(t, name+`($|[ ,)])`, err.Error())
			}
			assertNoSecrets(t, err.Error(), "env-sk-secret", "env-token-secret")
		})
	}
}

func TestWithEnvBadValueNamesTheVariable(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, variable, value string
	}{
		{"region", EnvRegion, "Not A Region"},
		{"endpoint", EnvEndpoint, "ftp://gw.example.com"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			env := fullEnv()
			env[tt.variable] = tt.value
			_, err := NewClient(fakeEnv(env), WithEnv())
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.variable)
			var ve *ValidationError
			assert.True(t, errors.As(err, &ve), "a *ValidationError: %v", err)
			assertNoSecrets(t, err.Error(), "env-sk-secret", "env-st-secret")
		})
	}
}

func TestWithEnvIgnoredWithoutTheOption(t *testing.T) {
	t.Parallel()
	_, err := NewClient(fakeEnv(fullEnv()), WithProjectID("p"), WithRegion("ap-southeast-3"))
	assert.ErrorIs(t, err, errNoCredentials)
}

// TestWithEnvProcessEnvironment uses the real environment (t.Setenv), so
// it cannot run in parallel. The request is signed with the keys from the
// environment and carries their security token.
func TestWithEnvProcessEnvironment(t *testing.T) {
	meta := &fakeMetadata{issued: map[string][2]string{"proc-ak": {"proc-sk-secret", "proc-st-secret"}}}
	var signed atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		assert.Equal(t, "/gw/v2/proc-project/desktop-pools/pool-1/inconsistent-statics", r.URL.EscapedPath())
		assert.Equal(t, "proc-project", r.Header.Get("X-Project-Id"))
		if ak, _, ok := verifyMetadataSignature(t, r, body, meta); ok && ak == "proc-ak" {
			signed.Add(1)
		}
		_, _ = io.WriteString(w, `{"product_id": 5}`)
	}))
	t.Cleanup(srv.Close)

	t.Setenv(EnvAccessKey, "proc-ak")
	t.Setenv(EnvSecretKey, "proc-sk-secret")
	t.Setenv(EnvSecurityToken, "proc-st-secret")
	t.Setenv(EnvProjectID, "proc-project")
	t.Setenv(EnvRegion, "ap-southeast-3")
	t.Setenv(EnvEndpoint, srv.URL+"/gw")
	t.Setenv(EnvToken, "")

	c, err := NewClient(WithEnv())
	require.NoError(t, err)
	stats, err := c.DesktopPools.GetInconsistentStatistics(context.Background(), "pool-1")
	require.NoError(t, err)
	assert.Equal(t, 5, stats.ProductID)
	assert.Equal(t, int32(1), signed.Load(), "signed with the environment's keys and security token")
}
