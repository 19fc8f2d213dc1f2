package credentials

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hwcloud-go/workspace"
	"github.com/hwcloud-go/workspace/internal/signer"
	"github.com/hwcloud-go/workspace/workspacetest"
)

// fakeMetadata is a loopback fake of the ECS metadata service's security
// key. It hands out "AK-n", "SK-n-secret", "ST-n-token", valid for life
// from its clock's now.
type fakeMetadata struct {
	t     *testing.T
	srv   *httptest.Server
	clock *fakeClock

	mu      sync.Mutex
	count   int
	life    time.Duration
	status  int    // non-zero: answer this with body
	body    string // the answer's body when status is set
	release chan struct{}
	issued  map[string][2]string // AK -> SK, security token
}

func newFakeMetadata(t *testing.T, clock *fakeClock) *fakeMetadata {
	t.Helper()
	f := &fakeMetadata{t: t, clock: clock, life: time.Hour, issued: map[string][2]string{}}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeMetadata) serve(w http.ResponseWriter, r *http.Request) {
	if r.URL.EscapedPath() == "/meta-data/latest/api/token" {
		// An older metadata service without session tokens: the provider
		// reads without one (internal/credcall's metadata_test.go covers tokens).
		assert.Equal(f.t, http.MethodPut, r.Method)
		w.WriteHeader(http.StatusNotFound)
		return
	}
	assert.Equal(f.t, http.MethodGet, r.Method)
	assert.Equal(f.t, "/openstack/latest/securitykey", r.URL.EscapedPath())
	assert.Equal(f.t, "", r.URL.RawQuery)
	assert.Empty(f.t, r.Header.Get("Authorization"))
	assert.Empty(f.t, r.Header.Get("X-Auth-Token"))

	f.mu.Lock()
	f.count++
	n := f.count
	release, status, body, life := f.release, f.status, f.body, f.life
	ak, sk, st := fmt.Sprintf("AK-%d", n), fmt.Sprintf("SK-%d-secret", n), fmt.Sprintf("ST-%d-token", n)
	if status == 0 {
		f.issued[ak] = [2]string{sk, st}
	}
	f.mu.Unlock()

	if release != nil {
		select {
		case <-release:
		case <-r.Context().Done():
			return
		}
	}
	if status != 0 {
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
		return
	}
	exp := f.clock.Now().Add(life).Format("2006-01-02T15:04:05.000000Z")
	_, _ = fmt.Fprintf(w, `{"credential": {"access": %q, "secret": %q, "securitytoken": %q, "expires_at": %q}}`, ak, sk, st, exp)
}

func (f *fakeMetadata) requests() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.count
}

func (f *fakeMetadata) fail(status int, body string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.status, f.body = status, body
}

func (f *fakeMetadata) secrets() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for _, v := range f.issued {
		out = append(out, v[0], v[1])
	}
	return out
}

func (f *fakeMetadata) keys(ak string) (sk, st string, ok bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	v, ok := f.issued[ak]
	return v[0], v[1], ok
}

func newMetadataProvider(t *testing.T, fake *fakeMetadata, edit func(*MetadataConfig)) *MetadataProvider {
	t.Helper()
	cfg := MetadataConfig{Endpoint: fake.srv.URL, HTTPClient: fake.srv.Client()}
	if edit != nil {
		edit(&cfg)
	}
	p, err := NewMetadataProvider(cfg)
	require.NoError(t, err)
	p.st().cache.now = fake.clock.Now
	return p
}

// signedServer is a loopback fake of one Workspace operation (GET
// statsPath) that verifies the AK/SK signature of each request with the
// keys meta handed out, and answers 401 to a signature it cannot verify.
type signedServer struct {
	srv        *httptest.Server
	mu         sync.Mutex
	aks        []string
	signatures []string
	refuse     map[string]bool // access keys answered 401 although signed right
}

