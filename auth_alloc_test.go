package workspace

import (
	"context"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestSigningAllocations pins the cost of signing one attempt: the string
// holding the date and the Authorization value, and the slice the header
// values share (the header map is sized as resty's is by the time it is
// signed). Signing took 32 before signer.AppendSignFixed.
func TestSigningAllocations(t *testing.T) {
	tests := []struct {
		name  string
		cred  Credentials
		query url.Values
		body  []byte
	}{
		{"GET", Credentials{AccessKey: "AK", SecretKey: NewSecret("SK")}, nil, nil},
		{"GET with query", Credentials{AccessKey: "AK", SecretKey: NewSecret("SK")}, url.Values{"limit": {"100"}, "offset": {"0"}}, nil},
		{"POST with security token", Credentials{AccessKey: "AK", SecretKey: NewSecret("SK"), SecurityToken: NewSecret("ST")}, nil, []byte(`{"a":1}`)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := signingAuth{src: newStaticCredentials(tt.cred)}
			h := make(http.Header, 8)
			ar := authRequest{
				method: "GET", host: "workspace.example.com", path: "/v2/p/desktop-pools/pool-1/inconsistent-statics",
				query: tt.query, body: tt.body, header: h, projectID: "p", now: time.Now(),
			}
			if tt.body != nil {
				ar.method = "POST"
				h["Content-Type"] = jsonHeaderValue
			}
			_, err := a.authenticate(context.Background(), ar)
			require.NoError(t, err)
			allocs := testing.AllocsPerRun(100, func() { _, _ = a.authenticate(context.Background(), ar) })
			assert.LessOrEqual(t, allocs, 2.0)
			assert.NotEmpty(t, h.Get("Authorization"))
		})
	}
}
