package workspace

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// ftSecrets are the secret values the foundation tests use; none may ever
// be printed.
var ftSecrets = []string{ftToken, ftSK, ftSecToken, "tok-1"}

// ftAssertNoSecret fails if s contains a secret or one of extra.
func ftAssertNoSecret(t *testing.T, s string, extra ...string) {
	t.Helper()
	for _, secret := range append(append([]string(nil), ftSecrets...), extra...) {
		if secret != "" {
			assert.NotContains(t, s, secret)
		}
	}
}

// ftCredentialKinds are the ways to authenticate a foundation test client.
var ftCredentialKinds = []struct {
	name string
	opts func() []Option
}{
	{"token", func() []Option { return []Option{WithToken(ftToken)} }},
	{"token source", func() []Option { return []Option{WithTokenSource(&ftTokenSource{})} }},
	{"access key", func() []Option { return []Option{WithAccessKey(ftAK, ftSK)} }},
	{"access key and security token", func() []Option {
		return []Option{WithAccessKey(ftAK, ftSK), WithSecurityToken(ftSecToken)}
	}},
}

func TestSecrets_NotInErrors(t *testing.T) {
	t.Parallel()
	for _, kind := range ftCredentialKinds {
		t.Run(kind.name+"/401 answer", func(t *testing.T) {
			t.Parallel()
			var logs ftSyncBuffer
			logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
			c, mux := ftSetupWith(t, append(kind.opts(), WithLogger(logger))...)
			mux.handleAny(ftRespond(http.StatusUnauthorized, `{"error_code":"APIGW.0301","error_msg":"Incorrect IAM authentication information"}`))
			for _, op := range ftOps {
				_, err := op.call(ftCtx(t), c)
				require.Error(t, err)
				assert.ErrorIs(t, err, ErrUnauthorized)
				// The signature the server got must not be printed either.
				sig := mux.last(t).Header.Get("Authorization")
				ftAssertNoSecret(t, err.Error(), sig)
				ftAssertNoSecret(t, fmt.Sprintf("%v %+v %#v", err, err, err), sig)
				ftAssertNoSecret(t, logs.String(), sig)
			}
			assert.NotEmpty(t, logs.String(), "the logger was used")
		})
		t.Run(kind.name+"/transport error", func(t *testing.T) {
			t.Parallel()
			srv := httptest.NewServer(http.NotFoundHandler())
			addr := srv.URL
			srv.Close() // nothing listens there any more
			c, err := NewClient(append(kind.opts(), WithEndpoint(addr+ftBasePath), WithProjectID(ftProjectID),
				WithRetryPolicy(RetryPolicy{MaxAttempts: 2, BaseDelay: time.Millisecond, MaxDelay: time.Millisecond}))...)
			require.NoError(t, err)
			for _, op := range ftOps {
				_, err := op.call(ftCtx(t), c)
				require.Error(t, err)
				ftAssertNoSecret(t, err.Error())
				ftAssertNoSecret(t, fmt.Sprintf("%v %+v %#v", err, err, err))
			}
		})
		t.Run(kind.name+"/2xx that does not decode", func(t *testing.T) {
			t.Parallel()
			c, mux := ftSetupWith(t, kind.opts()...)
			mux.handleAny(ftRespond(http.StatusOK, `<html>`))
			_, err := c.Snapshots.List(ftCtx(t), nil)
			ftErrorsAs[*DecodeError](t, err)
			ftAssertNoSecret(t, err.Error(), mux.last(t).Header.Get("Authorization"))
		})
	}
}

// ftFailingSource and ftFailingProvider fail with err.
type ftFailingSource struct{ err error }

func (s ftFailingSource) Token(context.Context) (string, error) { return "", s.err }

type ftFailingProvider struct{ err error }

func (s ftFailingProvider) Credentials(context.Context) (Credentials, error) {
	return Credentials{}, s.err
}

func TestSecrets_NotInCredentialErrors(t *testing.T) {
	t.Parallel()
	cause := errors.New("identity service unavailable")
	for name, opt := range map[string]Option{
		"token source":         WithTokenSource(ftFailingSource{err: cause}),
		"credentials provider": WithCredentialsProvider(ftFailingProvider{err: cause}),
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			c, mux := ftSetupWith(t, opt)
			_, err := c.DesktopPools.GetInconsistentStatistics(ftCtx(t), "p")
			require.ErrorIs(t, err, cause)
			ftAssertNoSecret(t, err.Error())
			assert.Zero(t, mux.requests())
		})
	}
}

func TestSecrets_NotInFmtOutput(t *testing.T) {
	t.Parallel()
	for _, kind := range ftCredentialKinds {
		t.Run(kind.name, func(t *testing.T) {
			t.Parallel()
			c, err := NewClient(append(kind.opts(), WithEndpoint("https://gw.example.com"), WithProjectID(ftProjectID))...)
			require.NoError(t, err)
			for _, s := range []string{
				fmt.Sprintf("%v %+v %#v %s", c, c, c, c),
				fmt.Sprintf("%v %+v %#v", *c, *c, *c),
				fmt.Sprintf("%v %+v %#v", c.DesktopPools, c.Snapshots, *c.Jobs),
				fmt.Sprintf("%v %+v %#v", []*Client{c}, map[string]*Client{"c": c}, struct{ C *Client }{c}),
			} {
				ftAssertNoSecret(t, s)
				assert.NotContains(t, s, ftAK[4:], "not even the access key inside the client")
			}
		})
	}
}