func newSignedServer(t *testing.T, meta *fakeMetadata) *signedServer {
	t.Helper()
	f := &signedServer{refuse: map[string]bool{}}
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		assert.Equal(t, statsPath, r.URL.EscapedPath())
		assert.Equal(t, testProjectID, r.Header.Get("X-Project-Id"))
		ak, sig, ok := verifyMetadataSignature(t, r, body, meta)
		f.mu.Lock()
		f.aks = append(f.aks, ak)
		f.signatures = append(f.signatures, sig)
		ok = ok && !f.refuse[ak]
		f.mu.Unlock()
		if !ok {
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = io.WriteString(w, `{"error_code": "APIGW.0301", "error_msg": "Incorrect IAM authentication information: verify aksk signature fail"}`)
			return
		}
		_, _ = io.WriteString(w, `{"product_id": 1, "image_id": 2, "disk_num": 3, "disk_size": 4}`)
	}))
	t.Cleanup(f.srv.Close)
	return f
}

// refuseKey makes the server answer 401 to requests signed with ak, as
// the API does for keys revoked before their expiry.
func (f *signedServer) refuseKey(ak string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.refuse[ak] = true
}

func (f *signedServer) keys() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.aks...)
}

func (f *signedServer) sigs() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.signatures...)
}

// verifyMetadataSignature checks r's Authorization header as the gateway would: the
// access key is one meta issued, the signature is computed with its secret
// key over the signed headers, and the security token is the one issued
// with it, and signed.
func verifyMetadataSignature(t *testing.T, r *http.Request, body []byte, meta *fakeMetadata) (ak, sig string, ok bool) {
	t.Helper()
	auth := r.Header.Get("Authorization")
	rest, found := strings.CutPrefix(auth, signer.Algorithm+" ")
	if !assert.True(t, found, "Authorization %q", auth) {
		return "", "", false
	}
	parts := map[string]string{}
	for _, kv := range strings.Split(rest, ", ") {
		k, v, _ := strings.Cut(kv, "=")
		parts[k] = v
	}
	ak, sig = parts["Access"], parts["Signature"]
	sk, st, known := meta.keys(ak)
	if !assert.True(t, known, "unknown access key %q", ak) {
		return ak, sig, false
	}
	names := strings.Split(parts["SignedHeaders"], ";")
	assert.Contains(t, names, "x-security-token")
	assert.Contains(t, names, "x-sdk-date")
	assert.Contains(t, names, "host")
	assert.Equal(t, st, r.Header.Get("X-Security-Token"), "the security token issued with the key")
	headers := map[string]string{}
	for _, n := range names {
		if n == "host" {
			headers[n] = r.Host
			continue
		}
		headers[n] = r.Header.Get(n)
	}
	req := signer.Request{Method: r.Method, Path: r.URL.EscapedPath(), Query: r.URL.Query(), Headers: headers, Body: body}
	want := signer.Signature(&req, names, sk)
	ok = assert.Equal(t, want, sig, "signature")
	return ak, sig, ok && st == r.Header.Get("X-Security-Token")
}

func TestMetadataProviderRequest(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	fake := newFakeMetadata(t, clock)
	p := newMetadataProvider(t, fake, nil)

	cred, err := p.Credentials(context.Background())
	require.NoError(t, err)
	// Secrets are compared with Reveal (reflect.DeepEqual cannot open them).
	assert.Equal(t, "AK-1", cred.AccessKey)
	assert.Equal(t, "SK-1-secret", cred.SecretKey.Reveal())
	assert.Equal(t, "ST-1-token", cred.SecurityToken.Reveal())
	assert.Equal(t, clock.Now().Add(time.Hour), cred.Expires)

	again, err := p.Credentials(context.Background())
	require.NoError(t, err)
	assert.Equal(t, cred, again, "cached")
	assert.Equal(t, 1, fake.requests())
}

func TestMetadataProviderRefreshesBeforeExpiry(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name          string
		refreshBefore time.Duration
		life          time.Duration
		stillCached   time.Duration
		refreshed     time.Duration
	}{
		{"default 10 minutes", 0, time.Hour, 49 * time.Minute, 51 * time.Minute},
		{"RefreshBefore 20 minutes", 20 * time.Minute, time.Hour, 39 * time.Minute, 41 * time.Minute},
		{"short life: half of it", 0, 10 * time.Minute, 4 * time.Minute, 6 * time.Minute},
		{"24 hours", 0, 24 * time.Hour, 23*time.Hour + 49*time.Minute, 23*time.Hour + 51*time.Minute},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			clock := newFakeClock()
			fake := newFakeMetadata(t, clock)
			fake.life = tt.life
			p := newMetadataProvider(t, fake, func(c *MetadataConfig) { c.RefreshBefore = tt.refreshBefore })
			ctx := context.Background()

			cred, err := p.Credentials(ctx)
			require.NoError(t, err)
			require.Equal(t, "AK-1", cred.AccessKey)

			clock.Advance(tt.stillCached)
			cred, err = p.Credentials(ctx)
			require.NoError(t, err)
			assert.Equal(t, "AK-1", cred.AccessKey)
			assert.Equal(t, 1, fake.requests())

			clock.Advance(tt.refreshed - tt.stillCached)
			cred, err = p.Credentials(ctx)
			require.NoError(t, err)
			assert.Equal(t, "AK-2", cred.AccessKey, "rotated before expiry")
			assert.Equal(t, "SK-2-secret", cred.SecretKey.Reveal())
			assert.Equal(t, "ST-2-token", cred.SecurityToken.Reveal())
			assert.Equal(t, 2, fake.requests())
		})
	}
}

