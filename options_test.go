package workspace

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fixedProvider is a CredentialsProvider with fixed credentials.
type fixedProvider struct{}

func (fixedProvider) Credentials(context.Context) (Credentials, error) {
	return Credentials{AccessKey: testAK, SecretKey: NewSecret(testSK)}, nil
}

func TestNewClient_Errors(t *testing.T) {
	t.Parallel()
	ep := WithEndpoint("https://workspace.example.com")
	pid := WithProjectID(testProjectID)
	tok := WithToken(testToken)
	tests := []struct {
		name  string
		opts  []Option
		want  string // in the error text
		field string // for a *ValidationError; "" when the error is another kind
	}{
		{name: "nothing", opts: nil, want: "project id"},
		{name: "no project id", opts: []Option{ep, tok}, want: "project id"},
		{name: "blank project id", opts: []Option{ep, WithProjectID("  "), tok}, want: "WithProjectID: the project id is empty", field: "projectID"},
		{name: "no endpoint or region", opts: []Option{pid, tok}, want: "endpoint"},
		{name: "no credentials", opts: []Option{ep, pid}, want: "credentials"},
		{name: "token and access key", opts: []Option{ep, pid, tok, WithAccessKey(testAK, testSK)}, want: "more than one"},
		{name: "token and token source", opts: []Option{ep, pid, tok, WithTokenSource(StaticTokenSource("x"))}, want: "more than one"},
		{name: "access key and provider", opts: []Option{ep, pid, WithAccessKey(testAK, testSK), WithCredentialsProvider(fixedProvider{})}, want: "more than one"},
		{name: "token source and provider", opts: []Option{ep, pid, WithTokenSource(StaticTokenSource("x")), WithCredentialsProvider(fixedProvider{})}, want: "more than one"},
		{name: "security token with a token", opts: []Option{ep, pid, tok, WithSecurityToken(testSecurityToken)}, want: "WithSecurityToken"},
		{name: "security token alone", opts: []Option{ep, pid, WithSecurityToken(testSecurityToken)}, want: "credentials"},
		{name: "empty token", opts: []Option{ep, pid, WithToken("")}, field: "token", want: "token"},
		{name: "blank token", opts: []Option{ep, pid, WithToken(" \t")}, field: "token", want: "token"},
		{name: "empty access key", opts: []Option{ep, pid, WithAccessKey("", testSK)}, field: "accessKey", want: "WithAccessKey: the access key is empty"},
		{name: "empty secret key", opts: []Option{ep, pid, WithAccessKey(testAK, "")}, field: "secretKey", want: "WithAccessKey: the secret key is empty"},
		{name: "empty security token", opts: []Option{ep, pid, WithAccessKey(testAK, testSK), WithSecurityToken("")}, field: "securityToken", want: "WithSecurityToken: the security token is empty"},
		{name: "nil token source", opts: []Option{ep, pid, WithTokenSource(nil)}, field: "tokenSource", want: "tokenSource"},
		{name: "nil credentials provider", opts: []Option{ep, pid, WithCredentialsProvider(nil)}, field: "credentialsProvider", want: "credentialsProvider"},
		{name: "nil http client", opts: []Option{ep, pid, tok, WithHTTPClient(nil)}, field: "httpClient", want: "httpClient"},
		{name: "negative retries", opts: []Option{ep, pid, tok, WithRetryPolicy(RetryPolicy{MaxAttempts: -1})}, field: "retryPolicy", want: "retryPolicy"},
		{name: "negative delay", opts: []Option{ep, pid, tok, WithRetryPolicy(RetryPolicy{BaseDelay: -1})}, field: "retryPolicy", want: "retryPolicy"},
		{name: "user agent with a line break", opts: []Option{ep, pid, tok, WithUserAgent("a\r\nX-Evil: 1")}, field: "userAgent", want: "userAgent"},

		// malformed endpoints
		{name: "ftp endpoint", opts: []Option{WithEndpoint("ftp://workspace.example.com"), pid, tok}, field: "endpoint", want: "https://"},
		{name: "no scheme", opts: []Option{WithEndpoint("workspace.example.com"), pid, tok}, field: "endpoint", want: "endpoint"},
		{name: "empty endpoint", opts: []Option{WithEndpoint(""), pid, tok}, field: "endpoint", want: "endpoint"},
		{name: "no host", opts: []Option{WithEndpoint("https://"), pid, tok}, field: "endpoint", want: "no host"},
		{name: "no host, path only", opts: []Option{WithEndpoint("https:///prefix"), pid, tok}, field: "endpoint", want: "no host"},
		{name: "opaque", opts: []Option{WithEndpoint("https:workspace.example.com"), pid, tok}, field: "endpoint", want: "no host"},
		{name: "with query", opts: []Option{WithEndpoint("https://workspace.example.com/?a=b"), pid, tok}, field: "endpoint", want: "query"},
		{name: "with empty query", opts: []Option{WithEndpoint("https://workspace.example.com?"), pid, tok}, field: "endpoint", want: "query"},
		{name: "with fragment", opts: []Option{WithEndpoint("https://workspace.example.com/#x"), pid, tok}, field: "endpoint", want: "fragment"},
		{name: "with user info", opts: []Option{WithEndpoint("https://admin:hunter2@workspace.example.com"), pid, tok}, field: "endpoint", want: "user information"},
		{name: "not a URL", opts: []Option{WithEndpoint("http://[::1"), pid, tok}, field: "endpoint", want: "endpoint"},

		// bad regions
		{name: "region with slash", opts: []Option{WithRegion("a/b"), pid, tok}, field: "region", want: "region"},
		{name: "empty region", opts: []Option{WithRegion(""), pid, tok}, field: "region", want: "region"},
		{name: "region with host", opts: []Option{WithRegion("x.evil.com"), pid, tok}, field: "region", want: "region"},
		{name: "region with space", opts: []Option{WithRegion("ap southeast"), pid, tok}, field: "region", want: "region"},
		{name: "region with at", opts: []Option{WithRegion("evil.com@ap"), pid, tok}, field: "region", want: "region"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, err := NewClient(tt.opts...)
			require.Error(t, err)
			assert.Nil(t, c)
			assert.Contains(t, err.Error(), tt.want)
			assert.True(t, strings.HasPrefix(err.Error(), "workspace: "), "error %q", err)
			var ve *ValidationError
			if tt.field != "" {
				require.ErrorAs(t, err, &ve)
				assert.Equal(t, tt.field, ve.Field)
			}
			for _, secret := range []string{testToken, testSK, testSecurityToken, "hunter2"} {
				assert.NotContains(t, err.Error(), secret)
			}
		})
	}
}