func TestSecrets_CredentialsAndTokenSourceFmt(t *testing.T) {
	t.Parallel()
	creds := Credentials{AccessKey: ftAK, SecretKey: ftSK, SecurityToken: ftSecToken, Expires: time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)}
	src := StaticTokenSource(ftToken)
	for _, s := range []string{
		fmt.Sprintf("%v %+v %#v %s %q", creds, creds, creds, creds, creds),
		fmt.Sprintf("%v %+v %#v", &creds, &creds, &creds),
		fmt.Sprintf("%v %+v %#v", []Credentials{creds}, map[string]Credentials{"a": creds}, struct{ C Credentials }{creds}),
		fmt.Sprintf("%v %+v %#v %s", src, src, src, src),
		fmt.Sprint(creds), creds.String(), creds.GoString(),
	} {
		ftAssertNoSecret(t, s)
	}
	assert.Contains(t, creds.String(), ftAK, "the access key identifies the credentials")
	assert.Contains(t, creds.String(), "2030-01-02T03:04:05Z")
	assert.Contains(t, fmt.Sprintf("%#v", creds), "REDACTED")
}

// ftSyncBuffer is a bytes.Buffer safe for a logger used by several
// goroutines.
type ftSyncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *ftSyncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *ftSyncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestSecrets_NotInLogsOfSuccessfulCalls(t *testing.T) {
	t.Parallel()
	var logs ftSyncBuffer
	logger := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	c, mux := ftSetupWith(t, WithAccessKey(ftAK, ftSK), WithSecurityToken(ftSecToken), WithLogger(logger))
	for _, op := range ftOps {
		mux.handle(op.rel, ftRespond(http.StatusOK, op.ok))
	}
	var sigs []string
	for _, op := range ftOps {
		_, err := op.call(ftCtx(t), c)
		require.NoError(t, err)
		sigs = append(sigs, mux.last(t).Header.Get("Authorization"))
	}
	out := logs.String()
	assert.Equal(t, len(ftOps), strings.Count(out, "\n"), "one debug record per attempt")
	ftAssertNoSecret(t, out, sigs...)
	assert.NotContains(t, out, "d1", "no query values in logs")
}

// Reflection-based dumpers (go-spew, which testify uses in its failure
// output) follow pointers into unexported fields; fixed credentials live
// in closures they cannot open. ftReachableStrings sees everything such a
// dumper could.
func TestSecrets_NotInReflectionDump(t *testing.T) {
	t.Parallel()
	const tok, sk, st = "dump-token-value-123", "dump-secret-key-456", "dump-security-token-789"
	clients := map[string][]Option{
		"token":                     {WithToken(tok)},
		"aksk":                      {WithAccessKey("dump-ak", sk), WithSecurityToken(st)},
		"aksk from the environment": {credEnv(map[string]string{EnvAccessKey: "dump-ak", EnvSecretKey: sk, EnvSecurityToken: st}), WithEnv()},
		"aksk from the credentials file": {credEnv(map[string]string{}),
			WithCredentialsFile(cfgWriteFile(t, "[basic]\nak = dump-ak\nsk = "+sk+"\nsecurity_token = "+st+"\n"))},
		"token from the environment": {credEnv(map[string]string{EnvToken: tok}), WithEnv()},
	}
	for name, creds := range clients {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			c, err := NewClient(append([]Option{WithEndpoint("http://127.0.0.1:1"), WithProjectID("p")}, creds...)...)
			require.NoError(t, err)
			found := ftReachableStrings(reflect.ValueOf(c), map[uintptr]bool{}, nil)
			require.Contains(t, found, "127.0.0.1:1", "the walk does reach the core")
			for _, secret := range []string{tok, sk, st} {
				assert.NotContains(t, found, secret)
			}
		})
	}
}

// ftReachableStrings collects every string reachable from v through
// pointers, interfaces, structs (unexported fields too), slices and maps.
func ftReachableStrings(v reflect.Value, seen map[uintptr]bool, out []string) []string {
	switch v.Kind() {
	case reflect.String:
		out = append(out, v.String())
	case reflect.Pointer:
		if v.IsNil() || seen[v.Pointer()] {
			return out
		}
		seen[v.Pointer()] = true
		out = ftReachableStrings(v.Elem(), seen, out)
	case reflect.Interface:
		if !v.IsNil() {
			out = ftReachableStrings(v.Elem(), seen, out)
		}
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			out = ftReachableStrings(v.Field(i), seen, out)
		}
	case reflect.Slice, reflect.Array:
		for i := 0; i < v.Len(); i++ {
			out = ftReachableStrings(v.Index(i), seen, out)
		}
	case reflect.Map:
		iter := v.MapRange()
		for iter.Next() {
			out = ftReachableStrings(iter.Key(), seen, out)
			out = ftReachableStrings(iter.Value(), seen, out)
		}
	}
	return out
}
