package pipeline

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// RedactURL parses before it redacts, so that a password holding '?' or
// '#' is not shown: user information, query and fragment are REDACTED;
// what does not parse, or has an '@' that cannot be attributed, is the
// scheme and REDACTED.
func TestRedactURL(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		raw    string
		want   string
		secret string // never in the output
	}{
		{"password with a question mark", "https://user:pa?ss@host/x", "https://REDACTED", "pa?ss"},
		{"password with a hash", "https://u:p#w@host", "https://REDACTED", "p#w"},
		{"password with a slash", "https://u:pa/ss@host/x", "https://REDACTED", "pa/ss"},
		{"password with an at", "https://u:p@ss@host/x", "https://REDACTED@host/x", "p@ss"},
		{"password that looks like a port", "https://user:1234?word@host/x", "https://REDACTED", "1234"},
		{"password that looks like a port and a path", "https://user:1234/word@host/x", "https://REDACTED", "1234"},
		{"user information", "https://user:secret-pw@host:8443/prefix", "https://REDACTED@host:8443/prefix", "secret-pw"},
		{"user alone", "https://token-as-user@host", "https://REDACTED@host", "token-as-user"},
		{"query and fragment", "https://host/x?sig=SECRET-1#frag-SECRET", "https://host/x?REDACTED#REDACTED", "SECRET"},
		{"empty query and fragment", "https://host/x?#", "https://host/x?REDACTED#REDACTED", ""},
		{"fragment alone", "https://host/#SECRET-6", "https://host/#REDACTED", "SECRET"},
		{"an at in the query", "https://host/x?mail=a@b&sig=SECRET", "https://REDACTED", "SECRET"},
		{"an at in the path", "https://u:pw-x@host/a@b", "https://REDACTED", "pw-x"},
		{"does not parse", "https://user:PASS-1@host/%zz", "https://REDACTED", "PASS"},
		{"bad port", "https://u:PASS-7@h:99999/", "https://REDACTED@h:99999/", "PASS"},
		{"bad IPv6 host", "https://u:PASS-8@[::1/", "https://REDACTED", "PASS"},
		{"no scheme separator", "http//u:PASS-9@h/?q=SECRET-9", "REDACTED", "PASS"},
		{"leading blank, control byte", " https://u:PASS-10@h/\x7f", "REDACTED", "PASS"},
		{"no scheme", "//u:PASS-12@h", "//REDACTED@h", "PASS"},
		{"opaque with an at", "mailto:user:PASS-13@host", "mailto:REDACTED", "PASS"},
		{"user:password@host, no scheme", "user:PASS-14@host", "user:REDACTED", "PASS"},
		{"other scheme", "ftp://u:PASS-3@h", "ftp://REDACTED@h", "PASS"},
		{"plain endpoint kept", "https://iam.ap-southeast-3.myhuaweicloud.com", "https://iam.ap-southeast-3.myhuaweicloud.com", ""},
		{"loopback with a path kept", "http://127.0.0.1:8080/iam/", "http://127.0.0.1:8080/iam/", ""},
		{"escaped path kept as written", "https://host/p%40x", "https://host/p%40x", ""},
		{"host and port without scheme", "localhost:8080", "localhost:8080", ""},
		{"empty", "", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := RedactURL(tt.raw)
			assert.Equal(t, tt.want, got)
			if tt.secret != "" {
				assert.NotContains(t, got, tt.secret)
			}
		})
	}
}

// FuzzRedactURL: whatever the user, password and host bytes of
// scheme://user:P@host/path?q#f, RedactURL never shows a password P of 4
// bytes or more (unless P is part of what is shown anyway: the scheme,
// the host, the path, REDACTED).
func FuzzRedactURL(f *testing.F) {
	for _, seed := range []struct {
		scheme           uint8
		user, pass, host string
	}{
		{0, "user", "pa?ss", "host"},
		{0, "u", "p#w0", "host"},
		{1, "user", "1234/word", "host"},
		{1, "user", "1234?word", "host"},
		{0, "a@b", "p@ss", "h@st"},
		{2, "user", "%41%42%43%44", "%80%81"},
		{0, "us/er", "pass", "host"},
		{0, "user", "pass", "[::1"},
		{3, "", "pass word", "h:99999"},
	} {
		f.Add(seed.scheme, seed.user, seed.pass, seed.host)
	}
	schemes := []string{"https", "http", "ftp", "HTTPS"}
	f.Fuzz(func(t *testing.T, scheme uint8, user, pass, host string) {
		if len(pass) < 4 {
			return
		}
		sc := schemes[int(scheme)%len(schemes)]
		raw := sc + "://" + user + ":" + pass + "@" + host + "/path?q#f"
		got := RedactURL(raw)
		if !strings.Contains(got, pass) {
			return
		}
		// Shown anyway: the scheme (lower-cased or not) and, after the
		// user information, the host from its last '@' on, the path.
		for _, s := range []string{sc, strings.ToLower(sc)} {
			for from := 0; from <= len(host); from++ {
				if from > 0 && host[from-1] != '@' {
					continue
				}
				if strings.Contains(s+"://REDACTED@"+host[from:]+"/path?REDACTED#REDACTED", pass) {
					return
				}
			}
		}
		t.Fatalf("RedactURL(%q) = %q shows the password %q", raw, got, pass)
	})
}

// ParseEndpoint splits a base URL into origin and escaped prefix, and says
// what is wrong with a bad one without its secrets.
func TestParseEndpoint(t *testing.T) {
	t.Parallel()
	tests := []struct {
		raw, origin, prefix, problem string
	}{
		{raw: "https://h.example.com", origin: "https://h.example.com"},
		{raw: " http://127.0.0.1:8080/pre%20fix/ ", origin: "http://127.0.0.1:8080", prefix: "/pre%20fix"},
		{raw: "ftp://h", problem: `"ftp://h" must start with https:// or http://`},
		{raw: "https://", problem: `"https://" has no host`},
		{raw: "https://u:PASS@h", problem: "must not contain user information"},
		{raw: "https://h/?sig=SECRET", problem: `"https://h/?REDACTED" must not have a query or fragment`},
		{raw: "https://h/%zz?sig=SECRET", problem: `"https://REDACTED" is not a URL`},
	}
	for _, tt := range tests {
		origin, prefix, problem := ParseEndpoint(tt.raw)
		assert.Equal(t, tt.origin, origin, tt.raw)
		assert.Equal(t, tt.prefix, prefix, tt.raw)
		assert.Equal(t, tt.problem, problem, tt.raw)
		assert.NotContains(t, problem, "PASS")
		assert.NotContains(t, problem, "SECRET")
	}
}