// An option given an empty value, as WithAccessKey(os.Getenv(...)) is
// when the variable is unset, names the option and the variable that
// would supply the value, in the text and in Missing, and still wraps the
// *ValidationError of the field.
func TestNewClient_EmptyValueNamesOptionAndVariable(t *testing.T) {
	t.Parallel()
	ep := WithEndpoint("https://workspace.example.com")
	pid := WithProjectID(testProjectID)
	tok := WithToken(testToken)
	tests := []struct {
		name    string
		opts    []Option
		reason  string
		missing []string
		field   string
	}{
		{name: "access key", opts: []Option{ep, pid, WithAccessKey("", testSK)},
			reason: "WithAccessKey: the access key is empty", missing: []string{"WithAccessKey", EnvAccessKey}, field: "accessKey"},
		{name: "blank access key", opts: []Option{ep, pid, WithAccessKey(" \t", testSK)},
			reason: "WithAccessKey: the access key is empty", missing: []string{"WithAccessKey", EnvAccessKey}, field: "accessKey"},
		{name: "secret key", opts: []Option{ep, pid, WithAccessKey(testAK, "")},
			reason: "WithAccessKey: the secret key is empty", missing: []string{"WithAccessKey", EnvSecretKey}, field: "secretKey"},
		{name: "both keys: the access key first", opts: []Option{ep, pid, WithAccessKey("", "")},
			reason: "WithAccessKey: the access key is empty", missing: []string{"WithAccessKey", EnvAccessKey}, field: "accessKey"},
		{name: "security token", opts: []Option{ep, pid, WithAccessKey(testAK, testSK), WithSecurityToken("")},
			reason: "WithSecurityToken: the security token is empty", missing: []string{"WithSecurityToken", EnvSecurityToken}, field: "securityToken"},
		{name: "token", opts: []Option{ep, pid, WithToken("")},
			reason: "WithToken: the token is empty", missing: []string{"WithToken", EnvToken}, field: "token"},
		{name: "project id", opts: []Option{ep, WithProjectID(""), tok},
			reason: "WithProjectID: the project id is empty", missing: []string{"WithProjectID", EnvProjectID}, field: "projectID"},
		{name: "region", opts: []Option{WithRegion(""), pid, tok},
			reason: "WithRegion: the region is empty", missing: []string{"WithRegion", EnvRegion}, field: "region"},
		{name: "blank region", opts: []Option{WithRegion("  "), pid, tok},
			reason: "WithRegion: the region is empty", missing: []string{"WithRegion", EnvRegion}, field: "region"},
		{name: "endpoint", opts: []Option{WithEndpoint(""), pid, tok},
			reason: "WithEndpoint: the endpoint is empty", missing: []string{"WithEndpoint", EnvEndpoint}, field: "endpoint"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, err := NewClient(tt.opts...)
			require.Error(t, err)
			assert.Nil(t, c)
			var ce *ConfigError
			require.ErrorAs(t, err, &ce)
			assert.Equal(t, tt.reason, ce.Reason)
			assert.Equal(t, tt.missing, ce.Missing)
			assert.Equal(t, "workspace: configuration: "+tt.reason+" (set "+tt.missing[0]+", or "+tt.missing[1]+")", err.Error())
			var ve *ValidationError
			require.ErrorAs(t, err, &ve)
			assert.Equal(t, tt.field, ve.Field)
			assert.Equal(t, "must not be empty", ve.Reason)
		})
	}
}

