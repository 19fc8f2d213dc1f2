package workspace_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hwcloud-go/workspace"
	"github.com/hwcloud-go/workspace/workspacetest"
)

// These tests run every configuration flow end to end against the
// workspacetest fakes of the Workspace API, IAM and the ECS metadata
// service, all on loopback. The environment is a map (WithLookupEnv) and
// the home directory a temporary one, so nothing of the machine leaks in.

const agencySecurityToken = "e2e-security-token-secret"

// newAgencyServer is a fake whose signed requests need a security token, as
// an ECS agency's keys have one.
func newAgencyServer(t *testing.T, opts ...workspacetest.Option) *workspacetest.Server {
	t.Helper()
	srv := workspacetest.NewServer(append([]workspacetest.Option{workspacetest.WithSecurityToken(agencySecurityToken)}, opts...)...)
	t.Cleanup(srv.Close)
	return srv
}

// operationsReceived lists the operations the fake received, in order.
func operationsReceived(srv *workspacetest.Server) []workspacetest.Operation {
	var ops []workspacetest.Operation
	for _, r := range srv.Requests() {
		ops = append(ops, r.Operation)
	}
	return ops
}

// quickRetries keeps retries to milliseconds.
var quickRetries = workspace.WithRetryPolicy(workspace.RetryPolicy{MaxAttempts: 2, BaseDelay: time.Millisecond, MaxDelay: time.Millisecond})

// fakeRegionVar is the vendor's endpoint variable for the fake's region.
const fakeRegionVar = "HUAWEICLOUD_SDK_REGION_WORKSPACE_AP_SOUTHEAST_3"

// allSecrets are every secret the fakes hand out or accept.
func allSecrets(srv *workspacetest.Server) []string {
	return []string{srv.SecretKey, srv.SecurityToken, srv.Token, srv.Password, srv.IDToken, "mdtoken-"}
}

func assertNoFakeSecret(t *testing.T, s string, srv *workspacetest.Server) {
	t.Helper()
	for _, secret := range allSecrets(srv) {
		if secret != "" {
			assert.NotContains(t, s, secret)
		}
	}
}

func TestDefaultConfigZeroConfigurationOnECS(t *testing.T) {
	t.Parallel()
	for _, mode := range []struct {
		name   string
		tokens workspacetest.MetadataTokens
		want   []workspacetest.Operation
	}{
		{"hardened instance", workspacetest.MetadataTokensRequired, []workspacetest.Operation{
			workspacetest.OpMetadataToken, workspacetest.OpMetadataInfo, workspacetest.OpMetadataSecurityKey, workspacetest.OpListSnapshots,
		}},
		{"token optional", workspacetest.MetadataTokensOptional, []workspacetest.Operation{
			workspacetest.OpMetadataToken, workspacetest.OpMetadataInfo, workspacetest.OpMetadataSecurityKey, workspacetest.OpListSnapshots,
		}},
		{"older service without tokens", workspacetest.MetadataTokensUnsupported, []workspacetest.Operation{
			workspacetest.OpMetadataToken, workspacetest.OpMetadataInfo, workspacetest.OpMetadataSecurityKey, workspacetest.OpListSnapshots,
		}},
	} {
		t.Run(mode.name, func(t *testing.T) {
			t.Parallel()
			srv := newAgencyServer(t, workspacetest.WithMetadataTokens(mode.tokens), workspacetest.WithDemoData())
			// On an ECS instance nothing is configured but the metadata
			// service; the endpoint variable only keeps the test on loopback.
			env := map[string]string{
				workspace.EnvMetadataEndpoint: srv.MetadataURL(),
				fakeRegionVar:                 srv.URL,
			}
			// The bound is not under test here (config_test.go pins it): a
			// generous one keeps a loaded machine from failing the flow.
			c, err := workspace.NewClient(workspace.WithLookupEnv(env), workspace.WithHomeDir(t.TempDir()), workspace.WithDefaultConfig(),
				workspace.WithMetadataBound(30*time.Second), quickRetries)
			require.NoError(t, err)
			page, err := c.Snapshots.List(context.Background(), &workspace.ListSnapshotsOptions{Limit: 5})
			require.NoError(t, err)
			assert.NotZero(t, page.TotalCount)

			assert.Equal(t, mode.want, operationsReceived(srv))
			reqs := srv.Requests()
			if mode.tokens == workspacetest.MetadataTokensUnsupported {
				assert.Equal(t, http.StatusNotFound, reqs[0].Status)
				assert.Empty(t, reqs[1].Header.Get("X-Metadata-Token"), "plain read")
			} else {
				assert.Equal(t, "21600", reqs[0].Header.Get("X-Metadata-Token-Ttl-Seconds"))
				assert.Equal(t, "REDACTED", reqs[1].Header.Get("X-Metadata-Token"), "the session token is sent (and redacted in the record)")
				assert.Equal(t, "REDACTED", reqs[2].Header.Get("X-Metadata-Token"), "one token for both reads")
			}
			api := reqs[3]
			assert.Equal(t, "aksk", api.Auth)
			assert.Equal(t, http.StatusOK, api.Status)
			assert.Equal(t, "/v2/"+srv.ProjectID+"/snapshots", api.Path, "project id from meta_data.json")
			assertNoFakeSecret(t, fmt.Sprintf("%v %+v %#v", c, c, c), srv)
		})
	}
}

