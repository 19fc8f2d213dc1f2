// Package signer implements Huawei Cloud's SDK-HMAC-SHA256 request signing
// (the "AK/SK" scheme) over plain values, so that it can be tested against
// the published vectors without any HTTP machinery.
package signer

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/url"
	"sort"
	"strings"
	"time"
)

// Algorithm is the scheme name used in the string to sign and the
// Authorization header.
const Algorithm = "SDK-HMAC-SHA256"

// DateFormat is the layout of the X-Sdk-Date header (UTC).
const DateFormat = "20060102T150405Z"

// Request is what the signature covers. Path is the request path as sent
// (already escaped, e.g. "/v2/p/desktop-pools/a%2Fb"); Query holds the
// decoded query values; Headers maps the names to sign to their values
// (names in any case; only these are signed, and "host" must be among them
// when the host is to be signed).
type Request struct {
	Method  string
	Path    string
	Query   url.Values
	Headers map[string]string
	Body    []byte
}

// Sign returns the value of the Authorization header for r, signed with the
// given access key and secret key. The signed headers must already contain
// the X-Sdk-Date value that the request carries.
func Sign(r *Request, accessKey, secretKey string) string {
	names := SignedHeaderNames(r.Headers)
	sig := Signature(r, names, secretKey)
	var b strings.Builder
	b.Grow(len(Algorithm) + len(accessKey) + 64 + 64 + 40)
	b.WriteString(Algorithm)
	b.WriteString(" Access=")
	b.WriteString(accessKey)
	b.WriteString(", SignedHeaders=")
	b.WriteString(strings.Join(names, ";"))
	b.WriteString(", Signature=")
	b.WriteString(sig)
	return b.String()
}

// Signature returns the hex HMAC-SHA256 signature of r over the named
// headers (lowercase, sorted), keyed with secretKey.
func Signature(r *Request, signedHeaders []string, secretKey string) string {
	date := headerValue(r.Headers, "x-sdk-date")
	sts := StringToSign(CanonicalRequest(r, signedHeaders), date)
	mac := hmac.New(sha256.New, []byte(secretKey))
	mac.Write([]byte(sts))
	return hex.EncodeToString(mac.Sum(nil))
}

// StringToSign builds the string to sign from a canonical request and the
// X-Sdk-Date value.
func StringToSign(canonicalRequest, sdkDate string) string {
	sum := sha256.Sum256([]byte(canonicalRequest))
	return Algorithm + "\n" + sdkDate + "\n" + hex.EncodeToString(sum[:])
}

// CanonicalRequest builds the canonical request of r over the named headers.
func CanonicalRequest(r *Request, signedHeaders []string) string {
	bodySum := sha256.Sum256(r.Body)
	var b strings.Builder
	b.WriteString(strings.ToUpper(r.Method))
	b.WriteByte('\n')
	b.WriteString(CanonicalURI(r.Path))
	b.WriteByte('\n')
	b.WriteString(CanonicalQuery(r.Query))
	b.WriteByte('\n')
	for _, name := range signedHeaders {
		b.WriteString(name)
		b.WriteByte(':')
		b.WriteString(strings.TrimSpace(headerValue(r.Headers, name)))
		b.WriteByte('\n')
	}
	b.WriteByte('\n')
	b.WriteString(strings.Join(signedHeaders, ";"))
	b.WriteByte('\n')
	b.WriteString(hex.EncodeToString(bodySum[:]))
	return b.String()
}

// CanonicalURI percent-encodes each segment of an (escaped) path and makes
// sure the result ends in "/". Segments are first unescaped, so a path that
// is already escaped is not escaped twice.
func CanonicalURI(path string) string {
	if path == "" {
		return "/"
	}
	segs := strings.Split(path, "/")
	for i, s := range segs {
		if u, err := url.PathUnescape(s); err == nil {
			s = u
		}
		segs[i] = Escape(s)
	}
	out := strings.Join(segs, "/")
	if !strings.HasSuffix(out, "/") {
		out += "/"
	}
	return out
}

// CanonicalQuery sorts names, and the values of a repeated name, and joins
// the percent-encoded pairs with "&". It is "" for no parameters.
func CanonicalQuery(q url.Values) string {
	if len(q) == 0 {
		return ""
	}
	names := make([]string, 0, len(q))
	for k := range q {
		names = append(names, k)
	}
	sort.Strings(names)
	var b strings.Builder
	for _, k := range names {
		vals := q[k]
		if len(vals) > 1 {
			vals = append([]string(nil), vals...)
			sort.Strings(vals)
		}
		ek := Escape(k)
		if len(vals) == 0 {
			vals = []string{""}
		}
		for _, v := range vals {
			if b.Len() > 0 {
				b.WriteByte('&')
			}
			b.WriteString(ek)
			b.WriteByte('=')
			b.WriteString(Escape(v))
		}
	}
	return b.String()
}

// SignedHeaderNames returns the lowercase names of h, sorted.
func SignedHeaderNames(h map[string]string) []string {
	names := make([]string, 0, len(h))
	for k := range h {
		names = append(names, strings.ToLower(k))
	}
	sort.Strings(names)
	return names
}

// FormatDate formats t as an X-Sdk-Date value.
func FormatDate(t time.Time) string { return t.UTC().Format(DateFormat) }

// Escape percent-encodes s leaving only A-Z a-z 0-9 - _ . ~ as they are,
// with uppercase hex and space as %20.
func Escape(s string) string {
	n := 0
	for i := 0; i < len(s); i++ {
		if !unreserved(s[i]) {
			n++
		}
	}
	if n == 0 {
		return s
	}
	const hexUpper = "0123456789ABCDEF"
	buf := make([]byte, 0, len(s)+2*n)
	for i := 0; i < len(s); i++ {
		c := s[i]
		if unreserved(c) {
			buf = append(buf, c)
			continue
		}
		buf = append(buf, '%', hexUpper[c>>4], hexUpper[c&15])
	}
	return string(buf)
}

func unreserved(c byte) bool {
	return 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' ||
		c == '-' || c == '_' || c == '.' || c == '~'
}

func headerValue(h map[string]string, name string) string {
	if v, ok := h[name]; ok {
		return v
	}
	for k, v := range h {
		if strings.EqualFold(k, name) {
			return v
		}
	}
	return ""
}