func TestNewClient_ZeroOptionIgnored(t *testing.T) {
	t.Parallel()
	var zero Option
	c, err := NewClient(zero, WithEndpoint("https://x.example.com"), Option{}, WithProjectID("p"), WithToken("t"))
	require.NoError(t, err)
	assert.NotNil(t, c)
}

func TestNewClient_EndpointForms(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		suffix string // appended to the server's URL
		want   string // escaped path the server sees
	}{
		{"no path", "", "/v2/" + testProjectID + "/snapshots"},
		{"root slash", "/", "/v2/" + testProjectID + "/snapshots"},
		{"prefix", "/api-prefix", "/api-prefix/v2/" + testProjectID + "/snapshots"},
		{"prefix with trailing slash", "/api-prefix/", "/api-prefix/v2/" + testProjectID + "/snapshots"},
		{"deep prefix", "/a/b/c//", "/a/b/c/v2/" + testProjectID + "/snapshots"},
		{"escaped prefix kept", "/gw%2Fx/space%20here/", "/gw%2Fx/space%20here/v2/" + testProjectID + "/snapshots"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			mux := newTestMux(t)
			mux.handleAny(respond(http.StatusOK, `{}`))
			srv := newTestServer(t, mux)
			c, err := NewClient(WithEndpoint(srv.URL+tt.suffix), WithProjectID(testProjectID), WithToken(testToken))
			require.NoError(t, err)
			_, err = c.Snapshots.List(testContext(t), nil)
			require.NoError(t, err)
			testPath(t, mux.last(t), tt.want)
		})
	}
}

func TestNewClient_ProjectIDEscaped(t *testing.T) {
	t.Parallel()
	mux := newTestMux(t)
	mux.handleAny(respond(http.StatusOK, `{}`))
	srv := newTestServer(t, mux)
	c, err := NewClient(WithEndpoint(srv.URL), WithProjectID("a/b?c"), WithAccessKey(testAK, testSK))
	require.NoError(t, err)
	_, err = c.Snapshots.List(testContext(t), nil)
	require.NoError(t, err)
	r := mux.last(t)
	testPath(t, r, "/v2/a%2Fb%3Fc/snapshots")
	assert.Empty(t, r.RawQuery)
	assert.Equal(t, "a/b?c", r.Header.Get("X-Project-Id"))
}