func TestDefaultConfigMetadataOnlyWhenNothingEarlierGaveCredentials(t *testing.T) {
	t.Parallel()
	srv := newAgencyServer(t)
	env := map[string]string{
		workspace.EnvMetadataEndpoint: srv.MetadataURL(),
		workspace.EnvAccessKey:        srv.AccessKey,
		workspace.EnvSecretKey:        srv.SecretKey,
		workspace.EnvSecurityToken:    srv.SecurityToken,
		workspace.EnvProjectID:        srv.ProjectID,
		workspace.EnvRegion:           "ap-southeast-3",
		fakeRegionVar:                 srv.URL,
	}
	c, err := workspace.NewClient(workspace.WithLookupEnv(env), workspace.WithHomeDir(t.TempDir()), workspace.WithDefaultConfig(), quickRetries)
	require.NoError(t, err)
	_, err = c.Snapshots.List(context.Background(), nil)
	require.NoError(t, err)
	assert.Equal(t, []workspacetest.Operation{workspacetest.OpListSnapshots}, operationsReceived(srv), "the metadata service is not asked")
}

func TestDefaultConfigCredentialsFileBeforeMetadata(t *testing.T) {
	t.Parallel()
	srv := newAgencyServer(t)
	home := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(home, ".huaweicloud"), 0o700))
	file := fmt.Sprintf("[basic]\nak = %s\nsk = %s\nsecurity_token = %s\nproject_id = %s\n", srv.AccessKey, srv.SecretKey, srv.SecurityToken, srv.ProjectID)
	require.NoError(t, os.WriteFile(filepath.Join(home, ".huaweicloud", "credentials"), []byte(file), 0o600))
	env := map[string]string{workspace.EnvMetadataEndpoint: srv.MetadataURL(), workspace.EnvRegion: "ap-southeast-3", fakeRegionVar: srv.URL}

	c, err := workspace.NewClient(workspace.WithLookupEnv(env), workspace.WithHomeDir(home), workspace.WithDefaultConfig(), quickRetries)
	require.NoError(t, err)
	_, err = c.Snapshots.List(context.Background(), nil)
	require.NoError(t, err)
	assert.Equal(t, []workspacetest.Operation{workspacetest.OpListSnapshots}, operationsReceived(srv))
}

func TestProjectLookupEndToEnd(t *testing.T) {
	t.Parallel()
	srv := newAgencyServer(t)
	c, err := workspace.NewClient(
		workspace.WithRegion("ap-southeast-3"), workspace.WithEndpoint(srv.URL), workspace.WithIAMEndpoint(srv.IAMURL()),
		workspace.WithAccessKey(srv.AccessKey, srv.SecretKey), workspace.WithSecurityToken(srv.SecurityToken), quickRetries)
	require.NoError(t, err, "no project id is needed up front: it can be looked up")
	assert.Empty(t, srv.Requests(), "nothing is asked before the first call")

	// Many goroutines make the first call at once: one lookup.
	var wg sync.WaitGroup
	errs := make([]error, 16)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = c.Snapshots.List(context.Background(), nil)
		}()
	}
	wg.Wait()
	for _, err := range errs {
		require.NoError(t, err)
	}
	_, err = c.Jobs.Get(context.Background(), "no-such-job")
	assert.ErrorIs(t, err, workspace.ErrNotFound)

	lookups := srv.RequestsFor(workspacetest.OpIAMListProjects)
	require.Len(t, lookups, 1, "one lookup for all goroutines, cached after")
	assert.Equal(t, "ap-southeast-3", lookups[0].Query.Get("name"))
	assert.Equal(t, "aksk", lookups[0].Auth, "signed")
	assert.Equal(t, http.StatusOK, lookups[0].Status)
	for _, r := range srv.RequestsFor(workspacetest.OpListSnapshots) {
		assert.Equal(t, "/v2/"+srv.ProjectID+"/snapshots", r.Path)
		assert.Equal(t, http.StatusOK, r.Status)
	}
}

