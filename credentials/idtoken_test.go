package credentials

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hwcloud-go/workspace"
	"github.com/hwcloud-go/workspace/workspacetest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const idTokenSecret = "oidc-id-token-secret"

// writeTempFile writes content to a new file and returns its path.
func writeTempFile(t *testing.T, content string) string {
	t.Helper()
	f, err := os.CreateTemp(t.TempDir(), "file")
	require.NoError(t, err)
	_, err = f.WriteString(content)
	require.NoError(t, err)
	require.NoError(t, f.Close())
	return f.Name()
}

func TestNewIDTokenSourceConfig(t *testing.T) {
	t.Parallel()
	file := writeTempFile(t, idTokenSecret)
	ok := IDTokenConfig{IdPID: "idp", TokenFile: file, ProjectID: "p", Region: "ap-southeast-3"}
	s, err := NewIDTokenSource(ok)
	require.NoError(t, err)
	assert.Equal(t, "https://iam.ap-southeast-3.myhuaweicloud.com/v3.0/OS-AUTH/id-token/tokens", s.st().url)

	edit := func(f func(*IDTokenConfig)) IDTokenConfig { c := ok; f(&c); return c }
	for _, tt := range []struct {
		name    string
		cfg     IDTokenConfig
		field   string
		missing bool
	}{
		{"no identity provider", edit(func(c *IDTokenConfig) { c.IdPID = " " }), "cfg.IdPID", true},
		{"no token file", edit(func(c *IDTokenConfig) { c.TokenFile = "" }), "cfg.TokenFile", true},
		{"no project", edit(func(c *IDTokenConfig) { c.ProjectID = "" }), "cfg.ProjectID", true},
		{"no region or endpoint", edit(func(c *IDTokenConfig) { c.Region = "" }), "cfg.Region", true},
		{"bad region", edit(func(c *IDTokenConfig) { c.Region = "a/b" }), "cfg.Region", false},
		{"plain http to a remote host", edit(func(c *IDTokenConfig) { c.Endpoint = "http://iam.example.com" }), "cfg.Endpoint", false},
		{"negative refresh", edit(func(c *IDTokenConfig) { c.RefreshBefore = -time.Second }), "cfg.RefreshBefore", false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := NewIDTokenSource(tt.cfg)
			var ce *workspace.ConfigError
			require.ErrorAs(t, err, &ce)
			var ve *workspace.ValidationError
			require.ErrorAs(t, err, &ve)
			assert.Equal(t, tt.field, ve.Field)
			assert.Equal(t, tt.missing, len(ce.Missing) == 1 && ce.Missing[0] == tt.field)
		})
	}
	s, err = NewIDTokenSource(edit(func(c *IDTokenConfig) { c.Region = ""; c.Endpoint = "iam.example.com/prefix/" }))
	require.NoError(t, err)
	assert.Equal(t, "https://iam.example.com/prefix/v3.0/OS-AUTH/id-token/tokens", s.st().url)
}

// fakeIDTokenExchange is IAM's ID-token exchange: it checks what it is sent and
// counts exchanges; tokens last an hour.
type fakeIDTokenExchange struct {
	srv      *httptest.Server
	clock    *fakeClock
	mu       sync.Mutex
	seen     []string // the ID tokens sent
	release  chan struct{}
	inFlight atomic.Int32
	maxIn    atomic.Int32
}

func newFakeIDTokenExchange(t *testing.T, clock *fakeClock) *fakeIDTokenExchange {
	f := &fakeIDTokenExchange{clock: clock}
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := f.inFlight.Add(1)
		defer f.inFlight.Add(-1)
		if n > f.maxIn.Load() {
			f.maxIn.Store(n)
		}
		assert.Equal(t, http.MethodPost, r.Method)
		assert.Equal(t, idTokenPath, r.URL.Path)
		assert.Equal(t, "idp-1", r.Header.Get("X-Idp-Id"))
		assert.Equal(t, "application/json", r.Header.Get("Content-Type"))
		var body struct {
			Auth struct {
				IDToken struct {
					ID string `json:"id"`
				} `json:"id_token"`
				Scope struct {
					Project struct {
						ID string `json:"id"`
					} `json:"project"`
				} `json:"scope"`
			} `json:"auth"`
		}
		data, _ := io.ReadAll(r.Body)
		require.NoError(t, json.Unmarshal(data, &body))
		assert.Equal(t, "project-1", body.Auth.Scope.Project.ID, "project-scoped")
		f.mu.Lock()
		f.seen = append(f.seen, body.Auth.IDToken.ID)
		n2 := len(f.seen)
		release := f.release
		f.mu.Unlock()
		if release != nil {
			<-release
		}
		w.Header().Set("X-Subject-Token", fmt.Sprintf("iam-token-%d-secret", n2))
		w.WriteHeader(http.StatusCreated)
		_, _ = fmt.Fprintf(w, `{"token": {"expires_at": %q}}`, f.clock.Now().Add(time.Hour).UTC().Format(time.RFC3339))
	}))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeIDTokenExchange) tokens() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.seen...)
}

