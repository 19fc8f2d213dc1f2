package config

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hwcloud-go/workspace"
)

// A bad LoadOption is a *workspace.ConfigError wrapping the
// *workspace.ValidationError that names it, before anything is read.
func TestLoadOptionsRefuseBadValues(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		opt   LoadOption
		field string
	}{
		{"region not a region", WithRegion("AP South/3"), "region"},
		{"region empty", WithRegion(""), "region"},
		{"credentials file empty", WithCredentialsFile("  "), "credentialsFile"},
		{"no sources", WithSources(), "sources"},
		{"unknown source", WithSources(SourceEnv, Source(9)), "sources"},
		{"nil environment", WithLookupEnv(nil), "lookupEnv"},
		{"metadata endpoint not a URL", WithMetadataEndpoint("ftp://x"), "metadataEndpoint"},
		{"IAM endpoint empty", WithIAMEndpoint(""), "iamEndpoint"},
		{"IAM endpoint plain http off loopback", WithIAMEndpoint("http://iam.example.com"), "iamEndpoint"},
		{"nil HTTP client", WithHTTPClient(nil), "httpClient"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			looked := false
			env := WithLookupEnv(func(string) (string, bool) { looked = true; return "", false })
			_, err := Load(context.Background(), env, tt.opt)
			var ce *workspace.ConfigError
			require.ErrorAs(t, err, &ce)
			var ve *workspace.ValidationError
			require.ErrorAs(t, err, &ve)
			assert.Equal(t, tt.field, ve.Field)
			assert.False(t, looked, "nothing read after a bad option")
		})
	}
}

// Good values are taken: a source given twice is read once, in the order
// given; an IAM endpoint without a scheme gets https://; the zero
// LoadOption does nothing.
func TestLoadOptionsTakeGoodValues(t *testing.T) {
	t.Parallel()
	var o loadOptions
	for _, opt := range []LoadOption{
		WithRegion("ap-southeast-3"),
		WithCredentialsFile("/etc/creds"),
		WithSources(SourceFile, SourceEnv, SourceFile),
		WithMetadataEndpoint("http://127.0.0.1:1"),
		WithIAMEndpoint("iam.example.com/prefix"),
		WithHTTPClient(&http.Client{}),
	} {
		require.NoError(t, opt.apply(&o))
	}
	assert.Equal(t, "ap-southeast-3", o.region)
	assert.Equal(t, "/etc/creds", o.file)
	assert.Equal(t, []Source{SourceFile, SourceEnv}, o.sources)
	assert.Equal(t, "http://127.0.0.1:1", o.metadataEndpoint)
	assert.Equal(t, "https://iam.example.com/prefix", o.iamEndpoint)
	assert.NotNil(t, o.httpClient)
	_, err := Load(context.Background(), LoadOption{}, WithSources(SourceEnv), WithLookupEnv(func(k string) (string, bool) {
		return map[string]string{"HUAWEICLOUD_SDK_TOKEN": "t"}[k], true
	}))
	assert.NoError(t, err, "the zero LoadOption is skipped")
}

func TestSourceString(t *testing.T) {
	t.Parallel()
	assert.Equal(t, "the environment", SourceEnv.String())
	assert.Equal(t, "the credentials file", SourceFile.String())
	assert.Equal(t, "the ECS metadata service", SourceMetadata.String())
	assert.True(t, strings.HasPrefix(Source(7).String(), "Source(7"))
}
