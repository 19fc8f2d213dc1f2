package pipeline

import (
	"fmt"
	"net/url"
	"strings"
)

// ParseEndpoint checks a base URL and splits it into the scheme and host
// part and the escaped path prefix (no trailing slash). problem says what
// is wrong with raw ("": nothing), without a secret it may hold; the
// caller names the setting.
func ParseEndpoint(raw string) (origin, prefix, problem string) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		return "", "", fmt.Sprintf("%q is not a URL", ShownURL(raw))
	}
	switch {
	case u.Scheme != "http" && u.Scheme != "https":
		return "", "", fmt.Sprintf("%q must start with https:// or http://", ShownURL(raw))
	case u.Host == "" || u.Opaque != "":
		return "", "", fmt.Sprintf("%q has no host", ShownURL(raw))
	case u.User != nil:
		return "", "", "must not contain user information"
	case u.RawQuery != "" || u.ForceQuery || u.Fragment != "":
		return "", "", fmt.Sprintf("%q must not have a query or fragment", ShownURL(raw))
	}
	return u.Scheme + "://" + u.Host, strings.TrimRight(u.EscapedPath(), "/"), ""
}

// ShownURL is raw as an error may show it: redacted and clipped.
func ShownURL(raw string) string { return Clip(RedactURL(raw)) }

// RedactURL is raw fit to print: parsed with url.Parse, it keeps the
// scheme, the host and the path, and shows REDACTED for the user
// information and for the query and the fragment, which may hold a
// password or a signature. A string that does not parse, or that has an
// '@' outside its authority (where a password holding '/', '?' or '#' puts
// it, so that url.Parse takes part of the password for the host, the path
// or the query), is shown as its scheme, if any, and REDACTED.
//
// The parts kept are cut from raw as url.Parse found them, not printed
// from the URL, whose host and path are decoded and escaped again.
func RedactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return redactedURL(raw)
	}
	rest := raw // after the scheme, as url.Parse sees it
	if u.Scheme != "" {
		rest = raw[len(u.Scheme)+1:]
	}
	if i := strings.IndexAny(rest, "?#"); i >= 0 {
		rest = rest[:i]
	}
	if u.Opaque != "" || !strings.HasPrefix(rest, "//") || u.Scheme == "" && strings.HasPrefix(rest, "///") {
		// No authority, so no user information: an '@' is not attributable.
		if strings.Contains(raw, "@") {
			return redactedURL(raw)
		}
		return withRedactedTail(u, raw, rawScheme(u)+rest)
	}
	authority, path := rest[2:], ""
	if i := strings.IndexByte(authority, '/'); i >= 0 {
		authority, path = authority[:i], authority[i:]
	}
	// Every '@' of raw must be in the authority, where the last one ends
	// the user information: one anywhere after it means the URL was split
	// elsewhere than its writer meant.
	if strings.Count(raw, "@") != strings.Count(authority, "@") {
		return redactedURL(raw)
	}
	host := authority
	if at := strings.LastIndexByte(authority, '@'); at >= 0 {
		host = "REDACTED" + authority[at:]
	}
	return withRedactedTail(u, raw, rawScheme(u)+"//"+host+path)
}

// rawScheme is u's scheme with its colon, or nothing.
func rawScheme(u *url.URL) string {
	if u.Scheme == "" {
		return ""
	}
	return u.Scheme + ":"
}

// withRedactedTail appends to s the query and the fragment of u, parsed
// from raw, as REDACTED.
func withRedactedTail(u *url.URL, raw, s string) string {
	if u.RawQuery != "" || u.ForceQuery {
		s += "?REDACTED"
	}
	if strings.Contains(raw, "#") {
		s += "#REDACTED"
	}
	return s
}

// redactedURL shows raw, a URL that cannot be redacted part by part, as
// its scheme (where it starts with one) and REDACTED.
func redactedURL(raw string) string {
	i := strings.IndexByte(raw, ':')
	if i <= 0 || !validScheme(raw[:i]) {
		return "REDACTED"
	}
	if strings.HasPrefix(raw[i+1:], "//") {
		return raw[:i] + "://REDACTED"
	}
	return raw[:i] + ":REDACTED"
}

// validScheme reports whether s is a URL scheme (RFC 3986): a letter, then
// letters, digits, '+', '-' and '.'.
func validScheme(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z':
		case i > 0 && ('0' <= c && c <= '9' || c == '+' || c == '-' || c == '.'):
		default:
			return false
		}
	}
	return s != ""
}
