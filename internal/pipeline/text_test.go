package pipeline

import (
	"strconv"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
)

// clipPieces is what Clip makes of s before it cuts: one piece for each
// valid rune, escaped where it is a control character or a line
// separator; invalid bytes make none.
func clipPieces(s string) []string {
	var pieces []string
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		if r == utf8.RuneError && size == 1 {
			continue
		}
		if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' {
			q := strconv.QuoteRune(r)
			pieces = append(pieces, q[1:len(q)-1])
		} else {
			pieces = append(pieces, string(r))
		}
	}
	return pieces
}

// checkClip checks Clip(s) against what it promises, and returns a
// description of the first broken promise ("" if none).
func checkClip(s string) string {
	out := Clip(s)
	switch {
	case !utf8.ValidString(out):
		return "invalid UTF-8"
	case len(out) > MaxText:
		return "longer than MaxText"
	case strings.IndexFunc(out, func(r rune) bool { return unicode.IsControl(r) || r == '\u2028' || r == '\u2029' }) >= 0:
		return "a control character or a line separator"
	}
	pieces := clipPieces(s)
	whole := strings.Join(pieces, "")
	if len(whole) <= MaxText {
		if out != whole {
			return "changed a text that fits: " + strconv.Quote(out) + " for " + strconv.Quote(whole)
		}
		return ""
	}
	// Cut: the most whole pieces that leave room for the ellipsis.
	const ellipsis = "…"
	var b strings.Builder
	for _, p := range pieces {
		if b.Len()+len(p) > MaxText-len(ellipsis) {
			break
		}
		b.WriteString(p)
	}
	if want := b.String() + ellipsis; out != want {
		return "cut as " + strconv.Quote(out) + ", not " + strconv.Quote(want)
	}
	if Clip(out) != out {
		return "not stable"
	}
	return ""
}

func TestClip(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, in, want string
	}{
		{"empty", "", ""},
		{"plain", "not found", "not found"},
		{"exactly MaxText", strings.Repeat("a", MaxText), strings.Repeat("a", MaxText)},
		{"one byte over", strings.Repeat("a", MaxText+1), strings.Repeat("a", MaxText-3) + "…"},
		{"CR LF", "a\r\nSet-Cookie: x", `a\r\nSet-Cookie: x`},
		{"tab and NUL", "a\tb\x00c", `a\tb\x00c`},
		{"ESC", "\x1b[31mred\x1b[0m", `\x1b[31mred\x1b[0m`},
		{"DEL", "a\x7fb", `a\x7fb`},
		{"C1 control", "a\u0085b", `a\u0085b`},
		{"line separators", "a\u2028b\u2029c", `a\u2028b\u2029c`},
		{"invalid UTF-8 dropped", "a\xffb\xc3(c\xe2\x82", "ab(c"},
		{"multibyte kept", "ключ 鍵 🔑", "ключ 鍵 🔑"},
		{"backslash kept", `a\nb`, `a\nb`},
		{"multibyte at the cut", strings.Repeat("a", MaxText-4) + "€€", strings.Repeat("a", MaxText-4) + "…"},
		{"escape at the cut", strings.Repeat("a", MaxText-5) + "\x1b\x1b", strings.Repeat("a", MaxText-5) + "…"},
		{"escapes only", strings.Repeat("\x1b", MaxText), strings.Repeat(`\x1b`, (MaxText-3)/4) + "…"},
		{"wide escapes only", strings.Repeat("\u2028", 100), strings.Repeat(`\u2028`, (MaxText-3)/6) + "…"},
	} {
		got := Clip(tc.in)
		assert.Equal(t, tc.want, got, tc.name)
		assert.Empty(t, checkClip(tc.in), tc.name)
	}
}

func TestClipNeverSplitsAnEscapeOrARune(t *testing.T) {
	t.Parallel()
	for _, unit := range []string{"\x1b", "\n", "\u2028", "€", "🔑", "\u0085", "a\x01"} {
		for n := 0; n < 2*MaxText; n++ {
			s := strings.Repeat("b", n%7) + strings.Repeat(unit, n)
			if msg := checkClip(s); msg != "" {
				t.Fatalf("%q × %d: %s", unit, n, msg)
			}
		}
	}
}

func FuzzClip(f *testing.F) {
	for _, seed := range []string{
		"", "plain", "a\r\nb", "\x1b[2J", "\u2028\u2029", "\xff\xfe", "€🔑",
		strings.Repeat("a", MaxText+1), strings.Repeat("\x00", MaxText), strings.Repeat("é\n", MaxText),
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if msg := checkClip(s); msg != "" {
			t.Fatalf("Clip(%q): %s", s, msg)
		}
	})
}
