package workspace

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"

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
// in closures they cannot open. reachableStrings sees everything such a
// dumper could.
func TestSecrets_NotInReflectionDump(t *testing.T) {
	t.Parallel()
	const tok, sk, st = "dump-token-value-123", "dump-secret-key-456", "dump-security-token-789"
	clients := map[string][]Option{
		"token":                     {WithToken(tok)},
		"aksk":                      {WithAccessKey("dump-ak", sk), WithSecurityToken(st)},
		"aksk from the environment": {fakeEnv(map[string]string{EnvAccessKey: "dump-ak", EnvSecretKey: sk, EnvSecurityToken: st}), WithEnv()},
		"aksk from the credentials file": {fakeEnv(map[string]string{}),
			WithCredentialsFile(writeTempFile(t, "[basic]\nak = dump-ak\nsk = "+sk+"\nsecurity_token = "+st+"\n"))},
		"token from the environment": {fakeEnv(map[string]string{EnvToken: tok}), WithEnv()},
	}
	for name, creds := range clients {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			c, err := NewClient(append([]Option{WithEndpoint("http://127.0.0.1:1"), WithProjectID("p")}, creds...)...)
			require.NoError(t, err)
			found := reachableStrings(reflect.ValueOf(c), map[uintptr]bool{}, nil)
			require.Contains(t, found, "127.0.0.1:1", "the walk does reach the core")
			for _, secret := range []string{tok, sk, st} {
				assert.NotContains(t, found, secret)
			}
		})
	}
}

// reachableStrings collects every string reachable from v through
// pointers, interfaces, structs (unexported fields too), slices and maps.
func reachableStrings(v reflect.Value, seen map[uintptr]bool, out []string) []string {
	switch v.Kind() {
	case reflect.String:
		out = append(out, v.String())
	case reflect.Pointer:
		if v.IsNil() || seen[v.Pointer()] {
			return out
		}
		seen[v.Pointer()] = true
		out = reachableStrings(v.Elem(), seen, out)
	case reflect.Interface:
		if !v.IsNil() {
			out = reachableStrings(v.Elem(), seen, out)
		}
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			out = reachableStrings(v.Field(i), seen, out)
		}
	case reflect.Slice, reflect.Array:
		for i := 0; i < v.Len(); i++ {
			out = reachableStrings(v.Index(i), seen, out)
		}
	case reflect.Map:
		iter := v.MapRange()
		for iter.Next() {
			out = reachableStrings(iter.Key(), seen, out)
			out = reachableStrings(iter.Value(), seen, out)
		}
	}
	return out
}

// captureT collects testify's failure messages.
type captureT struct{ msgs []string }

func (c *captureT) Errorf(format string, args ...any) {
	c.msgs = append(c.msgs, fmt.Sprintf(format, args...))
}

// printRoutes renders v every way a program or a test might print it,
// testify's failure output included (secretRoutes in secret_test.go is
// the fmt, JSON and slog routes of a Secret and what holds one).
func printRoutes(t *testing.T, v any) map[string]string {
	out := map[string]string{}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d", "%10.3v", "%-8s", "%o", "%t"} {
		out[verb] = fmt.Sprintf(verb, v)
	}
	if j, err := json.Marshal(v); err == nil {
		out["json"] = string(j)
	}
	for name, h := range map[string]func(*bytes.Buffer) slog.Handler{
		"slog text": func(b *bytes.Buffer) slog.Handler { return slog.NewTextHandler(b, nil) },
		"slog json": func(b *bytes.Buffer) slog.Handler { return slog.NewJSONHandler(b, nil) },
	} {
		var b bytes.Buffer
		slog.New(h(&b)).Info("m", "v", v)
		out[name] = b.String()
	}
	ct := &captureT{}
	assert.Equal(ct, struct{ V any }{v}, struct{ V any }{nil})
	out["testify"] = strings.Join(ct.msgs, "\n")
	return out
}

// assertHidden fails if any rendering shows a secret, as is or in hex.
// Routes named in skip are not checked.
func assertHidden(t *testing.T, what string, v any, skip string, secrets ...string) {
	t.Helper()
	for route, s := range printRoutes(t, v) {
		if route == skip {
			continue
		}
		for _, secret := range secrets {
			for _, form := range []string{secret, hex.EncodeToString([]byte(secret)), strings.ToUpper(hex.EncodeToString([]byte(secret)))} {
				assert.NotContains(t, s, form, "%s printed with %s", what, route)
			}
		}
	}
}

