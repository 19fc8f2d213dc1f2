package pipeline

import (
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"strings"
)

// minSecret is the shortest secret that Redact replaces: shorter strings
// (an empty header, say) would blot out ordinary text.
const minSecret = 4

// Redact replaces in text every secret, as sent and in the forms a server
// may echo it in (JSON-escaped, URL-escaped), by REDACTED.
func Redact(text string, secrets []string) string {
	for _, s := range secrets {
		if len(s) < minSecret {
			continue
		}
		for _, form := range echoForms(s) {
			if strings.Contains(text, form) {
				text = strings.ReplaceAll(text, form, "REDACTED")
			}
		}
	}
	return text
}

// echoForms are the forms in which a server may echo s.
func echoForms(s string) []string {
	forms := []string{s}
	for _, html := range []bool{true, false} {
		var b strings.Builder
		enc := json.NewEncoder(&b)
		enc.SetEscapeHTML(html)
		if enc.Encode(s) == nil {
			j := strings.TrimSuffix(b.String(), "\n")
			if q := j[1 : len(j)-1]; q != s {
				forms = append(forms, q)
			}
		}
	}
	for _, e := range []string{url.QueryEscape(s), url.PathEscape(s)} {
		if e != s {
			// Some encoders write the hex digits in lower case.
			forms = append(forms, e, lowerHexEscapes(e))
		}
	}
	return forms
}

// lowerHexEscapes is e with the hex digits of its %-escapes in lower case.
func lowerHexEscapes(e string) string {
	b := []byte(e)
	for i := 0; i+2 < len(b); i++ {
		if b[i] == '%' {
			b[i+1], b[i+2] = toLowerHex(b[i+1]), toLowerHex(b[i+2])
			i += 2
		}
	}
	return string(b)
}

func toLowerHex(c byte) byte {
	if 'A' <= c && c <= 'F' {
		return c + ('a' - 'A')
	}
	return c
}

// FormatRedacted prints s (gs for %#v) whatever the verb: a type holding a
// secret prints only its redacted String by every route fmt offers.
func FormatRedacted(f fmt.State, verb rune, s, gs string) {
	switch {
	case verb == 'v' && f.Flag('#'):
		_, _ = io.WriteString(f, gs)
	case verb == 'q' || verb == 'x' || verb == 'X':
		_, _ = fmt.Fprintf(f, "%"+string(verb), s)
	default:
		_, _ = io.WriteString(f, s)
	}
}