func TestMetadataProviderSignedRequestsAcrossRotation(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	meta := newFakeMetadata(t, clock)
	ws := newSignedServer(t, meta)
	c := clientAt(t, ws.srv.URL, workspace.WithCredentialsProvider(newMetadataProvider(t, meta, nil)))
	ctx := context.Background()

	for range 2 {
		stats, err := c.DesktopPools.GetInconsistentStatistics(ctx, "pool-1")
		require.NoError(t, err)
		assert.Equal(t, 4, stats.DiskSize)
	}
	clock.Advance(55 * time.Minute) // within 10 minutes of expiry
	_, err := c.DesktopPools.GetInconsistentStatistics(ctx, "pool-1")
	require.NoError(t, err)

	assert.Equal(t, []string{"AK-1", "AK-1", "AK-2"}, ws.keys(), "signed with the rotated key")
	assert.Equal(t, 2, meta.requests())
}

func TestMetadataProviderOneReadForConcurrentCalls(t *testing.T) {
	t.Parallel()
	fake := newFakeMetadata(t, newFakeClock())
	release := make(chan struct{})
	fake.mu.Lock()
	fake.release = release
	fake.mu.Unlock()
	p := newMetadataProvider(t, fake, nil)

	const n = 100
	var started, done sync.WaitGroup
	started.Add(n)
	done.Add(n)
	aks := make([]string, n)
	errs := make([]error, n)
	for i := range n {
		go func() {
			defer done.Done()
			started.Done()
			cred, err := p.Credentials(context.Background())
			aks[i], errs[i] = cred.AccessKey, err
		}()
	}
	started.Wait()
	time.Sleep(20 * time.Millisecond)
	close(release)
	done.Wait()
	for i := range n {
		require.NoError(t, errs[i])
		assert.Equal(t, "AK-1", aks[i])
	}
	assert.Equal(t, 1, fake.requests())
}

func TestMetadataProviderKeepsOldWhileDown(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	fake := newFakeMetadata(t, clock)
	p := newMetadataProvider(t, fake, nil)
	ctx := context.Background()

	_, err := p.Credentials(ctx)
	require.NoError(t, err)
	fake.fail(http.StatusInternalServerError, "")
	clock.Advance(52 * time.Minute)
	cred, err := p.Credentials(ctx)
	require.NoError(t, err)
	assert.Equal(t, "AK-1", cred.AccessKey, "old credentials while the service is down")
	assert.Equal(t, 2, fake.requests())

	clock.Advance(10 * time.Minute) // expired
	_, err = p.Credentials(ctx)
	var apiErr *workspace.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, http.StatusInternalServerError, apiErr.StatusCode)
	assert.Equal(t, "GET", apiErr.Method)
	assert.Equal(t, "/openstack/latest/securitykey", apiErr.Path)
}

