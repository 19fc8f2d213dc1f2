package workspace

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
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

// TestCredentialCallsRedactEchoedSecrets checks that when a credential
// service echoes what it was sent, no secret of the request (the password
// and ID token in the body, the signature, the security token and the
// metadata session token in headers) reaches the error text, whatever
// characters the secret holds and however the service escapes it.
func TestCredentialCallsRedactEchoedSecrets(t *testing.T) {
	t.Parallel()
	const (
		password   = `pa"ss\word?#&<1>`
		idToken    = "eyJhbGciOiJSUzI1NiJ9.id-token-secret.sig"
		sk         = "SK-echo-secret-1"
		secToken   = "ST-echo-secret/+=="
		mdSecret   = "mdtok-echo-secret"
		badProject = "region-x"
	)
	for _, keystone := range []bool{false, true} {
		form := map[bool]string{false: "api form", true: "keystone form"}[keystone]
		t.Run("IAM password "+form, func(t *testing.T) {
			t.Parallel()
			srv := echoServer(t, http.StatusUnauthorized, keystone)
			src, err := NewIAMTokenSource(IAMConfig{Endpoint: srv.URL, UserName: "u", Password: NewSecret(password), DomainName: "d", ProjectID: "p"})
			require.NoError(t, err)
			_, err = src.Token(context.Background())
			require.Error(t, err)
			assertEchoRedacted(t, err, password)
		})
		t.Run("ID token "+form, func(t *testing.T) {
			t.Parallel()
			srv := echoServer(t, http.StatusUnauthorized, keystone)
			file := filepath.Join(t.TempDir(), "token")
			require.NoError(t, os.WriteFile(file, []byte(idToken), 0o600))
			src, err := NewIDTokenSource(IDTokenConfig{IdPID: "idp", TokenFile: file, ProjectID: "p", Endpoint: srv.URL})
			require.NoError(t, err)
			_, err = src.Token(context.Background())
			require.Error(t, err)
			assertEchoRedacted(t, err, idToken)
		})
		t.Run("project lookup "+form, func(t *testing.T) {
			t.Parallel()
			srv := echoServer(t, http.StatusForbidden, keystone)
			c, err := NewClient(WithRegion(badProject), WithEndpoint(srv.URL), WithIAMEndpoint(srv.URL),
				WithAccessKey("AK-echo", sk), WithSecurityToken(secToken), WithRetryPolicy(RetryPolicy{MaxAttempts: 1}))
			require.NoError(t, err)
			_, err = c.DesktopPools.GetInconsistentStatistics(context.Background(), "pool-1")
			require.Error(t, err)
			assert.Contains(t, err.Error(), "Signature=REDACTED")
			assert.NotRegexp(t, `Signature=[0-9a-f]{16}`, fmtAll(err))
			assertEchoRedacted(t, err, sk, secToken)
		})
	}
	t.Run("metadata session token", func(t *testing.T) {
		t.Parallel()
		echo := echoServer(t, http.StatusForbidden, false)
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method == http.MethodPut {
				_, _ = io.WriteString(w, mdSecret)
				return
			}
			echo.Config.Handler.ServeHTTP(w, r)
		}))
		t.Cleanup(srv.Close)
		p, err := NewMetadataCredentialsProvider(MetadataConfig{Endpoint: srv.URL})
		require.NoError(t, err)
		_, err = p.Credentials(context.Background())
		require.Error(t, err)
		assertEchoRedacted(t, err, mdSecret)
	})
}

// assertEchoRedacted checks that err, in every form fmt prints it, holds
// none of secrets, raw or escaped as JSON or as a URL would carry it.
func assertEchoRedacted(t *testing.T, err error, secrets ...string) {
	t.Helper()
	text := err.Error() + " " + strings.Join([]string{fmtAll(err)}, " ")
	assert.Contains(t, text, "REDACTED", "the echo is in the error: %v", err)
	for _, s := range secrets {
		j, _ := json.Marshal(s)
		for _, form := range []string{s, string(j[1 : len(j)-1])} {
			assert.NotContains(t, text, form, "secret %q echoed in %v", s, err)
		}
	}
}

func fmtAll(err error) string {
	var b strings.Builder
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q"} {
		b.WriteString(strings.ReplaceAll(verb, "%", "") + ": ")
		b.WriteString(fmtSprintf(verb, err))
		b.WriteString("\n")
	}
	return b.String()
}

func fmtSprintf(format string, a ...any) string { return fmt.Sprintf(format, a...) }

// A credential service's 2xx that echoes a secret of the request where the
// SDK quotes it in a *DecodeError (the IAM password in token.expires_at,
// the session token or ID token likewise, and X-Request-Id): the error
// text has it replaced.
func TestCredentialSuccessBodyEchoRedacted(t *testing.T) {
	t.Parallel()
	for _, where := range []string{"expires_at", "X-Request-Id"} {
		t.Run(where, func(t *testing.T) {
			t.Parallel()
			srv := bareServer(t, func(w http.ResponseWriter, r *http.Request) {
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
			})
			src, err := NewIAMTokenSource(IAMConfig{Endpoint: srv.URL, UserName: testUser, Password: NewSecret(testPassword), DomainName: testDomain, ProjectID: testProjectID})
			require.NoError(t, err)
			_, err = src.Token(testContext(t))
			require.Error(t, err)
			assert.NotContains(t, err.Error(), testPassword, "the IAM password is in the error text")
		})
	}
}
