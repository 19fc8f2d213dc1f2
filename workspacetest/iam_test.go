package workspacetest_test

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hwcloud-go/workspace/workspacetest"
)

// identityDo sends one raw request to the fake and returns the status and
// body.
func identityDo(t *testing.T, method, url, body string, header map[string]string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	require.NoError(t, err)
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(data)
}

// TestFakeIAMChecksWhatItIsSent: each IAM fake refuses what the real
// service would, and the bodies (passwords, ID tokens) are not recorded.
func TestFakeIAMChecksWhatItIsSent(t *testing.T) {
	t.Parallel()
	srv := fakeNewServer(t)
	pw := func(user, password, project string) string {
		return `{"auth":{"identity":{"methods":["password"],"password":{"user":{"name":"` + user + `","password":"` + password +
			`","domain":{"name":"` + srv.DomainName + `"}}}},"scope":{"project":{"id":"` + project + `"}}}}`
	}
	idt := func(token, project string) string {
		return `{"auth":{"id_token":{"id":"` + token + `"},"scope":{"project":{"id":"` + project + `"}}}}`
	}
	jsonCT := map[string]string{"Content-Type": "application/json"}
	withIdP := map[string]string{"Content-Type": "application/json", "X-Idp-Id": srv.IdPID}
	for _, tt := range []struct {
		name, method, path, body string
		header                   map[string]string
		want                     int
	}{
		{"password", "POST", "/v3/auth/tokens", pw(srv.UserName, srv.Password, srv.ProjectID), jsonCT, http.StatusCreated},
		{"wrong password", "POST", "/v3/auth/tokens", pw(srv.UserName, "nope", srv.ProjectID), jsonCT, http.StatusUnauthorized},
		{"wrong user", "POST", "/v3/auth/tokens", pw("someone", srv.Password, srv.ProjectID), jsonCT, http.StatusUnauthorized},
		{"other project", "POST", "/v3/auth/tokens", pw(srv.UserName, srv.Password, "other"), jsonCT, http.StatusBadRequest},
		{"not JSON", "POST", "/v3/auth/tokens", "{", jsonCT, http.StatusBadRequest},
		{"ID token", "POST", "/v3.0/OS-AUTH/id-token/tokens", idt(srv.IDToken, srv.ProjectID), withIdP, http.StatusCreated},
		{"wrong ID token", "POST", "/v3.0/OS-AUTH/id-token/tokens", idt("forged", srv.ProjectID), withIdP, http.StatusUnauthorized},
		{"unknown identity provider", "POST", "/v3.0/OS-AUTH/id-token/tokens", idt(srv.IDToken, srv.ProjectID), jsonCT, http.StatusNotFound},
		{"ID token, other project", "POST", "/v3.0/OS-AUTH/id-token/tokens", idt(srv.IDToken, "other"), withIdP, http.StatusBadRequest},
		{"unsigned project lookup", "GET", "/v3/projects?name=ap-southeast-3", "", nil, http.StatusUnauthorized},
	} {
		status, body := identityDo(t, tt.method, srv.IAMURL()+tt.path, tt.body, tt.header)
		assert.Equal(t, tt.want, status, "%s: %s", tt.name, body)
	}
	for _, r := range srv.Requests() {
		assert.Nil(t, r.Body, "%s: not recorded", r.Operation)
		assert.NotEqual(t, workspacetest.OpUnknown, r.Operation)
	}
	created := srv.RequestsFor(workspacetest.OpIAMPasswordToken)[0]
	assert.Equal(t, http.StatusCreated, created.Status)
}
