package workspace

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// mdFake is a metadata service with session tokens: tokens "mdtok-n-secret",
// valid for the TTL asked; reads need one when required is set.
type mdFake struct {
	t        *testing.T
	srv      *httptest.Server
	clock    *fakeClock
	mu       sync.Mutex
	required bool
	tokenAns int // not 0: the token call answers this status
	puts     int
	gets     []string // the X-Metadata-Token of each read
	tokens   map[string]time.Time
	revoked  bool // every token issued so far is refused
}

func mdNewFake(t *testing.T, clock *fakeClock) *mdFake {
	f := &mdFake{t: t, clock: clock, tokens: map[string]time.Time{}}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *mdFake) serve(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	switch {
	case r.Method == http.MethodPut && r.URL.Path == metadataTokenPath:
		f.puts++
		if f.tokenAns != 0 {
			w.WriteHeader(f.tokenAns)
			return
		}
		ttl, err := strconv.Atoi(r.Header.Get("X-Metadata-Token-Ttl-Seconds"))
		if !assert.NoError(f.t, err) {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		tok := fmt.Sprintf("mdtok-%d-secret", f.puts)
		f.tokens[tok] = f.clock.Now().Add(time.Duration(ttl) * time.Second)
		_, _ = io.WriteString(w, tok)
	case r.Method == http.MethodGet && r.URL.Path == metadataSecurityKeyPath:
		tok := r.Header.Get("X-Metadata-Token")
		f.gets = append(f.gets, tok)
		end, known := f.tokens[tok]
		if (tok != "" || f.required) && (!known || !f.clock.Now().Before(end) || f.revoked) {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		exp := f.clock.Now().Add(time.Hour).UTC().Format(time.RFC3339)
		_, _ = fmt.Fprintf(w, `{"credential": {"access": "AK", "secret": "SK-secret", "securitytoken": "ST-secret", "expires_at": %q}}`, exp)
	default:
		w.WriteHeader(http.StatusNotFound)
	}
}

func (f *mdFake) counts() (puts int, gets []string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.puts, append([]string(nil), f.gets...)
}

func (f *mdFake) set(edit func(f *mdFake)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	edit(f)
}

func mdProvider(t *testing.T, f *mdFake, ttl time.Duration) *MetadataCredentialsProvider {
	t.Helper()
	p, err := NewMetadataCredentialsProvider(MetadataConfig{Endpoint: f.srv.URL, SessionTokenTTL: ttl})
	require.NoError(t, err)
	p.st().md.now = f.clock.Now
	p.st().cache.now = f.clock.Now
	return p
}

// mdRead forces a read of the security key (the provider caches keys).
func mdRead(t *testing.T, p *MetadataCredentialsProvider) error {
	t.Helper()
	_, _, err := p.st().fetch(context.Background())
	return err
}

func TestMetadataSessionTokenFirstAndCached(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	f := mdNewFake(t, clock)
	f.set(func(f *mdFake) { f.required = true })
	p := mdProvider(t, f, 10*time.Minute)

	cred, err := p.Credentials(context.Background())
	require.NoError(t, err)
	assert.Equal(t, "AK", cred.AccessKey)
	require.NoError(t, mdRead(t, p))
	puts, gets := f.counts()
	assert.Equal(t, 1, puts, "one token for both reads")
	assert.Equal(t, []string{"mdtok-1-secret", "mdtok-1-secret"}, gets)

	// The token is kept for its TTL less a minute, then renewed.
	clock.Advance(8 * time.Minute)
	require.NoError(t, mdRead(t, p))
	clock.Advance(90 * time.Second)
	require.NoError(t, mdRead(t, p))
	puts, gets = f.counts()
	assert.Equal(t, 2, puts)
	assert.Equal(t, []string{"mdtok-1-secret", "mdtok-1-secret", "mdtok-1-secret", "mdtok-2-secret"}, gets)
}

func TestMetadataSessionTokenRenewedAfter401(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	f := mdNewFake(t, clock)
	p := mdProvider(t, f, 0)
	require.NoError(t, mdRead(t, p))
	f.set(func(f *mdFake) { f.revoked = true })
	// Revoked tokens: a new one, one more read, and the 401 reported.
	err := mdRead(t, p)
	var apiErr *APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, http.StatusUnauthorized, apiErr.StatusCode)
	puts, gets := f.counts()
	assert.Equal(t, 2, puts)
	assert.Equal(t, []string{"mdtok-1-secret", "mdtok-1-secret", "mdtok-2-secret"}, gets)

	f.set(func(f *mdFake) { f.revoked = false })
	require.NoError(t, mdRead(t, p))
	puts, _ = f.counts()
	assert.Equal(t, 2, puts, "the renewed token is kept")
}

func TestMetadataSessionTokenNotServed(t *testing.T) {
	t.Parallel()
	for _, status := range []int{http.StatusNotFound, http.StatusMethodNotAllowed} {
		t.Run(strconv.Itoa(status), func(t *testing.T) {
			t.Parallel()
			clock := newFakeClock()
			f := mdNewFake(t, clock)
			f.set(func(f *mdFake) { f.tokenAns = status })
			p := mdProvider(t, f, 0)
			require.NoError(t, mdRead(t, p))
			require.NoError(t, mdRead(t, p))
			puts, gets := f.counts()
			assert.Equal(t, 1, puts, "asked once, then plain reads")
			assert.Equal(t, []string{"", ""}, gets)
		})
	}
}

func TestMetadataSessionTokenErrors(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name    string
		handler http.HandlerFunc
		want    string
		api     bool
	}{
		{"token call fails", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusInternalServerError) },
			"PUT /meta-data/latest/api/token: 500", true},
		{"empty token", func(w http.ResponseWriter, r *http.Request) {}, "not a session token", false},
		{"token with a line break", func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, "a\nX-Evil: 1") },
			"not a session token", false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := httptest.NewServer(tt.handler)
			t.Cleanup(srv.Close)
			p, err := NewMetadataCredentialsProvider(MetadataConfig{Endpoint: srv.URL})
			require.NoError(t, err)
			_, err = p.Credentials(context.Background())
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
			var apiErr *APIError
			assert.Equal(t, tt.api, errors.As(err, &apiErr))
		})
	}
	_, err := NewMetadataCredentialsProvider(MetadataConfig{SessionTokenTTL: time.Millisecond})
	var ve *ValidationError
	require.ErrorAs(t, err, &ve)
	assert.Equal(t, "cfg.SessionTokenTTL", ve.Field)
}

