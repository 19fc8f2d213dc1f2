package config_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hwcloud-go/workspace"
	"github.com/hwcloud-go/workspace/config"
	"github.com/hwcloud-go/workspace/internal/signer"
	"github.com/hwcloud-go/workspace/workspacetest"
)

// agencyToken is the security token of the fakes' temporary keys.
const agencyToken = "project-security-token-secret"

// newAgency is a fake whose signed requests need a security token.
func newAgency(t *testing.T, opts ...workspacetest.Option) *workspacetest.Server {
	t.Helper()
	return newFake(t, append([]workspacetest.Option{workspacetest.WithSecurityToken(agencyToken)}, opts...)...)
}

// keysEnv is the environment of srv's temporary keys in ap-southeast-3,
// without a project id.
func keysEnv(srv *workspacetest.Server, ak string) map[string]string {
	return map[string]string{envAK: ak, envSK: srv.SecretKey, envSecurityToken: srv.SecurityToken, envRegion: "ap-southeast-3"}
}

// With keys and a region but no project id, Load asks IAM once, signed,
// for the region's project; NewClient then does no I/O.
func TestLookupProjectOne(t *testing.T) {
	t.Parallel()
	srv := newAgency(t)
	cfg, err := load(t, keysEnv(srv, srv.AccessKey), config.WithIAMEndpoint(srv.IAMURL()))
	require.NoError(t, err)
	assert.Equal(t, srv.ProjectID, cfg.ProjectID)
	assert.Contains(t, cfg.String(), "project id: "+srv.ProjectID+" (IAM project lookup ("+srv.IAMURL()+"))")

	lookups := srv.RequestsFor(workspacetest.OpIAMListProjects)
	require.Len(t, lookups, 1, "one lookup")
	assert.Equal(t, "ap-southeast-3", lookups[0].Query.Get("name"))
	assert.Equal(t, "aksk", lookups[0].Auth, "signed")
	assert.Equal(t, "REDACTED", lookups[0].Header.Get("X-Security-Token"), "with the security token")
	assert.Equal(t, http.StatusOK, lookups[0].Status, "the fake verified the signature")

	c, err := workspace.NewClient(append(cfg.Options(), workspace.WithEndpoint(srv.URL), quickRetries)...)
	require.NoError(t, err)
	assert.Len(t, srv.Requests(), 1, "NewClient does no I/O")
	_, err = c.Snapshots.List(context.Background(), nil)
	require.NoError(t, err)
	_, err = c.Jobs.Get(context.Background(), "no-such-job")
	assert.ErrorIs(t, err, workspace.ErrNotFound)
	assert.Len(t, srv.RequestsFor(workspacetest.OpIAMListProjects), 1, "not asked again")
	for _, r := range srv.RequestsFor(workspacetest.OpListSnapshots) {
		assert.Equal(t, "/v2/"+srv.ProjectID+"/snapshots", r.Path)
		assert.Equal(t, http.StatusOK, r.Status)
	}
}

func TestLookupProjectNone(t *testing.T) {
	t.Parallel()
	srv := newAgency(t, workspacetest.WithRegion("eu-west-101")) // its project is eu-west-101's
	_, err := load(t, keysEnv(srv, srv.AccessKey), config.WithIAMEndpoint(srv.IAMURL()))
	var ce *workspace.ConfigError
	require.ErrorAs(t, err, &ce)
	assert.Contains(t, ce.Reason, `"ap-southeast-3"`)
	assert.Equal(t, []string{envProjectID, "workspace.WithProjectID"}, ce.Missing)
	assert.Len(t, srv.RequestsFor(workspacetest.OpIAMListProjects), 1)
}