func TestNewClient_EndpointWinsOverRegion(t *testing.T) {
	t.Parallel()
	for _, regionFirst := range []bool{true, false} {
		t.Run(map[bool]string{true: "region first", false: "endpoint first"}[regionFirst], func(t *testing.T) {
			t.Parallel()
			mux := newTestMux(t)
			mux.handle("/snapshots", respond(http.StatusOK, `{}`))
			srv := newTestServer(t, mux)
			// A transport that only reaches loopback: the region's host would fail the test.
			guard := roundTripFunc(func(r *http.Request) (*http.Response, error) {
				if !strings.HasPrefix(r.URL.Host, "127.0.0.1:") {
					t.Errorf("request to %s", r.URL.Host)
					return nil, errors.New("not loopback")
				}
				return http.DefaultTransport.RoundTrip(r)
			})
			opts := []Option{WithRegion("ap-southeast-3"), WithEndpoint(srv.URL + testBasePath)}
			if !regionFirst {
				opts[0], opts[1] = opts[1], opts[0]
			}
			opts = append(opts, WithProjectID(testProjectID), WithToken(testToken), WithHTTPClient(&http.Client{Transport: guard}))
			c, err := NewClient(opts...)
			require.NoError(t, err)
			assert.Contains(t, c.String(), srv.URL+testPrefix)
			_, err = c.Snapshots.List(testContext(t), nil)
			require.NoError(t, err)
			assert.Equal(t, 1, mux.requests())
		})
	}
}

func TestNewClient_RegionEndpoint(t *testing.T) {
	t.Parallel()
	// httpmock answers in place of the cloud: nothing leaves the process.
	mt := httpmock.NewMockTransport()
	mt.RegisterResponder("GET", "https://workspace.ap-southeast-3.myhuaweicloud.com/v2/proj-1/desktop-pools/p/inconsistent-statics",
		httpmock.NewStringResponder(http.StatusOK, `{"disk_num":7}`))
	c, err := NewClient(WithRegion("ap-southeast-3"), WithProjectID("proj-1"), WithAccessKey(testAK, testSK),
		WithHTTPClient(&http.Client{Transport: mt}))
	require.NoError(t, err)
	assert.Equal(t, "workspace.Client{endpoint: https://workspace.ap-southeast-3.myhuaweicloud.com/v2/proj-1, auth: aksk}", c.String())

	stats, err := c.DesktopPools.GetInconsistentStatistics(testContext(t), "p")
	require.NoError(t, err)
	assert.Equal(t, 7, stats.DiskNum)
	assert.Equal(t, 1, mt.GetTotalCallCount())
}

func TestNewClient_LaterOptionWins(t *testing.T) {
	t.Parallel()
	c, mux := setup(t, WithToken(testToken), WithUserAgent("first/1"), WithUserAgent("second/2"))
	mux.handle("/snapshots", respond(http.StatusOK, `{}`))
	_, err := c.Snapshots.List(testContext(t), nil)
	require.NoError(t, err)
	ua := mux.last(t).Header.Get("User-Agent")
	assert.True(t, strings.HasSuffix(ua, " second/2"), ua)
	assert.NotContains(t, ua, "first/1")
}

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
	return Credentials{AccessKey: "p", SecretKey: NewSecret("q")}, nil
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
			return authWant{ak: cr.AccessKey, sk: cr.SecretKey.Reveal(), secToken: cr.SecurityToken.Reveal()}
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
			assertNoSecret(t, c.String(), "env-sk-secret", "env-st-secret", "env-token-secret")
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
			assertNoSecret(t, err.Error(), "env-sk-secret", "env-token-secret")
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
			assertNoSecret(t, err.Error(), "env-sk-secret", "env-st-secret")
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