func idTokenSourceFor(t *testing.T, f *fakeIDTokenExchange, file string) *IDTokenSource {
	t.Helper()
	s, err := NewIDTokenSource(IDTokenConfig{IdPID: "idp-1", TokenFile: file, ProjectID: "project-1", Endpoint: f.srv.URL})
	require.NoError(t, err)
	s.st().cache.now = f.clock.Now
	return s
}

func TestIDTokenSourceReadsTheFileAtEachExchange(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	f := newFakeIDTokenExchange(t, clock)
	file := writeTempFile(t, "first-"+idTokenSecret+"\n")
	s := idTokenSourceFor(t, f, file)

	tok, err := s.Token(context.Background())
	require.NoError(t, err)
	assert.Equal(t, "iam-token-1-secret", tok)
	tok, err = s.Token(context.Background())
	require.NoError(t, err)
	assert.Equal(t, "iam-token-1-secret", tok, "cached")

	require.NoError(t, os.WriteFile(file, []byte("second-"+idTokenSecret), 0o600))
	clock.Advance(55 * time.Minute) // within the refresh margin
	tok, err = s.Token(context.Background())
	require.NoError(t, err)
	assert.Equal(t, "iam-token-2-secret", tok, "refreshed ahead of expiry")
	assert.Equal(t, []string{"first-" + idTokenSecret, "second-" + idTokenSecret}, f.tokens())

	s.Invalidate("iam-token-1-secret") // not the cached one: nothing happens
	_, _ = s.Token(context.Background())
	s.Invalidate("iam-token-2-secret")
	tok, err = s.Token(context.Background())
	require.NoError(t, err)
	assert.Equal(t, "iam-token-3-secret", tok)
}

func TestIDTokenSourceOneExchangeAtATime(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	f := newFakeIDTokenExchange(t, clock)
	f.release = make(chan struct{})
	s := idTokenSourceFor(t, f, writeTempFile(t, idTokenSecret))
	var wg sync.WaitGroup
	for range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			tok, err := s.Token(context.Background())
			assert.NoError(t, err)
			assert.Equal(t, "iam-token-1-secret", tok)
		}()
	}
	time.Sleep(20 * time.Millisecond)
	close(f.release)
	wg.Wait()
	assert.Len(t, f.tokens(), 1)
	assert.Equal(t, int32(1), f.maxIn.Load())
}

func TestIDTokenSourceFileErrors(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	f := newFakeIDTokenExchange(t, clock)
	dir := t.TempDir()
	for name, setup := range map[string]func() string{
		"missing":   func() string { return filepath.Join(dir, "absent") },
		"empty":     func() string { return writeTempFile(t, " \n") },
		"too large": func() string { return writeTempFile(t, idTokenSecret+strings.Repeat("x", maxIDTokenFile)) },
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			s := idTokenSourceFor(t, f, setup())
			_, err := s.Token(context.Background())
			require.Error(t, err)
			assert.Contains(t, err.Error(), "ID token file")
			assert.NotContains(t, err.Error(), idTokenSecret)
		})
	}
	assert.Empty(t, f.tokens(), "nothing sent without a token")
}

func TestIDTokenSecretsNeverShown(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	f := newFakeIDTokenExchange(t, clock)
	file := writeTempFile(t, idTokenSecret)
	s := idTokenSourceFor(t, f, file)
	_, err := s.Token(context.Background())
	require.NoError(t, err)
	cfg := IDTokenConfig{IdPID: "idp-1", TokenFile: file, ProjectID: "project-1", Endpoint: f.srv.URL}
	out := fmt.Sprintf("%v %+v %#v %s %v %#v", s, s, s, s, cfg, cfg)
	assertNoSecret(t, out, idTokenSecret, "iam-token-1-secret")
	assert.Contains(t, out, "idp-1")
}

