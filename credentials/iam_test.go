package credentials

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hwcloud-go/workspace"
	"github.com/hwcloud-go/workspace/workspacetest"
)

// The names of API.md's "Package credentials", pinned.
var (
	_ func(IAMConfig) (*IAMTokenSource, error)        = NewIAMTokenSource
	_ func(IDTokenConfig) (*IDTokenSource, error)     = NewIDTokenSource
	_ func(MetadataConfig) (*MetadataProvider, error) = NewMetadataProvider
	_ workspace.TokenSource                           = (*IAMTokenSource)(nil)
	_ workspace.TokenInvalidator                      = (*IAMTokenSource)(nil)
	_ workspace.TokenSource                           = (*IDTokenSource)(nil)
	_ workspace.TokenInvalidator                      = (*IDTokenSource)(nil)
	_ workspace.CredentialsProvider                   = (*MetadataProvider)(nil)
	_ workspace.CredentialsInvalidator                = (*MetadataProvider)(nil)
	_                                                 = IAMConfig{Endpoint: "", Region: "", UserName: "", Password: workspace.Secret{}, DomainName: "", ProjectID: "", HTTPClient: nil}
	_                                                 = IDTokenConfig{IdPID: "", TokenFile: "", ProjectID: "", Region: "", Endpoint: "", HTTPClient: nil}
	_                                                 = MetadataConfig{Endpoint: "", HTTPClient: nil, SessionTokenTTL: 0}
)

const (
	testProjectID = "0bec5db98280d2d02fd6c00c2de791ce"
	testUser      = "alice"
	testPassword  = "pw-S3cret-never-shown"
	testDomain    = "acme"
	statsPath     = "/v2/" + testProjectID + "/desktop-pools/pool-1/inconsistent-statics"
)

// fakeIAM is a loopback fake of IAM's POST /v3/auth/tokens. It issues
// tokens "tok-1", "tok-2", ... valid for life from its clock's now.
type fakeIAM struct {
	t     *testing.T
	srv   *httptest.Server
	clock *fakeClock

	mu      sync.Mutex
	count   int
	life    time.Duration
	status  int    // non-zero: answer this with body instead of a token
	body    string // the error body
	release chan struct{}
	bodies  [][]byte
}

func newFakeIAM(t *testing.T, clock *fakeClock) *fakeIAM {
	t.Helper()
	f := &fakeIAM{t: t, clock: clock, life: 24 * time.Hour}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeIAM) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	assert.Equal(f.t, http.MethodPost, r.Method)
	assert.Equal(f.t, "/v3/auth/tokens", r.URL.Path)
	assert.Equal(f.t, "", r.URL.RawQuery)
	assert.Equal(f.t, "application/json", r.Header.Get("Content-Type"))
	assert.Empty(f.t, r.Header.Get("X-Auth-Token"))

	f.mu.Lock()
	f.count++
	n := f.count
	f.bodies = append(f.bodies, body)
	release, status, errBody, life := f.release, f.status, f.body, f.life
	f.mu.Unlock()

	if release != nil {
		select {
		case <-release:
		case <-r.Context().Done():
			return
		}
	}
	if status != 0 {
		w.Header().Set("X-Request-Id", "iam-req-1")
		w.WriteHeader(status)
		_, _ = io.WriteString(w, errBody)
		return
	}
	now := f.clock.Now()
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Subject-Token", fmt.Sprintf("tok-%d", n))
	w.WriteHeader(http.StatusCreated)
	_, _ = fmt.Fprintf(w, `{"token": {"methods": ["password"], "issued_at": %q, "expires_at": %q, "user": {"name": %q}}}`,
		now.Format(time.RFC3339Nano), now.Add(life).Format("2006-01-02T15:04:05.000000Z"), testUser)
}

func (f *fakeIAM) requests() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.count
}

func (f *fakeIAM) requestBodies() [][]byte {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([][]byte(nil), f.bodies...)
}

func (f *fakeIAM) fail(status int, body string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.status, f.body = status, body
}

func (f *fakeIAM) setRelease(ch chan struct{}) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.release = ch
}

