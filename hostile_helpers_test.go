package workspace

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// Short names the hostile-network tests use for the shared fixtures.
const (
	relProject  = testProjectID
	relToken    = testToken
	relAK       = testAK
	relSK       = testSK
	relSecToken = testSecurityToken
)

// relFast keeps retries in tests quick.
var relFast = RetryPolicy{MaxAttempts: 3, BaseDelay: time.Millisecond, MaxDelay: 5 * time.Millisecond}

// relServer starts a loopback server (no base path) closed at the end of
// the test.
func relServer(t testing.TB, h http.HandlerFunc) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}

// relClient is a token client for baseURL with the fast retry policy;
// extra options come last and win.
func relClient(t testing.TB, baseURL string, extra ...Option) *Client {
	t.Helper()
	opts := append([]Option{
		WithEndpoint(baseURL), WithProjectID(relProject), WithToken(relToken), WithRetryPolicy(relFast),
	}, extra...)
	c, err := NewClient(opts...)
	require.NoError(t, err)
	return c
}

func relErrorJSON(w http.ResponseWriter, status int, retryAfter string) {
	writeAPIError(w, status, retryAfter)
}

func relDeadAddr(t testing.TB) string { return deadAddr(t) }
func relCloseIdle(c *Client)          { closeIdle(c) }
func relNoLeak(t *testing.T)          { checkNoLeak(t) }
func relFaultText(f map[string]int) string {
	return faultText(f)
}
