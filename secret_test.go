package workspace

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Secrets of the configuration types in secretTest.
const (
	secretTestSK       = "sk-Secret-Key-0a1b2c3d4e"
	secretTestST       = "st-Security-Token-5f6a7b"
	secretTestPassword = "pw-Password-8c9d0e1f"
)

// secretRoutes renders v every way a program prints a value: every fmt
// verb, bad ones included (for %p of a struct value fmt calls no Format
// method and prints the fields raw, calling none of their methods),
// json.Marshal and slog's text and JSON handlers.
func secretRoutes(t *testing.T, v any) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, verb := range []string{"%p", "%d", "%x", "%X", "%o", "%b", "%e", "%t", "%c", "%U", "%v", "%+v", "%#v", "%s", "%q", "%T", "%z", "%10.3v", "%-8s", "%#p", "%+q", "%#x"} {
		out[verb] = fmt.Sprintf(verb, v)
	}
	out["Sprint"] = fmt.Sprint(v)
	extra := "%d" // a variable: vet would stop the extra argument
	//lint:ignore SA5009 the extra argument is the route under test (%!(EXTRA ...))
	out["extra argument"] = fmt.Sprintf(extra, 1, v)
	j, err := json.Marshal(v)
	require.NoError(t, err)
	out["json"] = string(j)
	for name, h := range map[string]func(*bytes.Buffer) slog.Handler{
		"slog text": func(b *bytes.Buffer) slog.Handler { return slog.NewTextHandler(b, nil) },
		"slog json": func(b *bytes.Buffer) slog.Handler { return slog.NewJSONHandler(b, nil) },
	} {
		var b bytes.Buffer
		slog.New(h(&b)).Info("m", "v", v, slog.Group("g", "v", v))
		out[name] = b.String()
	}
	return out
}

// %p of a Credentials value (or of a struct holding one)
// prints the fields raw, Format or not: the secrets live in Secret values
// that no route reaches, for the value, a pointer to it and a struct that
// holds it.
func TestSecretsUnreachableByEveryRoute(t *testing.T) {
	t.Parallel()
	cred := Credentials{AccessKey: "AK-shown", SecretKey: NewSecret(secretTestSK), SecurityToken: NewSecret(secretTestST), Expires: time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)}
	sk := NewSecret(secretTestSK)
	tests := []struct {
		name    string
		v       any
		secrets []string
	}{
		{"Credentials", cred, []string{secretTestSK, secretTestST}},
		{"*Credentials", &cred, []string{secretTestSK, secretTestST}},
		{"a struct holding Credentials", struct{ C Credentials }{cred}, []string{secretTestSK, secretTestST}},
		{"a slice of Credentials", []Credentials{cred}, []string{secretTestSK, secretTestST}},
		{"Secret", sk, []string{secretTestSK}},
		{"*Secret", &sk, []string{secretTestSK}},
		{"a struct holding a Secret", struct{ S Secret }{sk}, []string{secretTestSK}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			routes := secretRoutes(t, tt.v)
			require.Contains(t, routes["%v"], "REDACTED", "the routes do render the value")
			for route, s := range routes {
				for _, secret := range tt.secrets {
					for _, form := range []string{secret, hex.EncodeToString([]byte(secret)), strings.ToUpper(hex.EncodeToString([]byte(secret)))} {
						assert.NotContains(t, s, form, "%s printed with %s", tt.name, route)
					}
				}
			}
		})
	}
	assert.Equal(t, secretTestSK, cred.SecretKey.Reveal(), "Reveal reads the secret")
	assert.Contains(t, fmt.Sprint(cred), "AK-shown", "the access key identifies the credentials")
}

func TestSecretMethods(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		s      Secret
		reveal string
		zero   bool
		shown  string
		json   string
	}{
		{"zero value", Secret{}, "", true, "", `""`},
		{"NewSecret of nothing", NewSecret(""), "", true, "", `""`},
		{"a secret", NewSecret(secretTestSK), secretTestSK, false, "REDACTED", `"REDACTED"`},
		{"blanks are a secret", NewSecret(" "), " ", false, "REDACTED", `"REDACTED"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tt.reveal, tt.s.Reveal())
			assert.Equal(t, tt.zero, tt.s.IsZero())
			assert.Equal(t, tt.shown, tt.s.String())
			assert.Equal(t, tt.shown, tt.s.GoString())
			assert.Equal(t, tt.shown, fmt.Sprintf("%v", tt.s))
			assert.Equal(t, tt.shown, tt.s.LogValue().String())
			j, err := json.Marshal(tt.s)
			require.NoError(t, err)
			assert.Equal(t, tt.json, string(j))
		})
	}
}

// A zero Secret prints nothing, so that a configuration shows which
// secrets are set.
func TestSecretsZeroShownEmpty(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		v    fmt.Stringer
		want string
		not  string
	}{
		{"Credentials without a security token", Credentials{AccessKey: "AK", SecretKey: NewSecret("sk")}, "SecretKey: REDACTED", "SecurityToken"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			assert.Contains(t, tt.v.String(), tt.want)
			assert.NotContains(t, tt.v.String(), tt.not)
		})
	}
}
