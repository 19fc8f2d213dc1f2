package workspace

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/hwcloud-go/workspace/internal/envnames"
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
		{name: "project id with a line break", opts: []Option{ep, WithProjectID("p\r\nX-Evil: 1"), tok}, want: "control characters", field: "projectID"},
		{name: "project id with NUL", opts: []Option{ep, WithProjectID("p\x00"), WithAccessKey(testAK, testSK)}, want: "control characters", field: "projectID"},
		{name: "no endpoint or region", opts: []Option{pid, tok}, want: "endpoint"},
		{name: "no credentials", opts: []Option{ep, pid}, want: "credentials"},
		{name: "security token with a token", opts: []Option{ep, pid, tok, WithSecurityToken(testSecurityToken)}, want: "WithSecurityToken"},
		{name: "security token alone", opts: []Option{ep, pid, WithSecurityToken(testSecurityToken)}, want: "WithSecurityToken goes with WithAccessKey"},
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
		{name: "region longer than a DNS label", opts: []Option{WithRegion(strings.Repeat("a", 64)), pid, tok}, field: "region", want: "region"},
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
			reason: "WithAccessKey: the access key is empty", missing: []string{"WithAccessKey", envnames.AccessKey}, field: "accessKey"},
		{name: "blank access key", opts: []Option{ep, pid, WithAccessKey(" \t", testSK)},
			reason: "WithAccessKey: the access key is empty", missing: []string{"WithAccessKey", envnames.AccessKey}, field: "accessKey"},
		{name: "secret key", opts: []Option{ep, pid, WithAccessKey(testAK, "")},
			reason: "WithAccessKey: the secret key is empty", missing: []string{"WithAccessKey", envnames.SecretKey}, field: "secretKey"},
		{name: "both keys: the access key first", opts: []Option{ep, pid, WithAccessKey("", "")},
			reason: "WithAccessKey: the access key is empty", missing: []string{"WithAccessKey", envnames.AccessKey}, field: "accessKey"},
		{name: "security token", opts: []Option{ep, pid, WithAccessKey(testAK, testSK), WithSecurityToken("")},
			reason: "WithSecurityToken: the security token is empty", missing: []string{"WithSecurityToken", envnames.SecurityToken}, field: "securityToken"},
		{name: "token", opts: []Option{ep, pid, WithToken("")},
			reason: "WithToken: the token is empty", missing: []string{"WithToken", envnames.Token}, field: "token"},
		{name: "project id", opts: []Option{ep, WithProjectID(""), tok},
			reason: "WithProjectID: the project id is empty", missing: []string{"WithProjectID", envnames.ProjectID}, field: "projectID"},
		{name: "region", opts: []Option{WithRegion(""), pid, tok},
			reason: "WithRegion: the region is empty", missing: []string{"WithRegion", envnames.Region}, field: "region"},
		{name: "blank region", opts: []Option{WithRegion("  "), pid, tok},
			reason: "WithRegion: the region is empty", missing: []string{"WithRegion", envnames.Region}, field: "region"},
		{name: "endpoint", opts: []Option{WithEndpoint(""), pid, tok},
			reason: "WithEndpoint: the endpoint is empty", missing: []string{"WithEndpoint", envnames.Endpoint}, field: "endpoint"},
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

// Of WithRegion and WithEndpoint, the one given last wins.
func TestNewClient_LastOfRegionAndEndpointWins(t *testing.T) {
	t.Parallel()
	const regional = "https://workspace.ap-southeast-3.myhuaweicloud.com/v2/"
	for _, tt := range []struct {
		name string
		opts []Option
		want string
	}{
		{"endpoint last", []Option{WithRegion("ap-southeast-3"), WithEndpoint("http://127.0.0.1:1" + testBasePath)}, "http://127.0.0.1:1" + testPrefix},
		{"region last", []Option{WithEndpoint("http://127.0.0.1:1" + testBasePath), WithRegion("ap-southeast-3")}, regional + testProjectID},
		{"region, endpoint, region", []Option{WithRegion("eu-west-101"), WithEndpoint("http://127.0.0.1:1"), WithRegion("ap-southeast-3")}, regional + testProjectID},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, err := NewClient(append(tt.opts, WithProjectID(testProjectID), WithToken(testToken))...)
			require.NoError(t, err)
			assert.Contains(t, c.String(), "endpoint: "+tt.want+",")
		})
	}
}