func TestRateLimitOptionRejectsBadValues(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		rps   float64
		burst int
	}{{0, 1}, {-1, 1}, {math.NaN(), 1}, {math.Inf(1), 1}, {1, 0}, {1, -3}} {
		_, err := NewClient(WithEndpoint("http://127.0.0.1:1"), WithProjectID(testProjectID), WithToken(testToken),
			WithRateLimit(tt.rps, tt.burst))
		var ve *ValidationError
		assert.ErrorAs(t, err, &ve, "rps %v burst %d", tt.rps, tt.burst)
	}
}

// redactURL parses before it redacts, so that a password holding '?' or
// '#' is not shown: user information, query and fragment are REDACTED;
// what does not parse, or has an '@' that cannot be attributed, is the
// scheme and REDACTED.
func TestRedactURL(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		raw    string
		want   string
		secret string // never in the output
	}{
		{"password with a question mark", "https://user:pa?ss@host/x", "https://REDACTED", "pa?ss"},
		{"password with a hash", "https://u:p#w@host", "https://REDACTED", "p#w"},
		{"password with a slash", "https://u:pa/ss@host/x", "https://REDACTED", "pa/ss"},
		{"password with an at", "https://u:p@ss@host/x", "https://REDACTED@host/x", "p@ss"},
		{"password that looks like a port", "https://user:1234?word@host/x", "https://REDACTED", "1234"},
		{"password that looks like a port and a path", "https://user:1234/word@host/x", "https://REDACTED", "1234"},
		{"user information", "https://user:secret-pw@host:8443/prefix", "https://REDACTED@host:8443/prefix", "secret-pw"},
		{"user alone", "https://token-as-user@host", "https://REDACTED@host", "token-as-user"},
		{"query and fragment", "https://host/x?sig=SECRET-1#frag-SECRET", "https://host/x?REDACTED#REDACTED", "SECRET"},
		{"empty query and fragment", "https://host/x?#", "https://host/x?REDACTED#REDACTED", ""},
		{"fragment alone", "https://host/#SECRET-6", "https://host/#REDACTED", "SECRET"},
		{"an at in the query", "https://host/x?mail=a@b&sig=SECRET", "https://REDACTED", "SECRET"},
		{"an at in the path", "https://u:pw-x@host/a@b", "https://REDACTED", "pw-x"},
		{"does not parse", "https://user:PASS-1@host/%zz", "https://REDACTED", "PASS"},
		{"bad port", "https://u:PASS-7@h:99999/", "https://REDACTED@h:99999/", "PASS"},
		{"bad IPv6 host", "https://u:PASS-8@[::1/", "https://REDACTED", "PASS"},
		{"no scheme separator", "http//u:PASS-9@h/?q=SECRET-9", "REDACTED", "PASS"},
		{"leading blank, control byte", " https://u:PASS-10@h/\x7f", "REDACTED", "PASS"},
		{"no scheme", "//u:PASS-12@h", "//REDACTED@h", "PASS"},
		{"opaque with an at", "mailto:user:PASS-13@host", "mailto:REDACTED", "PASS"},
		{"user:password@host, no scheme", "user:PASS-14@host", "user:REDACTED", "PASS"},
		{"other scheme", "ftp://u:PASS-3@h", "ftp://REDACTED@h", "PASS"},
		{"plain endpoint kept", "https://iam.ap-southeast-3.myhuaweicloud.com", "https://iam.ap-southeast-3.myhuaweicloud.com", ""},
		{"loopback with a path kept", "http://127.0.0.1:8080/iam/", "http://127.0.0.1:8080/iam/", ""},
		{"escaped path kept as written", "https://host/p%40x", "https://host/p%40x", ""},
		{"host and port without scheme", "localhost:8080", "localhost:8080", ""},
		{"empty", "", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := redactURL(tt.raw)
			assert.Equal(t, tt.want, got)
			if tt.secret != "" {
				assert.NotContains(t, got, tt.secret)
			}
		})
	}
}

