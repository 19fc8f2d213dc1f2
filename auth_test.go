package workspace

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hwcloud-go/workspace/internal/signer"
)

// The authentication of requests: the headers of a token and of AK/SK,
// signatures over what the server receives, token sources, and header
// values that would break a request.

// hasBody says which operations send a JSON body.
func hasBody(op operation) bool { return op.method == "POST" }

func TestClient_Headers_Token(t *testing.T) {
	t.Parallel()
	for _, op := range operations {
		t.Run(op.name, func(t *testing.T) {
			t.Parallel()
			c, mux := setup(t, WithToken(testToken), WithUserAgent("my-app/1.2 (ops team)"))
			mux.handle(op.rel, respond(http.StatusOK, op.ok))
			_, err := op.call(testContext(t), c)
			require.NoError(t, err)

			r := mux.last(t)
			testMethod(t, r, op.method)
			testPath(t, r, testPrefix+op.rel)
			ua := r.Header.Get("User-Agent")
			assert.True(t, strings.HasPrefix(ua, "workspace-go/"+Version), "User-Agent %q", ua)
			assert.True(t, strings.HasSuffix(ua, " my-app/1.2 (ops team)"), "User-Agent %q", ua)
			testHeader(t, r, "X-Auth-Token", testToken)
			testNoHeader(t, r, "Authorization")
			testNoHeader(t, r, "X-Sdk-Date")
			testNoHeader(t, r, "X-Security-Token")
			if hasBody(op) {
				testHeader(t, r, "Content-Type", "application/json")
				assert.NotEmpty(t, r.Body)
			} else {
				testNoBody(t, r)
			}
		})
	}
}

func TestClient_Headers_AccessKey(t *testing.T) {
	t.Parallel()
	for _, withSTS := range []bool{false, true} {
		for _, op := range operations {
			name := op.name + "/AK-SK"
			opts := []Option{WithAccessKey(testAK, testSK), WithUserAgent("ak-test")}
			if withSTS {
				name += "+security-token"
				opts = append(opts, WithSecurityToken(testSecurityToken))
			}
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				c, mux := setup(t, opts...)
				mux.handle(op.rel, respond(http.StatusOK, op.ok))
				_, err := op.call(testContext(t), c)
				require.NoError(t, err)

				r := mux.last(t)
				testNoHeader(t, r, "X-Auth-Token")
				testHeader(t, r, "X-Project-Id", testProjectID)
				assert.Len(t, r.Header.Get("X-Sdk-Date"), len("20060102T150405Z"))
				assert.True(t, strings.HasSuffix(r.Header.Get("User-Agent"), " ak-test"))
				names := verifySignature(t, r, testAK, testSK)
				testSdkDate(t, r)
				if withSTS {
					testHeader(t, r, "X-Security-Token", testSecurityToken)
					assert.Contains(t, names, "x-security-token", "the security token is signed")
				} else {
					testNoHeader(t, r, "X-Security-Token")
					assert.NotContains(t, names, "x-security-token")
				}
				if hasBody(op) {
					testHeader(t, r, "Content-Type", "application/json")
				} else {
					testNoBody(t, r)
				}
			})
		}
	}
}

// TestClient_SignatureCoversQueryAndEscapedPath signs requests whose query
// and path need escaping, and checks the signature server-side.
func TestClient_SignatureCoversQueryAndEscapedPath(t *testing.T) {
	t.Parallel()
	c, mux := setup(t, WithAccessKey(testAK, testSK))
	mux.handleAny(respond(http.StatusOK, `{"script_execution_tasks":[],"desktop_snapshots":[],"total_count":0}`))

	_, err := c.Snapshots.List(testContext(t), &ListSnapshotsOptions{
		SnapshotName: "一 (&=?!#%.*)", DesktopNames: []string{"b b", "a/a", "a+a"}, Limit: 10,
	})
	require.NoError(t, err)
	verifySignature(t, mux.last(t), testAK, testSK)
	testSdkDate(t, mux.last(t))

	_, err = c.DesktopPools.GetInconsistentStatistics(testContext(t), "pool/with space?and#hash%")
	require.NoError(t, err)
	r := mux.last(t)
	testPath(t, r, testPrefix+"/desktop-pools/pool%2Fwith%20space%3Fand%23hash%25/inconsistent-statics")
	verifySignature(t, r, testAK, testSK)
	testSdkDate(t, r)

	// A tampered signature must not verify: the check above can fail.
	bad := r
	bad.Header = r.Header.Clone()
	bad.Query = url.Values{"extra": {"1"}}
	fake := &fakeT{}
	verifySignature(fake, bad, testAK, testSK)
	assert.True(t, fake.failed, "a request changed after signing must fail verification")
}

