package workspacetest_test

import (
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hwcloud-go/workspace/internal/signer"
	"github.com/hwcloud-go/workspace/workspacetest"
)

// signedGet sends GET /snapshots?limit=5 with the headers given, signing
// exactly the names in sign (lowercase), then applying mutate.
func signedGet(t *testing.T, srv *workspacetest.Server, header map[string]string, sign []string, mutate func(*http.Request)) (int, string) {
	t.Helper()
	path := "/v2/" + srv.ProjectID + "/snapshots"
	req, err := http.NewRequest("GET", srv.URL+path+"?limit=5", nil)
	require.NoError(t, err)
	for k, v := range header {
		req.Header.Set(k, v)
	}
	signed := make(map[string]string, len(sign))
	for _, name := range sign {
		if name == "host" {
			signed[name] = req.URL.Host
		} else {
			signed[name] = req.Header.Get(name)
		}
	}
	sr := signer.Request{Method: "GET", Path: path, Query: req.URL.Query(), Headers: signed}
	req.Header.Set("Authorization", signer.Sign(&sr, srv.AccessKey, srv.SecretKey))
	if mutate != nil {
		mutate(req)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// The fake verifies signatures as the gateway does: x-sdk-date must be
// signed and fresh, and the signature must be right over whatever headers
// the client chose to sign; host is not required (the vendor's SDK never
// signs it).
func TestFakeSignature_WhateverTheClientSigned(t *testing.T) {
	t.Parallel()
	srv := fakeNewServer(t)
	const temp = "temporary-security-token"
	tmp := fakeNewServer(t, workspacetest.WithAccessKey("TMPAK", "TMPSK"), workspacetest.WithSecurityToken(temp))
	date := signer.FormatDate(time.Now())
	base := map[string]string{"X-Sdk-Date": date, "X-Project-Id": srv.ProjectID, "User-Agent": "huaweicloud-usdk-go/3.0"}
	tests := []struct {
		name   string
		srv    *workspacetest.Server
		header map[string]string
		sign   []string
		mutate func(*http.Request)
		status int
		msg    string
	}{
		{name: "the vendor's set: user-agent, x-project-id, x-sdk-date", sign: []string{"user-agent", "x-project-id", "x-sdk-date"}, status: 200},
		{name: "ours: host, x-project-id, x-sdk-date", sign: []string{"host", "x-project-id", "x-sdk-date"}, status: 200},
		{name: "only the date", sign: []string{"x-sdk-date"}, status: 200},
		{name: "date not signed", sign: []string{"host", "x-project-id"}, status: 401, msg: "x-sdk-date must be signed"},
		{name: "signed user-agent changed on the way", sign: []string{"user-agent", "x-sdk-date"}, status: 401, msg: "signature",
			mutate: func(r *http.Request) { r.Header.Set("User-Agent", "proxy/1.0") }},
		{name: "unsigned user-agent changed on the way", sign: []string{"x-project-id", "x-sdk-date"}, status: 200,
			mutate: func(r *http.Request) { r.Header.Set("User-Agent", "proxy/1.0") }},
		{name: "signed host is checked", sign: []string{"host", "x-sdk-date"}, status: 401, msg: "signature",
			mutate: func(r *http.Request) { r.Host = "elsewhere.example.com" }},
		{name: "unsigned project id must still be right", sign: []string{"x-sdk-date"}, status: 401, msg: "X-Project-Id",
			mutate: func(r *http.Request) { r.Header.Set("X-Project-Id", "another") }},
		{name: "project id missing", sign: []string{"x-sdk-date"}, status: 401, msg: "X-Project-Id",
			mutate: func(r *http.Request) { r.Header.Del("X-Project-Id") }},
		{name: "stale date", header: map[string]string{"X-Sdk-Date": signer.FormatDate(time.Now().Add(-16 * time.Minute))},
			sign: []string{"x-sdk-date"}, status: 401, msg: "15 minutes"},
		{name: "unsorted signed headers", sign: []string{"x-sdk-date", "x-project-id"}, status: 401, msg: "sorted",
			mutate: func(r *http.Request) {
				r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), "x-project-id;x-sdk-date", "x-sdk-date;x-project-id", 1))
			}},
		{name: "temporary credentials, token signed (the vendor's way)", srv: tmp, header: map[string]string{"X-Security-Token": temp},
			sign: []string{"user-agent", "x-project-id", "x-sdk-date", "x-security-token"}, status: 200},
		{name: "temporary credentials, token right but unsigned", srv: tmp, header: map[string]string{"X-Security-Token": temp},
			sign: []string{"x-sdk-date"}, status: 200},
		{name: "temporary credentials, wrong token", srv: tmp, header: map[string]string{"X-Security-Token": "other"},
			sign: []string{"x-sdk-date", "x-security-token"}, status: 401, msg: "security token"},
		{name: "temporary credentials, no token", srv: tmp, sign: []string{"x-sdk-date"}, status: 401, msg: "security token"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := srv
			if tt.srv != nil {
				s = tt.srv
			}
			h := map[string]string{}
			for k, v := range base {
				h[k] = v
			}
			h["X-Project-Id"] = s.ProjectID
			for k, v := range tt.header {
				h[k] = v
			}
			status, body := signedGet(t, s, h, tt.sign, tt.mutate)
			assert.Equal(t, tt.status, status, body)
			if tt.status != 200 {
				assert.Contains(t, body, workspacetest.ErrCodeUnauthorized)
				assert.Contains(t, body, tt.msg)
				assert.NotContains(t, body, s.SecretKey)
			}
		})
	}
}
