package pipeline

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// MaxText bounds every text the SDK keeps from a server or a transport
// (a message, a code, a request id, an error's cause), after escaping.
const MaxText = 256

// Clip makes server text inert and short: control characters (CR, LF,
// ESC, ..., and the Unicode line separators) are escaped as Go escapes
// them, invalid UTF-8 is dropped, and the result is cut to at most MaxText
// bytes, an ellipsis included, never inside a rune or an escape.
func Clip(s string) string {
	if len(s) <= MaxText && utf8.ValidString(s) && strings.IndexFunc(s, needsEscape) < 0 {
		return s
	}
	const ellipsis = "…"
	var b strings.Builder
	cut := -1 // where to cut if the text is too long: the last piece boundary that leaves room for the ellipsis
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		if r == utf8.RuneError && size == 1 {
			continue // invalid UTF-8 is dropped
		}
		if b.Len() <= MaxText-len(ellipsis) {
			cut = b.Len()
		}
		if needsEscape(r) {
			q := strconv.QuoteRune(r) // '\n', '\x1b', '\u2028'
			b.WriteString(q[1 : len(q)-1])
		} else {
			b.WriteRune(r)
		}
		if b.Len() > MaxText {
			return b.String()[:cut] + ellipsis
		}
	}
	return b.String()
}

func needsEscape(r rune) bool {
	return unicode.IsControl(r) || r == '\u2028' || r == '\u2029'
}
