package credcall

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hwcloud-go/workspace"
)

// echoServer answers every request with status and an error body that
// repeats everything the request carried, headers and body, in the API's
// form or IAM's Keystone form: the worst a misbehaving service can do.
func echoServer(t *testing.T, status int, keystone bool) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		var lines []string
		for k, v := range r.Header {
			lines = append(lines, k+": "+strings.Join(v, ","))
		}
		sort.Strings(lines)
		echo := string(body) + " " + strings.Join(lines, "; ") + " " + r.Method + " " + r.URL.String()
		var out any = map[string]string{"error_code": "ECHO", "error_msg": echo, "error_detail": echo}
		if keystone {
			out = map[string]any{"error": map[string]any{"code": status, "title": echo, "message": echo}}
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(out)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// fmtAll is err printed with every verb that shows an error.
func fmtAll(err error) string {
	var b strings.Builder
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q"} {
		b.WriteString(fmt.Sprintf(verb, err) + "\n")
	}
	return b.String()
}

// assertEchoRedacted checks that err, in every form fmt prints it, holds
// none of secrets, raw or escaped as JSON would carry it.
func assertEchoRedacted(t *testing.T, err error, secrets ...string) {
	t.Helper()
	text := fmtAll(err)
	assert.Contains(t, text, "REDACTED", "the echo is in the error: %v", err)
	for _, s := range secrets {
		j, _ := json.Marshal(s)
		for _, form := range []string{s, string(j[1 : len(j)-1])} {
			assert.NotContains(t, text, form, "secret %q echoed in %v", s, err)
		}
	}
}

// When a credential service echoes what it was sent, no secret of the
// request (r.Secrets in the body, whatever characters they hold; the
// signature, the security token and the metadata session token in
// headers) reaches the error text, however the service escapes it.
func TestCallRedactsEchoedSecrets(t *testing.T) {
	t.Parallel()
	const (
		password  = `pa"ss\word?#&<1>`
		signature = "0123456789abcdef0123456789abcdef"
		secToken  = "ST-echo-secret/+=="
		mdSecret  = "mdtok-echo-secret"
	)
	for _, keystone := range []bool{false, true} {
		t.Run(map[bool]string{false: "api form", true: "keystone form"}[keystone], func(t *testing.T) {
			t.Parallel()
			srv := echoServer(t, http.StatusUnauthorized, keystone)
			body, err := json.Marshal(map[string]string{"password": password})
			require.NoError(t, err)
			r := &Request{
				Method: http.MethodPost, URL: srv.URL + "/v3/auth/tokens?x=1", Path: "/v3/auth/tokens", Body: body, Secrets: []string{password},
				Header: http.Header{
					"Authorization":    {"SDK-HMAC-SHA256 Access=AK, SignedHeaders=host;x-sdk-date, Signature=" + signature},
					"X-Security-Token": {secToken},
					"X-Metadata-Token": {mdSecret},
				},
			}
			decoded := false
			err = NewService(nil).Call(context.Background(), r, func(http.Header, io.Reader) error { decoded = true; return nil })
			var apiErr *workspace.APIError
			require.ErrorAs(t, err, &apiErr)
			assert.False(t, decoded, "a refused answer is not decoded")
			assert.Equal(t, http.StatusUnauthorized, apiErr.StatusCode)
			assert.Equal(t, "/v3/auth/tokens", apiErr.Path, "the path without host or query")
			assert.Equal(t, http.MethodPost, apiErr.Method)
			assert.Contains(t, err.Error(), "Signature=REDACTED")
			assertEchoRedacted(t, err, password, signature, secToken, mdSecret)
		})
	}
}

// A 2xx that echoes a secret of the request where the SDK quotes the
// answer in a *workspace.DecodeError (the body, X-Request-Id): the error
// text has it replaced.
func TestCallSuccessBodyEchoRedacted(t *testing.T) {
	t.Parallel()
	const password = "call-password-secret"
	for _, where := range []string{"body", "X-Request-Id"} {
		t.Run(where, func(t *testing.T) {
			t.Parallel()
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				if where == "X-Request-Id" {
					w.Header().Set("X-Request-Id", password)
					_, _ = io.WriteString(w, `{"token": `) // cut JSON, arrived whole
					return
				}
				_, _ = fmt.Fprintf(w, `{"token": {"expires_at": %q}}`, password)
			}))
			t.Cleanup(srv.Close)
			r := &Request{Method: http.MethodPost, URL: srv.URL, Path: "/v3/auth/tokens", Body: []byte(`{"password": "` + password + `"}`), Secrets: []string{password}}
			err := NewService(nil).Call(context.Background(), r, func(_ http.Header, body io.Reader) error {
				var out struct {
					Token struct {
						ExpiresAt string `json:"expires_at"`
					} `json:"token"`
				}
				if err := DecodeJSON(body, &out); err != nil {
					return err
				}
				_, err := ParseTime("token.expires_at", out.Token.ExpiresAt)
				return err
			})
			var de *workspace.DecodeError
			require.ErrorAs(t, err, &de)
			assert.Equal(t, "/v3/auth/tokens", de.Path)
			assert.NotContains(t, fmtAll(err), password)
		})
	}
}