// FuzzRedactURL: whatever the user, password and host bytes of
// scheme://user:P@host/path?q#f, redactURL never shows a password P of 4
// bytes or more (unless P is part of what is shown anyway: the scheme,
// the host, the path, REDACTED).
func FuzzRedactURL(f *testing.F) {
	for _, seed := range []struct {
		scheme           uint8
		user, pass, host string
	}{
		{0, "user", "pa?ss", "host"},
		{0, "u", "p#w0", "host"},
		{1, "user", "1234/word", "host"},
		{1, "user", "1234?word", "host"},
		{0, "a@b", "p@ss", "h@st"},
		{2, "user", "%41%42%43%44", "%80%81"},
		{0, "us/er", "pass", "host"},
		{0, "user", "pass", "[::1"},
		{3, "", "pass word", "h:99999"},
	} {
		f.Add(seed.scheme, seed.user, seed.pass, seed.host)
	}
	schemes := []string{"https", "http", "ftp", "HTTPS"}
	f.Fuzz(func(t *testing.T, scheme uint8, user, pass, host string) {
		if len(pass) < 4 {
			return
		}
		sc := schemes[int(scheme)%len(schemes)]
		raw := sc + "://" + user + ":" + pass + "@" + host + "/path?q#f"
		got := redactURL(raw)
		if !strings.Contains(got, pass) {
			return
		}
		// Shown anyway: the scheme (lower-cased or not) and, after the
		// user information, the host from its last '@' on, the path.
		for _, s := range []string{sc, strings.ToLower(sc)} {
			for from := 0; from <= len(host); from++ {
				if from > 0 && host[from-1] != '@' {
					continue
				}
				if strings.Contains(s+"://REDACTED@"+host[from:]+"/path?REDACTED#REDACTED", pass) {
					return
				}
			}
		}
		t.Fatalf("redactURL(%q) = %q shows the password %q", raw, got, pass)
	})
}

// An endpoint with a password or a query is refused without printing
// either, wherever it is given.
func TestEndpointSecretsNotInErrors(t *testing.T) {
	t.Parallel()
	bad := []string{
		"https://user:PASS-1@host/%zz",
		"https://user:PASS-2@host/ok",
		"ftp://u:PASS-3@h",
		"https://h/?sig=SECRET-4",
		"https://h/x?sig=SECRET-5#frag",
		"https://h/#SECRET-6",
		"https://u:PASS-7@h:99999/",
		"https://u:PASS-8@[::1/",
		"http//u:PASS-9@h/?q=SECRET-9",
		" https://u:PASS-10@h/\x7f",
		"https://h/%zz?sig=SECRET-11",
		"//u:PASS-12@h",
	}
	secrets := func(raw string) []string {
		var out []string
		for _, s := range []string{"PASS", "SECRET", "sig="} {
			for i := 1; i <= 12; i++ {
				if w := fmt.Sprintf("%s-%d", s, i); strings.Contains(raw, w) {
					out = append(out, w)
				}
			}
		}
		return out
	}
	for _, raw := range bad {
		errs := map[string]error{}
		_, errs["WithEndpoint"] = NewClient(WithEndpoint(raw), WithProjectID(testProjectID), WithToken(testToken))
		_, errs["IAMConfig.Endpoint"] = NewIAMTokenSource(IAMConfig{Endpoint: raw, UserName: "u", Password: NewSecret("p"), DomainName: "d", ProjectID: "p"})
		_, errs["MetadataConfig.Endpoint"] = NewMetadataCredentialsProvider(MetadataConfig{Endpoint: raw})
		_, errs["environment"] = NewClient(WithEnv(), fakeEnv(map[string]string{
			EnvEndpoint: raw, EnvProjectID: testProjectID, EnvToken: testToken,
		}))
		for where, err := range errs {
			require.Error(t, err, "%s %q", where, raw)
			for _, s := range secrets(raw) {
				assert.NotContains(t, err.Error(), s, "%s %q", where, raw)
			}
		}
		cfg := IAMConfig{Endpoint: raw}
		for _, s := range secrets(raw) {
			for _, verb := range []string{"%v", "%+v", "%#v", "%s"} {
				assert.NotContains(t, fmt.Sprintf(verb, cfg), s, "IAMConfig %s", verb)
			}
		}
	}
}