// iamConfig is a valid configuration for fake.
func iamConfig(fake *fakeIAM) IAMConfig {
	return IAMConfig{
		Endpoint:   fake.srv.URL,
		UserName:   testUser,
		Password:   workspace.NewSecret(testPassword),
		DomainName: testDomain,
		ProjectID:  testProjectID,
		HTTPClient: fake.srv.Client(),
	}
}

// newIAMSource returns a source for fake on fake's clock.
func newIAMSource(t *testing.T, fake *fakeIAM, edit func(*IAMConfig)) *IAMTokenSource {
	t.Helper()
	cfg := iamConfig(fake)
	if edit != nil {
		edit(&cfg)
	}
	src, err := NewIAMTokenSource(cfg)
	require.NoError(t, err)
	src.st().cache.now = fake.clock.Now
	return src
}

// fakeWorkspace is a loopback fake of one Workspace operation (GET
// statsPath) that accepts the tokens in ok and answers 401 to any other.
// It records every token it was sent.
type fakeWorkspace struct {
	srv   *httptest.Server
	mu    sync.Mutex
	count int
	seen  []string
}

func newFakeWorkspace(t *testing.T, ok ...string) *fakeWorkspace {
	t.Helper()
	f := &fakeWorkspace{}
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		assert.Equal(t, http.MethodGet, r.Method)
		assert.Equal(t, statsPath, r.URL.EscapedPath())
		tok := r.Header.Get("X-Auth-Token")
		f.mu.Lock()
		f.count++
		f.seen = append(f.seen, tok)
		f.mu.Unlock()
		w.Header().Set("X-Request-Id", "ws-req")
		for _, good := range ok {
			if tok == good {
				_, _ = io.WriteString(w, `{"product_id": 1, "image_id": 2, "disk_num": 3, "disk_size": 4}`)
				return
			}
		}
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = io.WriteString(w, `{"error_code": "APIGW.0301", "error_msg": "Incorrect IAM authentication information: token expired"}`)
	}))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeWorkspace) requests() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.count
}

func (f *fakeWorkspace) tokens() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.seen...)
}

// clientAt is a client of the server at url with three attempts and
// millisecond waits; opts bring the credentials.
func clientAt(t *testing.T, url string, opts ...workspace.Option) *workspace.Client {
	t.Helper()
	retries := workspace.RetryPolicy{MaxAttempts: 3, BaseDelay: time.Millisecond, MaxDelay: 5 * time.Millisecond}
	all := append([]workspace.Option{workspace.WithEndpoint(url), workspace.WithProjectID(testProjectID), workspace.WithRetryPolicy(retries)}, opts...)
	c, err := workspace.NewClient(all...)
	require.NoError(t, err)
	return c
}

func TestIAMTokenSourceRequest(t *testing.T) {
	t.Parallel()
	fake := newFakeIAM(t, newFakeClock())
	src := newIAMSource(t, fake, nil)

	tok, err := src.Token(context.Background())
	require.NoError(t, err)
	assert.Equal(t, "tok-1", tok)
	bodies := fake.requestBodies()
	require.Len(t, bodies, 1)
	assert.JSONEq(t, `{"auth": {
		"identity": {"methods": ["password"], "password": {"user": {"name": "alice", "password": "pw-S3cret-never-shown", "domain": {"name": "acme"}}}},
		"scope": {"project": {"id": "0bec5db98280d2d02fd6c00c2de791ce"}}}}`, string(bodies[0]))

	tok, err = src.Token(context.Background())
	require.NoError(t, err)
	assert.Equal(t, "tok-1", tok, "cached")
	assert.Equal(t, 1, fake.requests())
}

func TestIAMTokenSourceEndpointPrefix(t *testing.T) {
	t.Parallel()
	var path atomic.Value
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		path.Store(r.URL.Path)
		w.Header().Set("X-Subject-Token", "tok-p")
		w.WriteHeader(http.StatusOK) // 200 is accepted as well as 201
		_, _ = fmt.Fprintf(w, `{"token": {"expires_at": %q}}`, time.Now().Add(time.Hour).UTC().Format(time.RFC3339))
	}))
	t.Cleanup(srv.Close)
	src, err := NewIAMTokenSource(IAMConfig{Endpoint: srv.URL + "/iam/", UserName: testUser, Password: workspace.NewSecret(testPassword), DomainName: testDomain, ProjectID: testProjectID})
	require.NoError(t, err)
	tok, err := src.Token(context.Background())
	require.NoError(t, err)
	assert.Equal(t, "tok-p", tok)
	assert.Equal(t, "/iam/v3/auth/tokens", path.Load())
}