func TestClient_TokenSource(t *testing.T) {
	t.Parallel()
	t.Run("asked for every request", func(t *testing.T) {
		t.Parallel()
		src := &countingTokenSource{}
		c, mux := setup(t, WithTokenSource(src))
		mux.handle("/snapshots", respond(http.StatusOK, `{}`))
		for range 3 {
			_, err := c.Snapshots.List(testContext(t), nil)
			require.NoError(t, err)
		}
		assert.Equal(t, int64(3), src.calls.Load())
		var got []string
		for _, r := range mux.all() {
			got = append(got, r.Header.Get("X-Auth-Token"))
		}
		assert.Equal(t, []string{"tok-1", "tok-2", "tok-3"}, got)
	})
	t.Run("asked again for a retry", func(t *testing.T) {
		t.Parallel()
		src := &countingTokenSource{}
		c, mux := setup(t, WithTokenSource(src), WithRetryPolicy(RetryPolicy{MaxAttempts: 2, BaseDelay: 1, MaxDelay: 1}))
		var n atomic.Int32
		mux.handle("/snapshots", func(w http.ResponseWriter, r *http.Request) {
			if n.Add(1) == 1 {
				writeJSON(w, http.StatusServiceUnavailable, `{}`)
				return
			}
			writeJSON(w, http.StatusOK, `{}`)
		})
		_, err := c.Snapshots.List(testContext(t), nil)
		require.NoError(t, err)
		assert.Equal(t, int64(2), src.calls.Load())
		assert.Equal(t, 2, mux.requests())
	})
	t.Run("an error fails the call before anything is sent", func(t *testing.T) {
		t.Parallel()
		boom := errors.New("token service unreachable")
		src := &countingTokenSource{err: boom}
		// Default retries: an error from the source must not be retried.
		c, mux := setup(t, WithTokenSource(src), WithRetryPolicy(RetryPolicy{BaseDelay: 1, MaxDelay: 1}))
		for _, op := range operations {
			got, err := op.call(testContext(t), c)
			assert.True(t, isNilResult(got))
			assert.ErrorIs(t, err, boom, op.name)
			var apiErr *APIError
			assert.False(t, errors.As(err, &apiErr))
		}
		assert.Zero(t, mux.requests())
		assert.Equal(t, int64(len(operations)), src.calls.Load())
	})
	t.Run("the source sees the call's context", func(t *testing.T) {
		t.Parallel()
		src := &countingTokenSource{}
		c, mux := setup(t, WithTokenSource(src))
		mux.handle("/snapshots", respond(http.StatusOK, `{}`))
		type key struct{}
		ctx := context.WithValue(testContext(t), key{}, "marker")
		_, err := c.Snapshots.List(ctx, nil)
		require.NoError(t, err)
		src.mu.Lock()
		defer src.mu.Unlock()
		assert.Equal(t, "marker", src.lastCtx.Value(key{}))
	})
}

// fixedTokenSource hands out tok and counts the calls.
type fixedTokenSource struct {
	tok   string
	calls atomic.Int32
}

func (s *fixedTokenSource) Token(context.Context) (string, error) {
	s.calls.Add(1)
	return s.tok, nil
}

// countingProvider hands out cred and counts the calls.
type countingProvider struct {
	cred  Credentials
	calls atomic.Int32
}

func (p *countingProvider) Credentials(context.Context) (Credentials, error) {
	p.calls.Add(1)
	return p.cred, nil
}

// A token, key, security token or user agent with CR, LF or NUL (any
// control character but tab) would break the request's header: it is
// refused when given, naming the option, and never sent; one from a token
// source or a credentials provider fails the call, not retried.
func TestHeaderBreakingCredentialsRefused(t *testing.T) {
	t.Parallel()
	bad := []string{"tok\r\nX-Evil: 1", "tok\nX-Evil: 1", "tok\rx", "tok\x00x", "tok\x1bx", "tok\x7fx"}
	ep, pid := WithEndpoint("http://127.0.0.1:1"), WithProjectID(testProjectID)
	for _, v := range bad {
		for _, tc := range []struct {
			field string
			opts  []Option
		}{
			{"token", []Option{WithToken(v)}},
			{"accessKey", []Option{WithAccessKey(v, testSK)}},
			{"secretKey", []Option{WithAccessKey(testAK, v)}},
			{"securityToken", []Option{WithAccessKey(testAK, testSK), WithSecurityToken(v)}},
			{"userAgent", []Option{WithToken(testToken), WithUserAgent(v)}},
		} {
			_, err := NewClient(append([]Option{ep, pid}, tc.opts...)...)
			var ve *ValidationError
			require.ErrorAs(t, err, &ve, "%s %q", tc.field, v)
			assert.Equal(t, tc.field, ve.Field)
			assert.NotContains(t, err.Error(), "X-Evil")
			assert.NotContains(t, err.Error(), v)
		}
	}

	var arrivals atomic.Int32
	srv := bareServer(t, func(w http.ResponseWriter, r *http.Request) { arrivals.Add(1) })
	for _, v := range bad {
		ts := &fixedTokenSource{tok: v}
		c, err := NewClient(WithEndpoint(srv.URL), WithProjectID(testProjectID), WithTokenSource(ts))
		require.NoError(t, err)
		_, err = c.DesktopPools.GetInconsistentStatistics(context.Background(), "pool-1")
		require.Error(t, err)
		assert.Contains(t, err.Error(), "WithTokenSource")
		assert.NotContains(t, err.Error(), "attempts")
		assert.EqualValues(t, 1, ts.calls.Load(), "not retried")

		for _, cred := range []Credentials{
			{AccessKey: v, SecretKey: NewSecret(testSK)},
			{AccessKey: testAK, SecretKey: NewSecret(v)},
			{AccessKey: testAK, SecretKey: NewSecret(testSK), SecurityToken: NewSecret(v)},
		} {
			p := &countingProvider{cred: cred}
			c, err := NewClient(WithEndpoint(srv.URL), WithProjectID(testProjectID), WithCredentialsProvider(p))
			require.NoError(t, err)
			_, err = c.DesktopPools.GetInconsistentStatistics(context.Background(), "pool-1")
			require.Error(t, err)
			assert.Contains(t, err.Error(), "WithCredentialsProvider")
			assert.NotContains(t, err.Error(), "X-Evil")
			assert.NotContains(t, err.Error(), testSK)
			assert.EqualValues(t, 1, p.calls.Load(), "not retried")
			var ce *credentialsError
			assert.True(t, errors.As(err, &ce))
		}
	}
	assert.Zero(t, arrivals.Load())
}