// Of the credentials options, the one given last wins and replaces every
// earlier one, a security token included: so a program can put its own
// after config.Load's (append(cfg.Options(), WithToken(t))).
func TestNewClient_LastCredentialsWin(t *testing.T) {
	t.Parallel()
	ep, pid := WithEndpoint("http://127.0.0.1:1"), WithProjectID(testProjectID)
	provider := fixedProvider{}
	for _, tt := range []struct {
		name string
		opts []Option
		kind string
	}{
		{"access key, then token", []Option{WithAccessKey(testAK, testSK), WithSecurityToken(testSecurityToken), WithToken(testToken)}, "token"},
		{"token, then access key", []Option{WithToken(testToken), WithAccessKey(testAK, testSK)}, "aksk"},
		{"token, then token source", []Option{WithToken(testToken), WithTokenSource(StaticTokenSource("x"))}, "token"},
		{"access key, then provider", []Option{WithAccessKey(testAK, testSK), WithCredentialsProvider(provider)}, "aksk"},
		{"token source, then provider", []Option{WithTokenSource(StaticTokenSource("x")), WithCredentialsProvider(provider)}, "aksk"},
		{"security token, then access key", []Option{WithAccessKey(testAK, testSK), WithSecurityToken(testSecurityToken), WithAccessKey(testAK, testSK)}, "aksk"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, err := NewClient(append([]Option{ep, pid}, tt.opts...)...)
			require.NoError(t, err)
			assert.Equal(t, tt.kind, c.core.auth.kind())
			switch a := c.core.auth.(type) {
			case signingAuth:
				cred, err := a.src.Credentials(context.Background())
				require.NoError(t, err)
				assert.Equal(t, testAK, cred.AccessKey)
				assert.True(t, cred.SecurityToken.IsZero(), "no security token of an earlier option")
			case tokenAuth:
				tok, err := a.src.Token(context.Background())
				require.NoError(t, err)
				assert.NotEqual(t, "", tok)
				if tt.name == "access key, then token" {
					assert.Equal(t, testToken, tok)
				}
			}
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

// NewClient reads no environment variable (config.Load does): a full
// vendor environment gives it no credentials.
func TestNewClientIgnoresTheEnvironment(t *testing.T) {
	for _, name := range []string{envnames.AccessKey, envnames.SecretKey, envnames.Token, envnames.ProjectID, envnames.Region} {
		t.Setenv(name, "from-env")
	}
	t.Setenv(envnames.Region, "ap-southeast-3")
	_, err := NewClient(WithProjectID("p"), WithRegion("ap-southeast-3"))
	assert.ErrorIs(t, err, errNoCredentials)
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

func TestConcurrencyOption(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		opts []Option
		want int // 0: NewClient fails
	}{
		{name: "default", want: defaultConcurrency},
		{name: "one at a time", opts: []Option{WithConcurrency(1)}, want: 1},
		{name: "many", opts: []Option{WithConcurrency(64)}, want: 64},
		{name: "the later wins", opts: []Option{WithConcurrency(3), WithConcurrency(5)}, want: 5},
		{name: "zero", opts: []Option{WithConcurrency(0)}},
		{name: "negative", opts: []Option{WithConcurrency(-2)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			opts := append([]Option{WithEndpoint("http://127.0.0.1:1"), WithProjectID(testProjectID), WithToken(testToken)}, tt.opts...)
			c, err := NewClient(opts...)
			if tt.want == 0 {
				var ce *ConfigError
				require.ErrorAs(t, err, &ce)
				var ve *ValidationError
				require.ErrorAs(t, err, &ve)
				assert.Equal(t, "concurrency", ve.Field)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, c.concurrency())
		})
	}
	var nilClient *Client
	assert.Equal(t, 1, nilClient.concurrency(), "a nil client's calls fail anyway")
}

// countingSource counts the calls of a token source or credentials
// provider.
type countingSource struct{ calls atomic.Int32 }

func (s *countingSource) Token(context.Context) (string, error) {
	s.calls.Add(1)
	return "t", nil
}

func (s *countingSource) Credentials(context.Context) (Credentials, error) {
	s.calls.Add(1)
	return Credentials{AccessKey: "p", SecretKey: NewSecret("q")}, nil
}

// NewClient does no I/O: it neither asks a token source or a credentials
// provider (which may fetch over the network) nor reaches the endpoint,
// whatever the options.
func TestNewClientDoesNoIO(t *testing.T) {
	t.Parallel()
	var dials atomic.Int32
	hc := &http.Client{Transport: roundTripFunc(func(*http.Request) (*http.Response, error) {
		dials.Add(1)
		return nil, errors.New("no request expected")
	})}
	for _, opt := range []func(*countingSource) Option{
		func(s *countingSource) Option { return WithTokenSource(s) },
		func(s *countingSource) Option { return WithCredentialsProvider(s) },
	} {
		src := &countingSource{}
		c, err := NewClient(WithRegion("ap-southeast-3"), WithProjectID(testProjectID), opt(src), WithHTTPClient(hc),
			WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil))), WithRateLimit(1, 1))
		require.NoError(t, err)
		require.NotNil(t, c)
		assert.Zero(t, src.calls.Load(), "NewClient asked for credentials")
	}
	assert.Zero(t, dials.Load(), "NewClient sent a request")
}

// An endpoint with a password or a query is refused without printing
// either (the credential sources and config.Load: their own tests).
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
		for where, err := range errs {
			require.Error(t, err, "%s %q", where, raw)
			for _, s := range secrets(raw) {
				assert.NotContains(t, err.Error(), s, "%s %q", where, raw)
			}
		}
	}
}