func TestMetadataProviderErrors(t *testing.T) {
	t.Parallel()
	future := time.Now().Add(time.Hour).UTC().Format(time.RFC3339)
	tests := []struct {
		name    string
		status  int
		body    string
		wantErr string
		api     bool
	}{
		{"404 no agency", 404, `{"error_code": "NotFound", "error_msg": "no agency bound"}`, "404 Not Found: NotFound: no agency bound", true},
		{"403 Keystone body", 403, `{"error": {"code": 403, "title": "Forbidden", "message": "no agency"}}`, "403 Forbidden: 403: no agency", true},
		{"not JSON", 200, `<html>`, "body:", false},
		{"no secret", 200, `{"credential": {"access": "AK", "securitytoken": "ST", "expires_at": "` + future + `"}}`, "no credential.secret", false},
		{"no keys", 200, `{}`, "no credential.access or credential.secret", false},
		{"no expiry", 200, `{"credential": {"access": "AK", "secret": "SK-x-secret"}}`, "no credential.expires_at", false},
		{"bad expiry", 200, `{"credential": {"access": "AK", "secret": "SK-x-secret", "expires_at": "soon"}}`, `credential.expires_at "soon" is not an RFC 3339 time`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(tt.status)
				_, _ = io.WriteString(w, tt.body)
			}))
			t.Cleanup(srv.Close)
			p, err := NewMetadataProvider(MetadataConfig{Endpoint: srv.URL})
			require.NoError(t, err)
			_, err = p.Credentials(context.Background())
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.wantErr)
			assertNoSecret(t, err.Error(), "SK-x-secret")
			var apiErr *workspace.APIError
			assert.Equal(t, tt.api, errors.As(err, &apiErr))

			// Through a client: nothing is sent without credentials.
			ws := newFakeWorkspace(t)
			c := clientAt(t, ws.srv.URL, workspace.WithCredentialsProvider(p))
			_, err = c.DesktopPools.GetInconsistentStatistics(context.Background(), "pool-1")
			assert.ErrorContains(t, err, "getting credentials")
			assert.Zero(t, ws.requests())
		})
	}
}

func TestNewMetadataProviderConfig(t *testing.T) {
	t.Parallel()
	// The default address is only looked at, never called.
	p, err := NewMetadataProvider(MetadataConfig{})
	require.NoError(t, err)
	assert.Equal(t, "http://169.254.169.254/openstack/latest/securitykey", p.st().url)
	assert.Equal(t, "credentials.MetadataProvider{url: http://169.254.169.254/openstack/latest/securitykey}", p.String())

	p, err = NewMetadataProvider(MetadataConfig{Endpoint: "http://127.0.0.1:8080/meta/"})
	require.NoError(t, err)
	assert.Equal(t, "http://127.0.0.1:8080/meta/openstack/latest/securitykey", p.st().url)

	for _, cfg := range []MetadataConfig{
		{Endpoint: "169.254.169.254"},
		{Endpoint: "http://user:pw@127.0.0.1"},
		{RefreshBefore: -time.Minute},
	} {
		_, err := NewMetadataProvider(cfg)
		var ce *workspace.ConfigError
		require.ErrorAs(t, err, &ce, "%+v", cfg)
		var ve *workspace.ValidationError
		require.ErrorAs(t, err, &ve, "%+v", cfg)
		assert.True(t, strings.HasPrefix(ve.Field, "cfg."), ve.Field)
		assert.NotContains(t, err.Error(), "pw")
	}

	var nilCtx context.Context
	_, err = p.Credentials(nilCtx)
	var ve *workspace.ValidationError
	assert.ErrorAs(t, err, &ve)
}

func TestMetadataSecretsNeverShown(t *testing.T) {
	t.Parallel()
	var buf logBuffer
	logger := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	clock := newFakeClock()
	meta := newFakeMetadata(t, clock)
	ws := newSignedServer(t, meta)
	p := newMetadataProvider(t, meta, nil)
	c := clientAt(t, ws.srv.URL, workspace.WithCredentialsProvider(p), workspace.WithLogger(logger))
	ctx := context.Background()

	_, err := c.DesktopPools.GetInconsistentStatistics(ctx, "pool-1")
	require.NoError(t, err)
	cred, err := p.Credentials(ctx)
	require.NoError(t, err)

	// A client whose server rejects every signature, and a failed read.
	wsBad := newFakeWorkspace(t)
	cBad := clientAt(t, wsBad.srv.URL, workspace.WithCredentialsProvider(p), workspace.WithLogger(logger))
	_, errRejected := cBad.DesktopPools.GetInconsistentStatistics(ctx, "pool-1")
	require.Error(t, errRejected)
	meta.fail(http.StatusForbidden, `{"error_code": "Forbidden", "error_msg": "denied"}`)
	clock.Advance(2 * time.Hour)
	_, errRead := c.DesktopPools.GetInconsistentStatistics(ctx, "pool-1")
	require.Error(t, errRead)

	signatures := ws.sigs()
	require.NotEmpty(t, signatures)
	secrets := append(meta.secrets(), signatures...)
	logs := buf.String()
	require.Contains(t, logs, "workspace: attempt")
	assertNoSecret(t, logs, secrets...)
	for _, v := range []any{p, *p, cred, &cred, c, errRejected, errRead} {
		for _, verb := range []string{"%v", "%+v", "%#v", "%s"} {
			assertNoSecret(t, fmt.Sprintf(verb, v), secrets...)
		}
	}
	assert.Contains(t, fmt.Sprint(cred), "AK-1")
}