func TestProjectLookupOutcomes(t *testing.T) {
	t.Parallel()
	t.Run("no project named after the region", func(t *testing.T) {
		t.Parallel()
		srv := newAgencyServer(t, workspacetest.WithRegion("eu-west-101"))
		c := lookupClient(t, srv, srv.AccessKey)
		_, err := c.Snapshots.List(context.Background(), nil)
		var ce *workspace.ConfigError
		require.ErrorAs(t, err, &ce)
		assert.Contains(t, ce.Reason, `"ap-southeast-3"`)
		assert.Contains(t, ce.Missing, "WithProjectID")
		assert.Empty(t, srv.RequestsFor(workspacetest.OpListSnapshots), "nothing is sent to the API")
	})
	t.Run("several projects", func(t *testing.T) {
		t.Parallel()
		srv := newAgencyServer(t)
		srv.AddProject(workspacetest.Project{ID: "second-project-id", Name: "ap-southeast-3"})
		srv.AddProject(workspacetest.Project{ID: "subproject-id", Name: "ap-southeast-3_sub"})
		c := lookupClient(t, srv, srv.AccessKey)
		_, err := c.Snapshots.List(context.Background(), nil)
		var ce *workspace.ConfigError
		require.ErrorAs(t, err, &ce)
		assert.Contains(t, ce.Reason, srv.ProjectID)
		assert.Contains(t, ce.Reason, "second-project-id")
		assert.NotContains(t, ce.Reason, "subproject-id")
		assert.Contains(t, ce.Reason, `"ap-southeast-3"`)
	})
	t.Run("IAM refuses the keys", func(t *testing.T) {
		t.Parallel()
		srv := newAgencyServer(t)
		c := lookupClient(t, srv, "SOMEOTHERACCESSKEY")
		_, err := c.Snapshots.List(context.Background(), nil)
		var apiErr *workspace.APIError
		require.ErrorAs(t, err, &apiErr)
		assert.Equal(t, "/v3/projects", apiErr.Path)
		assert.ErrorIs(t, err, workspace.ErrUnauthorized)
		assertNoFakeSecret(t, err.Error(), srv)
	})
	t.Run("bounded by the call's context, not kept when it fails", func(t *testing.T) {
		t.Parallel()
		srv := newAgencyServer(t)
		c := lookupClient(t, srv, srv.AccessKey)
		srv.SetLatency(5 * time.Second)
		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		defer cancel()
		start := time.Now()
		_, err := c.Snapshots.List(ctx, nil)
		assert.ErrorIs(t, err, context.DeadlineExceeded)
		assert.Less(t, time.Since(start), 4*time.Second)
		srv.SetLatency(0)
		// A kept failure would fail this call; it asks IAM again instead.
		_, err = c.Snapshots.List(context.Background(), nil)
		require.NoError(t, err)
		// On a loaded machine the first lookup may never have reached the
		// fake before its deadline: one or two lookups, never more.
		n := len(srv.RequestsFor(workspacetest.OpIAMListProjects))
		assert.True(t, n == 1 || n == 2, "lookups: %d", n)
	})
	t.Run("metadata keys without a project id in meta_data.json", func(t *testing.T) {
		t.Parallel()
		srv := newAgencyServer(t)
		p, err := workspace.NewMetadataCredentialsProvider(workspace.MetadataConfig{Endpoint: srv.MetadataURL()})
		require.NoError(t, err)
		c, err := workspace.NewClient(workspace.WithRegion("ap-southeast-3"), workspace.WithEndpoint(srv.URL),
			workspace.WithIAMEndpoint(srv.IAMURL()), workspace.WithCredentialsProvider(p), quickRetries)
		require.NoError(t, err)
		_, err = c.Snapshots.List(context.Background(), nil)
		require.NoError(t, err)
		assert.Len(t, srv.RequestsFor(workspacetest.OpIAMListProjects), 1)
	})
}