// No route prints a secret of the credentials, the IAM configuration or
// a credential source: fmt's verbs, json.Marshal, slog, and reflection
// dumpers (testify's failure output).
func TestSecretsUnprintableInCredentialsAndSources(t *testing.T) {
	t.Parallel()
	// Credentials and IAMConfig are the user's own value types, whose
	// exported fields reflection reads: every other route is covered.
	cred := Credentials{AccessKey: testAK, SecretKey: NewSecret(testSK), SecurityToken: NewSecret(testSecurityToken)}
	assertHidden(t, "Credentials", cred, "testify", testSK, testSecurityToken)
	assertHidden(t, "*Credentials", &cred, "testify", testSK, testSecurityToken)

	fake := newFakeIAM(t, newFakeClock())
	cfg := iamConfig(fake)
	assertHidden(t, "IAMConfig", cfg, "testify", testPassword)
	assertHidden(t, "*IAMConfig", &cfg, "testify", testPassword)

	src := newIAMSource(t, fake, nil)
	tok, err := src.Token(context.Background())
	require.NoError(t, err)
	assertHidden(t, "IAMTokenSource", src, "", testPassword, tok)
	assertHidden(t, "a struct holding an IAMTokenSource", struct{ Src *IAMTokenSource }{src}, "", testPassword, tok)

	meta := newFakeMetadata(t, newFakeClock())
	p := newMetadataProvider(t, meta, nil)
	mc, err := p.Credentials(context.Background())
	require.NoError(t, err)
	assertHidden(t, "MetadataCredentialsProvider", p, "", mc.SecretKey.Reveal(), mc.SecurityToken.Reveal())
	assertHidden(t, "a struct holding a MetadataCredentialsProvider", struct{ P *MetadataCredentialsProvider }{p}, "", mc.SecretKey.Reveal(), mc.SecurityToken.Reveal())

	ex := newFakeIDTokenExchange(t, newFakeClock())
	ids := idTokenSourceFor(t, ex, writeTempFile(t, idTokenSecret))
	idTok, err := ids.Token(context.Background())
	require.NoError(t, err)
	assertHidden(t, "IDTokenSource", ids, "", idTokenSecret, idTok)
	assertHidden(t, "a struct holding an IDTokenSource", struct{ S *IDTokenSource }{ids}, "", idTokenSecret, idTok)
}

// Every configuration type (IDTokenConfig, MetadataConfig, IAMConfig)
// prints its endpoint through redactURL, by every route that calls a
// method, so that a password or a signature in the URL is never shown,
// nor a password holding '?' or '#'.
//
// Not %p of a value: fmt calls no method for it and prints the fields raw,
// Endpoint a plain string among them. The constructors refuse an endpoint
// with user information, a query or a fragment, so such a value never
// configures anything; the secrets proper are Secret values (see
// TestSecretsUnreachableByEveryRoute).
func TestConfigTypesRedactEndpoints(t *testing.T) {
	t.Parallel()
	endpoints := []struct {
		raw, secret, shown string
	}{
		{"https://user:url-Pass-1@iam.example.com/prefix", "url-Pass-1", "iam.example.com/prefix"},
		{"https://user:url-Pa?ss-2@iam.example.com", "url-Pa", "https://REDACTED"},
		{"https://user:url-Pa#ss-3@iam.example.com", "url-Pa", "https://REDACTED"},
		{"user:url-Pass-4@iam.example.com", "url-Pass-4", "user:REDACTED"},
		{"https://iam.example.com/?sig=url-Sig-5", "url-Sig-5", "iam.example.com/?REDACTED"},
	}
	type config struct {
		name string
		v    any
	}
	var configs []config
	for _, e := range endpoints {
		iam := IAMConfig{Endpoint: e.raw, UserName: "u", Password: NewSecret("pw-secret-6"), DomainName: "d", ProjectID: "p"}
		id := IDTokenConfig{IdPID: "idp", TokenFile: "/var/run/token", ProjectID: "p", Endpoint: e.raw}
		md := MetadataConfig{Endpoint: e.raw}
		configs = append(configs,
			config{"IAMConfig " + e.raw, iam}, config{"*IAMConfig " + e.raw, &iam},
			config{"IDTokenConfig " + e.raw, id}, config{"*IDTokenConfig " + e.raw, &id},
			config{"MetadataConfig " + e.raw, md}, config{"*MetadataConfig " + e.raw, &md},
		)
	}
	for i, c := range configs {
		e := endpoints[i/6]
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			routes := secretRoutes(t, c.v)
			require.Contains(t, routes["%v"], e.shown, "the endpoint is shown, redacted")
			for route, s := range routes {
				if (route == "%p" || route == "%#p") && !strings.HasPrefix(c.name, "*") {
					continue
				}
				for _, form := range []string{e.secret, "pw-secret-6", hex.EncodeToString([]byte(e.secret))} {
					assert.NotContains(t, s, form, "%s printed with %s", c.name, route)
				}
			}
		})
	}
}

func TestConfigTypesString(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		v    fmt.Stringer
		want string
	}{
		{"IDTokenConfig", IDTokenConfig{IdPID: "idp", TokenFile: "/t", ProjectID: "p", Region: "r", Endpoint: "https://u:pw@iam.example.com"},
			"IDTokenConfig{IdPID: idp, TokenFile: /t, ProjectID: p, Region: r, Endpoint: https://REDACTED@iam.example.com, RefreshBefore: 0s}"},
		{"MetadataConfig", MetadataConfig{Endpoint: "http://169.254.169.254?token=x", SessionTokenTTL: 6 * time.Hour},
			"MetadataConfig{Endpoint: http://169.254.169.254?REDACTED, RefreshBefore: 0s, SessionTokenTTL: 6h0m0s}"},
		{"zero MetadataConfig", MetadataConfig{}, "MetadataConfig{Endpoint: , RefreshBefore: 0s, SessionTokenTTL: 0s}"},
		{"IAMConfig", IAMConfig{Endpoint: "https://u:p?w@iam.example.com", UserName: "u", Password: NewSecret("p")},
			"IAMConfig{Endpoint: https://REDACTED, Region: , UserName: u, Password: REDACTED, DomainName: , ProjectID: , RefreshBefore: 0s}"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tt.want, tt.v.String())
			assert.Equal(t, tt.want, fmt.Sprintf("%v", tt.v))
			assert.Equal(t, "workspace."+tt.want, fmt.Sprintf("%#v", tt.v))
		})
	}
}
