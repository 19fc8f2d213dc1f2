package credentials

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hwcloud-go/workspace"
	"github.com/hwcloud-go/workspace/internal/testdump"
)

// assertNoSecret fails if s contains one of secrets.
func assertNoSecret(t *testing.T, s string, secrets ...string) {
	t.Helper()
	for _, secret := range secrets {
		if secret != "" {
			assert.NotContains(t, s, secret)
		}
	}
}

// logBuffer is a locked buffer for loggers used by several goroutines.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// fmtVerbs are the verbs a configuration is printed with in the tests:
// every one that could show a field.
var fmtVerbs = []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d", "%10.3v", "%-v", "% x"}

// printedEveryWay is v printed with every verb, JSON and slog (text and
// JSON handlers), hex output decoded, so that a secret hidden by hex
// encoding is found too.
func printedEveryWay(t *testing.T, v any) string {
	t.Helper()
	var b strings.Builder
	for _, verb := range fmtVerbs {
		out := fmt.Sprintf(verb, v)
		b.WriteString(out + "\n")
		if raw, err := hex.DecodeString(strings.ReplaceAll(out, " ", "")); err == nil {
			b.Write(raw)
			b.WriteString("\n")
		}
	}
	data, err := json.Marshal(v)
	require.NoError(t, err)
	b.Write(data)
	b.WriteString("\n")
	var logs logBuffer
	slog.New(slog.NewTextHandler(&logs, nil)).Info("cfg", "cfg", v)
	slog.New(slog.NewJSONHandler(&logs, nil)).Info("cfg", "cfg", v)
	b.WriteString(logs.String())
	return b.String()
}

// No configuration type prints its password, or the password of its
// endpoint URL, by any fmt verb, json.Marshal or slog, as a value, behind
// a pointer or inside another struct.
func TestConfigTypesNeverPrintASecret(t *testing.T) {
	t.Parallel()
	const (
		password    = "format-password-secret"
		urlPassword = "format-url-password-secret"
		query       = "format-signature-secret"
	)
	endpoint := "https://user:" + urlPassword + "@iam.example.com/prefix?sig=" + query
	iam := IAMConfig{Endpoint: endpoint, Region: "ap-southeast-3", UserName: "alice", Password: workspace.NewSecret(password),
		DomainName: "acme", ProjectID: "p-1"}
	idt := IDTokenConfig{IdPID: "idp-1", TokenFile: "/var/run/token", ProjectID: "p-1", Region: "ap-southeast-3", Endpoint: endpoint}
	md := MetadataConfig{Endpoint: "http://user:" + urlPassword + "@127.0.0.1:8080/?sig=" + query}
	for _, tt := range []struct {
		name string
		v    any
		want string // shown: the configuration is still described
	}{
		{"IAMConfig", iam, "alice"},
		{"*IAMConfig", &iam, "alice"},
		{"IAMConfig in a struct", struct{ C IAMConfig }{iam}, "alice"},
		{"IDTokenConfig", idt, "idp-1"},
		{"*IDTokenConfig", &idt, "idp-1"},
		{"IDTokenConfig in a struct", struct{ C *IDTokenConfig }{&idt}, "idp-1"},
		{"MetadataConfig", md, "127.0.0.1:8080"},
		{"*MetadataConfig", &md, "127.0.0.1:8080"},
		{"MetadataConfig in a slice", []MetadataConfig{md}, "127.0.0.1:8080"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			out := printedEveryWay(t, tt.v)
			assertNoSecret(t, out, password, urlPassword, query)
			assert.Contains(t, out, tt.want)
		})
	}
	assert.Contains(t, iam.String(), "Password: REDACTED")
	assert.True(t, strings.HasPrefix(fmt.Sprintf("%#v", iam), "credentials.IAMConfig{"), "%#v", iam)
	assert.True(t, strings.HasPrefix(fmt.Sprintf("%#v", idt), "credentials.IDTokenConfig{"), "%#v", idt)
	assert.True(t, strings.HasPrefix(fmt.Sprintf("%#v", md), "credentials.MetadataConfig{"), "%#v", md)
	data, err := json.Marshal(iam)
	require.NoError(t, err)
	var s string
	require.NoError(t, json.Unmarshal(data, &s), "a JSON string: %s", data)
	assert.Equal(t, iam.String(), s)
}

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

// assertEchoRedacted checks that err, in every form fmt prints it, holds
// none of secrets, raw or escaped as JSON would carry it, and that the
// echo did reach the error (redacted).
func assertEchoRedacted(t *testing.T, err error, secrets ...string) {
	t.Helper()
	var b strings.Builder
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q"} {
		b.WriteString(fmt.Sprintf(verb, err) + "\n")
	}
	text := b.String()
	assert.Contains(t, text, "REDACTED", "the echo is in the error: %v", err)
	for _, s := range secrets {
		j, _ := json.Marshal(s)
		for _, form := range []string{s, string(j[1 : len(j)-1])} {
			assert.NotContains(t, text, form, "secret %q echoed in %v", s, err)
		}
	}
}

// The configuration types, which hold the password as a workspace.Secret,
// show no secret to a reflection-based dumper (go-spew, which testify uses
// in its failure output) either, as a value or behind a pointer.
func TestConfigTypesNotInReflectionDump(t *testing.T) {
	t.Parallel()
	const password = "dump-iam-password-secret"
	cfg := IAMConfig{Region: "ap-southeast-3", UserName: "dump-user", Password: workspace.NewSecret(password), DomainName: "d", ProjectID: "p"}
	src, err := NewIAMTokenSource(cfg)
	require.NoError(t, err)
	for name, v := range map[string]any{"IAMConfig": cfg, "*IAMConfig": &cfg, "*IAMTokenSource": src} {
		assert.NotContains(t, testdump.Strings(v), password, name)
	}
	assert.Contains(t, testdump.Strings(cfg), "dump-user", "the walk does reach the fields")
}
