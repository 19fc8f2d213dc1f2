package workspace

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

	"github.com/hwcloud-go/workspace/internal/signer"
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
		// reads without one (metadatasession_test.go covers tokens).
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

func newMetadataProvider(t *testing.T, fake *fakeMetadata, edit func(*MetadataConfig)) *MetadataCredentialsProvider {
	t.Helper()
	cfg := MetadataConfig{Endpoint: fake.srv.URL, HTTPClient: fake.srv.Client()}
	if edit != nil {
		edit(&cfg)
	}
	p, err := NewMetadataCredentialsProvider(cfg)
	require.NoError(t, err)
	p.st().cache.now = fake.clock.Now
	return p
}

// signedServer is a loopback fake of one Workspace operation that verifies
// the AK/SK signature of each request with the keys meta handed out.
type signedServer struct {
	mux        *testMux
	mu         sync.Mutex
	aks        []string
	signatures []string
}

func newSignedServer(t *testing.T, meta *fakeMetadata) *signedServer {
	t.Helper()
	f := &signedServer{}
	_, f.mux = setup(t)
	f.mux.handle(strings.TrimPrefix(statsPath, testPrefix), func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		assert.Equal(t, statsPath, r.URL.EscapedPath())
		assert.Equal(t, testProjectID, r.Header.Get("X-Project-Id"))
		ak, sig, ok := verifyMetadataSignature(t, r, body, meta)
		f.mu.Lock()
		f.aks = append(f.aks, ak)
		f.signatures = append(f.signatures, sig)
		f.mu.Unlock()
		if !ok {
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = io.WriteString(w, `{"error_code": "APIGW.0301", "error_msg": "Incorrect IAM authentication information: verify aksk signature fail"}`)
			return
		}
		_, _ = io.WriteString(w, `{"product_id": 1, "image_id": 2, "disk_num": 3, "disk_size": 4}`)
	})
	return f
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

func TestMetadataCredentialsProviderRequest(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	fake := newFakeMetadata(t, clock)
	p := newMetadataProvider(t, fake, nil)

	cred, err := p.Credentials(context.Background())
	require.NoError(t, err)
	assert.Equal(t, Credentials{
		AccessKey: "AK-1", SecretKey: NewSecret("SK-1-secret"), SecurityToken: NewSecret("ST-1-token"),
		Expires: clock.Now().Add(time.Hour),
	}, cred)

	again, err := p.Credentials(context.Background())
	require.NoError(t, err)
	assert.Equal(t, cred, again, "cached")
	assert.Equal(t, 1, fake.requests())
}

func TestMetadataCredentialsProviderRefreshesBeforeExpiry(t *testing.T) {
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

func TestMetadataCredentialsSignedRequestsAcrossRotation(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	meta := newFakeMetadata(t, clock)
	ws := newSignedServer(t, meta)
	c := clientAt(t, ws.mux, WithCredentialsProvider(newMetadataProvider(t, meta, nil)))
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

func TestMetadataCredentialsProviderOneReadForConcurrentCalls(t *testing.T) {
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

func TestMetadataCredentialsProviderKeepsOldWhileDown(t *testing.T) {
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
	var apiErr *APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, http.StatusInternalServerError, apiErr.StatusCode)
	assert.Equal(t, "GET", apiErr.Method)
	assert.Equal(t, "/openstack/latest/securitykey", apiErr.Path)
}

func TestMetadataCredentialsProviderErrors(t *testing.T) {
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
			p, err := NewMetadataCredentialsProvider(MetadataConfig{Endpoint: srv.URL})
			require.NoError(t, err)
			_, err = p.Credentials(context.Background())
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.wantErr)
			assertNoSecret(t, err.Error(), "SK-x-secret")
			var apiErr *APIError
			assert.Equal(t, tt.api, errors.As(err, &apiErr))

			// Through a client: nothing is sent without credentials.
			ws := newFakeWorkspace(t)
			c := clientAt(t, ws.mux, WithCredentialsProvider(p))
			_, err = c.DesktopPools.GetInconsistentStatistics(context.Background(), "pool-1")
			assert.ErrorContains(t, err, "getting credentials")
			assert.Zero(t, ws.requests())
		})
	}
}

func TestNewMetadataCredentialsProviderConfig(t *testing.T) {
	t.Parallel()
	// The default address is only looked at, never called.
	p, err := NewMetadataCredentialsProvider(MetadataConfig{})
	require.NoError(t, err)
	assert.Equal(t, "http://169.254.169.254/openstack/latest/securitykey", p.st().url)
	assert.Equal(t, "workspace.MetadataCredentialsProvider{url: http://169.254.169.254/openstack/latest/securitykey}", p.String())

	p, err = NewMetadataCredentialsProvider(MetadataConfig{Endpoint: "http://127.0.0.1:8080/meta/"})
	require.NoError(t, err)
	assert.Equal(t, "http://127.0.0.1:8080/meta/openstack/latest/securitykey", p.st().url)

	for _, cfg := range []MetadataConfig{
		{Endpoint: "169.254.169.254"},
		{Endpoint: "http://user:pw@127.0.0.1"},
		{RefreshBefore: -time.Minute},
	} {
		_, err := NewMetadataCredentialsProvider(cfg)
		var ve *ValidationError
		require.ErrorAs(t, err, &ve, "%+v", cfg)
		assert.True(t, strings.HasPrefix(ve.Field, "cfg."), ve.Field)
		assert.NotContains(t, err.Error(), "pw")
	}

	var nilCtx context.Context
	_, err = p.Credentials(nilCtx)
	var ve *ValidationError
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
	c := clientAt(t, ws.mux, WithCredentialsProvider(p), WithLogger(logger))
	ctx := context.Background()

	_, err := c.DesktopPools.GetInconsistentStatistics(ctx, "pool-1")
	require.NoError(t, err)
	cred, err := p.Credentials(ctx)
	require.NoError(t, err)

	// A client whose server rejects every signature, and a failed read.
	wsBad := newFakeWorkspace(t)
	cBad := clientAt(t, wsBad.mux, WithCredentialsProvider(p), WithLogger(logger))
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

func ExampleNewMetadataCredentialsProvider() {
	// On an ECS instance with an agency: temporary keys from the metadata
	// service, read on the first call and again before they expire.
	p, err := NewMetadataCredentialsProvider(MetadataConfig{})
	if err != nil {
		panic(err)
	}
	c, err := NewClient(
		WithRegion("ap-southeast-3"),
		WithProjectID("0bec5db98280d2d02fd6c00c2de791ce"),
		WithCredentialsProvider(p),
	)
	if err != nil {
		panic(err)
	}
	_ = c
}