func TestIAMTokenSourceOneFetchForConcurrentFirstCalls(t *testing.T) {
	t.Parallel()
	fake := newFakeIAM(t, newFakeClock())
	release := make(chan struct{})
	fake.setRelease(release)
	src := newIAMSource(t, fake, nil)

	const n = 100
	var started, done sync.WaitGroup
	tokens := make([]string, n)
	errs := make([]error, n)
	started.Add(n)
	done.Add(n)
	for i := range n {
		go func() {
			defer done.Done()
			started.Done()
			tokens[i], errs[i] = src.Token(context.Background())
		}()
	}
	started.Wait()
	time.Sleep(20 * time.Millisecond) // let them reach the in-flight fetch
	close(release)
	done.Wait()

	for i := range n {
		require.NoError(t, errs[i])
		assert.Equal(t, "tok-1", tokens[i])
	}
	assert.Equal(t, 1, fake.requests(), "IAM requests for 100 concurrent first calls")
}

func TestIAMTokenSourceRefreshAheadOfExpiry(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name          string
		refreshBefore time.Duration
		life          time.Duration
		stillCached   time.Duration // elapsed time at which tok-1 is still used
		refreshed     time.Duration // elapsed time at which tok-2 is fetched
	}{
		{"24h token: a tenth of its life", 0, 24 * time.Hour, 21*time.Hour + 35*time.Minute, 21*time.Hour + 37*time.Minute},
		{"2h token: 30 minutes", 0, 2 * time.Hour, 89 * time.Minute, 91 * time.Minute},
		{"40m token: half its life", 0, 40 * time.Minute, 19 * time.Minute, 21 * time.Minute},
		{"RefreshBefore 5h", 5 * time.Hour, 24 * time.Hour, 18*time.Hour + 59*time.Minute, 19*time.Hour + time.Minute},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			clock := newFakeClock()
			fake := newFakeIAM(t, clock)
			fake.life = tt.life
			src := newIAMSource(t, fake, func(c *IAMConfig) { c.RefreshBefore = tt.refreshBefore })
			ctx := context.Background()

			tok, err := src.Token(ctx)
			require.NoError(t, err)
			require.Equal(t, "tok-1", tok)

			clock.Advance(tt.stillCached)
			tok, err = src.Token(ctx)
			require.NoError(t, err)
			assert.Equal(t, "tok-1", tok)
			assert.Equal(t, 1, fake.requests())

			clock.Advance(tt.refreshed - tt.stillCached)
			tok, err = src.Token(ctx)
			require.NoError(t, err)
			assert.Equal(t, "tok-2", tok, "refreshed before expiry")
			assert.Equal(t, 2, fake.requests())
		})
	}
}

func TestIAMTokenSourceKeepsOldTokenWhileIAMDown(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	fake := newFakeIAM(t, clock)
	src := newIAMSource(t, fake, nil)
	ctx := context.Background()

	tok, err := src.Token(ctx)
	require.NoError(t, err)
	require.Equal(t, "tok-1", tok)

	fake.fail(http.StatusInternalServerError, `{"error_code": "IAM.0001", "error_msg": "internal"}`)
	clock.Advance(22 * time.Hour) // due for refresh, still valid
	tok, err = src.Token(ctx)
	require.NoError(t, err)
	assert.Equal(t, "tok-1", tok, "the old token while IAM is down")
	assert.Equal(t, 2, fake.requests())

	tok, err = src.Token(ctx)
	require.NoError(t, err)
	assert.Equal(t, "tok-1", tok)
	assert.Equal(t, 2, fake.requests(), "no new try right after a failure")

	clock.Advance(credRetryAfterFailure + time.Second)
	tok, err = src.Token(ctx)
	require.NoError(t, err)
	assert.Equal(t, "tok-1", tok)
	assert.Equal(t, 3, fake.requests(), "tried again after the back-off")

	fake.fail(0, "")
	clock.Advance(credRetryAfterFailure + time.Second)
	tok, err = src.Token(ctx)
	require.NoError(t, err)
	assert.Equal(t, "tok-4", tok, "IAM back: a fresh token")

	// With IAM down and the token expired, the error is IAM's.
	fake.fail(http.StatusServiceUnavailable, "")
	clock.Advance(25 * time.Hour)
	_, err = src.Token(ctx)
	var apiErr *workspace.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, http.StatusServiceUnavailable, apiErr.StatusCode)
	assert.ErrorIs(t, err, workspace.ErrServer)
}

func TestIAMTokenSourceIAMErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		status   int
		body     string
		wantCode string
		wantMsg  string
		sentinel error
	}{
		{"401 Keystone body", 401, `{"error": {"code": 401, "title": "Unauthorized", "message": "The username or password is wrong."}}`,
			"401", "The username or password is wrong.", workspace.ErrUnauthorized},
		{"401 API body", 401, `{"error_code": "IAM.0005", "error_msg": "The account is locked."}`,
			"IAM.0005", "The account is locked.", workspace.ErrUnauthorized},
		{"403 title only", 403, `{"error": {"code": "403", "title": "Forbidden"}}`, "403", "Forbidden", workspace.ErrForbidden},
		{"500 HTML", 500, `<html><body>Bad gateway</body></html>`, "", "unexpected error body: <html><body>Bad gateway</body></html>", workspace.ErrServer},
		{"400 empty", 400, ``, "", "", workspace.ErrBadRequest},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			fake := newFakeIAM(t, newFakeClock())
			fake.fail(tt.status, tt.body)
			src := newIAMSource(t, fake, nil)

			_, err := src.Token(context.Background())
			var apiErr *workspace.APIError
			require.ErrorAs(t, err, &apiErr)
			assert.Equal(t, tt.status, apiErr.StatusCode)
			assert.Equal(t, tt.wantCode, apiErr.Code)
			assert.Equal(t, tt.wantMsg, apiErr.Message)
			assert.Equal(t, "POST", apiErr.Method)
			assert.Equal(t, "/v3/auth/tokens", apiErr.Path)
			assert.Equal(t, "iam-req-1", apiErr.RequestID)
			assert.ErrorIs(t, err, tt.sentinel)
			assertNoSecret(t, err.Error(), testPassword)
			assertNoSecret(t, fmt.Sprintf("%v %+v %#v", err, apiErr, apiErr), testPassword)
		})
	}
}

func TestIAMTokenSourceBadAnswers(t *testing.T) {
	t.Parallel()
	future := time.Now().Add(time.Hour).UTC().Format(time.RFC3339)
	tests := []struct {
		name    string
		token   string
		status  int
		body    string
		wantErr string
	}{
		{"no token header", "", 201, `{"token": {"expires_at": "` + future + `"}}`, "no X-Subject-Token header"},
		{"no expiry", "tok", 201, `{"token": {}}`, "no token.expires_at"},
		{"bad expiry", "tok", 201, `{"token": {"expires_at": "tomorrow"}}`, `token.expires_at "tomorrow" is not an RFC 3339 time`},
		{"not JSON", "tok", 201, `<html>`, "body:"},
		{"already expired", "tok", 201, `{"token": {"expires_at": "2001-01-01T00:00:00Z"}}`, "expire at 2001-01-01T00:00:00Z, which is past"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if tt.token != "" {
					w.Header().Set("X-Subject-Token", tt.token)
				}
				w.WriteHeader(tt.status)
				_, _ = io.WriteString(w, tt.body)
			}))
			t.Cleanup(srv.Close)
			src, err := NewIAMTokenSource(IAMConfig{Endpoint: srv.URL, UserName: testUser, Password: workspace.NewSecret(testPassword), DomainName: testDomain, ProjectID: testProjectID})
			require.NoError(t, err)
			_, err = src.Token(context.Background())
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.wantErr)
			assertNoSecret(t, err.Error(), testPassword, "tok-")
		})
	}
}