func lookupClient(t *testing.T, srv *workspacetest.Server, ak string) *workspace.Client {
	t.Helper()
	c, err := workspace.NewClient(
		workspace.WithRegion("ap-southeast-3"), workspace.WithEndpoint(srv.URL), workspace.WithIAMEndpoint(srv.IAMURL()),
		workspace.WithAccessKey(ak, srv.SecretKey), workspace.WithSecurityToken(srv.SecurityToken), quickRetries)
	require.NoError(t, err)
	return c
}

func TestIDTokenSourceEndToEnd(t *testing.T) {
	t.Parallel()
	srv := newAgencyServer(t)
	file := filepath.Join(t.TempDir(), "token")
	require.NoError(t, os.WriteFile(file, []byte(srv.IDToken+"\n"), 0o600))
	ts, err := workspace.NewIDTokenSource(workspace.IDTokenConfig{
		IdPID: srv.IdPID, TokenFile: file, ProjectID: srv.ProjectID, Endpoint: srv.IAMURL(),
	})
	require.NoError(t, err)
	c := srv.Client(workspace.WithTokenSource(ts))
	_, err = c.Snapshots.List(context.Background(), nil)
	require.NoError(t, err)
	_, err = c.Snapshots.List(context.Background(), nil)
	require.NoError(t, err)

	ex := srv.RequestsFor(workspacetest.OpIAMIDToken)
	require.Len(t, ex, 1, "cached")
	assert.Equal(t, srv.IdPID, ex[0].Header.Get("X-Idp-Id"))
	assert.Equal(t, http.StatusCreated, ex[0].Status)
	assert.Nil(t, ex[0].Body, "the ID token is not recorded")

	// Kubernetes rotated the file: the next exchange reads it afresh.
	require.NoError(t, os.WriteFile(file, []byte("a-rotated-but-unknown-token"), 0o600))
	ts.Invalidate(srv.Token)
	_, err = c.Snapshots.List(context.Background(), nil)
	var apiErr *workspace.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, "/v3.0/OS-AUTH/id-token/tokens", apiErr.Path)
	assert.Equal(t, http.StatusUnauthorized, apiErr.StatusCode)
	require.Len(t, srv.RequestsFor(workspacetest.OpIAMIDToken), 2)
	assertNoFakeSecret(t, err.Error(), srv)
	assert.NotContains(t, err.Error(), "a-rotated-but-unknown-token")

	require.NoError(t, os.WriteFile(file, []byte(srv.IDToken), 0o600))
	_, err = c.Snapshots.List(context.Background(), nil)
	require.NoError(t, err)

	// A 401 from the API makes the client exchange again, once.
	srv.FailNext(workspacetest.OpListSnapshots, 1, http.StatusUnauthorized, "")
	_, err = c.Snapshots.List(context.Background(), nil)
	require.NoError(t, err)
	assert.Len(t, srv.RequestsFor(workspacetest.OpIAMIDToken), 4)
	assertNoFakeSecret(t, fmt.Sprintf("%v %+v %#v", ts, ts, ts), srv)
}

func TestIDTokenFromTheEnvironment(t *testing.T) {
	t.Parallel()
	srv := newAgencyServer(t)
	file := filepath.Join(t.TempDir(), "token")
	require.NoError(t, os.WriteFile(file, []byte(srv.IDToken), 0o600))
	env := map[string]string{
		workspace.EnvIdPID:       srv.IdPID,
		workspace.EnvIDTokenFile: file,
		workspace.EnvIAMEndpoint: srv.IAMURL(),
		workspace.EnvProjectID:   srv.ProjectID,
		workspace.EnvRegion:      "ap-southeast-3",
		fakeRegionVar:            srv.URL,
		// The vendor's order: the identity provider wins over AK/SK.
		workspace.EnvAccessKey: "ignored-ak",
		workspace.EnvSecretKey: "ignored-sk",
	}
	c, err := workspace.NewClient(workspace.WithLookupEnv(env), workspace.WithEnv(), quickRetries)
	require.NoError(t, err)
	_, err = c.Snapshots.List(context.Background(), nil)
	require.NoError(t, err)
	assert.Equal(t, []workspacetest.Operation{workspacetest.OpIAMIDToken, workspacetest.OpListSnapshots}, operationsReceived(srv))
	assert.Equal(t, "token", srv.Requests()[1].Auth)
}