func TestMetadataSessionTokenWaitHonoursContext(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	f := mdNewFake(t, clock)
	p := mdProvider(t, f, 0)
	p.st().md.sem <- struct{}{} // a token call in flight
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	err := p.st().md.get(ctx, metadataSecurityKeyPath, func(http.Header, io.Reader) error { return nil })
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	<-p.st().md.sem
}

func TestMetadataSecretsOfNewSourcesNeverShown(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	f := mdNewFake(t, clock)
	f.set(func(f *mdFake) { f.required = true })
	p := mdProvider(t, f, 0)
	_, err := p.Credentials(context.Background())
	require.NoError(t, err)
	out := fmt.Sprintf("%v %+v %#v %s", p, p, p, p)
	assertNoSecret(t, out, "mdtok-1-secret", "SK-secret", "ST-secret")

	// Errors after a token was used do not show it either.
	f.set(func(f *mdFake) { f.revoked = true; f.tokenAns = http.StatusForbidden })
	err = mdRead(t, p)
	require.Error(t, err)
	assertNoSecret(t, fmt.Sprintf("%v %+v %#v", err, err, err), "mdtok-1-secret", "SK-secret", "ST-secret")
}

func TestMetadataDefaultClientUsesNoProxy(t *testing.T) {
	t.Parallel()
	p, err := NewMetadataCredentialsProvider(MetadataConfig{Endpoint: "http://127.0.0.1:1"})
	require.NoError(t, err)
	tr, ok := p.st().md.svc.pipe.Transport().(*http.Transport)
	require.True(t, ok)
	assert.Nil(t, tr.Proxy, "HTTP_PROXY must not see the metadata service's keys")

	own := &http.Client{Transport: &http.Transport{Proxy: http.ProxyFromEnvironment}}
	p, err = NewMetadataCredentialsProvider(MetadataConfig{Endpoint: "http://127.0.0.1:1", HTTPClient: own})
	require.NoError(t, err)
	assert.Same(t, own.Transport, p.st().md.svc.pipe.Transport(), "the caller's transport is the caller's choice")
}