func TestIAMTokenSourceFollowsNoRedirect(t *testing.T) {
	t.Parallel()
	var elsewhere atomic.Int32
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		elsewhere.Add(1)
	}))
	t.Cleanup(other.Close)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, other.URL+"/v3/auth/tokens", http.StatusTemporaryRedirect)
	}))
	t.Cleanup(srv.Close)
	// A client whose own policy follows redirects: the source overrides it.
	hc := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return nil }}
	src, err := NewIAMTokenSource(IAMConfig{Endpoint: srv.URL, UserName: testUser, Password: workspace.NewSecret(testPassword), DomainName: testDomain, ProjectID: testProjectID, HTTPClient: hc})
	require.NoError(t, err)

	_, err = src.Token(context.Background())
	var apiErr *workspace.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, http.StatusTemporaryRedirect, apiErr.StatusCode)
	assert.Zero(t, elsewhere.Load(), "the password went to another host")
}

func TestIAMTokenSourceWaiterContext(t *testing.T) {
	t.Parallel()
	fake := newFakeIAM(t, newFakeClock())
	release := make(chan struct{})
	fake.setRelease(release)
	src := newIAMSource(t, fake, nil)

	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := src.Token(ctx)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Less(t, time.Since(start), 2*time.Second)

	// The fetch went on without the waiter and serves the next caller.
	close(release)
	tok, err := src.Token(context.Background())
	require.NoError(t, err)
	assert.Equal(t, "tok-1", tok)
	assert.Equal(t, 1, fake.requests())

	var nilCtx context.Context
	_, err = src.Token(nilCtx)
	var ve *workspace.ValidationError
	assert.ErrorAs(t, err, &ve)
}

func TestIAMTokenSourceInvalidate(t *testing.T) {
	t.Parallel()
	fake := newFakeIAM(t, newFakeClock())
	src := newIAMSource(t, fake, nil)
	ctx := context.Background()

	tok, err := src.Token(ctx)
	require.NoError(t, err)
	require.Equal(t, "tok-1", tok)

	src.Invalidate("some-other-token")
	tok, err = src.Token(ctx)
	require.NoError(t, err)
	assert.Equal(t, "tok-1", tok, "another token does not drop the cached one")

	src.Invalidate("tok-1")
	src.Invalidate("tok-1")
	tok, err = src.Token(ctx)
	require.NoError(t, err)
	assert.Equal(t, "tok-2", tok)

	src.Invalidate("tok-1") // late: already replaced
	tok, err = src.Token(ctx)
	require.NoError(t, err)
	assert.Equal(t, "tok-2", tok)
	assert.Equal(t, 2, fake.requests())
}

