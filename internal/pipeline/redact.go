package pipeline

import (
	"encoding/json"
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
			forms = append(forms, e)
		}
	}
	return forms
}
