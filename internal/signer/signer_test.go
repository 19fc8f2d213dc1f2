package signer

import (
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The published vectors from the spec README (A, B1, B2, C).
func TestPublishedVectors(t *testing.T) {
	t.Parallel()

	t.Run("A", func(t *testing.T) {
		t.Parallel()
		q, err := url.ParseQuery("limit=2&marker=13551d6b-755d-4757-b956-536f674975c0")
		require.NoError(t, err)
		r := &Request{
			Method: "GET",
			Path:   "/v1/77b6a44cba5143ab91d13ab9a8ff44fd/vpcs",
			Query:  q,
			Headers: map[string]string{
				"Content-Type": "application/json",
				"Host":         "service.region.example.com",
				"X-Sdk-Date":   "20191115T033655Z",
			},
		}
		names := SignedHeaderNames(r.Headers)
		assert.Equal(t, []string{"content-type", "host", "x-sdk-date"}, names)
		cr := CanonicalRequest(r, names)
		sts := StringToSign(cr, "20191115T033655Z")
		assert.True(t, strings.HasSuffix(sts, "\nb25362e603ee30f4f25e7858e8a7160fd36e803bb2dfe206278659d71a9bcd7a"), sts)
		assert.Equal(t, "7be6668032f70418fcc22abc52071e57aff61b84a1d2381bb430d6870f4f6ebe",
			Signature(r, names, "MFyfvK41ba2giqM7Uio6PznpdUKGpownRZlmVmHc"))
		auth := Sign(r, "QTWAOYTTINDUT2QVKYUC", "MFyfvK41ba2giqM7Uio6PznpdUKGpownRZlmVmHc")
		assert.Equal(t, "SDK-HMAC-SHA256 Access=QTWAOYTTINDUT2QVKYUC, SignedHeaders=content-type;host;x-sdk-date, "+
			"Signature=7be6668032f70418fcc22abc52071e57aff61b84a1d2381bb430d6870f4f6ebe", auth)
	})

	t.Run("B1", func(t *testing.T) {
		t.Parallel()
		r := &Request{
			Method:  "GET",
			Path:    "/path",
			Query:   url.Values{"limit": {"1"}},
			Headers: map[string]string{"X-Sdk-Date": "20060102T150405Z"},
		}
		assert.Equal(t, "5a2ce64c865e0e6046321c6f3d5a77ba8413eeaf355c3166c03d58d02ac79624",
			Signature(r, []string{"x-sdk-date"}, "SecretKey"))
	})

	t.Run("B2", func(t *testing.T) {
		t.Parallel()
		r := &Request{
			Method:  "POST",
			Path:    "/path",
			Query:   url.Values{"key": {"value"}},
			Headers: map[string]string{"X-Sdk-Date": "20060102T150405Z"},
			Body:    []byte("{\"Name\":\"test\",\"Id\":1}\n"),
		}
		assert.Equal(t, "cecc2af119b18ab70b4d094c0750f3b42c02f254903179a0fc2cc72fc9db4f59",
			Signature(r, []string{"x-sdk-date"}, "SecretKey"))
	})

	t.Run("C", func(t *testing.T) {
		t.Parallel()
		q := url.Values{
			"limit":  {"1"},
			"enable": {"true"},
			"test":   {"一 (&=?!#%.*)"},
			"path":   {"/tmp/123"},
			"multi":  {"3", "1", "2"},
		}
		assert.Equal(t,
			"enable=true&limit=1&multi=1&multi=2&multi=3&path=%2Ftmp%2F123&test=%E4%B8%80%20%28%26%3D%3F%21%23%25.%2A%29",
			CanonicalQuery(q))
	})
}

func TestCanonicalURI(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"", "/"},
		{"/", "/"},
		{"/v2/p/snapshots", "/v2/p/snapshots/"},
		{"/v2/p/desktop-pools/a%2Fb/x", "/v2/p/desktop-pools/a%2Fb/x/"},
		{"/v2/p/desktop-pools/a%20b/", "/v2/p/desktop-pools/a%20b/"},
		{"/v2/%E4%B8%80", "/v2/%E4%B8%80/"},
		{"/bad%zz", "/bad%25zz/"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, CanonicalURI(tt.in), tt.in)
	}
}

func TestCanonicalQueryEmptyAndDoesNotMutate(t *testing.T) {
	t.Parallel()
	assert.Equal(t, "", CanonicalQuery(nil))
	q := url.Values{"a": {"b", "a"}, "e": {}}
	assert.Equal(t, "a=a&a=b&e=", CanonicalQuery(q))
	assert.Equal(t, []string{"b", "a"}, q["a"], "input order kept")
}

func TestEscape(t *testing.T) {
	t.Parallel()
	assert.Equal(t, "AZaz09-_.~", Escape("AZaz09-_.~"))
	assert.Equal(t, "%20%2B%2F%3F%23%25", Escape(" +/?#%"))
	assert.Equal(t, "%E4%B8%80", Escape("一"))
}
