package credcall

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hwcloud-go/workspace"
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
	case r.Method == http.MethodGet && r.URL.Path == securityKeyPath:
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

// securityKeyPath is the document the tests read.
const securityKeyPath = "/openstack/latest/securitykey"

// fakeClock is a clock a test moves with Advance.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{t: time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// assertNoSecret fails if s contains one of secrets.
func assertNoSecret(t *testing.T, s string, secrets ...string) {
	t.Helper()
	for _, secret := range secrets {
		if secret != "" {
			assert.NotContains(t, s, secret)
		}
	}
}

// mdClient is a client of f on f's clock, asking for tokens of ttl (0:
// MetadataSessionTTL).
func mdClient(t *testing.T, f *mdFake, ttl time.Duration) *MetadataClient {
	t.Helper()
	if ttl == 0 {
		ttl = MetadataSessionTTL
	}
	m := NewMetadataClient(f.srv.URL, NewService(MetadataHTTPClient(nil)), ttl)
	m.now = f.clock.Now
	return m
}

// mdRead reads the security key, returning its access key.
func mdRead(t *testing.T, m *MetadataClient) (string, error) {
	t.Helper()
	var out struct {
		Credential struct {
			Access string `json:"access"`
		} `json:"credential"`
	}
	err := m.Get(context.Background(), securityKeyPath, func(_ http.Header, body io.Reader) error { return DecodeJSON(body, &out) })
	return out.Credential.Access, err
}

func TestMetadataSessionTokenFirstAndCached(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	f := mdNewFake(t, clock)
	f.set(func(f *mdFake) { f.required = true })
	m := mdClient(t, f, 10*time.Minute)

	ak, err := mdRead(t, m)
	require.NoError(t, err)
	assert.Equal(t, "AK", ak)
	_, err = mdRead(t, m)
	require.NoError(t, err)
	puts, gets := f.counts()
	assert.Equal(t, 1, puts, "one token for both reads")
	assert.Equal(t, []string{"mdtok-1-secret", "mdtok-1-secret"}, gets)

	// The token is kept for its TTL less a minute, then renewed.
	clock.Advance(8 * time.Minute)
	_, err = mdRead(t, m)
	require.NoError(t, err)
	clock.Advance(90 * time.Second)
	_, err = mdRead(t, m)
	require.NoError(t, err)
	puts, gets = f.counts()
	assert.Equal(t, 2, puts)
	assert.Equal(t, []string{"mdtok-1-secret", "mdtok-1-secret", "mdtok-1-secret", "mdtok-2-secret"}, gets)
}

func TestMetadataSessionTokenTTLAsked(t *testing.T) {
	t.Parallel()
	var ttl atomic.Value
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPut {
			ttl.Store(r.Header.Get("X-Metadata-Token-Ttl-Seconds"))
			_, _ = io.WriteString(w, "tok")
			return
		}
		_, _ = io.WriteString(w, `{}`)
	}))
	t.Cleanup(srv.Close)
	m := NewMetadataClient(srv.URL, NewService(nil), MetadataSessionTTL)
	require.NoError(t, m.Get(context.Background(), securityKeyPath, func(http.Header, io.Reader) error { return nil }))
	assert.Equal(t, "21600", ttl.Load(), "six hours, as the vendor's SDK asks")
}

func TestMetadataSessionTokenRenewedAfter401(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	f := mdNewFake(t, clock)
	m := mdClient(t, f, 0)
	_, err := mdRead(t, m)
	require.NoError(t, err)
	f.set(func(f *mdFake) { f.revoked = true })
	// Revoked tokens: a new one, one more read, and the 401 reported.
	_, err = mdRead(t, m)
	var apiErr *workspace.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, http.StatusUnauthorized, apiErr.StatusCode)
	puts, gets := f.counts()
	assert.Equal(t, 2, puts)
	assert.Equal(t, []string{"mdtok-1-secret", "mdtok-1-secret", "mdtok-2-secret"}, gets)

	f.set(func(f *mdFake) { f.revoked = false })
	_, err = mdRead(t, m)
	require.NoError(t, err)
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
			m := mdClient(t, f, 0)
			for range 2 {
				ak, err := mdRead(t, m)
				require.NoError(t, err)
				assert.Equal(t, "AK", ak)
			}
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
		{"token too long", func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.WriteString(w, strings.Repeat("t", maxMetadataToken+1))
		},
			"not a session token", false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := httptest.NewServer(tt.handler)
			t.Cleanup(srv.Close)
			m := NewMetadataClient(srv.URL, NewService(nil), MetadataSessionTTL)
			called := false
			err := m.Get(context.Background(), securityKeyPath, func(http.Header, io.Reader) error { called = true; return nil })
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
			var apiErr *workspace.APIError
			assert.Equal(t, tt.api, errors.As(err, &apiErr))
			assert.False(t, called, "nothing read without a session token")
		})
	}
}

