package workspace

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

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

func TestClient_Headers_DefaultUserAgent(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	mux.handle("/snapshots", respond(http.StatusOK, `{}`))
	_, err := c.Snapshots.List(testContext(t), nil)
	require.NoError(t, err)
	ua := mux.last(t).Header.Get("User-Agent")
	assert.True(t, strings.HasPrefix(ua, "workspace-go/"+Version+" "), "User-Agent %q", ua)
	assert.Contains(t, ua, "go1.", "the Go version is part of the product token")
	assert.NotContains(t, ua, "resty")
	assert.NotContains(t, ua, "Go-http-client")
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

func TestClient_PathSegmentsEscaped(t *testing.T) {
	t.Parallel()
	ids := []string{
		"a/b", "../../etc", "..", ".", "a?b=c", "a#frag", "100%", "50%2F", "with space",
		"a;b", "a+b", "ü/ñ", "?", "#", "%", "/", " x ", "a\\b", "{x}",
	}
	ops := []struct {
		name   string
		before string // escaped path before the id
		after  string // escaped path after the id
		ok     string
		call   func(c *Client, id string) error
	}{
		{"pool stats", testPrefix + "/desktop-pools/", "/inconsistent-statics", `{}`, func(c *Client, id string) error {
			_, err := c.DesktopPools.GetInconsistentStatistics(context.Background(), id)
			return err
		}},
		{"pool batch-delete", testPrefix + "/desktop-pools/", "/volumes/batch-delete", `{"job_id":"j"}`, func(c *Client, id string) error {
			_, err := c.DesktopPools.BatchDeleteVolumes(context.Background(), id, &BatchDeleteVolumesRequest{Volumes: makeVolumes(1)})
			return err
		}},
		{"job", testPrefix + "/workspace-jobs/", "", `{"id":"j"}`, func(c *Client, id string) error {
			_, err := c.Jobs.Get(context.Background(), id)
			return err
		}},
	}
	for _, op := range ops {
		for _, id := range ids {
			t.Run(op.name+"/"+id, func(t *testing.T) {
				t.Parallel()
				c, mux := setup(t)
				mux.handleAny(respond(http.StatusOK, op.ok))
				require.NoError(t, op.call(c, id))
				require.Equal(t, 1, mux.requests())
				r := mux.last(t)
				assert.Empty(t, r.RawQuery, "an id never adds a query")
				require.True(t, strings.HasPrefix(r.Path, op.before), "path %q", r.Path)
				require.True(t, strings.HasSuffix(r.Path, op.after), "path %q", r.Path)
				seg := strings.TrimSuffix(strings.TrimPrefix(r.Path, op.before), op.after)
				assert.NotContains(t, seg, "/", "the id is exactly one segment: %q", seg)
				assert.NotEqual(t, ".", seg)
				assert.NotEqual(t, "..", seg)
				decoded, err := url.PathUnescape(seg)
				require.NoError(t, err)
				assert.Equal(t, id, decoded)
			})
		}
	}
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

// countingTokenSource hands out tok-1, tok-2, ... or fails with err.
type countingTokenSource struct {
	calls   atomic.Int64
	err     error
	mu      sync.Mutex
	lastCtx context.Context
}

func (s *countingTokenSource) Token(ctx context.Context) (string, error) {
	n := s.calls.Add(1)
	s.mu.Lock()
	s.lastCtx = ctx
	s.mu.Unlock()
	if s.err != nil {
		return "", s.err
	}
	return "tok-" + string(rune('0'+n)), nil
}

func TestClient_RedirectsNotFollowed(t *testing.T) {
	t.Parallel()
	var otherHits atomic.Int32
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		otherHits.Add(1)
		writeJSON(w, http.StatusOK, `{"product_id":9}`)
	}))
	t.Cleanup(other.Close)

	for _, status := range []int{http.StatusMovedPermanently, http.StatusFound, http.StatusTemporaryRedirect, http.StatusPermanentRedirect} {
		for _, withOwnClient := range []bool{false, true} {
			name := http.StatusText(status)
			if withOwnClient {
				name += "/WithHTTPClient"
			}
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				opts := []Option{WithToken(testToken)}
				if withOwnClient {
					opts = append(opts, WithHTTPClient(&http.Client{}))
				}
				c, mux := setup(t, opts...)
				mux.handle("/desktop-pools/p/inconsistent-statics", func(w http.ResponseWriter, r *http.Request) {
					http.Redirect(w, r, other.URL+r.URL.Path, status)
				})
				got, err := c.DesktopPools.GetInconsistentStatistics(testContext(t), "p")
				assert.Nil(t, got)
				apiErr := errorAs[*APIError](t, err)
				assert.Equal(t, status, apiErr.StatusCode)
				assert.Equal(t, 1, mux.requests())
			})
		}
	}
	assert.Zero(t, otherHits.Load(), "the token never travels to the other server")
}