// Several projects of the region's name: the error lists them; a
// subproject (region_name) is not the region's project.
func TestLookupProjectSeveral(t *testing.T) {
	t.Parallel()
	srv := newAgency(t)
	srv.AddProject(workspacetest.Project{ID: "second-project-id", Name: "ap-southeast-3"})
	srv.AddProject(workspacetest.Project{ID: "subproject-id", Name: "ap-southeast-3_sub"})
	_, err := load(t, keysEnv(srv, srv.AccessKey), config.WithIAMEndpoint(srv.IAMURL()))
	var ce *workspace.ConfigError
	require.ErrorAs(t, err, &ce)
	assert.Contains(t, ce.Reason, srv.ProjectID)
	assert.Contains(t, ce.Reason, "second-project-id")
	assert.NotContains(t, ce.Reason, "subproject-id")
	assert.Contains(t, ce.Reason, `"ap-southeast-3"`)
	assert.Contains(t, ce.Missing, envProjectID)

	srv2 := newAgency(t)
	srv2.AddProject(workspacetest.Project{ID: "subproject-id", Name: "ap-southeast-3_sub"})
	cfg, err := load(t, keysEnv(srv2, srv2.AccessKey), config.WithIAMEndpoint(srv2.IAMURL()))
	require.NoError(t, err)
	assert.Equal(t, srv2.ProjectID, cfg.ProjectID, "the subproject is not counted")
}

