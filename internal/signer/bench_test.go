package signer

import (
	"net/url"
	"testing"
)

// The small call of the bench module as the client signs it: a GET with
// no query and no body over host, x-project-id and x-sdk-date.
var (
	benchPath   = "/v2/0123456789abcdef0123456789abcdef/desktop-pools/pool-0001/inconsistent-statics"
	benchHost   = "127.0.0.1:34567"
	benchProj   = "0123456789abcdef0123456789abcdef"
	benchDate   = "20260102T030405Z"
	benchAK     = "QTWAOYTTINDUT2QVKYUC"
	benchSK     = "MFyfvK41ba2giqM7Uio6PznpdUKGpownRZlmVmHc"
	benchQuery  = url.Values{"limit": {"100"}, "offset": {"0"}, "status": {"ACTIVE"}}
	benchBody   = []byte(`{"desktop_ids":["d-0001","d-0002"],"image_id":"img-1"}`)
	benchResult string
)

func BenchmarkSign(b *testing.B) {
	cases := []struct {
		name  string
		query url.Values
		body  []byte
	}{
		{"get", nil, nil},
		{"get-query", benchQuery, nil},
		{"post", nil, benchBody},
	}
	for _, c := range cases {
		b.Run(c.name+"/map", func(b *testing.B) {
			b.ReportAllocs()
			method := "GET"
			if c.body != nil {
				method = "POST"
			}
			for i := 0; i < b.N; i++ {
				h := map[string]string{"host": benchHost, "x-sdk-date": benchDate, "x-project-id": benchProj}
				if c.body != nil {
					h["content-type"] = "application/json"
				}
				r := Request{Method: method, Path: benchPath, Query: c.query, Headers: h, Body: c.body}
				benchResult = Sign(&r, benchAK, benchSK)
			}
		})
		b.Run(c.name+"/fixed", func(b *testing.B) {
			b.ReportAllocs()
			method := "GET"
			if c.body != nil {
				method = "POST"
			}
			for i := 0; i < b.N; i++ {
				var hs [4]Header
				n := 0
				if c.body != nil {
					hs[n] = Header{"content-type", "application/json"}
					n++
				}
				hs[n] = Header{"host", benchHost}
				hs[n+1] = Header{"x-project-id", benchProj}
				hs[n+2] = Header{"x-sdk-date", benchDate}
				r := Fixed{Method: method, Path: benchPath, Query: c.query, Headers: hs[:n+3], Body: c.body}
				benchResult = SignFixed(&r, benchAK, benchSK)
			}
		})
	}
}
