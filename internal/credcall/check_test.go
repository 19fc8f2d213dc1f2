package credcall

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hwcloud-go/workspace"
)

func TestIAMEndpoint(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		endpoint, region, want, field string
	}{
		{"", "ap-southeast-3", "https://iam.ap-southeast-3.myhuaweicloud.com", ""},
		{"iam.example.com/prefix/", "", "https://iam.example.com/prefix", ""},
		{" https://iam.example.com ", "", "https://iam.example.com", ""},
		{"http://127.0.0.1:9", "", "http://127.0.0.1:9", ""},
		{"http://localhost:9", "", "http://localhost:9", ""},
		{"http://[::1]:9", "", "http://[::1]:9", ""},
		{"", "", "", "r"},
		{"", "AP South/3", "", "r"},
		{"http://iam.example.com", "", "", "e"},
		{"ftp://iam.example.com", "", "", "e"},
		{"https://user:pw-secret@iam.example.com", "", "", "e"},
	} {
		got, err := IAMEndpoint("e", tt.endpoint, "r", tt.region)
		if tt.field == "" {
			require.NoError(t, err, tt.endpoint)
			assert.Equal(t, tt.want, got)
			continue
		}
		var ve *workspace.ValidationError
		require.ErrorAs(t, err, &ve, "%q %q", tt.endpoint, tt.region)
		assert.Equal(t, tt.field, ve.Field)
		assert.NotContains(t, err.Error(), "pw-secret")
	}
}

func TestAsConfigError(t *testing.T) {
	t.Parallel()
	assert.NoError(t, AsConfigError(nil))
	ve := Invalid("cfg.UserName", "must not be empty")
	err := AsConfigError(ve)
	var ce *workspace.ConfigError
	require.ErrorAs(t, err, &ce)
	assert.Same(t, ve, errors.Unwrap(err))
	assert.Equal(t, []string{"cfg.UserName"}, ce.Missing, "an empty field of cfg is missing")
	assert.Same(t, err, AsConfigError(err), "a *ConfigError stays as it is")

	err = AsConfigError(Invalid("cfg.Region", "is not a region"))
	require.ErrorAs(t, err, &ce)
	assert.Empty(t, ce.Missing, "a malformed value is not missing")

	err = AsConfigError(errors.New("workspace: odd"))
	require.ErrorAs(t, err, &ce)
	assert.Equal(t, "odd", ce.Reason)

	var wrapped error = ve
	WrapConfigError(&wrapped)
	require.ErrorAs(t, wrapped, &ce)
	var nilErr error
	WrapConfigError(&nilErr)
	assert.NoError(t, nilErr)
}

func TestCheckContextAndMissing(t *testing.T) {
	t.Parallel()
	var nilCtx context.Context
	var ve *workspace.ValidationError
	require.ErrorAs(t, CheckContext(nilCtx), &ve)
	assert.Equal(t, "ctx", ve.Field)
	assert.NoError(t, CheckContext(context.Background()))

	ce := Missing("no keys", "A", "B")
	assert.Equal(t, []string{"A", "B"}, ce.Missing)
	assert.Equal(t, "no keys", ce.Reason)

	_, _, err := ParseEndpoint("endpoint", "ftp://x")
	require.ErrorAs(t, err, &ve)
	assert.Equal(t, "endpoint", ve.Field)
	origin, prefix, err := ParseEndpoint("endpoint", "http://127.0.0.1:8080/meta/")
	require.NoError(t, err)
	assert.Equal(t, "http://127.0.0.1:8080", origin)
	assert.Equal(t, "/meta", prefix)
}
