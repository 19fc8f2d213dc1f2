package workspace

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// ConfigError prints a short error on one line and a long one (more than
// three names, or a line of more than about 120 characters) with one name
// a line, under each thing missing where several are; Missing stays the
// flat list.
func TestConfigError_Error(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("x", 100)
	tests := []struct {
		name string
		err  *ConfigError
		want string
	}{
		{name: "nothing missing", err: &ConfigError{Reason: "more than one kind of credentials: WithToken, WithAccessKey"},
			want: "workspace: configuration: more than one kind of credentials: WithToken, WithAccessKey"},
		{name: "two names, short", err: &ConfigError{Reason: "no project id", Missing: []string{"WithProjectID", EnvProjectID}},
			want: "workspace: configuration: no project id (set WithProjectID, or HUAWEICLOUD_SDK_PROJECT_ID)"},
		{name: "three names, short", err: &ConfigError{Reason: "r", Missing: []string{"A", "B", "C"}},
			want: "workspace: configuration: r (set A, or B, or C)"},
		{name: "four names", err: &ConfigError{Reason: "r", Missing: []string{"A", "B", "C", "D"}},
			want: "workspace: configuration: r; set one of:\n  - A\n  - B\n  - C\n  - D"},
		{name: "two names, long", err: &ConfigError{Reason: long, Missing: []string{"WithProjectID", EnvProjectID}},
			want: "workspace: configuration: " + long + "; set one of:\n  - WithProjectID\n  - HUAWEICLOUD_SDK_PROJECT_ID"},
		{name: "one name, long", err: &ConfigError{Reason: long, Missing: []string{"WithProjectID (to look it up)"}},
			want: "workspace: configuration: " + long + "; set:\n  - WithProjectID (to look it up)"},
		{name: "groups", err: &ConfigError{Reason: "no a, no b", Missing: []string{"A1", "A2", "B1", "B2"},
			groups: []missingGroup{{"no a", []string{"A1", "A2"}}, {"no b", []string{"B1", "B2"}}}},
			want: "workspace: configuration: no a, no b\n  no a; set one of:\n    - A1\n    - A2\n  no b; set one of:\n    - B1\n    - B2"},
		{name: "groups no longer Missing: Missing is printed", err: &ConfigError{Reason: "r", Missing: []string{"A1", "A2", "B1", "C1"},
			groups: []missingGroup{{"no a", []string{"A1", "A2"}}, {"no b", []string{"B1", "B2"}}}},
			want: "workspace: configuration: r; set one of:\n  - A1\n  - A2\n  - B1\n  - C1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tt.want, tt.err.Error())
		})
	}
}

// NewClient's "nothing configured" prints one line for each option,
// variable or file key, under each thing missing; Missing is the flat
// list it always was.
func TestConfigError_NothingConfigured(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		opts    []Option
		want    string
		missing []string
	}{
		{name: "no options", opts: nil,
			want: "workspace: configuration: no credentials, no endpoint or region, no project id\n" +
				"  no credentials; set one of:\n" +
				"    - WithAccessKey\n    - WithToken\n    - WithTokenSource\n    - WithCredentialsProvider\n" +
				"  no endpoint or region; set one of:\n" +
				"    - WithRegion\n    - WithEndpoint\n" +
				"  no project id; set:\n" +
				"    - WithProjectID",
			missing: []string{"WithAccessKey", "WithToken", "WithTokenSource", "WithCredentialsProvider", "WithRegion", "WithEndpoint", "WithProjectID"}},
		{name: "no credentials, from the environment", opts: []Option{fakeEnv(nil), WithEnv(), WithRegion("ap-southeast-3"), WithProjectID(testProjectID)},
			want: "workspace: configuration: no credentials; tried the environment; set one of:\n" +
				"  - WithAccessKey\n  - WithToken\n  - WithTokenSource\n  - WithCredentialsProvider\n" +
				"  - HUAWEICLOUD_SDK_AK and HUAWEICLOUD_SDK_SK\n  - HUAWEICLOUD_SDK_IDP_ID and HUAWEICLOUD_SDK_ID_TOKEN_FILE\n  - HUAWEICLOUD_SDK_TOKEN",
			missing: []string{"WithAccessKey", "WithToken", "WithTokenSource", "WithCredentialsProvider",
				EnvAccessKey + " and " + EnvSecretKey, EnvIdPID + " and " + EnvIDTokenFile, EnvToken}},
		{name: "short: one line", opts: []Option{WithToken(testToken), WithRegion("ap-southeast-3")},
			want:    "workspace: configuration: no project id (set WithProjectID)",
			missing: []string{"WithProjectID"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := NewClient(tt.opts...)
			var ce *ConfigError
			require.ErrorAs(t, err, &ce)
			assert.Equal(t, tt.want, err.Error())
			assert.Equal(t, tt.missing, ce.Missing)
		})
	}
}
