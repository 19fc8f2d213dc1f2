package pipeline

import (
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestRedact(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		text    string
		secrets []string
		want    string
	}{
		{"none", "nothing here", []string{"s3cret"}, "nothing here"},
		{"raw", "token s3cret-1 and s3cret-1 again", []string{"s3cret-1"}, "token REDACTED and REDACTED again"},
		{"JSON-escaped", `"password":"pa\"ss\\w0rd"`, []string{`pa"ss\w0rd`}, `"password":"REDACTED"`},
		{"JSON-escaped, HTML too", `"p":"a\u003cb\u003e\u0026c"`, []string{"a<b>&c"}, `"p":"REDACTED"`},
		{"JSON-escaped, HTML kept", `"p":"a<b>\"c"`, []string{`a<b>"c`}, `"p":"REDACTED"`},
		{"JSON-escaped line separator", `"p":"a\u2028b"`, []string{"a\u2028b"}, `"p":"REDACTED"`},
		{"query-escaped", "GET /x?t=a+b%2Fc%3D", []string{"a b/c="}, "GET /x?t=REDACTED"},
		{"path-escaped", "GET /x/a%20b%2Fc", []string{"a b/c"}, "GET /x/REDACTED"},
		{"several", "a=one1 b=two2 c=three", []string{"one1", "two2"}, "a=REDACTED b=REDACTED c=three"},
		{"short ones left", "id=abc and empty", []string{"abc", "", "x"}, "id=abc and empty"},
		{"four bytes replaced", "pin=1234", []string{"1234"}, "pin=REDACTED"},
		{"no secrets", "text", nil, "text"},
	} {
		assert.Equal(t, tc.want, Redact(tc.text, tc.secrets), tc.name)
	}
}

// secretForms are the forms of s that Redact promises to replace.
func secretForms(s string) []string {
	return []string{s, jsonForm(s, true), jsonForm(s, false), url.QueryEscape(s), url.PathEscape(s)}
}

func FuzzRedact(f *testing.F) {
	f.Add("the token tok-secret-123 was refused", "tok-secret-123")
	f.Add(`{"error_msg":"bad password pa\"ss\\w\u003co\u003erd"}`, `pa"ss\w<o>rd`)
	f.Add("GET /x?t=a+b%2Fc&u=a%20b%2Fc", "a b/c")
	f.Add("XXRED", "XRED")
	f.Add("aaaaaaaaa", "aaaa")
	f.Add("ünïcödé \u2028 ünïcödé", "ünïcödé \u2028")
	f.Fuzz(func(t *testing.T, text, secret string) {
		if len(secret) < minSecret || strings.Contains(secret, "\x00") {
			t.Skip()
		}
		// The secret's forms appear in the text.
		in := text + " " + strings.Join(secretForms(secret), " "+text+" ")
		out := Redact(in, []string{secret})
		// An occurrence that takes in part of a REDACTED (the secret
		// "XRED" in "XREDACTED") shows nothing of the secret: the
		// marker is taken out before looking.
		masked := strings.ReplaceAll(out, "REDACTED", "\x00")
		for _, form := range secretForms(secret) {
			if strings.Contains(masked, form) {
				t.Fatalf("Redact(%q, %q) = %q keeps %q", in, secret, out, form)
			}
		}
	})
}