// An AK/SK call with a query past the URL's stack buffer and more names
// than the signer's name array is signed over what the server receives.
func TestLongQuerySignedAsReceived(t *testing.T) {
	t.Parallel()
	const ak, sk = "AKADV16", "sk-long-query"
	var mu sync.Mutex
	var problems []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		auth := r.Header.Get("Authorization")
		_, names, ok := strings.Cut(auth, "SignedHeaders=")
		names, _, _ = strings.Cut(names, ",")
		h := map[string]string{}
		for _, n := range strings.Split(names, ";") {
			if n == "host" {
				h[n] = r.Host
			} else {
				h[n] = r.Header.Get(n)
			}
		}
		body, _ := io.ReadAll(r.Body)
		want := signer.Sign(&signer.Request{Method: r.Method, Path: r.URL.EscapedPath(), Query: r.URL.Query(), Headers: h, Body: body}, ak, sk)
		if !ok || auth != want {
			mu.Lock()
			problems = append(problems, fmt.Sprintf("%s %s: got %q, want %q", r.Method, r.URL.EscapedPath(), auth, want))
			mu.Unlock()
		}
		_, _ = io.WriteString(w, `{}`)
	}))
	t.Cleanup(srv.Close)
	c, err := NewClient(WithEndpoint(srv.URL+"/gw%20x/"), WithProjectID(testProjectID), WithAccessKey(ak, sk), WithRetryPolicy(fastRetries))
	require.NoError(t, err)
	q := url.Values{}
	for i := 0; i < 24; i++ {
		q[fmt.Sprintf("k%02d é", i)] = []string{strings.Repeat("v ü/", i*5), "a", ""}
	}
	var out map[string]any
	require.NoError(t, c.Do(context.Background(), http.MethodGet, "/desktops/"+strings.Repeat("x%40", 150), q, nil, &out))
	require.NoError(t, c.Do(context.Background(), http.MethodPost, "/desktops/batch", q, map[string]string{"a": "b"}, &out))
	mu.Lock()
	defer mu.Unlock()
	assert.Empty(t, problems)
}

// TestSigningAllocations pins the cost of signing one attempt: the string
// holding the date and the Authorization value, and the slice the header
// values share (the header map is sized as resty's is by the time it is
// signed). Signing took 32 before signer.AppendSignFixed.
func TestSigningAllocations(t *testing.T) {
	tests := []struct {
		name  string
		cred  Credentials
		query url.Values
		body  []byte
	}{
		{"GET", Credentials{AccessKey: "AK", SecretKey: NewSecret("SK")}, nil, nil},
		{"GET with query", Credentials{AccessKey: "AK", SecretKey: NewSecret("SK")}, url.Values{"limit": {"100"}, "offset": {"0"}}, nil},
		{"POST with security token", Credentials{AccessKey: "AK", SecretKey: NewSecret("SK"), SecurityToken: NewSecret("ST")}, nil, []byte(`{"a":1}`)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := signingAuth{src: newStaticCredentials(tt.cred)}
			h := make(http.Header, 8)
			ar := authRequest{
				method: "GET", host: "workspace.example.com", path: "/v2/p/desktop-pools/pool-1/inconsistent-statics",
				query: tt.query, body: tt.body, header: h, projectID: "p", now: time.Now(),
			}
			if tt.body != nil {
				ar.method = "POST"
				h["Content-Type"] = jsonHeaderValue
			}
			_, err := a.authenticate(context.Background(), ar)
			require.NoError(t, err)
			allocs := testing.AllocsPerRun(100, func() { _, _ = a.authenticate(context.Background(), ar) })
			assert.LessOrEqual(t, allocs, 2.0)
			assert.NotEmpty(t, h.Get("Authorization"))
		})
	}
}