func TestIAMTokenSourceClientRefreshesOnceAfter401(t *testing.T) {
	t.Parallel()
	t.Run("one call", func(t *testing.T) {
		t.Parallel()
		fake := newFakeIAM(t, newFakeClock())
		ws := newFakeWorkspace(t, "tok-2") // the first token is rejected
		c := clientAt(t, ws.srv.URL, workspace.WithTokenSource(newIAMSource(t, fake, nil)))

		stats, err := c.DesktopPools.GetInconsistentStatistics(context.Background(), "pool-1")
		require.NoError(t, err)
		assert.Equal(t, &workspace.InconsistentStatistics{ProductID: 1, ImageID: 2, DiskNum: 3, DiskSize: 4}, stats)
		assert.Equal(t, 2, fake.requests(), "one fetch, one refresh")
		assert.Equal(t, []string{"tok-1", "tok-2"}, ws.tokens(), "one retry with the fresh token")
	})
	t.Run("gives up after one refresh", func(t *testing.T) {
		t.Parallel()
		fake := newFakeIAM(t, newFakeClock())
		ws := newFakeWorkspace(t) // rejects every token
		c := clientAt(t, ws.srv.URL, workspace.WithTokenSource(newIAMSource(t, fake, nil)))

		_, err := c.DesktopPools.GetInconsistentStatistics(context.Background(), "pool-1")
		var apiErr *workspace.APIError
		require.ErrorAs(t, err, &apiErr)
		assert.Equal(t, http.StatusUnauthorized, apiErr.StatusCode)
		assert.Equal(t, "APIGW.0301", apiErr.Code)
		assert.Equal(t, 2, fake.requests())
		assert.Equal(t, []string{"tok-1", "tok-2"}, ws.tokens())
		assertNoSecret(t, err.Error(), testPassword, "tok-1", "tok-2")
	})
	t.Run("concurrent 401s cause one refresh", func(t *testing.T) {
		t.Parallel()
		fake := newFakeIAM(t, newFakeClock())
		ws := newFakeWorkspace(t, "tok-2")
		src := newIAMSource(t, fake, nil)
		c := clientAt(t, ws.srv.URL, workspace.WithTokenSource(src))
		_, err := src.Token(context.Background()) // every call starts with tok-1
		require.NoError(t, err)

		const n = 20
		for _, err := range callsAtOnce(c, n) {
			assert.NoError(t, err)
		}
		assert.Equal(t, 2, fake.requests(), "one refresh for all the 401s")
		assert.LessOrEqual(t, ws.requests(), 2*n)
	})
	t.Run("IAM rejects the password", func(t *testing.T) {
		t.Parallel()
		fake := newFakeIAM(t, newFakeClock())
		fake.fail(http.StatusUnauthorized, `{"error": {"code": 401, "title": "Unauthorized", "message": "The username or password is wrong."}}`)
		ws := newFakeWorkspace(t, "tok-1")
		c := clientAt(t, ws.srv.URL, workspace.WithTokenSource(newIAMSource(t, fake, nil)))

		_, err := c.DesktopPools.GetInconsistentStatistics(context.Background(), "pool-1")
		var apiErr *workspace.APIError
		require.ErrorAs(t, err, &apiErr)
		assert.Equal(t, "/v3/auth/tokens", apiErr.Path)
		assert.Contains(t, err.Error(), "getting credentials: workspace: POST /v3/auth/tokens: 401 Unauthorized: 401: The username or password is wrong.")
		assert.Zero(t, ws.requests(), "nothing sent without a token")
		assert.Equal(t, 1, fake.requests(), "a credentials failure is not retried")
	})
}

func TestNewIAMTokenSourceChecksConfig(t *testing.T) {
	t.Parallel()
	good := IAMConfig{Region: "ap-southeast-3", UserName: testUser, Password: workspace.NewSecret(testPassword), DomainName: testDomain, ProjectID: testProjectID}
	tests := []struct {
		name      string
		edit      func(*IAMConfig)
		wantField string
	}{
		{"no user", func(c *IAMConfig) { c.UserName = "" }, "cfg.UserName"},
		{"no password", func(c *IAMConfig) { c.Password = workspace.NewSecret(" ") }, "cfg.Password"},
		{"no domain", func(c *IAMConfig) { c.DomainName = "" }, "cfg.DomainName"},
		{"no project", func(c *IAMConfig) { c.ProjectID = "" }, "cfg.ProjectID"},
		{"no region or endpoint", func(c *IAMConfig) { c.Region = "" }, "cfg.Region"},
		{"bad region", func(c *IAMConfig) { c.Region = "AP South/3" }, "cfg.Region"},
		{"bad endpoint", func(c *IAMConfig) { c.Endpoint = "ftp://iam.example.com" }, "cfg.Endpoint"},
		{"plain http to a remote host", func(c *IAMConfig) { c.Endpoint = "http://iam.example.com" }, "cfg.Endpoint"},
		{"negative RefreshBefore", func(c *IAMConfig) { c.RefreshBefore = -time.Second }, "cfg.RefreshBefore"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cfg := good
			tt.edit(&cfg)
			_, err := NewIAMTokenSource(cfg)
			var ce *workspace.ConfigError
			require.ErrorAs(t, err, &ce, "every constructor error is a *ConfigError")
			var ve *workspace.ValidationError
			require.ErrorAs(t, err, &ve, "wrapping the *ValidationError")
			assert.Equal(t, tt.wantField, ve.Field)
			assertNoSecret(t, err.Error(), testPassword)
		})
	}

	src, err := NewIAMTokenSource(good)
	require.NoError(t, err)
	assert.Equal(t, "https://iam.ap-southeast-3.myhuaweicloud.com/v3/auth/tokens", src.st().url, "default endpoint from the region")
	for _, ep := range []string{"http://127.0.0.1:9", "http://localhost:9", "http://[::1]:9", "https://iam.example.com/prefix"} {
		cfg := good
		cfg.Endpoint = ep
		_, err := NewIAMTokenSource(cfg)
		assert.NoError(t, err, ep)
	}
}

