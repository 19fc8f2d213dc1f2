package signer

import (
	"crypto/sha256"
	"encoding/hex"
	"net/url"
	"slices"
	"strings"
)

// Header is one header to sign: its lowercase name and its value.
type Header struct{ Name, Value string }

// Fixed is a request as a client signs it: the signed headers come as a
// list, with lowercase names, sorted, each once, because a client signs
// the same few headers every time and need not find, lowercase or sort
// them per signature. The list must hold x-sdk-date.
type Fixed struct {
	Method  string
	Path    string     // escaped, as sent
	Query   url.Values // decoded
	Headers []Header
	Body    []byte
}

// SignFixed returns the Authorization value for r: the same value Sign
// gives for the same request and headers, built with one allocation
// (the returned string) for a request whose canonical form fits the
// stack buffers, which a typical API call does.
func SignFixed(r *Fixed, accessKey, secretKey string) string {
	var buf [256]byte
	return string(AppendSignFixed(buf[:0], r, accessKey, secretKey))
}

// AppendSignFixed appends the Authorization value for r to dst, without
// allocating when dst has room and r's canonical form fits the stack
// buffers.
func AppendSignFixed(dst []byte, r *Fixed, accessKey, secretKey string) []byte {
	var crBuf [768]byte
	cr := appendCanonicalFixed(crBuf[:0], r)
	crSum := sha256.Sum256(cr)

	date := ""
	for _, h := range r.Headers {
		if h.Name == "x-sdk-date" {
			date = h.Value
			break
		}
	}
	// HMAC-SHA256 (RFC 2104) over the string to sign, with the key block
	// and the message in one stack buffer: hash.Hash values from
	// crypto/hmac cost five allocations per signature.
	var keyBlock [sha256.BlockSize]byte
	if len(secretKey) > sha256.BlockSize {
		sum := sha256.Sum256([]byte(secretKey))
		copy(keyBlock[:], sum[:])
	} else {
		copy(keyBlock[:], secretKey)
	}
	var inBuf [sha256.BlockSize + 128]byte
	in := inBuf[:sha256.BlockSize]
	for i, k := range keyBlock {
		in[i] = k ^ 0x36
	}
	in = append(in, Algorithm+"\n"...)
	in = append(in, date...)
	in = append(in, '\n')
	in = hex.AppendEncode(in, crSum[:])
	innerSum := sha256.Sum256(in)
	var out [sha256.BlockSize + sha256.Size]byte
	for i, k := range keyBlock {
		out[i] = k ^ 0x5c
	}
	copy(out[sha256.BlockSize:], innerSum[:])
	sig := sha256.Sum256(out[:])

	dst = append(dst, Algorithm+" Access="...)
	dst = append(dst, accessKey...)
	dst = append(dst, ", SignedHeaders="...)
	dst = appendHeaderNames(dst, r.Headers)
	dst = append(dst, ", Signature="...)
	return hex.AppendEncode(dst, sig[:])
}

// emptySHA256 is the hex SHA-256 of no bytes, the body hash of every
// request without a body.
const emptySHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

// appendCanonicalFixed appends r's canonical request to b.
func appendCanonicalFixed(b []byte, r *Fixed) []byte {
	b = appendUpper(b, r.Method)
	b = append(b, '\n')
	b = appendCanonicalURI(b, r.Path)
	b = append(b, '\n')
	b = appendCanonicalQuery(b, r.Query)
	b = append(b, '\n')
	for _, h := range r.Headers {
		b = append(b, h.Name...)
		b = append(b, ':')
		b = append(b, strings.TrimSpace(h.Value)...)
		b = append(b, '\n')
	}
	b = append(b, '\n')
	b = appendHeaderNames(b, r.Headers)
	b = append(b, '\n')
	if len(r.Body) == 0 {
		return append(b, emptySHA256...)
	}
	sum := sha256.Sum256(r.Body)
	return hex.AppendEncode(b, sum[:])
}

// appendUpper appends strings.ToUpper(s) to b, without a string for the
// ASCII methods that every request has.
func appendUpper(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return append(b, strings.ToUpper(s)...)
		}
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'a' <= c && c <= 'z' {
			c -= 'a' - 'A'
		}
		b = append(b, c)
	}
	return b
}

// appendHeaderNames appends the names of hs joined by ";".
func appendHeaderNames(b []byte, hs []Header) []byte {
	for i, h := range hs {
		if i > 0 {
			b = append(b, ';')
		}
		b = append(b, h.Name...)
	}
	return b
}

// appendCanonicalURI appends CanonicalURI(path) to b.
func appendCanonicalURI(b []byte, path string) []byte {
	start := len(b)
	for {
		seg, rest, more := strings.Cut(path, "/")
		b = appendCanonicalSegment(b, seg)
		if !more {
			break
		}
		b = append(b, '/')
		path = rest
	}
	if len(b) == start || b[len(b)-1] != '/' {
		b = append(b, '/')
	}
	return b
}

// appendCanonicalSegment appends one path segment, unescaped if it is
// validly escaped (as url.PathUnescape would) and then escaped.
func appendCanonicalSegment(b []byte, seg string) []byte {
	if strings.IndexByte(seg, '%') < 0 || !validEscapes(seg) {
		return AppendEscape(b, seg)
	}
	for i := 0; i < len(seg); i++ {
		c := seg[i]
		if c == '%' {
			c = unhex(seg[i+1])<<4 | unhex(seg[i+2])
			i += 2
		}
		b = appendEscapedByte(b, c)
	}
	return b
}

// validEscapes reports whether every "%" in s starts a %XX escape.
func validEscapes(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] == '%' {
			if i+2 >= len(s) || !isHex(s[i+1]) || !isHex(s[i+2]) {
				return false
			}
			i += 2
		}
	}
	return true
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c <= '9':
		return c - '0'
	case c <= 'F':
		return c - 'A' + 10
	}
	return c - 'a' + 10
}

// appendCanonicalQuery appends CanonicalQuery(q) to b.
func appendCanonicalQuery(b []byte, q url.Values) []byte {
	if len(q) == 0 {
		return b
	}
	var namesBuf [16]string
	names := namesBuf[:0]
	for k := range q {
		names = append(names, k)
	}
	slices.Sort(names)
	first := true
	for _, k := range names {
		vals := q[k]
		if len(vals) > 1 && !slices.IsSorted(vals) {
			vals = slices.Clone(vals)
			slices.Sort(vals)
		}
		if len(vals) == 0 {
			vals = []string{""}
		}
		for _, v := range vals {
			if !first {
				b = append(b, '&')
			}
			first = false
			b = AppendEscape(b, k)
			b = append(b, '=')
			b = AppendEscape(b, v)
		}
	}
	return b
}

// AppendEscape appends Escape(s) to b, copying runs of unreserved
// characters whole.
func AppendEscape(b []byte, s string) []byte {
	for len(s) > 0 {
		i := 0
		for i < len(s) && unreserved(s[i]) {
			i++
		}
		b = append(b, s[:i]...)
		if i == len(s) {
			break
		}
		b = appendEscapedByte(b, s[i])
		s = s[i+1:]
	}
	return b
}

func appendEscapedByte(b []byte, c byte) []byte {
	if unreserved(c) {
		return append(b, c)
	}
	const hexUpper = "0123456789ABCDEF"
	return append(b, '%', hexUpper[c>>4], hexUpper[c&15])
}