// InvalidateCredentials drops the cached keys only when they are still
// those of the access key given: the next Credentials reads new ones, and
// a late or unrelated call drops nothing.
func TestMetadataProviderInvalidateCredentials(t *testing.T) {
	t.Parallel()
	fake := newFakeMetadata(t, newFakeClock())
	p := newMetadataProvider(t, fake, nil)
	ctx := context.Background()

	cred, err := p.Credentials(ctx)
	require.NoError(t, err)
	require.Equal(t, "AK-1", cred.AccessKey)

	p.InvalidateCredentials("AK-other")
	cred, err = p.Credentials(ctx)
	require.NoError(t, err)
	assert.Equal(t, "AK-1", cred.AccessKey, "another key does not drop the cached one")
	assert.Equal(t, 1, fake.requests())

	p.InvalidateCredentials("AK-1")
	p.InvalidateCredentials("AK-1")
	cred, err = p.Credentials(ctx)
	require.NoError(t, err)
	assert.Equal(t, "AK-2", cred.AccessKey, "fresh keys after the invalidation")
	assert.Equal(t, "SK-2-secret", cred.SecretKey.Reveal())
	assert.Equal(t, 2, fake.requests())

	p.InvalidateCredentials("AK-1") // late: already replaced
	cred, err = p.Credentials(ctx)
	require.NoError(t, err)
	assert.Equal(t, "AK-2", cred.AccessKey)
	assert.Equal(t, 2, fake.requests())

	var nilProvider *MetadataProvider
	assert.NotPanics(t, func() { nilProvider.InvalidateCredentials("AK-2") })
	assert.NotPanics(t, func() { (&MetadataProvider{}).InvalidateCredentials("AK-2") })
	var _ workspace.CredentialsInvalidator = p
}

// Keys the API refuses with a 401 before their expiry (revoked, rotated
// early): the client drops them, reads fresh ones once and retries.
func TestMetadataProviderClientRefetchesOnceAfter401(t *testing.T) {
	t.Parallel()
	t.Run("one call", func(t *testing.T) {
		t.Parallel()
		meta := newFakeMetadata(t, newFakeClock())
		ws := newSignedServer(t, meta)
		ws.refuseKey("AK-1")
		c := clientAt(t, ws.srv.URL, workspace.WithCredentialsProvider(newMetadataProvider(t, meta, nil)))

		stats, err := c.DesktopPools.GetInconsistentStatistics(context.Background(), "pool-1")
		require.NoError(t, err)
		assert.Equal(t, 4, stats.DiskSize)
		assert.Equal(t, []string{"AK-1", "AK-2"}, ws.keys(), "one retry with the fresh keys")
		assert.Equal(t, 2, meta.requests())
	})
	t.Run("gives up after one refetch", func(t *testing.T) {
		t.Parallel()
		meta := newFakeMetadata(t, newFakeClock())
		ws := newSignedServer(t, meta)
		ws.refuseKey("AK-1")
		ws.refuseKey("AK-2")
		ws.refuseKey("AK-3")
		c := clientAt(t, ws.srv.URL, workspace.WithCredentialsProvider(newMetadataProvider(t, meta, nil)))

		_, err := c.DesktopPools.GetInconsistentStatistics(context.Background(), "pool-1")
		var apiErr *workspace.APIError
		require.ErrorAs(t, err, &apiErr)
		assert.Equal(t, http.StatusUnauthorized, apiErr.StatusCode)
		assert.Equal(t, []string{"AK-1", "AK-2"}, ws.keys())
		assert.Equal(t, 2, meta.requests())
		assertNoSecret(t, fmt.Sprintf("%v %+v", err, err), meta.secrets()...)
	})
	t.Run("concurrent 401s cause one refetch", func(t *testing.T) {
		t.Parallel()
		meta := newFakeMetadata(t, newFakeClock())
		ws := newSignedServer(t, meta)
		ws.refuseKey("AK-1")
		p := newMetadataProvider(t, meta, nil)
		c := clientAt(t, ws.srv.URL, workspace.WithCredentialsProvider(p))
		_, err := p.Credentials(context.Background()) // every call starts with AK-1
		require.NoError(t, err)

		const n = 20
		for _, err := range callsAtOnce(c, n) {
			assert.NoError(t, err)
		}
		assert.Equal(t, 2, meta.requests(), "one refetch for all the 401s")
	})
}

