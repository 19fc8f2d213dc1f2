package workspace

import (
	"strings"
	"testing"
)

// FuzzParseINI: the credentials file reader never panics; what it accepts
// has clean section and key names and one-line values, and its errors
// never repeat a value of the file.
func FuzzParseINI(f *testing.F) {
	f.Add("[basic]\nak = a\nsk = \"s\" # c\n")
	f.Add("\xef\xbb\xbf; c\n[Basic]\nAK=x\n[global]\nak = y\n")
	f.Add("[basic\nsk = secret-line\n")
	f.Fuzz(func(t *testing.T, data string) {
		sections, err := parseINI("f", []byte(data))
		if err != nil {
			// Values (and lines that are no header) may be secrets;
			// section names may be repeated.
			for _, line := range strings.Split(data, "\n") {
				l := strings.TrimSpace(line)
				if strings.HasPrefix(l, "[") {
					continue
				}
				if _, v, ok := strings.Cut(l, "="); ok {
					l = strings.TrimSpace(v)
				}
				if len(l) >= 12 && strings.Contains(err.Error(), l) {
					t.Fatalf("error %q repeats %q", err, l)
				}
			}
			return
		}
		for name, kv := range sections {
			if name == "" || name != strings.ToLower(name) {
				t.Fatalf("section name %q", name)
			}
			for k, v := range kv {
				if k == "" || k != strings.ToLower(k) || strings.ContainsAny(k, " \t\n") {
					t.Fatalf("key %q", k)
				}
				if strings.ContainsAny(v, "\n") {
					t.Fatalf("value %q spans lines", v)
				}
			}
		}
	})
}
