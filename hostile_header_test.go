package workspace

import (
	"context"
	"errors"
	"net/http"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Issue 11, item 12: a token, key, security token or user agent with CR,
// LF or NUL (any control character but tab) would break the request's
// header: it is refused when given, naming the option, and never sent.

type hsTokenSource struct {
	tok   string
	calls atomic.Int32
}

func (s *hsTokenSource) Token(context.Context) (string, error) {
	s.calls.Add(1)
	return s.tok, nil
}

type hsCredsProvider struct {
	cred  Credentials
	calls atomic.Int32
}

func (p *hsCredsProvider) Credentials(context.Context) (Credentials, error) {
	p.calls.Add(1)
	return p.cred, nil
}

func TestHostileHeaderValuesRefused(t *testing.T) {
	t.Parallel()
	bad := []string{"tok\r\nX-Evil: 1", "tok\nX-Evil: 1", "tok\rx", "tok\x00x", "tok\x1bx", "tok\x7fx"}
	ep, pid := WithEndpoint("http://127.0.0.1:1"), WithProjectID(relProject)
	for _, v := range bad {
		for _, tc := range []struct {
			field string
			opts  []Option
		}{
			{"token", []Option{WithToken(v)}},
			{"accessKey", []Option{WithAccessKey(v, relSK)}},
			{"secretKey", []Option{WithAccessKey(relAK, v)}},
			{"securityToken", []Option{WithAccessKey(relAK, relSK), WithSecurityToken(v)}},
			{"userAgent", []Option{WithToken(relToken), WithUserAgent(v)}},
		} {
			_, err := NewClient(append([]Option{ep, pid}, tc.opts...)...)
			var ve *ValidationError
			require.ErrorAs(t, err, &ve, "%s %q", tc.field, v)
			assert.Equal(t, tc.field, ve.Field)
			assert.NotContains(t, err.Error(), "X-Evil")
			assert.NotContains(t, err.Error(), v)
		}
	}

	var arrivals atomic.Int32
	srv := relServer(t, func(w http.ResponseWriter, r *http.Request) { arrivals.Add(1) })
	for _, v := range bad {
		ts := &hsTokenSource{tok: v}
		c, err := NewClient(WithEndpoint(srv.URL), WithProjectID(relProject), WithTokenSource(ts))
		require.NoError(t, err)
		_, err = c.DesktopPools.GetInconsistentStatistics(context.Background(), "pool-1")
		require.Error(t, err)
		assert.Contains(t, err.Error(), "WithTokenSource")
		assert.NotContains(t, err.Error(), "attempts")
		assert.EqualValues(t, 1, ts.calls.Load(), "not retried")

		for _, cred := range []Credentials{
			{AccessKey: v, SecretKey: NewSecret(relSK)},
			{AccessKey: relAK, SecretKey: NewSecret(v)},
			{AccessKey: relAK, SecretKey: NewSecret(relSK), SecurityToken: NewSecret(v)},
		} {
			p := &hsCredsProvider{cred: cred}
			c, err := NewClient(WithEndpoint(srv.URL), WithProjectID(relProject), WithCredentialsProvider(p))
			require.NoError(t, err)
			_, err = c.DesktopPools.GetInconsistentStatistics(context.Background(), "pool-1")
			require.Error(t, err)
			assert.Contains(t, err.Error(), "WithCredentialsProvider")
			assert.NotContains(t, err.Error(), "X-Evil")
			assert.NotContains(t, err.Error(), relSK)
			assert.EqualValues(t, 1, p.calls.Load(), "not retried")
			var ce *credentialsError
			assert.True(t, errors.As(err, &ce))
		}
	}
	assert.Zero(t, arrivals.Load())
}