// End to end against workspacetest's metadata and API fakes: keys the API
// refuses with a 401 are read again once, and the call succeeds.
func TestMetadataProviderEndToEndRefetchAfter401(t *testing.T) {
	t.Parallel()
	srv := workspacetest.NewServer(workspacetest.WithSecurityToken("e2e-security-token-secret"), workspacetest.WithMetadataTokens(workspacetest.MetadataTokensRequired))
	t.Cleanup(srv.Close)
	p, err := NewMetadataProvider(MetadataConfig{Endpoint: srv.MetadataURL()})
	require.NoError(t, err)
	c := srv.Client(workspace.WithCredentialsProvider(p))
	ctx := context.Background()

	_, err = c.Snapshots.List(ctx, nil)
	require.NoError(t, err)
	require.Len(t, srv.RequestsFor(workspacetest.OpMetadataSecurityKey), 1)

	srv.FailNext(workspacetest.OpListSnapshots, 1, http.StatusUnauthorized, "")
	_, err = c.Snapshots.List(ctx, nil)
	require.NoError(t, err, "fresh keys after the 401")
	assert.Len(t, srv.RequestsFor(workspacetest.OpMetadataSecurityKey), 2, "read again once")
	lists := srv.RequestsFor(workspacetest.OpListSnapshots)
	require.Len(t, lists, 3)
	assert.Equal(t, []int{http.StatusOK, http.StatusUnauthorized, http.StatusOK}, []int{lists[0].Status, lists[1].Status, lists[2].Status})
	for _, r := range lists {
		assert.Equal(t, "aksk", r.Auth)
	}

	// Refused twice: one refetch, then the 401 is the answer.
	srv.FailNext(workspacetest.OpListSnapshots, 2, http.StatusUnauthorized, "")
	_, err = c.Snapshots.List(ctx, nil)
	assert.ErrorIs(t, err, workspace.ErrUnauthorized)
	assert.Len(t, srv.RequestsFor(workspacetest.OpMetadataSecurityKey), 3)
	assertNoSecret(t, fmt.Sprintf("%v %+v %#v", err, err, err), srv.SecretKey, srv.SecurityToken)
}

// A metadata service that echoes what it was sent (the session token, in
// a header) into its error: the token is not in the error text.
func TestMetadataProviderRedactsEchoedSessionToken(t *testing.T) {
	t.Parallel()
	const mdSecret = "mdtok-echo-secret"
	echo := echoServer(t, http.StatusForbidden, false)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPut {
			_, _ = io.WriteString(w, mdSecret)
			return
		}
		echo.Config.Handler.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	p, err := NewMetadataProvider(MetadataConfig{Endpoint: srv.URL})
	require.NoError(t, err)
	_, err = p.Credentials(context.Background())
	require.Error(t, err)
	assertEchoRedacted(t, err, mdSecret)
}

// A password written into the endpoint URL never appears in the error
// that refuses the URL, however the URL is broken.
func TestNewMetadataProviderEndpointUserInfoNotEchoed(t *testing.T) {
	t.Parallel()
	const secret = "endpoint-password-secret"
	for _, raw := range []string{
		"https://user:" + secret + "@iam.example.test",
		"https://user:" + secret + "%zz@iam.example.test",
		"ftp://user:" + secret + "@iam.example.test",
		"https://user:" + secret + "@",
		"https://user:" + secret + "@iam.example.test/#frag",
	} {
		_, err := NewMetadataProvider(MetadataConfig{Endpoint: raw})
		var ve *workspace.ValidationError
		require.ErrorAs(t, err, &ve, raw)
		assert.Equal(t, "cfg.Endpoint", ve.Field)
		assert.NotContains(t, fmt.Sprintf("%v %+v %#v", err, err, err), secret)
	}
}
