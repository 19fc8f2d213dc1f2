package workspace

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Issue 11, item 6: an endpoint with a password or a query is refused
// without printing either, wherever it is given.
func TestHostileNoURLSecretInErrors(t *testing.T) {
	t.Parallel()
	bad := []string{
		"https://user:PASS-1@host/%zz",
		"https://user:PASS-2@host/ok",
		"ftp://u:PASS-3@h",
		"https://h/?sig=SECRET-4",
		"https://h/x?sig=SECRET-5#frag",
		"https://h/#SECRET-6",
		"https://u:PASS-7@h:99999/",
		"https://u:PASS-8@[::1/",
		"http//u:PASS-9@h/?q=SECRET-9",
		" https://u:PASS-10@h/\x7f",
		"https://h/%zz?sig=SECRET-11",
		"//u:PASS-12@h",
	}
	secrets := func(raw string) []string {
		var out []string
		for _, s := range []string{"PASS", "SECRET", "sig="} {
			for i := 1; i <= 12; i++ {
				if w := fmt.Sprintf("%s-%d", s, i); strings.Contains(raw, w) {
					out = append(out, w)
				}
			}
		}
		return out
	}
	for _, raw := range bad {
		errs := map[string]error{}
		_, errs["WithEndpoint"] = NewClient(WithEndpoint(raw), WithProjectID(relProject), WithToken(relToken))
		_, errs["IAMConfig.Endpoint"] = NewIAMTokenSource(IAMConfig{Endpoint: raw, UserName: "u", Password: NewSecret("p"), DomainName: "d", ProjectID: "p"})
		_, errs["MetadataConfig.Endpoint"] = NewMetadataCredentialsProvider(MetadataConfig{Endpoint: raw})
		_, errs["environment"] = NewClient(WithEnv(), fakeEnv(map[string]string{
			EnvEndpoint: raw, EnvProjectID: relProject, EnvToken: relToken,
		}))
		for where, err := range errs {
			require.Error(t, err, "%s %q", where, raw)
			for _, s := range secrets(raw) {
				assert.NotContains(t, err.Error(), s, "%s %q", where, raw)
			}
		}
		cfg := IAMConfig{Endpoint: raw}
		for _, s := range secrets(raw) {
			for _, verb := range []string{"%v", "%+v", "%#v", "%s"} {
				assert.NotContains(t, fmt.Sprintf(verb, cfg), s, "IAMConfig %s", verb)
			}
		}
	}
}