func TestClient_WithHTTPClientNotModified(t *testing.T) {
	t.Parallel()
	mux := newTestMux(t)
	srv := newTestServer(t, mux)
	mux.handle("/snapshots", respond(http.StatusOK, `{}`))
	var used atomic.Int32
	rt := roundTripFunc(func(r *http.Request) (*http.Response, error) {
		used.Add(1)
		return http.DefaultTransport.RoundTrip(r)
	})
	hc := &http.Client{Transport: rt}
	c, err := NewClient(append(baseOptions(srv), WithToken(testToken), WithHTTPClient(hc))...)
	require.NoError(t, err)
	_, err = c.Snapshots.List(testContext(t), nil)
	require.NoError(t, err)

	assert.Nil(t, hc.CheckRedirect, "the caller's client is not modified")
	assert.Nil(t, hc.Jar)
	assert.Zero(t, hc.Timeout)
	assert.Equal(t, int32(1), used.Load(), "the caller's transport is used")
}

func TestClient_String(t *testing.T) {
	t.Parallel()
	c, err := NewClient(WithEndpoint("https://gw.example.com/ws/"), WithProjectID("proj"), WithAccessKey(testAK, testSK))
	require.NoError(t, err)
	s := c.String()
	assert.Contains(t, s, "https://gw.example.com/ws/v2/proj")
	assert.Contains(t, s, "aksk")
	assert.Equal(t, s, c.GoString())
	var nilClient *Client
	assert.Equal(t, "workspace.Client(nil)", nilClient.String())
}

func TestClient_ServicesShareOneCore(t *testing.T) {
	t.Parallel()
	c, _ := setup(t)
	require.NotNil(t, c.DesktopPools)
	require.NotNil(t, c.Desktops)
	require.NotNil(t, c.Snapshots)
	require.NotNil(t, c.Jobs)
	assert.Same(t, c, c.DesktopPools.client)
	assert.Same(t, c, c.Desktops.client)
	assert.Same(t, c, c.Snapshots.client)
	assert.Same(t, c, c.Jobs.client)

	var (
		_ DesktopPoolsAPI = c.DesktopPools
		_ DesktopsAPI     = c.Desktops
		_ SnapshotsAPI    = c.Snapshots
		_ JobsAPI         = c.Jobs
	)
}

// TestReadRetriedAfterBodyCutOff checks that a 2xx body cut off by the
// connection is a transport failure: a read is tried again and succeeds;
// with no retry left the error is not a *DecodeError.
func TestReadRetriedAfterBodyCutOff(t *testing.T) {
	t.Parallel()
	var calls atomic.Int32
	c, mux := setup(t, WithRetryPolicy(fastRetries))
	mux.handle("/desktop-pools/pool-1/inconsistent-statics", func(w http.ResponseWriter, _ *http.Request) {
		if calls.Add(1) == 1 {
			cutBody(t, w)
			return
		}
		writeJSON(w, 200, `{"product_id":1,"image_id":2,"disk_num":3,"disk_size":4}`)
	})
	stats, err := c.DesktopPools.GetInconsistentStatistics(context.Background(), "pool-1")
	require.NoError(t, err)
	assert.Equal(t, 2, stats.ImageID)
	assert.Equal(t, int32(2), calls.Load())

	c1, mux1 := setup(t)
	mux1.handle("/desktop-pools/pool-1/inconsistent-statics", func(w http.ResponseWriter, _ *http.Request) { cutBody(t, w) })
	_, err = c1.DesktopPools.GetInconsistentStatistics(context.Background(), "pool-1")
	require.Error(t, err)
	var de *DecodeError
	assert.False(t, errors.As(err, &de), "a cut-off body is not a decode error: %v", err)
	assert.Contains(t, err.Error(), "cut off")
}

// TestDecodeErrorSaysWhatCame checks that a 2xx that arrived whole and is
// not the operation's JSON is a *DecodeError naming what came.
func TestDecodeErrorSaysWhatCame(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, contentType, body, want string
	}{
		{"html page", "text/html; charset=utf-8", "<!DOCTYPE html><html><body>502</body></html>", "an HTML page (text/html)"},
		{"html without a type", "", "<html><body>x</body></html>", "an HTML page"},
		{"empty", "application/json", "", "an empty body"},
		{"plain text", "text/plain", "upstream timed out", "a body of type text/plain"},
		{"null", "application/json", "null", "application/json"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, mux := setup(t, WithRetryPolicy(fastRetries))
			mux.handle("/desktop-pools/pool-1/inconsistent-statics", func(w http.ResponseWriter, _ *http.Request) {
				w.Header()["Content-Type"] = []string{tt.contentType}
				_, _ = io.WriteString(w, tt.body)
			})
			_, err := c.DesktopPools.GetInconsistentStatistics(context.Background(), "pool-1")
			de := errorAs[*DecodeError](t, err)
			assert.Equal(t, 200, de.StatusCode)
			assert.Contains(t, err.Error(), tt.want)
			assert.Equal(t, 1, mux.requests(), "a body that arrived whole is not retried")
		})
	}
}