// Call sends the SDK's headers and the request's own, accepts what Accept
// says (any 2xx without it), and decodes the body.
func TestCallRequestAndAccept(t *testing.T) {
	t.Parallel()
	var got atomic.Pointer[http.Request]
	var status atomic.Int32
	status.Store(http.StatusCreated)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got.Store(r.Clone(context.Background()))
		w.WriteHeader(int(status.Load()))
		_, _ = io.WriteString(w, `{"ok": true}`)
	}))
	t.Cleanup(srv.Close)
	svc := NewService(nil)
	var out struct {
		OK bool `json:"ok"`
	}
	decode := func(_ http.Header, body io.Reader) error { return DecodeJSON(body, &out) }

	r := &Request{Method: http.MethodPost, URL: srv.URL + "/p", Path: "/p", Body: []byte(`{}`), Header: http.Header{"X-Idp-Id": {"idp"}}}
	require.NoError(t, svc.Call(context.Background(), r, decode))
	assert.True(t, out.OK)
	req := got.Load()
	assert.Equal(t, "application/json", req.Header.Get("Accept"))
	assert.Equal(t, "application/json", req.Header.Get("Content-Type"))
	assert.Equal(t, "idp", req.Header.Get("X-Idp-Id"))
	assert.Contains(t, req.Header.Get("User-Agent"), workspace.Version)

	r = &Request{Method: http.MethodGet, URL: srv.URL + "/p", Path: "/p"}
	require.NoError(t, svc.Call(context.Background(), r, decode))
	assert.Empty(t, got.Load().Header.Get("Content-Type"), "no body, no Content-Type")

	r.Accept = func(s int) bool { return s == http.StatusOK }
	err := svc.Call(context.Background(), r, decode)
	var apiErr *workspace.APIError
	require.ErrorAs(t, err, &apiErr, "201 is not accepted")
	assert.Equal(t, http.StatusCreated, apiErr.StatusCode)

	status.Store(http.StatusNoContent)
	r.Accept = nil
	err = svc.Call(context.Background(), r, decode)
	var de *workspace.DecodeError
	require.ErrorAs(t, err, &de, "an empty body does not decode")
	assert.Equal(t, http.StatusNoContent, de.StatusCode)
}

// A body larger than the bound is not read whole: a *DecodeError.
func TestCallBodyBound(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, `{"x": "`+strings.Repeat("x", maxBody)+`"}`)
	}))
	t.Cleanup(srv.Close)
	decoded := false
	err := NewService(nil).Call(context.Background(), &Request{Method: http.MethodGet, URL: srv.URL, Path: "/"},
		func(http.Header, io.Reader) error { decoded = true; return nil })
	var de *workspace.DecodeError
	require.ErrorAs(t, err, &de)
	assert.Contains(t, err.Error(), "larger than")
	assert.False(t, decoded)
	assert.Less(t, len(err.Error()), 2000)
}

// Redirects are never followed: credentials stay with the host they were
// meant for, whatever the caller's client does.
func TestCallFollowsNoRedirect(t *testing.T) {
	t.Parallel()
	var elsewhere atomic.Int32
	other := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { elsewhere.Add(1) }))
	t.Cleanup(other.Close)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, other.URL, http.StatusFound)
	}))
	t.Cleanup(srv.Close)
	hc := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return nil }}
	err := NewService(hc).Call(context.Background(), &Request{Method: http.MethodGet, URL: srv.URL, Path: "/"},
		func(http.Header, io.Reader) error { return nil })
	var apiErr *workspace.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, http.StatusFound, apiErr.StatusCode)
	assert.Zero(t, elsewhere.Load())
}

func TestParseTime(t *testing.T) {
	t.Parallel()
	got, err := ParseTime("f", "2026-03-01T08:00:00.000000Z")
	require.NoError(t, err)
	assert.Equal(t, time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC), got)
	_, err = ParseTime("f", "")
	assert.EqualError(t, err, "no f")
	_, err = ParseTime("f", "soon")
	assert.EqualError(t, err, `f "soon" is not an RFC 3339 time`)
}

func TestLoopback(t *testing.T) {
	t.Parallel()
	for host, want := range map[string]bool{
		"localhost": true, "LocalHost": true, "127.0.0.1": true, "127.9.9.9": true, "::1": true,
		"10.0.0.1": false, "169.254.169.254": false, "example.com": false, "localhost.example.com": false, "": false,
	} {
		assert.Equal(t, want, Loopback(host), host)
	}
}
