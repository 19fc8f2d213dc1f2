package workspace

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"time"
)

// Every route that prints a value shows Credentials through its String
// method: fmt's verbs (%d and %x included, which would otherwise print the
// fields), json.Marshal and slog. The one exception is fmt's %p of a
// value, which calls no method: fmt reports it as a bad verb and prints the
// fields raw, calling none of their methods either (as it does for the
// fields of any struct printed in error). So the secrets are Secret
// values, of which fmt then prints a bare address. Their exported fields
// remain, for the program that fills them, readable by reflection
// (Secret.Reveal); the sources and providers keep theirs out of its reach.

// Format prints c's String (GoString for %#v) whatever the verb.
func (c Credentials) Format(f fmt.State, verb rune) {
	formatRedacted(f, verb, c.String(), c.GoString())
}

// MarshalJSON encodes c without its secret key or security token.
func (c Credentials) MarshalJSON() ([]byte, error) {
	type shown struct {
		AccessKey     string
		SecretKey     string
		SecurityToken string    `json:",omitempty"`
		Expires       time.Time `json:",omitzero"`
	}
	return json.Marshal(shown{c.AccessKey, c.SecretKey.String(), c.SecurityToken.String(), c.Expires})
}

// LogValue logs c's String.
func (c Credentials) LogValue() slog.Value { return slog.StringValue(c.String()) }