// IAM filters by name exactly; an IAM (or proxy) that does not must not
// make Load pick another region's project or one without an id.
func TestLookupProjectFiltersNames(t *testing.T) {
	t.Parallel()
	var query atomic.Value
	iam := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		query.Store(r.URL.RawQuery)
		assert.Equal(t, "/prefix/v3/projects", r.URL.Path)
		assert.True(t, strings.HasPrefix(r.Header.Get("Authorization"), "SDK-HMAC-SHA256 Access=AK, SignedHeaders=host;x-sdk-date, Signature="), r.Header.Get("Authorization"))
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"projects": [
			{"id": "other-region", "name": "eu-west-101"},
			{"id": "sub", "name": "ap-southeast-3_sub"},
			{"id": " ", "name": "ap-southeast-3"},
			{"id": "the-one", "name": "ap-southeast-3"},
			{"id": "upper", "name": "AP-SOUTHEAST-3"}]}`)
	}))
	t.Cleanup(iam.Close)
	cfg, err := load(t, map[string]string{envAK: "AK", envSK: "SK-secret", envRegion: "ap-southeast-3"}, config.WithIAMEndpoint(iam.URL+"/prefix/"))
	require.NoError(t, err)
	assert.Equal(t, "the-one", cfg.ProjectID)
	assert.Equal(t, "name=ap-southeast-3", query.Load())
}

// IAM refuses the keys: one request, and Load's *workspace.ConfigError
// keeps IAM's *workspace.APIError, without a secret.
func TestLookupProjectRefused(t *testing.T) {
	t.Parallel()
	srv := newAgency(t)
	_, err := load(t, keysEnv(srv, "SOMEOTHERACCESSKEY"), config.WithIAMEndpoint(srv.IAMURL()))
	var ce *workspace.ConfigError
	require.ErrorAs(t, err, &ce)
	var apiErr *workspace.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, "/v3/projects", apiErr.Path)
	assert.ErrorIs(t, err, workspace.ErrUnauthorized)
	assert.Contains(t, ce.Reason, "looking up the project id of region ap-southeast-3 at IAM")
	assert.Len(t, srv.RequestsFor(workspacetest.OpIAMListProjects), 1, "not retried: locked-out keys stay locked out")
	for _, s := range []string{srv.SecretKey, srv.SecurityToken} {
		assert.NotContains(t, fmt.Sprintf("%v %+v %#v", err, err, err), s)
	}
}

// The lookup is bounded by Load's context, and a failure is not kept: the
// next Load asks again.
func TestLookupProjectUnderContext(t *testing.T) {
	t.Parallel()
	srv := newAgency(t)
	srv.SetLatency(5 * time.Second)
	env := withHome(t, keysEnv(srv, srv.AccessKey))
	opts := []config.LoadOption{lookupEnv(env), config.WithMetadataEndpoint(closedPort(t)), config.WithIAMEndpoint(srv.IAMURL())}
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := config.Load(ctx, opts...)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	var ce *workspace.ConfigError
	assert.ErrorAs(t, err, &ce)
	assert.Less(t, time.Since(start), 4*time.Second)

	srv.SetLatency(0)
	cfg, err := config.Load(context.Background(), opts...)
	require.NoError(t, err)
	assert.Equal(t, srv.ProjectID, cfg.ProjectID)
	// On a loaded machine the first lookup may never have reached the fake
	// before its deadline: one or two lookups, never more.
	n := len(srv.RequestsFor(workspacetest.OpIAMListProjects))
	assert.True(t, n == 1 || n == 2, "lookups: %d", n)
}

// The instance's temporary keys, where meta_data.json gives no project
// id: the lookup is signed with them and their security token.
func TestLookupProjectWithMetadataKeys(t *testing.T) {
	t.Parallel()
	srv := newAgency(t)
	meta := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/openstack/latest/meta_data.json" {
			_, _ = io.WriteString(w, `{"region_id": "ap-southeast-3"}`)
			return
		}
		srv.ServeHTTP(w, r)
	}))
	t.Cleanup(meta.Close)
	cfg, err := load(t, nil, config.WithMetadataEndpoint(meta.URL), config.WithIAMEndpoint(srv.IAMURL()))
	require.NoError(t, err)
	assert.Equal(t, srv.ProjectID, cfg.ProjectID)
	assert.Equal(t, "ap-southeast-3", cfg.Region)
	lookups := srv.RequestsFor(workspacetest.OpIAMListProjects)
	require.Len(t, lookups, 1)
	assert.Equal(t, http.StatusOK, lookups[0].Status)
	assert.Equal(t, "aksk", lookups[0].Auth)
	assert.Contains(t, cfg.String(), "credentials: ECS metadata")
}

// No lookup where it is not needed or cannot be made: a project id given,
// token credentials, no region.
func TestLookupProjectOnlyWhenNeeded(t *testing.T) {
	t.Parallel()
	srv := newAgency(t)
	for _, tt := range []struct {
		name string
		env  map[string]string
	}{
		{"project id given", with(keysEnv(srv, srv.AccessKey), envProjectID, "given")},
		{"token credentials", map[string]string{envToken: srv.Token, envRegion: "ap-southeast-3"}},
		{"no region", map[string]string{envAK: srv.AccessKey, envSK: srv.SecretKey}},
	} {
		cfg, err := load(t, tt.env, config.WithIAMEndpoint(srv.IAMURL()))
		require.NoError(t, err, tt.name)
		if tt.env[envProjectID] == "" {
			assert.Empty(t, cfg.ProjectID, tt.name)
		}
	}
	assert.Empty(t, srv.Requests())
}

// IAM echoing the lookup request into its error, in the API's form or
// Keystone's: neither the signature, nor the secret key, nor the security
// token reaches the error text.
func TestLookupProjectRedactsEchoedSecrets(t *testing.T) {
	t.Parallel()
	const (
		sk       = "SK-echo-secret-1"
		secToken = "ST-echo-secret/+=="
	)
	for _, keystone := range []bool{false, true} {
		t.Run(map[bool]string{false: "api form", true: "keystone form"}[keystone], func(t *testing.T) {
			t.Parallel()
			iam := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				// The credential headers only: the error clips a long
				// message, and a secret clipped away would pass unseen.
				echo := "X-Security-Token: " + r.Header.Get("X-Security-Token") + "; Authorization: " + r.Header.Get("Authorization")
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(http.StatusForbidden)
				if keystone {
					_, _ = fmt.Fprintf(w, `{"error": {"code": 403, "title": %q, "message": %q}}`, echo, echo)
					return
				}
				_, _ = fmt.Fprintf(w, `{"error_code": "ECHO", "error_msg": %q}`, echo)
			}))
			t.Cleanup(iam.Close)
			_, err := load(t, map[string]string{envAK: "AK-echo", envSK: sk, envSecurityToken: secToken, envRegion: "region-x"}, config.WithIAMEndpoint(iam.URL))
			var apiErr *workspace.APIError
			require.ErrorAs(t, err, &apiErr)
			text := fmt.Sprintf("%v %+v %#v %s %q", err, err, err, err, err)
			assert.Contains(t, text, "X-Security-Token: REDACTED", "the echo is in the error")
			assert.Contains(t, text, "Signature=REDACTED")
			assert.NotRegexp(t, `Signature=[0-9a-f]{16}`, text)
			assert.NotContains(t, text, sk)
			assert.NotContains(t, text, secToken)
			assert.NotContains(t, text, `ST-echo-secret\/+==`)
		})
	}
}

// The project lookup's Authorization is what the generic signer computes
// from the request as IAM receives it: its escaped path (an IAM endpoint
// with a path prefix, escapes and unicode), its query, Host, X-Sdk-Date
// and X-Security-Token.
func TestLookupProjectSignedAsReceived(t *testing.T) {
	t.Parallel()
	const ak, sk = "AKADV16", "sk/lookup+secret"
	for _, tc := range []struct{ prefix, token string }{
		{"", ""},
		{"/iam", "tok"},
		{"/pre%20fix/a%2Fb/%E6%A1%8C/", "spaced token"},
		{"/a+b/c;d=e/~x", "t"},
	} {
		var mu sync.Mutex
		var mismatch []string
		var requests atomic.Int32
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			requests.Add(1)
			h := map[string]string{"host": r.Host, "x-sdk-date": r.Header.Get("X-Sdk-Date")}
			if v, ok := r.Header["X-Security-Token"]; ok {
				h["x-security-token"] = v[0]
			}
			want := signer.Sign(&signer.Request{Method: r.Method, Path: r.URL.EscapedPath(), Query: r.URL.Query(), Headers: h}, ak, sk)
			if got := r.Header.Get("Authorization"); got != want {
				mu.Lock()
				mismatch = append(mismatch, fmt.Sprintf("%s: got %s, want %s", r.URL.RequestURI(), got, want))
				mu.Unlock()
			}
			_, _ = io.WriteString(w, `{"projects":[{"id":"p-1","name":"ap-southeast-3"}]}`)
		}))
		env := map[string]string{"HUAWEICLOUD_SDK_AK": ak, "HUAWEICLOUD_SDK_SK": sk, "HUAWEICLOUD_SDK_REGION": "ap-southeast-3"}
		if tc.token != "" {
			env["HUAWEICLOUD_SDK_SECURITY_TOKEN"] = tc.token
		}
		cfg, err := load(t, env, config.WithIAMEndpoint(srv.URL+tc.prefix))
		srv.Close()
		require.NoError(t, err, tc.prefix)
		assert.Equal(t, "p-1", cfg.ProjectID, tc.prefix)
		assert.Equal(t, int32(1), requests.Load(), tc.prefix)
		assert.Empty(t, mismatch, tc.prefix)
	}
}

// The project id IAM answers goes into every request's path and
// X-Project-Id header, so it is checked as one from the environment is:
// padding is trimmed, the same project listed twice is one project, and an
// id with a path delimiter, a percent sign, a space or a control character
// is a *workspace.ConfigError, never a Config.
func TestLookupProjectCheckedAnswers(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name, projects string
		want           string // the project id; "": a *workspace.ConfigError
	}{
		{"padded", `[{"id": " p1 ", "name": "ap-southeast-3"}]`, "p1"},
		{"listed twice", `[{"id": "p1", "name": "ap-southeast-3"}, {"id": "p1 ", "name": "ap-southeast-3"}]`, "p1"},
		{"slash", `[{"id": "a/b", "name": "ap-southeast-3"}]`, ""},
		{"line break", `[{"id": "a\nb", "name": "ap-southeast-3"}]`, ""},
		{"NUL", `[{"id": "a\u0000b", "name": "ap-southeast-3"}]`, ""},
		{"percent", `[{"id": "a%2Fb", "name": "ap-southeast-3"}]`, ""},
		{"inner space", `[{"id": "a b", "name": "ap-southeast-3"}]`, ""},
		{"query", `[{"id": "a?b=c", "name": "ap-southeast-3"}]`, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			iam := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				_, _ = io.WriteString(w, `{"projects": `+tt.projects+`}`)
			}))
			t.Cleanup(iam.Close)
			cfg, err := load(t, map[string]string{envAK: "AK", envSK: "SK-secret", envRegion: "ap-southeast-3"}, config.WithIAMEndpoint(iam.URL))
			if tt.want != "" {
				require.NoError(t, err)
				assert.Equal(t, tt.want, cfg.ProjectID)
				return
			}
			assert.Nil(t, cfg)
			var ce *workspace.ConfigError
			require.ErrorAs(t, err, &ce)
			assert.Contains(t, ce.Reason, "not a project id")
			assert.Contains(t, ce.Missing, envProjectID)
			assert.NotContains(t, err.Error(), "\n-", "no raw line break from IAM in the error")
		})
	}
}
