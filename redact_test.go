package workspace

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/hwcloud-go/workspace/internal/testdump"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Secrets never printed: not in errors, logs, fmt output or what a
// reflection-based dumper reaches, whatever the credentials (redact.go's
// Format, MarshalJSON and LogValue; secret.go's Secret).

// credentialKinds are the ways to authenticate a foundation test client.
var credentialKinds = []struct {
	name string
	opts func() []Option
}{
	{"token", func() []Option { return []Option{WithToken(testToken)} }},
	{"token source", func() []Option { return []Option{WithTokenSource(&countingTokenSource{})} }},
	{"access key", func() []Option { return []Option{WithAccessKey(testAK, testSK)} }},
	{"access key and security token", func() []Option {
		return []Option{WithAccessKey(testAK, testSK), WithSecurityToken(testSecurityToken)}
	}},
}

func TestSecrets_NotInErrors(t *testing.T) {
	t.Parallel()
	for _, kind := range credentialKinds {
		t.Run(kind.name+"/401 answer", func(t *testing.T) {
			t.Parallel()
			var logs logBuffer
			logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
			c, mux := setup(t, append(kind.opts(), WithLogger(logger))...)
			mux.handleAny(respond(http.StatusUnauthorized, `{"error_code":"APIGW.0301","error_msg":"Incorrect IAM authentication information"}`))
			for _, op := range operations {
				_, err := op.call(testContext(t), c)
				require.Error(t, err)
				assert.ErrorIs(t, err, ErrUnauthorized)
				// The signature the server got must not be printed either.
				sig := mux.last(t).Header.Get("Authorization")
				assertNoSecret(t, err.Error(), sig)
				assertNoSecret(t, fmt.Sprintf("%v %+v %#v", err, err, err), sig)
				assertNoSecret(t, logs.String(), sig)
			}
			assert.NotEmpty(t, logs.String(), "the logger was used")
		})
		t.Run(kind.name+"/transport error", func(t *testing.T) {
			t.Parallel()
			srv := httptest.NewServer(http.NotFoundHandler())
			addr := srv.URL
			srv.Close() // nothing listens there any more
			c, err := NewClient(append(kind.opts(), WithEndpoint(addr+testBasePath), WithProjectID(testProjectID),
				WithRetryPolicy(RetryPolicy{MaxAttempts: 2, BaseDelay: time.Millisecond, MaxDelay: time.Millisecond}))...)
			require.NoError(t, err)
			for _, op := range operations {
				_, err := op.call(testContext(t), c)
				require.Error(t, err)
				assertNoSecret(t, err.Error())
				assertNoSecret(t, fmt.Sprintf("%v %+v %#v", err, err, err))
			}
		})
		t.Run(kind.name+"/2xx that does not decode", func(t *testing.T) {
			t.Parallel()
			c, mux := setup(t, kind.opts()...)
			mux.handleAny(respond(http.StatusOK, `<html>`))
			_, err := c.Snapshots.List(testContext(t), nil)
			errorAs[*DecodeError](t, err)
			assertNoSecret(t, err.Error(), mux.last(t).Header.Get("Authorization"))
		})
	}
}

// failingSource and failingProvider fail with err.
type failingSource struct{ err error }

func (s failingSource) Token(context.Context) (string, error) { return "", s.err }

type failingProvider struct{ err error }

func (s failingProvider) Credentials(context.Context) (Credentials, error) {
	return Credentials{}, s.err
}

func TestSecrets_NotInCredentialErrors(t *testing.T) {
	t.Parallel()
	cause := errors.New("identity service unavailable")
	for name, opt := range map[string]Option{
		"token source":         WithTokenSource(failingSource{err: cause}),
		"credentials provider": WithCredentialsProvider(failingProvider{err: cause}),
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			c, mux := setup(t, opt)
			_, err := c.DesktopPools.GetInconsistentStatistics(testContext(t), "p")
			require.ErrorIs(t, err, cause)
			assertNoSecret(t, err.Error())
			assert.Zero(t, mux.requests())
		})
	}
}

func TestSecrets_NotInFmtOutput(t *testing.T) {
	t.Parallel()
	for _, kind := range credentialKinds {
		t.Run(kind.name, func(t *testing.T) {
			t.Parallel()
			c, err := NewClient(append(kind.opts(), WithEndpoint("https://gw.example.com"), WithProjectID(testProjectID))...)
			require.NoError(t, err)
			for _, s := range []string{
				fmt.Sprintf("%v %+v %#v %s", c, c, c, c),
				fmt.Sprintf("%v %+v %#v", *c, *c, *c),
				fmt.Sprintf("%v %+v %#v", c.DesktopPools, c.Snapshots, *c.Jobs),
				fmt.Sprintf("%v %+v %#v", []*Client{c}, map[string]*Client{"c": c}, struct{ C *Client }{c}),
			} {
				assertNoSecret(t, s)
				assert.NotContains(t, s, testAK[4:], "not even the access key inside the client")
			}
		})
	}
}

