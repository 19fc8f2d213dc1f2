package signer

import (
	"crypto/sha256"
	"encoding/hex"
	"net/url"
	"sort"
	"strings"
	"testing"
)

// Seed corpora live in testdata/fuzz/<target>.

// relEscaped reports whether s consists only of unreserved characters and
// %XX escapes with uppercase hex digits, plus any byte of extra.
func relEscaped(s, extra string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case unreserved(c), strings.IndexByte(extra, c) >= 0:
		case c == '%' && i+2 < len(s) && relUpperHex(s[i+1]) && relUpperHex(s[i+2]):
			i += 2
		default:
			return false
		}
	}
	return true
}

func relUpperHex(c byte) bool { return '0' <= c && c <= '9' || 'A' <= c && c <= 'F' }

// FuzzEscape: the output has only unreserved characters and %XX, decodes
// back to the input, and equals the input exactly when nothing needed
// escaping.
func FuzzEscape(f *testing.F) {
	for _, s := range []string{"", "abc-_.~XYZ09", "a b", "a+b", "a/b?c#d", "%", "%2F", "é", "\x00\xff", "*", "~"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		e := Escape(s)
		if !relEscaped(e, "") {
			t.Fatalf("Escape(%q) = %q has a reserved character", s, e)
		}
		back, err := url.PathUnescape(e)
		if err != nil || back != s {
			t.Fatalf("Escape(%q) = %q decodes to %q, %v", s, e, back, err)
		}
		plain := true
		for i := 0; i < len(s); i++ {
			plain = plain && unreserved(s[i])
		}
		if (e == s) != plain {
			t.Fatalf("Escape(%q) = %q: changed %v, but only unreserved characters: %v", s, e, e != s, plain)
		}
	})
}

// FuzzCanonicalURI: no panic; the result ends in "/", has only unreserved
// characters, %XX and "/", keeps every segment (escaping never adds a
// slash), and is stable: canonicalising it again changes nothing.
func FuzzCanonicalURI(f *testing.F) {
	for _, s := range []string{"", "/", "/v2/p/desktop-pools/a%2Fb/inconsistent-statics", "/v2/p/snapshots/",
		"/a b/c", "//", "/%zz/%", "/é/%C3%A9", "/../.", "no-leading-slash", "/%2e%2E/"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, path string) {
		out := CanonicalURI(path)
		if !strings.HasSuffix(out, "/") {
			t.Fatalf("CanonicalURI(%q) = %q does not end in /", path, out)
		}
		if !relEscaped(out, "/") {
			t.Fatalf("CanonicalURI(%q) = %q has a reserved character", path, out)
		}
		if d := strings.Count(out, "/") - strings.Count(path, "/"); d != 0 && d != 1 {
			t.Fatalf("CanonicalURI(%q) = %q: %d slashes more", path, out, d)
		}
		if again := CanonicalURI(out); again != out {
			t.Fatalf("CanonicalURI not stable: %q -> %q -> %q", path, out, again)
		}
	})
}

// FuzzCanonicalQuery: no panic; one name=value pair per value (one for a
// name without values), every part escaped, names in sorted order, and
// the pairs decode back to the parameters.
func FuzzCanonicalQuery(f *testing.F) {
	f.Add("limit=2&marker=13551d6b", "task_id", "b")
	f.Add("a=1&a=0&b=", "", "")
	f.Add("x=%zz&y=1", "é", "a b+c")
	f.Add("", "=&", "?#")
	f.Fuzz(func(t *testing.T, raw, k, v string) {
		q, _ := url.ParseQuery(raw)
		if q == nil {
			q = url.Values{}
		}
		q.Add(k, v)
		out := CanonicalQuery(q)
		want := 0
		for _, vals := range q {
			want += max(1, len(vals))
		}
		pairs := strings.Split(out, "&")
		if len(pairs) != want {
			t.Fatalf("CanonicalQuery(%v) = %q: %d pairs, want %d", q, out, len(pairs), want)
		}
		got := url.Values{}
		var names []string
		for _, p := range pairs {
			name, val, ok := strings.Cut(p, "=")
			if !ok || !relEscaped(name, "") || !relEscaped(val, "") {
				t.Fatalf("CanonicalQuery(%v) = %q: bad pair %q", q, out, p)
			}
			dn, err1 := url.PathUnescape(name)
			dv, err2 := url.PathUnescape(val)
			if err1 != nil || err2 != nil {
				t.Fatalf("pair %q does not decode", p)
			}
			if len(names) == 0 || names[len(names)-1] != dn {
				names = append(names, dn)
			}
			got.Add(dn, dv)
		}
		if !sort.StringsAreSorted(names) {
			t.Fatalf("names out of order in %q", out)
		}
		for name, vals := range q {
			if len(vals) == 0 {
				continue
			}
			g := append([]string(nil), got[name]...)
			w := append([]string(nil), vals...)
			sort.Strings(g)
			sort.Strings(w)
			if strings.Join(g, "\x00") != strings.Join(w, "\x00") || len(g) != len(w) {
				t.Fatalf("name %q: values %q, want %q", name, g, w)
			}
		}
	})
}

// FuzzCanonicalRequest signs requests with arbitrary method, path, query,
// header and body: no panic; the signed-header list is lowercase, sorted
// and the same in the canonical request and the Authorization value; the
// signature is 64 hex digits and deterministic.
func FuzzCanonicalRequest(f *testing.F) {
	f.Add("GET", "/v2/p/snapshots", "limit=2", "X-Project-Id", "p", []byte(nil))
	f.Add("post", "/v2/p/desktops/check-images", "", "Content-Type", " application/json ", []byte(`{"desktop_ids":["d"]}`))
	f.Add("", "", "a=%zz", "HOST", "other\n", []byte{0xff})
	f.Fuzz(func(t *testing.T, method, path, rawQuery, name, value string, body []byte) {
		q, _ := url.ParseQuery(rawQuery)
		h := map[string]string{"host": "workspace.example.com", "x-sdk-date": "20250102T030405Z"}
		h[name] = value
		r := &Request{Method: method, Path: path, Query: q, Headers: h, Body: body}
		names := SignedHeaderNames(h)
		if !sort.StringsAreSorted(names) {
			t.Fatalf("names not sorted: %q", names)
		}
		for _, n := range names {
			if n != strings.ToLower(n) {
				t.Fatalf("name %q not lowercase", n)
			}
		}
		cr := CanonicalRequest(r, names)
		sum := sha256.Sum256(body)
		if !strings.HasSuffix(cr, "\n\n"+strings.Join(names, ";")+"\n"+hex.EncodeToString(sum[:])) {
			t.Fatalf("signed headers and body hash missing from %q", cr)
		}
		auth := Sign(r, "AK", "SK")
		prefix := Algorithm + " Access=AK, SignedHeaders=" + strings.Join(names, ";") + ", Signature="
		if !strings.HasPrefix(auth, prefix) {
			t.Fatalf("Sign = %q", auth)
		}
		sig := strings.TrimPrefix(auth, prefix)
		if len(sig) != 64 || strings.Trim(sig, "0123456789abcdef") != "" {
			t.Fatalf("signature %q", sig)
		}
		if Sign(r, "AK", "SK") != auth {
			t.Fatal("signing is not deterministic")
		}
	})
}
