package workspace

import (
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

// The setters leave a zero value out, and encodeQuery writes names sorted,
// repeated values in their order, and escapes as the signer does (a space
// as %20, never +), so that what is sent is what is signed.
func TestQueryBuildingAndEncoding(t *testing.T) {
	t.Parallel()
	utc8 := time.FixedZone("UTC+8", 8*3600)
	tests := []struct {
		name  string
		build func(q url.Values)
		want  string
	}{
		{"zero values left out", func(q url.Values) {
			setString(q, "a", "")
			setInt(q, "b", 0)
			setStrings(q, "c", nil)
			setTime(q, "d", time.Time{})
		}, ""},
		{"names sorted, repeated values in order", func(q url.Values) {
			setStrings(q, "z", []string{"2", "1"})
			setString(q, "a", "x")
			setInt(q, "m", -3)
		}, "a=x&m=-3&z=2&z=1"},
		{"escaped as the signer signs", func(q url.Values) {
			setString(q, "name", "a b+c/d?é")
		}, "name=a%20b%2Bc%2Fd%3F%C3%A9"},
		{"times in UTC, to the second", func(q url.Values) {
			setTime(q, "t", time.Date(2025, 1, 2, 11, 4, 5, 999, utc8))
		}, "t=2025-01-02T03%3A04%3A05Z"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			q := url.Values{}
			tt.build(q)
			assert.Equal(t, tt.want, encodeQuery(q))
		})
	}
}

// setStrings keeps a copy: changing the caller's slice afterwards changes
// nothing sent.
func TestSetStringsCopies(t *testing.T) {
	t.Parallel()
	vs := []string{"a", "b"}
	q := url.Values{}
	setStrings(q, "k", vs)
	vs[0] = "changed"
	assert.Equal(t, "k=a&k=b", encodeQuery(q))
}
