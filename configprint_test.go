package workspace

import (
	"encoding/hex"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Every configuration type (IDTokenConfig, MetadataConfig, IAMConfig)
// prints its endpoint through redactURL, by every route that calls a
// method, so that a password or a signature in the URL is never shown,
// nor a password holding '?' or '#'.
//
// Not %p of a value: fmt calls no method for it and prints the fields raw,
// Endpoint a plain string among them. The constructors refuse an endpoint
// with user information, a query or a fragment, so such a value never
// configures anything; the secrets proper are Secret values (see
// TestSecretsUnreachableByEveryRoute).
func TestConfigTypesRedactEndpoints(t *testing.T) {
	t.Parallel()
	endpoints := []struct {
		raw, secret, shown string
	}{
		{"https://user:url-Pass-1@iam.example.com/prefix", "url-Pass-1", "iam.example.com/prefix"},
		{"https://user:url-Pa?ss-2@iam.example.com", "url-Pa", "https://REDACTED"},
		{"https://user:url-Pa#ss-3@iam.example.com", "url-Pa", "https://REDACTED"},
		{"user:url-Pass-4@iam.example.com", "url-Pass-4", "user:REDACTED"},
		{"https://iam.example.com/?sig=url-Sig-5", "url-Sig-5", "iam.example.com/?REDACTED"},
	}
	type config struct {
		name string
		v    any
	}
	var configs []config
	for _, e := range endpoints {
		iam := IAMConfig{Endpoint: e.raw, UserName: "u", Password: NewSecret("pw-secret-6"), DomainName: "d", ProjectID: "p"}
		id := IDTokenConfig{IdPID: "idp", TokenFile: "/var/run/token", ProjectID: "p", Endpoint: e.raw}
		md := MetadataConfig{Endpoint: e.raw}
		configs = append(configs,
			config{"IAMConfig " + e.raw, iam}, config{"*IAMConfig " + e.raw, &iam},
			config{"IDTokenConfig " + e.raw, id}, config{"*IDTokenConfig " + e.raw, &id},
			config{"MetadataConfig " + e.raw, md}, config{"*MetadataConfig " + e.raw, &md},
		)
	}
	for i, c := range configs {
		e := endpoints[i/6]
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			routes := secretRoutes(t, c.v)
			require.Contains(t, routes["%v"], e.shown, "the endpoint is shown, redacted")
			for route, s := range routes {
				if (route == "%p" || route == "%#p") && !strings.HasPrefix(c.name, "*") {
					continue
				}
				for _, form := range []string{e.secret, "pw-secret-6", hex.EncodeToString([]byte(e.secret))} {
					assert.NotContains(t, s, form, "%s printed with %s", c.name, route)
				}
			}
		})
	}
}

func TestConfigTypesString(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		v    fmt.Stringer
		want string
	}{
		{"IDTokenConfig", IDTokenConfig{IdPID: "idp", TokenFile: "/t", ProjectID: "p", Region: "r", Endpoint: "https://u:pw@iam.example.com"},
			"IDTokenConfig{IdPID: idp, TokenFile: /t, ProjectID: p, Region: r, Endpoint: https://REDACTED@iam.example.com, RefreshBefore: 0s}"},
		{"MetadataConfig", MetadataConfig{Endpoint: "http://169.254.169.254?token=x", SessionTokenTTL: 6 * time.Hour},
			"MetadataConfig{Endpoint: http://169.254.169.254?REDACTED, RefreshBefore: 0s, SessionTokenTTL: 6h0m0s}"},
		{"zero MetadataConfig", MetadataConfig{}, "MetadataConfig{Endpoint: , RefreshBefore: 0s, SessionTokenTTL: 0s}"},
		{"IAMConfig", IAMConfig{Endpoint: "https://u:p?w@iam.example.com", UserName: "u", Password: NewSecret("p")},
			"IAMConfig{Endpoint: https://REDACTED, Region: , UserName: u, Password: REDACTED, DomainName: , ProjectID: , RefreshBefore: 0s}"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tt.want, tt.v.String())
			assert.Equal(t, tt.want, fmt.Sprintf("%v", tt.v))
			assert.Equal(t, "workspace."+tt.want, fmt.Sprintf("%#v", tt.v))
		})
	}
}