func TestSecrets_CredentialsAndTokenSourceFmt(t *testing.T) {
	t.Parallel()
	creds := Credentials{AccessKey: testAK, SecretKey: NewSecret(testSK), SecurityToken: NewSecret(testSecurityToken), Expires: time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)}
	src := StaticTokenSource(testToken)
	for _, s := range []string{
		fmt.Sprintf("%v %+v %#v %s %q", creds, creds, creds, creds, creds),
		fmt.Sprintf("%v %+v %#v", &creds, &creds, &creds),
		fmt.Sprintf("%v %+v %#v", []Credentials{creds}, map[string]Credentials{"a": creds}, struct{ C Credentials }{creds}),
		fmt.Sprintf("%v %+v %#v %s", src, src, src, src),
		fmt.Sprint(creds), creds.String(), creds.GoString(),
	} {
		assertNoSecret(t, s)
	}
	assert.Contains(t, creds.String(), testAK, "the access key identifies the credentials")
	assert.Contains(t, creds.String(), "2030-01-02T03:04:05Z")
	assert.Contains(t, fmt.Sprintf("%#v", creds), "REDACTED")
}

func TestSecrets_NotInLogsOfSuccessfulCalls(t *testing.T) {
	t.Parallel()
	var logs logBuffer
	logger := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	c, mux := setup(t, WithAccessKey(testAK, testSK), WithSecurityToken(testSecurityToken), WithLogger(logger))
	for _, op := range operations {
		mux.handle(op.rel, respond(http.StatusOK, op.ok))
	}
	var sigs []string
	for _, op := range operations {
		_, err := op.call(testContext(t), c)
		require.NoError(t, err)
		sigs = append(sigs, mux.last(t).Header.Get("Authorization"))
	}
	out := logs.String()
	assert.Equal(t, len(operations), strings.Count(out, "\n"), "one debug record per attempt")
	assertNoSecret(t, out, sigs...)
	assert.NotContains(t, out, "d1", "no query values in logs")
}

// Reflection-based dumpers (go-spew, which testify uses in its failure
// output) follow pointers into unexported fields; fixed credentials live
// in closures they cannot open.
func TestSecretsNotInReflectionDump(t *testing.T) {
	t.Parallel()
	const tok, sk, st = "dump-token-value-123", "dump-secret-key-456", "dump-security-token-789"
	clients := map[string][]Option{
		"token": {WithToken(tok)},
		"aksk":  {WithAccessKey("dump-ak", sk), WithSecurityToken(st)},
	}
	for name, creds := range clients {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			c, err := NewClient(append([]Option{WithEndpoint("http://127.0.0.1:1"), WithProjectID("p")}, creds...)...)
			require.NoError(t, err)
			found := testdump.Strings(c)
			require.Contains(t, found, "127.0.0.1:1", "the walk does reach the core")
			for _, secret := range []string{tok, sk, st} {
				assert.NotContains(t, found, secret)
			}
		})
	}
}

// A Secret, and the Credentials that hold them, are values users keep and
// compare (assert.Equal prints both with go-spew when they differ): a
// reflection-based dumper that follows pointers finds no secret in them.
func TestSecretValuesNotInReflectionDump(t *testing.T) {
	t.Parallel()
	const sk, st = "dump-value-secret-key", "dump-value-security-token"
	creds := Credentials{AccessKey: "dump-ak", SecretKey: NewSecret(sk), SecurityToken: NewSecret(st)}
	for name, v := range map[string]any{
		"Secret":       NewSecret(sk),
		"*Secret":      &creds.SecretKey,
		"Credentials":  creds,
		"*Credentials": &creds,
	} {
		found := testdump.Strings(v)
		for _, secret := range []string{sk, st} {
			assert.NotContains(t, found, secret, name)
		}
	}
	assert.Contains(t, testdump.Strings(creds), "dump-ak", "the walk does reach the fields")
	assert.Equal(t, sk, creds.SecretKey.Reveal())
	assert.True(t, Secret{}.IsZero())
	assert.False(t, creds.SecurityToken.IsZero())
}
