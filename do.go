package workspace

import (
	"context"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Do calls any operation of the Workspace API through the client's core,
// for the many operations this SDK does not wrap: the same
// authentication, signing, retries, rate limit, logging and errors as
// every wrapped operation.
//
// path is the operation's path after /v2/{project_id}, already escaped,
// for example "/desktops" or "/desktops/"+url.PathEscape(id); it must
// start with "/" and must not carry a query, a fragment, an empty segment
// or one that a server could take for a step up or for more than one
// segment: "." or ".." (escaped or not, once or more, as in "%2e%2e" or
// "%252e%252e"), an escaped '/' or '\' ("%2F", "%5C", "%252F"), or a ';'
// (as in "..;" or "x;jsessionid=1"). query (nil: none) is sent with the
// names sorted. body, when not nil, is encoded as JSON. out, when not nil,
// must be a pointer: it receives the decoded JSON of a 2xx answer, and an
// answer without a JSON body is then a *DecodeError (pass nil for
// operations that answer nothing).
//
// GET and HEAD are reads, retried like every read; any other method is a
// write, retried only where the request surely did not take effect (a
// 429, or a connection never made). A non-2xx answer is an *APIError; a
// path the gateway does not know is a 404 with Code "APIGW.0101".
// Invalid arguments are a *ValidationError, before anything is sent. A
// nil or zero Client returns an error, whatever the arguments but a nil
// ctx; it never panics.
func (c *Client) Do(ctx context.Context, method, path string, query url.Values, body, out any) error {
	if err := checkContext(ctx); err != nil {
		return err
	}
	if c == nil || c.core == nil {
		return errZeroClient
	}
	read := method == http.MethodGet || method == http.MethodHead
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete:
	default:
		return invalid("method", "must be GET, HEAD, POST, PUT, PATCH or DELETE, got %q", clip(method))
	}
	if err := c.checkDoPath(path); err != nil {
		return err
	}
	if body != nil && read {
		return invalid("body", "must be nil for %s", method)
	}
	if out != nil {
		if method == http.MethodHead {
			return invalid("out", "must be nil for HEAD: the answer has no body")
		}
		if v := reflect.ValueOf(out); v.Kind() != reflect.Pointer || v.IsNil() {
			return invalid("out", "must be a non-nil pointer or nil, got %T", out)
		}
	}
	return c.do(ctx, &request{method: method, path: path, query: query, body: body, write: !read}, out)
}

// maxDoPath bounds Do's path; the API's longest paths are far shorter.
const maxDoPath = 2048

// checkDoPath checks Do's path: relative to /v2/{project_id}, escaped, and
// unable to reach anything outside it. Servers and proxies differ in how
// often they percent-decode a path and in what they make of ';' (path
// parameters, cut off before routing) and of '\\' (a slash to some), so
// a segment is refused where any of them could take it for another
// segment or a step up: one that decodes, however many times, to "." or
// "..", or to anything with a '/' or a '\\'; and one with a ';', raw or
// encoded.
func (c *Client) checkDoPath(path string) error {
	switch {
	case path == "" || path[0] != '/':
		return invalid("path", "must start with \"/\" and be relative to /v2/{project_id}, e.g. \"/desktops\", got %q", clip(path))
	case len(path) > maxDoPath:
		return invalid("path", "longer than %d bytes", maxDoPath)
	case strings.HasPrefix(path, "/v2/"+escapeSegment(c.core.projectID)+"/"):
		return invalid("path", "is relative to /v2/{project_id}: leave that prefix out, got %q", clip(path))
	}
	for i := 0; i < len(path); i++ {
		b := path[i]
		switch {
		case b == '%':
			if i+2 >= len(path) || !isHex(path[i+1]) || !isHex(path[i+2]) {
				return invalid("path", "has a malformed %%-escape at byte %d", i)
			}
		case b == '?' || b == '#':
			return invalid("path", "must not carry a query or fragment: pass the query as url.Values")
		case !pathByte(b):
			return invalid("path", "must be escaped (url.PathEscape each segment): byte %d is %q", i, b)
		}
	}
	for _, seg := range strings.Split(path[1:], "/") {
		decoded := decodeFully(seg)
		switch {
		case seg == "":
			return invalid("path", "must not have an empty segment, got %q", clip(path))
		case strings.Trim(decoded, ". \t") == "":
			// Dots alone, or with the spaces and tabs that Windows servers
			// trim off ("..%20", "..."): a step up somewhere.
			return invalid("path", "must not have a segment of dots (\".\", \"..\", escaped or not, or with spaces), got %q", clip(path))
		case !utf8.ValidString(decoded) || strings.IndexFunc(decoded, unicode.IsControl) >= 0:
			// Overlong UTF-8 (%c0%ae is '.' to some decoders) and control
			// bytes (a NUL cuts the path short in some servers).
			return invalid("path", "must not decode to invalid UTF-8 or control characters, got %q", clip(path))
		case strings.ContainsAny(decoded, "/\\"):
			return invalid("path", "must not have an escaped '/' or '\\' in a segment (%%2F, %%5C, %%252F...), got %q", clip(path))
		case strings.Contains(decoded, ";"):
			return invalid("path", "must not have a ';' in a segment (servers cut path parameters off), got %q", clip(path))
		}
	}
	return nil
}

// decodeFully percent-decodes s until nothing changes, as a chain of
// servers that each decode once would. An escape that is not one (a '%'
// not followed by two hex digits) is left as it is, as lenient servers
// leave it, and decoding goes on around it.
func decodeFully(s string) string {
	for strings.IndexByte(s, '%') >= 0 {
		next := decodeOnce(s)
		if next == s {
			break
		}
		s = next
	}
	return s
}

// decodeOnce replaces every %XX escape of s (hex digits of either case)
// by its byte.
func decodeOnce(s string) string {
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if s[i] == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]) {
			b = append(b, unhex(s[i+1])<<4|unhex(s[i+2]))
			i += 2
			continue
		}
		b = append(b, s[i])
	}
	return string(b)
}

// pathByte reports whether b may appear unescaped in a path (RFC 3986
// pchar and "/", "%" checked apart).
func pathByte(b byte) bool {
	switch {
	case 'a' <= b && b <= 'z', 'A' <= b && b <= 'Z', '0' <= b && b <= '9':
		return true
	}
	return strings.IndexByte("-._~!$&'()*+,;=:@/", b) >= 0
}

func isHex(b byte) bool {
	return '0' <= b && b <= '9' || 'a' <= b && b <= 'f' || 'A' <= b && b <= 'F'
}

// unhex is the value of the hex digit b.
func unhex(b byte) byte {
	switch {
	case '0' <= b && b <= '9':
		return b - '0'
	case 'a' <= b && b <= 'f':
		return b - 'a' + 10
	default:
		return b - 'A' + 10
	}
}