func TestIAMSecretsNeverShown(t *testing.T) {
	t.Parallel()
	fake := newFakeIAM(t, newFakeClock())
	cfg := iamConfig(fake)
	src := newIAMSource(t, fake, nil)
	tok, err := src.Token(context.Background())
	require.NoError(t, err)
	require.Equal(t, "tok-1", tok)

	for _, v := range []any{cfg, &cfg, src, *src, struct{ Config IAMConfig }{cfg}} {
		for _, verb := range []string{"%v", "%+v", "%#v", "%s"} {
			out := fmt.Sprintf(verb, v)
			assertNoSecret(t, out, testPassword, "tok-1")
		}
	}
	assert.Contains(t, cfg.String(), "Password: REDACTED")
	assert.Contains(t, src.String(), "user: alice")
}

func TestIAMSecretsAbsentFromLogs(t *testing.T) {
	t.Parallel()
	var buf logBuffer
	logger := slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	clock := newFakeClock()
	fake := newFakeIAM(t, clock)
	ws := newFakeWorkspace(t, "tok-2")
	src := newIAMSource(t, fake, nil)
	c := clientAt(t, ws.srv.URL, workspace.WithTokenSource(src), workspace.WithLogger(logger))
	ctx := context.Background()

	var errs []error
	_, err := c.DesktopPools.GetInconsistentStatistics(ctx, "pool-1") // 401, refresh, 200
	require.NoError(t, err)
	fake.fail(http.StatusUnauthorized, `{"error": {"code": 401, "message": "The username or password is wrong."}}`)
	clock.Advance(30 * time.Hour) // tok-2 expired; IAM refuses
	_, err = c.DesktopPools.GetInconsistentStatistics(ctx, "pool-1")
	require.Error(t, err)
	errs = append(errs, err)
	fake.fail(0, "")
	ws2 := newFakeWorkspace(t) // rejects all
	c2 := clientAt(t, ws2.srv.URL, workspace.WithTokenSource(src), workspace.WithLogger(logger))
	_, err = c2.DesktopPools.GetInconsistentStatistics(ctx, "pool-1")
	require.Error(t, err)
	errs = append(errs, err)

	logs := buf.String()
	require.Contains(t, logs, "workspace: attempt", "the logger saw the attempts")
	seen := append([]string{testPassword}, ws.tokens()...)
	seen = append(seen, ws2.tokens()...)
	assertNoSecret(t, logs, seen...)
	for _, err := range errs {
		assertNoSecret(t, fmt.Sprintf("%v %+v %#v", err, err, err), seen...)
	}
	assertNoSecret(t, fmt.Sprintf("%v %#v", c, c), seen...)
}

func TestIAMTokenSourceSlowRefreshServesOldToken(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	fake := newFakeIAM(t, clock)
	src := newIAMSource(t, fake, nil)
	src.st().cache.grace = 20 * time.Millisecond
	tok, err := src.Token(context.Background())
	require.NoError(t, err)
	require.Equal(t, "tok-1", tok)

	release := make(chan struct{})
	fake.setRelease(release) // IAM hangs
	clock.Advance(22 * time.Hour)
	for range 3 {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		tok, err = src.Token(ctx)
		cancel()
		require.NoError(t, err, "a valid token must not wait for a hanging IAM")
		assert.Equal(t, "tok-1", tok)
	}
	assert.Equal(t, 2, fake.requests(), "one refresh in flight")

	close(release)
	assert.Eventually(t, func() bool {
		tok, err := src.Token(context.Background())
		return err == nil && tok == "tok-2"
	}, 2*time.Second, 5*time.Millisecond)
	assert.Equal(t, 2, fake.requests())
}