// A session token that cannot be sent as a header (a control character)
// is not kept for six hours, failing every read: the next read asks for a
// new one.
func TestMetadataSessionTokenUnsendableNotKept(t *testing.T) {
	t.Parallel()
	var puts atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPut {
			if puts.Add(1) == 1 {
				_, _ = fmt.Fprint(w, "bad\x01token")
				return
			}
			_, _ = fmt.Fprint(w, "goodtoken")
			return
		}
		assert.Equal(t, "goodtoken", r.Header.Get("X-Metadata-Token"))
		_, _ = fmt.Fprint(w, `{"credential":{"access":"A"}}`)
	}))
	t.Cleanup(srv.Close)
	m := NewMetadataClient(srv.URL, NewService(nil), MetadataSessionTTL)
	_, err := mdRead(t, m)
	require.Error(t, err)
	ak, err := mdRead(t, m)
	require.NoError(t, err, "the next read asks for a new session token")
	assert.Equal(t, "A", ak)
	assert.EqualValues(t, 2, puts.Load())
}

func TestMetadataSessionTokenWaitHonoursContext(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	f := mdNewFake(t, clock)
	m := mdClient(t, f, 0)
	m.sem <- struct{}{} // a token call in flight
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	err := m.Get(ctx, securityKeyPath, func(http.Header, io.Reader) error { return nil })
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	<-m.sem
	puts, gets := f.counts()
	assert.Zero(t, puts)
	assert.Empty(t, gets)
}

func TestMetadataSessionTokenNeverShown(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	f := mdNewFake(t, clock)
	f.set(func(f *mdFake) { f.required = true })
	m := mdClient(t, f, 0)
	_, err := mdRead(t, m)
	require.NoError(t, err)
	assertNoSecret(t, fmt.Sprintf("%v %+v %#v", m, m, m), "mdtok-1-secret")

	// Errors after a token was used do not show it either.
	f.set(func(f *mdFake) { f.revoked = true; f.tokenAns = http.StatusForbidden })
	_, err = mdRead(t, m)
	require.Error(t, err)
	assertNoSecret(t, fmt.Sprintf("%v %+v %#v", err, err, err), "mdtok-1-secret", "SK-secret", "ST-secret")
}

func TestMetadataInstanceInfo(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name, body string
		want       InstanceInfo
		err        string
	}{
		{"project and region", `{"uuid": "u", "project_id": " p-1 ", "region_id": "ap-southeast-3", "meta": {}}`, InstanceInfo{ProjectID: "p-1", RegionID: "ap-southeast-3"}, ""},
		{"neither", `{"uuid": "u"}`, InstanceInfo{}, ""},
		{"not JSON", `<html>`, InstanceInfo{}, "body:"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.Method == http.MethodPut {
					w.WriteHeader(http.StatusNotFound)
					return
				}
				assert.Equal(t, MetadataInfoPath, r.URL.Path)
				_, _ = io.WriteString(w, tt.body)
			}))
			t.Cleanup(srv.Close)
			info, err := NewMetadataClient(srv.URL, NewService(nil), MetadataSessionTTL).InstanceInfo(context.Background())
			if tt.err != "" {
				var de *workspace.DecodeError
				require.ErrorAs(t, err, &de)
				assert.Contains(t, err.Error(), tt.err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, info)
		})
	}
}

func TestMetadataDefaultClientUsesNoProxy(t *testing.T) {
	t.Parallel()
	hc := MetadataHTTPClient(nil)
	tr, ok := hc.Transport.(*http.Transport)
	require.True(t, ok)
	assert.Nil(t, tr.Proxy, "HTTP_PROXY must not see the metadata service's keys")
	m := NewMetadataClient("http://127.0.0.1:1", NewService(hc), MetadataSessionTTL)
	mt, ok := m.svc.pipe.Transport().(*http.Transport)
	require.True(t, ok)
	assert.Nil(t, mt.Proxy, "the service's copy keeps the transport")

	own := &http.Client{Transport: &http.Transport{Proxy: http.ProxyFromEnvironment}}
	assert.Same(t, own, MetadataHTTPClient(own), "the caller's client is the caller's choice")
	m = NewMetadataClient("http://127.0.0.1:1", NewService(MetadataHTTPClient(own)), MetadataSessionTTL)
	assert.Same(t, own.Transport, m.svc.pipe.Transport())
}
