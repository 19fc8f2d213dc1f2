package workspace

import (
	"context"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Issue: Do on a nil *Client or a zero Client panicked (checkDoPath read
// c.core.projectID). It returns errZeroClient, whatever the other
// arguments, after the check of a nil context only.
func TestDoNilOrZeroClient(t *testing.T) {
	t.Parallel()
	var out map[string]any
	clients := map[string]*Client{
		"nil *Client":   nil,
		"zero Client":   {},
		"only services": {DesktopPools: &DesktopPoolsService{}},
	}
	calls := []struct {
		name   string
		ctx    context.Context
		method string
		path   string
		out    any
		want   error  // nil: a *ValidationError on field
		field  string // for want == nil
	}{
		{"valid GET", context.Background(), http.MethodGet, "/desktops", &out, errZeroClient, ""},
		{"valid POST", context.Background(), http.MethodPost, "/desktops/batch-reboot", nil, errZeroClient, ""},
		{"bad method", context.Background(), "TRACE", "/desktops", nil, errZeroClient, ""},
		{"bad path", context.Background(), http.MethodGet, "/../x", nil, errZeroClient, ""},
		{"empty path", context.Background(), http.MethodGet, "", nil, errZeroClient, ""},
		{"bad out", context.Background(), http.MethodGet, "/desktops", out, errZeroClient, ""},
		{"nil context first", nil, http.MethodGet, "/desktops", nil, nil, "ctx"},
	}
	for name, c := range clients {
		for _, tt := range calls {
			t.Run(name+"/"+tt.name, func(t *testing.T) {
				t.Parallel()
				var err error
				require.NotPanics(t, func() { err = c.Do(tt.ctx, tt.method, tt.path, nil, nil, tt.out) })
				if tt.want != nil {
					assert.ErrorIs(t, err, tt.want)
					return
				}
				var ve *ValidationError
				require.ErrorAs(t, err, &ve)
				assert.Equal(t, tt.field, ve.Field)
			})
		}
	}
}

// Issue: Do let through segments that a server or a proxy turns into a
// step up or into more than one segment: an escaped slash or backslash
// ("..%2F"), a dot segment escaped twice ("%252e%252e"), a path parameter
// (";" as in "..;", which Tomcat-style servers cut off before routing).
// They are a *ValidationError on "path", before anything is sent; the
// API's own paths still pass.
func TestDoRefusesSegmentsServersReinterpret(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		path string
		ok   bool
	}{
		{"dot-dot and an escaped slash", "/..%2F", false},
		{"escaped dot-dot and slash, lower case", "/%2e%2e%2f", false},
		{"escaped dot-dot, upper case", "/%2E%2E/x", false},
		{"escaped dot", "/x/%2E", false},
		{"half-escaped dot-dot", "/x/.%2e/y", false},
		{"dot-dot with a path parameter", "/..;/x", false},
		{"trailing dot-dot with a path parameter", "/x/..;", false},
		{"escaped slash", "/a%2Fb", false},
		{"escaped slash, lower case", "/a%2fb", false},
		{"escaped backslash", "/a%5Cb", false},
		{"escaped backslash, lower case", "/a%5cb", false},
		{"raw backslash", "/a\\b", false},
		{"double-escaped dot-dot", "/%252e%252e/x", false},
		{"double-escaped slash", "/a%252Fb", false},
		{"triple-escaped backslash", "/a%25255Cb", false},
		{"double-escaped dot-dot after a bad escape", "/%25zz/%252E%252E", false},
		{"path parameter", "/x;y", false},
		{"session id", "/x;jsessionid=1", false},
		{"escaped semicolon", "/x%3By", false},
		{"desktops", "/desktops", true},
		{"an action of a desktop", "/desktops/abc-123/actions", true},
		{"an escaped at", "/desktop-pools/p%40x", true},
		{"an escaped space", "/desktops/d%201", true},
		{"an escaped percent", "/desktops/a%25b", true},
		{"dots inside a name", "/desktops/a..b/x.y", true},
		{"three dots", "/desktops/...", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, mux := setup(t)
			mux.handle(tt.path, respond(http.StatusOK, `{}`))
			err := c.Do(testContext(t), http.MethodGet, tt.path, nil, nil, nil)
			if tt.ok {
				require.NoError(t, err)
				assert.Equal(t, testPrefix+tt.path, mux.last(t).Path, "sent as given")
				return
			}
			var ve *ValidationError
			require.ErrorAs(t, err, &ve)
			assert.Equal(t, "path", ve.Field)
			assert.Zero(t, mux.requests(), "nothing is sent")
		})
	}
}