// The password flow against workspacetest's IAM fake: the token it issues
// is accepted by the API fake; a wrong password is IAM's 401, without the
// password in the error.
func TestIAMTokenSourceAgainstTheFake(t *testing.T) {
	t.Parallel()
	srv := workspacetest.NewServer()
	t.Cleanup(srv.Close)
	ts, err := NewIAMTokenSource(IAMConfig{
		Endpoint: srv.IAMURL(), UserName: srv.UserName, Password: workspace.NewSecret(srv.Password), DomainName: srv.DomainName, ProjectID: srv.ProjectID,
	})
	require.NoError(t, err)
	_, err = srv.Client(workspace.WithTokenSource(ts)).Snapshots.List(context.Background(), nil)
	require.NoError(t, err)
	require.Len(t, srv.RequestsFor(workspacetest.OpIAMPasswordToken), 1)

	bad, err := NewIAMTokenSource(IAMConfig{
		Endpoint: srv.IAMURL(), UserName: srv.UserName, Password: workspace.NewSecret("wrong-password"), DomainName: srv.DomainName, ProjectID: srv.ProjectID,
	})
	require.NoError(t, err)
	_, err = bad.Token(context.Background())
	assert.ErrorIs(t, err, workspace.ErrUnauthorized)
	assert.NotContains(t, err.Error(), "wrong-password")
}

// IAM echoing the request (the password in the body) into its error, in
// the API's form or Keystone's: the password, whatever characters it
// holds, is not in the error text.
func TestIAMTokenSourceRedactsEchoedPassword(t *testing.T) {
	t.Parallel()
	const password = `pa"ss\word?#&<1>`
	for _, keystone := range []bool{false, true} {
		t.Run(map[bool]string{false: "api form", true: "keystone form"}[keystone], func(t *testing.T) {
			t.Parallel()
			srv := echoServer(t, http.StatusUnauthorized, keystone)
			src, err := NewIAMTokenSource(IAMConfig{Endpoint: srv.URL, UserName: "u", Password: workspace.NewSecret(password), DomainName: "d", ProjectID: "p"})
			require.NoError(t, err)
			_, err = src.Token(context.Background())
			require.Error(t, err)
			assertEchoRedacted(t, err, password)
		})
	}
}

// A 2xx from IAM that echoes the password where the SDK quotes the answer
// in a *workspace.DecodeError (token.expires_at, X-Request-Id): the error
// text has it replaced.
func TestIAMTokenSourceSuccessBodyEchoRedacted(t *testing.T) {
	t.Parallel()
	for _, where := range []string{"expires_at", "X-Request-Id"} {
		t.Run(where, func(t *testing.T) {
			t.Parallel()
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				var in struct {
					Auth struct {
						Identity struct {
							Password struct {
								User struct {
									Password string `json:"password"`
								} `json:"user"`
							} `json:"password"`
						} `json:"identity"`
					} `json:"auth"`
				}
				_ = json.NewDecoder(r.Body).Decode(&in)
				pw := in.Auth.Identity.Password.User.Password
				w.Header().Set("X-Subject-Token", "tok-from-iam")
				w.Header().Set("Content-Type", "application/json")
				if where == "X-Request-Id" {
					w.Header().Set("X-Request-Id", pw)
					w.WriteHeader(http.StatusCreated)
					_, _ = io.WriteString(w, `{"token": `) // cut JSON, arrived whole
					return
				}
				w.WriteHeader(http.StatusCreated)
				_, _ = fmt.Fprintf(w, `{"token": {"expires_at": %q}}`, pw)
			}))
			t.Cleanup(srv.Close)
			src, err := NewIAMTokenSource(IAMConfig{Endpoint: srv.URL, UserName: testUser, Password: workspace.NewSecret(testPassword), DomainName: testDomain, ProjectID: testProjectID})
			require.NoError(t, err)
			_, err = src.Token(context.Background())
			var de *workspace.DecodeError
			require.ErrorAs(t, err, &de)
			assert.NotContains(t, fmt.Sprintf("%v %+v %#v", err, err, err), testPassword, "the IAM password is in the error text")
		})
	}
}
