package credentials

import (
	"encoding/json"
	"fmt"
	"log/slog"

	"github.com/hwcloud-go/workspace/internal/pipeline"
)

// Every route that prints a value shows the configuration types through
// their String methods, which redact the endpoint as a URL and never show
// a password: fmt's verbs (%d and %x included, which would otherwise print
// the fields), json.Marshal and slog. The one exception is fmt's %p of a
// value, which calls no method: fmt reports it as a bad verb and prints
// the fields raw, calling none of their methods either; there the password
// is a workspace.Secret, of which fmt prints a bare address.

// Format prints c's String (GoString for %#v) whatever the verb.
func (c IAMConfig) Format(f fmt.State, verb rune) {
	pipeline.FormatRedacted(f, verb, c.String(), c.GoString())
}

// MarshalJSON encodes c's String: the configuration without the password.
func (c IAMConfig) MarshalJSON() ([]byte, error) { return json.Marshal(c.String()) }

// LogValue logs c's String.
func (c IAMConfig) LogValue() slog.Value { return slog.StringValue(c.String()) }

// Format prints c's String (GoString for %#v) whatever the verb.
func (c IDTokenConfig) Format(f fmt.State, verb rune) {
	pipeline.FormatRedacted(f, verb, c.String(), c.GoString())
}

// MarshalJSON encodes c's String: the configuration, its endpoint redacted.
func (c IDTokenConfig) MarshalJSON() ([]byte, error) { return json.Marshal(c.String()) }

// LogValue logs c's String.
func (c IDTokenConfig) LogValue() slog.Value { return slog.StringValue(c.String()) }

// Format prints c's String (GoString for %#v) whatever the verb.
func (c MetadataConfig) Format(f fmt.State, verb rune) {
	pipeline.FormatRedacted(f, verb, c.String(), c.GoString())
}

// MarshalJSON encodes c's String: the configuration, its endpoint redacted.
func (c MetadataConfig) MarshalJSON() ([]byte, error) { return json.Marshal(c.String()) }

// LogValue logs c's String.
func (c MetadataConfig) LogValue() slog.Value { return slog.StringValue(c.String()) }
