package compat

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"sync"
	"testing"
	"time"

	vendorbasic "github.com/huaweicloud/huaweicloud-sdk-go-v3/core/auth/basic"
	vendorconfig "github.com/huaweicloud/huaweicloud-sdk-go-v3/core/config"
	vendorws "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/workspace/v2"
	"github.com/stretchr/testify/require"

	"github.com/hwcloud-go/workspace"
	"github.com/hwcloud-go/workspace/workspacetest"
)

// vendorCreds are the credentials a vendor client signs with.
type vendorCreds struct {
	ak, sk, securityToken, projectID string
}

// loopbackOnly is the vendor client's transport: it sends to loopback
// addresses only and records any other host it was asked to reach, so a
// test fails if the vendor SDK tries IAM or any cloud host (a project or
// region lookup, say) instead of the fake.
type loopbackOnly struct {
	next http.RoundTripper

	mu      sync.Mutex
	refused []string
}

func newLoopbackOnly() *loopbackOnly {
	dialer := &net.Dialer{Timeout: 2 * time.Second}
	tr := &http.Transport{
		Proxy: nil, // never a proxy from the environment
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			if !isLoopback(addr) {
				return nil, fmt.Errorf("compat: refusing to dial %s: loopback only", addr)
			}
			return dialer.DialContext(ctx, network, addr)
		},
		MaxIdleConnsPerHost: 4,
	}
	return &loopbackOnly{next: tr}
}

func (l *loopbackOnly) RoundTrip(r *http.Request) (*http.Response, error) {
	if !isLoopback(r.URL.Host) {
		l.mu.Lock()
		l.refused = append(l.refused, r.URL.Host)
		l.mu.Unlock()
		return nil, fmt.Errorf("compat: refusing %s: loopback only", r.URL.Host)
	}
	return l.next.RoundTrip(r)
}

// refusedHosts returns every non-loopback host the client tried.
func (l *loopbackOnly) refusedHosts() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.refused...)
}

// isLoopback reports whether hostport names a loopback IP address.
func isLoopback(hostport string) bool {
	host, _, err := net.SplitHostPort(hostport)
	if err != nil {
		host = hostport
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// newVendorClient builds the vendor's Workspace client for endpoint, with
// the project id given so that it never asks IAM for one. At the end of
// the test it checks that nothing but loopback was contacted.
func newVendorClient(t *testing.T, endpoint string, c vendorCreds) *vendorws.WorkspaceClient {
	t.Helper()
	b := vendorbasic.NewCredentialsBuilder().WithAk(c.ak).WithSk(c.sk).WithProjectId(c.projectID)
	if c.securityToken != "" {
		b = b.WithSecurityToken(c.securityToken)
	}
	cred, err := b.SafeBuild()
	require.NoError(t, err)
	rt := newLoopbackOnly()
	cfg := vendorconfig.DefaultHttpConfig().WithHttpRoundTripper(rt).WithTimeout(10 * time.Second)
	hc, err := vendorws.WorkspaceClientBuilder().
		WithEndpoints([]string{endpoint}).
		WithCredential(cred).
		WithHttpConfig(cfg).
		SafeBuild()
	require.NoError(t, err)
	t.Cleanup(func() {
		if hosts := rt.refusedHosts(); len(hosts) > 0 {
			t.Errorf("the vendor client tried to reach %v: only the loopback fake may be contacted", hosts)
		}
	})
	return vendorws.NewWorkspaceClient(hc)
}

// vendorPair is a vendor client and one of ours for the same endpoint and
// credentials.
type vendorPair struct {
	vendor *vendorws.WorkspaceClient
	ours   *workspace.Client
}

// newVendorPair builds both clients for endpoint with srv's credentials;
// ours makes one attempt per call, like the vendor's default.
func newVendorPair(t *testing.T, endpoint string, srv *workspacetest.Server) *vendorPair {
	t.Helper()
	creds := vendorCreds{ak: srv.AccessKey, sk: srv.SecretKey, securityToken: srv.SecurityToken, projectID: srv.ProjectID}
	opts := []workspace.Option{
		workspace.WithEndpoint(endpoint), workspace.WithProjectID(srv.ProjectID),
		workspace.WithAccessKey(srv.AccessKey, srv.SecretKey),
		workspace.WithRetryPolicy(workspace.RetryPolicy{MaxAttempts: 1}),
	}
	if srv.SecurityToken != "" {
		opts = append(opts, workspace.WithSecurityToken(srv.SecurityToken))
	}
	ours, err := workspace.NewClient(opts...)
	require.NoError(t, err)
	return &vendorPair{vendor: newVendorClient(t, endpoint, creds), ours: ours}
}