func TestIAMTokenSourceAgainstTheFake(t *testing.T) {
	t.Parallel()
	srv := newAgencyServer(t)
	ts, err := workspace.NewIAMTokenSource(workspace.IAMConfig{
		Endpoint: srv.IAMURL(), UserName: srv.UserName, Password: workspace.NewSecret(srv.Password), DomainName: srv.DomainName, ProjectID: srv.ProjectID,
	})
	require.NoError(t, err)
	_, err = srv.Client(workspace.WithTokenSource(ts)).Snapshots.List(context.Background(), nil)
	require.NoError(t, err)
	require.Len(t, srv.RequestsFor(workspacetest.OpIAMPasswordToken), 1)

	bad, err := workspace.NewIAMTokenSource(workspace.IAMConfig{
		Endpoint: srv.IAMURL(), UserName: srv.UserName, Password: workspace.NewSecret("wrong-password"), DomainName: srv.DomainName, ProjectID: srv.ProjectID,
	})
	require.NoError(t, err)
	_, err = bad.Token(context.Background())
	assert.ErrorIs(t, err, workspace.ErrUnauthorized)
	assert.NotContains(t, err.Error(), "wrong-password")
}

func TestConfigErrorForEveryNewClientFailure(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name        string
		opts        []workspace.Option
		wantMissing string
		validation  bool
	}{
		{"nothing configured", nil, "WithProjectID", false},
		{"no credentials", []workspace.Option{workspace.WithRegion("ap-southeast-3"), workspace.WithProjectID("p")}, "WithAccessKey", false},
		{"no endpoint", []workspace.Option{workspace.WithProjectID("p"), workspace.WithToken("t")}, "WithRegion", false},
		{"bad option", []workspace.Option{workspace.WithRegion("Not a region")}, "", true},
		{"two kinds", []workspace.Option{workspace.WithRegion("ap-southeast-3"), workspace.WithProjectID("p"), workspace.WithToken("t"), workspace.WithAccessKey("a", "b")}, "", false},
		{"bad IAM endpoint", []workspace.Option{workspace.WithIAMEndpoint("http://iam.example.com")}, "", true},
		{"environment without anything", []workspace.Option{workspace.WithLookupEnv(map[string]string{}), workspace.WithEnv()}, workspace.EnvProjectID, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := workspace.NewClient(tt.opts...)
			var ce *workspace.ConfigError
			require.ErrorAs(t, err, &ce)
			if tt.wantMissing != "" {
				assert.Contains(t, ce.Missing, tt.wantMissing)
			}
			var ve *workspace.ValidationError
			assert.Equal(t, tt.validation, errors.As(err, &ve))
			assert.True(t, strings.HasPrefix(err.Error(), "workspace: configuration: "), err.Error())
		})
	}
	for _, tt := range []struct {
		name string
		call func() error
	}{
		{"IAM", func() error { _, err := workspace.NewIAMTokenSource(workspace.IAMConfig{}); return err }},
		{"ID token", func() error { _, err := workspace.NewIDTokenSource(workspace.IDTokenConfig{}); return err }},
		{"metadata", func() error {
			_, err := workspace.NewMetadataCredentialsProvider(workspace.MetadataConfig{Endpoint: "ftp://x"})
			return err
		}},
	} {
		t.Run("constructor "+tt.name, func(t *testing.T) {
			t.Parallel()
			var ce *workspace.ConfigError
			require.ErrorAs(t, tt.call(), &ce)
			var ve *workspace.ValidationError
			assert.ErrorAs(t, tt.call(), &ve, "a malformed or missing value wraps its *ValidationError")
		})
	}
}

// TestAPIPromisesConfiguration pins the names of API.md's "Configuration
// users already have" and ConfigError.
func TestAPIPromisesConfiguration(t *testing.T) {
	t.Parallel()
	var (
		_ func() workspace.Option                                                        = workspace.WithEnv
		_ func(string) workspace.Option                                                  = workspace.WithCredentialsFile
		_ func() workspace.Option                                                        = workspace.WithDefaultConfig
		_ func(workspace.IDTokenConfig) (*workspace.IDTokenSource, error)                = workspace.NewIDTokenSource
		_ func(workspace.MetadataConfig) (*workspace.MetadataCredentialsProvider, error) = workspace.NewMetadataCredentialsProvider
		_ workspace.TokenSource                                                          = (*workspace.IDTokenSource)(nil)
		_ workspace.TokenInvalidator                                                     = (*workspace.IDTokenSource)(nil)
		_                                                                                = workspace.IDTokenConfig{IdPID: "", TokenFile: "", ProjectID: "", Region: "", Endpoint: ""}
		_                                                                                = workspace.ConfigError{Missing: []string{}, Reason: ""}
		_ error                                                                          = (*workspace.ConfigError)(nil)
	)
}
