package workspace

import (
	"encoding/json"
	"fmt"
	"log/slog"

	"github.com/hwcloud-go/workspace/internal/pipeline"
)

// Secret holds a secret of a configuration value (a secret key, a security
// token, a password) so that nothing prints it: every fmt verb, json.Marshal
// and slog show "REDACTED" for a Secret that holds one and nothing for the
// zero Secret. Reveal is the only way to read it.
//
// The secret sits in a closure behind a pointer. fmt prints a struct
// without its methods where it reports a bad verb (%p of a struct value,
// which no Format method sees): the fields raw, none of their methods
// called. There a pointer field shows as a bare address, never what it
// points to, so a Secret field stays hidden even then. A string field
// would not. Reflection-based dumpers (go-spew, which testify uses in its
// failure output) follow pointers, but cannot open a closure.
//
// Make one with NewSecret; the zero Secret holds nothing. Secrets are
// compared with Reveal: == compares the pointers.
type Secret struct{ p *func() string }

// NewSecret returns a Secret that holds s; NewSecret("") is the zero Secret.
func NewSecret(s string) Secret {
	if s == "" {
		return Secret{}
	}
	get := func() string { return s }
	return Secret{p: &get}
}

// Reveal returns the secret ("" for the zero Secret). It is the only way
// to read it: call it where the secret is used, never to print it.
func (s Secret) Reveal() string {
	if s.p == nil {
		return ""
	}
	return (*s.p)()
}

// IsZero reports whether s holds no secret (or an empty one).
func (s Secret) IsZero() bool { return s.Reveal() == "" }

// String returns "REDACTED", or "" for the zero Secret.
func (s Secret) String() string { return redacted(s.Reveal()) }

// GoString returns what String does: %#v never shows the secret either.
func (s Secret) GoString() string { return s.String() }

// Format prints what String returns whatever the verb.
func (s Secret) Format(f fmt.State, verb rune) {
	formatRedacted(f, verb, s.String(), s.GoString())
}

// MarshalJSON encodes s as the JSON string "REDACTED", or "" for the zero
// Secret.
func (s Secret) MarshalJSON() ([]byte, error) { return json.Marshal(s.String()) }

// LogValue logs what String returns.
func (s Secret) LogValue() slog.Value { return slog.StringValue(s.String()) }

// formatRedacted prints s (gs for %#v) whatever the verb: see
// pipeline.FormatRedacted.
func formatRedacted(f fmt.State, verb rune, s, gs string) { pipeline.FormatRedacted(f, verb, s, gs) }

// redacted is "REDACTED" for a set secret and "" for an unset one.
func redacted(s string) string {
	if s == "" {
		return ""
	}
	return "REDACTED"
}
