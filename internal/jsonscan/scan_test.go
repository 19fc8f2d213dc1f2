package jsonscan

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// checkScanner is the differential property of the scanner against
// encoding/json, for one document data: whenever a reader of the scanner
// takes data whole, encoding/json takes it too with the same value, and
// no string aliases the input.
func checkScanner(t *testing.T, data []byte) {
	t.Helper()
	in := bytes.Clone(data)
	d := NewDecoder(in)
	if d.Skip(0) && d.End() && !json.Valid(data) {
		t.Fatalf("Skip took %q, which is not JSON", data)
	}

	var s, sj string
	d = NewDecoder(in)
	if d.String(&s) && d.Flush(true) && d.End() {
		if err := json.Unmarshal(data, &sj); err != nil || s != sj {
			t.Fatalf("String took %q as %q; encoding/json: %q, %v", data, s, sj, err)
		}
		for i := range in {
			in[i] = 'X'
		}
		if s != sj {
			t.Fatalf("String's result aliases its input %q", data)
		}
		copy(in, data)
	}

	var n, nj int
	d = NewDecoder(in)
	if d.Int(&n) && d.End() {
		if err := json.Unmarshal(data, &nj); err != nil || n != nj {
			t.Fatalf("Int took %q as %d; encoding/json: %d, %v", data, n, nj, err)
		}
	}

	var p, pj *int
	d = NewDecoder(in)
	if d.IntPtr(&p) && d.End() {
		if err := json.Unmarshal(data, &pj); err != nil || (p == nil) != (pj == nil) || (p != nil && *p != *pj) {
			t.Fatalf("IntPtr took %q as %v; encoding/json: %v, %v", data, p, pj, err)
		}
	}

	var b, bj bool
	d = NewDecoder(in)
	if d.Bool(&b) && d.End() {
		if err := json.Unmarshal(data, &bj); err != nil || b != bj {
			t.Fatalf("Bool took %q as %v; encoding/json: %v, %v", data, b, bj, err)
		}
	}

	var list, listj []string
	d = NewDecoder(in)
	if List(&d, &list, d.CountHint(8), func(d *Decoder, s *string) bool { return d.String(s) && d.Flush(true) }) && d.End() {
		if err := json.Unmarshal(data, &listj); err != nil || !equalStrings(list, listj) {
			t.Fatalf("List took %q as %q; encoding/json: %q, %v", data, list, listj, err)
		}
	}
}

func equalStrings(a, b []string) bool {
	if (a == nil) != (b == nil) || len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

var scanSeeds = []string{
	``, ` `, `null`, `true`, `false`, `tru`, `0`, `-0`, `7`, `-12`, `01`, `1.5`, `1e3`, `123456789012345678`,
	`1234567890123456789`, `""`, `"a"`, `"桌面"`, `"a\"b"`, "\"a\x01\"", "\"\xff\"", `[]`, `[""]`, `["a","b"]`,
	`["a",]`, `[null]`, `{}`, `{"a":[1,{"b":null}],"c":-2.5e+3}`, `{"a":1,}`, `{"a" 1}`, `[1 2]`, `"x" "y"`,
	` "pad" `, strings.Repeat("[", 40) + strings.Repeat("]", 40),
}

func TestScannerCases(t *testing.T) {
	t.Parallel()
	for _, s := range scanSeeds {
		checkScanner(t, []byte(s))
	}
}

func TestScannerTakes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want bool
	}{
		{`{"a":[1,{"b":null}],"c":-2.5e+3}`, true},
		{`"a\"b"`, false}, // an escape: left to encoding/json
		{strings.Repeat("[", 40) + strings.Repeat("]", 40), false},
		{`[1 2]`, false},
		{`{"a":1,}`, false},
	}
	for _, tt := range tests {
		d := NewDecoder([]byte(tt.in))
		assert.Equal(t, tt.want, d.Skip(0) && d.End(), tt.in)
	}
}

func FuzzScanner(f *testing.F) {
	for _, s := range scanSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(checkScanner)
}

// str reads eight bytes at a time until a group may hold a byte it must
// look at: whichever byte that is, at whichever place of a group, it is
// not missed.
func TestStrEveryByteAtEveryPlace(t *testing.T) {
	t.Parallel()
	for _, special := range []string{`\n`, "\\", "\x00", "\x01", "\x1f", "\x7f", "\x80", "é", "\xff", "桌", " ", "~"} {
		for at := 0; at <= 20; at++ {
			for tail := 0; tail <= 9; tail++ {
				s := strings.Repeat("a", at) + special + strings.Repeat("b", tail)
				data := []byte(`"` + s + `"`)
				var want string
				wantOK := json.Unmarshal(data, &want) == nil && !strings.ContainsAny(s, "\\") && !strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 }) && want == s
				d := NewDecoder(data)
				got, ok := d.str()
				if ok != wantOK || (ok && (string(got) != s || d.i != len(data))) {
					t.Fatalf("str(%q) = %q, %v; want %q, %v", data, got, ok, s, wantOK)
				}
				checkScanner(t, data)
			}
		}
	}
}