// The ID-token flow end to end against workspacetest's IAM fake: one
// exchange, cached; the file read afresh after a rotation; a 401 from
// the API exchanges again, once.
func TestIDTokenSourceEndToEnd(t *testing.T) {
	t.Parallel()
	srv := workspacetest.NewServer()
	t.Cleanup(srv.Close)
	file := writeTempFile(t, srv.IDToken+"\n")
	ts, err := NewIDTokenSource(IDTokenConfig{IdPID: srv.IdPID, TokenFile: file, ProjectID: srv.ProjectID, Endpoint: srv.IAMURL()})
	require.NoError(t, err)
	c := srv.Client(workspace.WithTokenSource(ts))
	ctx := context.Background()
	_, err = c.Snapshots.List(ctx, nil)
	require.NoError(t, err)
	_, err = c.Snapshots.List(ctx, nil)
	require.NoError(t, err)

	ex := srv.RequestsFor(workspacetest.OpIAMIDToken)
	require.Len(t, ex, 1, "cached")
	assert.Equal(t, srv.IdPID, ex[0].Header.Get("X-Idp-Id"))
	assert.Equal(t, http.StatusCreated, ex[0].Status)

	// Kubernetes rotated the file: the next exchange reads it afresh.
	require.NoError(t, os.WriteFile(file, []byte("a-rotated-but-unknown-token"), 0o600))
	ts.Invalidate(srv.Token)
	_, err = c.Snapshots.List(ctx, nil)
	var apiErr *workspace.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, idTokenPath, apiErr.Path)
	assert.Equal(t, http.StatusUnauthorized, apiErr.StatusCode)
	require.Len(t, srv.RequestsFor(workspacetest.OpIAMIDToken), 2)
	assertNoSecret(t, err.Error(), srv.IDToken, srv.Token, "a-rotated-but-unknown-token")

	require.NoError(t, os.WriteFile(file, []byte(srv.IDToken), 0o600))
	_, err = c.Snapshots.List(ctx, nil)
	require.NoError(t, err)

	// A 401 from the API makes the client exchange again, once.
	srv.FailNext(workspacetest.OpListSnapshots, 1, http.StatusUnauthorized, "")
	_, err = c.Snapshots.List(ctx, nil)
	require.NoError(t, err)
	assert.Len(t, srv.RequestsFor(workspacetest.OpIAMIDToken), 4)
	assertNoSecret(t, fmt.Sprintf("%v %+v %#v", ts, ts, ts), srv.IDToken, srv.Token)
}

// IAM echoing the exchange (the ID token in the body) into its error: the
// token is not in the error text.
func TestIDTokenSourceRedactsEchoedToken(t *testing.T) {
	t.Parallel()
	const idToken = "eyJhbGciOiJSUzI1NiJ9.id-token-secret.sig"
	for _, keystone := range []bool{false, true} {
		t.Run(map[bool]string{false: "api form", true: "keystone form"}[keystone], func(t *testing.T) {
			t.Parallel()
			srv := echoServer(t, http.StatusUnauthorized, keystone)
			src, err := NewIDTokenSource(IDTokenConfig{IdPID: "idp", TokenFile: writeTempFile(t, idToken), ProjectID: "p", Endpoint: srv.URL})
			require.NoError(t, err)
			_, err = src.Token(context.Background())
			require.Error(t, err)
			assertEchoRedacted(t, err, idToken)
		})
	}
}

// An ID token file that is a named pipe nobody writes must not hang the
// exchange forever: opening it blocked until a writer came. Nothing is
// sent to IAM without a token.
func TestIDTokenSourceFileFIFONobodyWrites(t *testing.T) {
	t.Parallel()
	fifo := filepath.Join(t.TempDir(), "fifo")
	mkfifo(t, fifo)
	f := newFakeIDTokenExchange(t, newFakeClock())
	ts, err := NewIDTokenSource(IDTokenConfig{IdPID: "idp-1", TokenFile: fifo, ProjectID: "project-1", Endpoint: f.srv.URL})
	require.NoError(t, err)
	done := make(chan error, 1)
	go func() {
		_, err := ts.Token(context.Background())
		done <- err
	}()
	select {
	case err := <-done:
		require.Error(t, err)
		assert.Contains(t, err.Error(), "ID token file")
	case <-time.After(5 * time.Second):
		t.Fatal("Token hangs on an ID token file that is a FIFO")
	}
	assert.Empty(t, f.tokens())
}

// mkfifo makes a named pipe at path with the system's mkfifo, and skips
// the test where there is none (Windows): pipes and devices given as
// configuration files are a Unix matter.
func mkfifo(t *testing.T, path string) {
	t.Helper()
	bin, err := exec.LookPath("mkfifo")
	if err != nil {
		t.Skip("no mkfifo on this system")
	}
	out, err := exec.Command(bin, "-m", "600", path).CombinedOutput()
	require.NoError(t, err, "mkfifo: %s", out)
}
