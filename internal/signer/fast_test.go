package signer

import (
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fixedOf is r with its headers as the list SignFixed takes, built with
// the reference's own helpers.
func fixedOf(r *Request) *Fixed {
	names := SignedHeaderNames(r.Headers)
	hs := make([]Header, len(names))
	for i, n := range names {
		hs[i] = Header{Name: n, Value: headerValue(r.Headers, n)}
	}
	return &Fixed{Method: r.Method, Path: r.Path, Query: r.Query, Headers: hs, Body: r.Body}
}

func TestSignFixedPublishedVectors(t *testing.T) {
	t.Parallel()
	q, err := url.ParseQuery("limit=2&marker=13551d6b-755d-4757-b956-536f674975c0")
	require.NoError(t, err)
	a := &Fixed{
		Method: "GET", Path: "/v1/77b6a44cba5143ab91d13ab9a8ff44fd/vpcs", Query: q,
		Headers: []Header{
			{"content-type", "application/json"},
			{"host", "service.region.example.com"},
			{"x-sdk-date", "20191115T033655Z"},
		},
	}
	assert.Equal(t, "SDK-HMAC-SHA256 Access=QTWAOYTTINDUT2QVKYUC, SignedHeaders=content-type;host;x-sdk-date, "+
		"Signature=7be6668032f70418fcc22abc52071e57aff61b84a1d2381bb430d6870f4f6ebe",
		SignFixed(a, "QTWAOYTTINDUT2QVKYUC", "MFyfvK41ba2giqM7Uio6PznpdUKGpownRZlmVmHc"), "A")

	date := []Header{{"x-sdk-date", "20060102T150405Z"}}
	b1 := &Fixed{Method: "GET", Path: "/path", Query: url.Values{"limit": {"1"}}, Headers: date}
	assert.Equal(t, "SDK-HMAC-SHA256 Access=AccessKey, SignedHeaders=x-sdk-date, "+
		"Signature=5a2ce64c865e0e6046321c6f3d5a77ba8413eeaf355c3166c03d58d02ac79624",
		SignFixed(b1, "AccessKey", "SecretKey"), "B1")

	b2 := &Fixed{Method: "POST", Path: "/path", Query: url.Values{"key": {"value"}}, Headers: date,
		Body: []byte("{\"Name\":\"test\",\"Id\":1}\n")}
	assert.Equal(t, "SDK-HMAC-SHA256 Access=AccessKey, SignedHeaders=x-sdk-date, "+
		"Signature=cecc2af119b18ab70b4d094c0750f3b42c02f254903179a0fc2cc72fc9db4f59",
		SignFixed(b2, "AccessKey", "SecretKey"), "B2")
}

// TestSignFixedMatchesSign compares the fast path with the reference on
// requests that reach its edges: escaped and badly escaped paths, repeated
// and unsorted query values, padded header values, secret keys longer than
// a SHA-256 block, and inputs larger than every stack buffer.
func TestSignFixedMatchesSign(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("x/é%2F", 300)
	tests := []struct {
		name string
		r    Request
		sk   string
	}{
		{"empty", Request{Headers: map[string]string{"x-sdk-date": "d"}}, "sk"},
		{"lowercase method", Request{Method: "get", Path: "/a", Headers: map[string]string{"x-sdk-date": "d"}}, "sk"},
		{"non-ASCII method", Request{Method: "pOßt", Path: "/a", Headers: map[string]string{"x-sdk-date": "d"}}, "sk"},
		{"escaped path", Request{Method: "GET", Path: "/v2/p/desktop-pools/a%2Fb/x%20y/%e4%b8%80", Headers: map[string]string{"x-sdk-date": "d"}}, "sk"},
		{"bad escapes", Request{Method: "GET", Path: "/bad%zz/%4/%/ok%41/", Headers: map[string]string{"x-sdk-date": "d"}}, "sk"},
		{"no leading slash", Request{Method: "GET", Path: "a b//c", Headers: map[string]string{"x-sdk-date": "d"}}, "sk"},
		{"query", Request{Method: "GET", Path: "/q", Query: url.Values{
			"multi": {"3", "1", "2"}, "empty": {}, "blank": {""}, "sp ace": {"a b+c"}, "é": {"/tmp"},
		}, Headers: map[string]string{"x-sdk-date": "d"}}, "sk"},
		{"padded headers", Request{Method: "POST", Path: "/p", Headers: map[string]string{
			"x-sdk-date": " 20250102T030405Z ", "Content-Type": "\tapplication/json ", "host": "h:1",
		}, Body: []byte(`{}`)}, "sk"},
		{"long secret key", Request{Method: "GET", Path: "/", Headers: map[string]string{"x-sdk-date": "d"}}, strings.Repeat("k", 65)},
		{"block-sized secret key", Request{Method: "GET", Path: "/", Headers: map[string]string{"x-sdk-date": "d"}}, strings.Repeat("k", 64)},
		{"larger than the buffers", Request{Method: "PUT", Path: "/" + long, Query: url.Values{"q": {long}},
			Headers: map[string]string{"x-sdk-date": long, "x-long": long}, Body: []byte(long)}, long},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, Sign(&tt.r, "AK", tt.sk), SignFixed(fixedOf(&tt.r), "AK", tt.sk))
		})
	}
}

// TestSignFixedDoesNotMutate checks that the query values, kept in their
// order for the URL, are not sorted in place.
func TestSignFixedDoesNotMutate(t *testing.T) {
	t.Parallel()
	q := url.Values{"a": {"b", "a"}}
	SignFixed(&Fixed{Method: "GET", Query: q, Headers: []Header{{"x-sdk-date", "d"}}}, "AK", "SK")
	assert.Equal(t, []string{"b", "a"}, q["a"])
}

func TestSignFixedAllocations(t *testing.T) {
	r := &Fixed{Method: "GET", Path: benchPath, Query: benchQuery, Headers: []Header{
		{"host", benchHost}, {"x-project-id", benchProj}, {"x-sdk-date", benchDate},
	}}
	allocs := testing.AllocsPerRun(100, func() { benchResult = SignFixed(r, benchAK, benchSK) })
	assert.Equal(t, 1.0, allocs, "the Authorization string only")
}

// FuzzSignFixed: for any request the fast path and the reference agree.
func FuzzSignFixed(f *testing.F) {
	f.Add("GET", "/v2/p/snapshots", "limit=2", "X-Project-Id", "p", []byte(nil), "SK")
	f.Add("post", "/v2/p/desktops/a%2Fb", "a=2&a=1&b", "Content-Type", " application/json ", []byte(`{"a":1}`), "")
	f.Add("", "", "a=%zz", "HOST", "other\n", []byte{0xff}, strings.Repeat("s", 70))
	f.Add("ǅ", "%/%zz/%4", "=&", "x-sdk-date", "\u00a0d\u2000", []byte{}, "é")
	f.Fuzz(func(t *testing.T, method, path, rawQuery, name, value string, body []byte, sk string) {
		q, _ := url.ParseQuery(rawQuery)
		h := map[string]string{"host": "workspace.example.com", "x-sdk-date": "20250102T030405Z"}
		h[name] = value
		r := &Request{Method: method, Path: path, Query: q, Headers: h, Body: body}
		if got, want := SignFixed(fixedOf(r), "AK", sk), Sign(r, "AK", sk); got != want {
			t.Fatalf("SignFixed = %q, Sign = %q", got, want)
		}
	})
}
