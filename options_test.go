package workspace

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fixedProvider is a CredentialsProvider with fixed credentials.
type fixedProvider struct{}

func (fixedProvider) Credentials(context.Context) (Credentials, error) {
	return Credentials{AccessKey: testAK, SecretKey: testSK}, nil
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
		{name: "blank project id", opts: []Option{ep, WithProjectID("  "), tok}, want: "projectID", field: "projectID"},
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
		{name: "empty access key", opts: []Option{ep, pid, WithAccessKey("", testSK)}, field: "accessKey", want: "accessKey"},
		{name: "empty secret key", opts: []Option{ep, pid, WithAccessKey(testAK, "")}, field: "secretKey", want: "secretKey"},
		{name: "empty security token", opts: []Option{ep, pid, WithAccessKey(testAK, testSK), WithSecurityToken("")}, field: "securityToken", want: "securityToken"},
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
