package config

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hwcloud-go/workspace"
	"github.com/hwcloud-go/workspace/internal/credcall"
	"github.com/hwcloud-go/workspace/internal/envnames"
	"github.com/hwcloud-go/workspace/workspacetest"
)

// TestMain points the default metadata address at a loopback trap for
// every test of the package (config_test's too): no test may reach
// 169.254.169.254, and one that forgets WithMetadataEndpoint (or
// WithSources without SourceMetadata) fails the run instead.
func TestMain(m *testing.M) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, "metadata trap:", err)
		os.Exit(2)
	}
	var hits atomic.Int32
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			hits.Add(1)
			_ = c.Close()
		}
	}()
	defaultMetadataEndpoint = "http://" + ln.Addr().String()
	code := m.Run()
	_ = ln.Close()
	if n := hits.Load(); n > 0 && code == 0 {
		fmt.Fprintf(os.Stderr, "FAIL: %d connection(s) to the default metadata address: a test without WithMetadataEndpoint would have reached %s\n", n, credcall.MetadataEndpoint)
		code = 1
	}
	os.Exit(code)
}

// quickRetries keeps the API client's retries to milliseconds.
var quickRetries = workspace.WithRetryPolicy(workspace.RetryPolicy{MaxAttempts: 2, BaseDelay: time.Millisecond, MaxDelay: time.Millisecond})

// fakeRegionVar is the vendor's endpoint variable for the fakes' region.
const fakeRegionVar = "HUAWEICLOUD_SDK_REGION_WORKSPACE_AP_SOUTHEAST_3"

// newAgencyServer is a fake whose signed requests need a security token,
// as an ECS agency's keys have one.
func newAgencyServer(t *testing.T, opts ...workspacetest.Option) *workspacetest.Server {
	t.Helper()
	srv := workspacetest.NewServer(append([]workspacetest.Option{workspacetest.WithSecurityToken("agency-security-token-secret")}, opts...)...)
	t.Cleanup(srv.Close)
	return srv
}

// silentListener accepts connections and never answers, as a firewalled
// metadata address may behave.
func silentListener(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	done := make(chan struct{})
	go func() {
		var conns []net.Conn
		defer func() {
			for _, c := range conns {
				c.Close()
			}
			close(done)
		}()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			conns = append(conns, c)
		}
	}()
	t.Cleanup(func() { ln.Close(); <-done })
	return "http://" + ln.Addr().String()
}

func TestMetadataDefaults(t *testing.T) {
	t.Parallel()
	assert.Equal(t, 2*time.Second, metadataBound)
	assert.Equal(t, "http://169.254.169.254", credcall.MetadataEndpoint)
}

// On an ECS instance nothing is configured but the metadata service: Load
// takes the project and region of the instance and its temporary keys,
// with a session token where the service hands them out.
func TestLoadZeroConfigurationOnECS(t *testing.T) {
	t.Parallel()
	for _, mode := range []struct {
		name   string
		tokens workspacetest.MetadataTokens
	}{
		{"hardened instance", workspacetest.MetadataTokensRequired},
		{"token optional", workspacetest.MetadataTokensOptional},
		{"older service without tokens", workspacetest.MetadataTokensUnsupported},
	} {
		t.Run(mode.name, func(t *testing.T) {
			t.Parallel()
			srv := newAgencyServer(t, workspacetest.WithMetadataTokens(mode.tokens), workspacetest.WithDemoData())
			// The endpoint variable only keeps the API calls on loopback.
			cfg, err := loadWith(t, map[string]string{fakeRegionVar: srv.URL}, WithMetadataEndpoint(srv.MetadataURL()))
			require.NoError(t, err)
			assert.Equal(t, srv.ProjectID, cfg.ProjectID)
			assert.Equal(t, srv.Region, cfg.Region)
			assert.Equal(t, srv.URL, cfg.Endpoint)
			assert.Equal(t, keys{provider: true}, keysOf(t, cfg))
			assert.Contains(t, cfg.String(), "credentials: ECS metadata")
			assert.Contains(t, cfg.String(), "region: "+srv.Region+" (region_id of "+srv.MetadataURL()+"/openstack/latest/meta_data.json)")
			loaded := len(srv.Requests())

			c, err := workspace.NewClient(append(cfg.Options(), quickRetries)...)
			require.NoError(t, err)
			assert.Len(t, srv.Requests(), loaded, "NewClient does no I/O")
			page, err := c.Snapshots.List(context.Background(), &workspace.ListSnapshotsOptions{Limit: 5})
			require.NoError(t, err)
			assert.NotZero(t, page.TotalCount)

			var reads []workspacetest.Request
			var ops []workspacetest.Operation
			for _, r := range srv.Requests() {
				if r.Operation == workspacetest.OpMetadataToken {
					if mode.tokens == workspacetest.MetadataTokensUnsupported {
						assert.Equal(t, http.StatusNotFound, r.Status)
					} else {
						assert.Equal(t, "21600", r.Header.Get("X-Metadata-Token-Ttl-Seconds"))
						assert.Equal(t, http.StatusOK, r.Status)
					}
					continue
				}
				ops = append(ops, r.Operation)
				if r.Operation != workspacetest.OpListSnapshots {
					reads = append(reads, r)
				}
			}
			assert.Equal(t, workspacetest.OpMetadataToken, srv.Requests()[0].Operation, "a session token first")
			assert.Equal(t, []workspacetest.Operation{workspacetest.OpMetadataInfo, workspacetest.OpMetadataSecurityKey, workspacetest.OpListSnapshots}, ops)
			assert.LessOrEqual(t, len(srv.RequestsFor(workspacetest.OpMetadataToken)), 2)
			for _, r := range reads {
				assert.Equal(t, http.StatusOK, r.Status)
				if mode.tokens == workspacetest.MetadataTokensUnsupported {
					assert.Empty(t, r.Header.Get("X-Metadata-Token"), "plain read")
				} else {
					assert.Equal(t, "REDACTED", r.Header.Get("X-Metadata-Token"), "the session token is sent (and redacted in the record)")
				}
			}
			api := srv.RequestsFor(workspacetest.OpListSnapshots)
			require.Len(t, api, 1)
			assert.Equal(t, "aksk", api[0].Auth)
			assert.Equal(t, http.StatusOK, api[0].Status)
			assert.Equal(t, "/v2/"+srv.ProjectID+"/snapshots", api[0].Path, "project id from meta_data.json")
			out := fmt.Sprintf("%v %+v %#v %v %+v %#v", c, c, c, cfg, cfg, cfg)
			for _, secret := range []string{srv.SecretKey, srv.SecurityToken, "mdtoken-"} {
				assert.NotContains(t, out, secret)
			}
		})
	}
}

// The metadata service is asked only when nothing earlier gave
// credentials: the environment's keys, or the credentials file's.
func TestLoadMetadataOnlyWhenNothingEarlierGaveCredentials(t *testing.T) {
	t.Parallel()
	t.Run("environment", func(t *testing.T) {
		t.Parallel()
		srv := newAgencyServer(t)
		env := map[string]string{
			envnames.AccessKey:     srv.AccessKey,
			envnames.SecretKey:     srv.SecretKey,
			envnames.SecurityToken: srv.SecurityToken,
			envnames.ProjectID:     srv.ProjectID,
			envnames.Region:        "ap-southeast-3",
			fakeRegionVar:          srv.URL,
		}
		cfg, err := loadWith(t, env, WithMetadataEndpoint(srv.MetadataURL()))
		require.NoError(t, err)
		c, err := workspace.NewClient(append(cfg.Options(), quickRetries)...)
		require.NoError(t, err)
		_, err = c.Snapshots.List(context.Background(), nil)
		require.NoError(t, err)
		assert.Equal(t, []workspacetest.Operation{workspacetest.OpListSnapshots}, operations(srv), "the metadata service is not asked")
	})
	t.Run("credentials file", func(t *testing.T) {
		t.Parallel()
		srv := newAgencyServer(t)
		home := t.TempDir()
		require.NoError(t, os.MkdirAll(filepath.Join(home, ".huaweicloud"), 0o700))
		file := fmt.Sprintf("[basic]\nak = %s\nsk = %s\nsecurity_token = %s\nproject_id = %s\n", srv.AccessKey, srv.SecretKey, srv.SecurityToken, srv.ProjectID)
		require.NoError(t, os.WriteFile(filepath.Join(home, ".huaweicloud", "credentials"), []byte(file), 0o600))
		env := map[string]string{"HOME": home, "USERPROFILE": home, envnames.Region: "ap-southeast-3", fakeRegionVar: srv.URL}
		cfg, err := loadWith(t, env, WithMetadataEndpoint(srv.MetadataURL()))
		require.NoError(t, err)
		c, err := workspace.NewClient(append(cfg.Options(), quickRetries)...)
		require.NoError(t, err)
		_, err = c.Snapshots.List(context.Background(), nil)
		require.NoError(t, err)
		assert.Equal(t, []workspacetest.Operation{workspacetest.OpListSnapshots}, operations(srv))
	})
	t.Run("not a source", func(t *testing.T) {
		t.Parallel()
		srv := newAgencyServer(t)
		_, err := loadWith(t, nil, WithMetadataEndpoint(srv.MetadataURL()), WithSources(SourceEnv, SourceFile))
		var ce *workspace.ConfigError
		require.ErrorAs(t, err, &ce)
		assert.NotContains(t, ce.Missing, "an ECS instance's metadata service")
		assert.Empty(t, srv.Requests(), "the metadata service is not asked")
	})
}

// operations lists the operations the fake received, in order.
func operations(srv *workspacetest.Server) []workspacetest.Operation {
	var ops []workspacetest.Operation
	for _, r := range srv.Requests() {
		ops = append(ops, r.Operation)
	}
	return ops
}

// The sources before the metadata service win for what they set: the
// environment's region and project over the instance's.
func TestLoadMetadataFillsOnlyWhatIsUnset(t *testing.T) {
	t.Parallel()
	srv := newAgencyServer(t)
	cfg, err := loadWith(t, map[string]string{envnames.Region: "eu-west-101"}, WithMetadataEndpoint(srv.MetadataURL()))
	require.NoError(t, err)
	assert.Equal(t, "eu-west-101", cfg.Region)
	assert.Equal(t, srv.ProjectID, cfg.ProjectID, "the instance's project where nothing else gave one")
	assert.Contains(t, cfg.String(), "region: eu-west-101 (env HUAWEICLOUD_SDK_REGION)")

	cfg, err = loadWith(t, map[string]string{envnames.ProjectID: "env-project"}, WithRegion("eu-west-101"), WithMetadataEndpoint(srv.MetadataURL()))
	require.NoError(t, err)
	assert.Equal(t, "env-project", cfg.ProjectID)
	assert.Equal(t, "eu-west-101", cfg.Region, "WithRegion over the instance's")
}

// HUAWEICLOUD_SDK_METADATA_ENDPOINT names the service where no option
// does; WithMetadataEndpoint wins over it.
func TestLoadMetadataEndpoint(t *testing.T) {
	t.Parallel()
	srv := newAgencyServer(t)
	home := t.TempDir()
	env := map[string]string{"HOME": home, "USERPROFILE": home, envnames.MetadataEndpoint: srv.MetadataURL()}
	lookup := WithLookupEnv(func(k string) (string, bool) { v, ok := env[k]; return v, ok })
	cfg, err := Load(context.Background(), lookup)
	require.NoError(t, err)
	assert.Equal(t, srv.ProjectID, cfg.ProjectID)
	assert.Contains(t, cfg.String(), "credentials: ECS metadata")

	other := newAgencyServer(t)
	_, err = Load(context.Background(), lookup, WithMetadataEndpoint(other.MetadataURL()))
	require.NoError(t, err)
	assert.NotEmpty(t, other.RequestsFor(workspacetest.OpMetadataSecurityKey), "the option's service")
	assert.Len(t, srv.RequestsFor(workspacetest.OpMetadataSecurityKey), 1, "not the variable's")

	_, err = loadWith(t, nil, WithMetadataEndpoint("169.254.169.254"))
	var ve *workspace.ValidationError
	require.ErrorAs(t, err, &ve, "no scheme")
	assert.Equal(t, "metadataEndpoint", ve.Field)
}

// Off an ECS instance the metadata service does not answer: Load gives it
// two seconds at most within its context, so that it fails fast.
func TestLoadMetadataIsBounded(t *testing.T) {
	t.Parallel()
	t.Run("closed port", func(t *testing.T) {
		t.Parallel()
		addr := closedPort(t)
		start := time.Now()
		_, err := loadWith(t, nil, WithMetadataEndpoint(addr))
		assert.Less(t, time.Since(start), metadataBound)
		var ce *workspace.ConfigError
		require.ErrorAs(t, err, &ce)
		assert.Contains(t, ce.Reason, "the ECS metadata service at "+addr+" (")
		assert.Contains(t, ce.Reason, "refused")
	})
	t.Run("no answer", func(t *testing.T) {
		t.Parallel()
		addr := silentListener(t)
		start := time.Now()
		_, err := loadWith(t, nil, WithMetadataEndpoint(addr)) // under a 10 s context
		elapsed := time.Since(start)
		assert.GreaterOrEqual(t, elapsed, metadataBound-50*time.Millisecond)
		assert.Less(t, elapsed, metadataBound+1500*time.Millisecond, "Load returns promptly at the bound")
		var ce *workspace.ConfigError
		require.ErrorAs(t, err, &ce)
		assert.Contains(t, ce.Reason, "the ECS metadata service at "+addr+" (no answer within 2s)")
		assert.Contains(t, ce.Missing, "an ECS instance's metadata service")
	})
	t.Run("no answer, shorter context", func(t *testing.T) {
		t.Parallel()
		addr := silentListener(t)
		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		defer cancel()
		env := map[string]string{"HOME": t.TempDir()}
		start := time.Now()
		_, err := Load(ctx, WithLookupEnv(func(k string) (string, bool) { v, ok := env[k]; return v, ok }), WithMetadataEndpoint(addr))
		assert.Less(t, time.Since(start), time.Second, "the context bounds the metadata service too")
		var ce *workspace.ConfigError
		require.ErrorAs(t, err, &ce)
	})
}

func TestLoadMetadataWrongAnswers(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name string
		info string // meta_data.json
		key  int    // status of securitykey
		want string
	}{
		{"meta_data.json not JSON", "<html>", 200, "could not be decoded"},
		{"no agency bound", `{"project_id": "p", "region_id": "ap-southeast-3"}`, 404, "404 Not Found"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				switch r.URL.Path {
				case credcall.MetadataInfoPath:
					_, _ = w.Write([]byte(tt.info))
				case "/openstack/latest/securitykey":
					w.WriteHeader(tt.key)
				default:
					http.NotFound(w, r)
				}
			}))
			t.Cleanup(srv.Close)
			_, err := loadWith(t, nil, WithMetadataEndpoint(srv.URL))
			var ce *workspace.ConfigError
			require.ErrorAs(t, err, &ce)
			assert.Contains(t, ce.Reason, tt.want)
			assert.Contains(t, ce.Missing, "an ECS instance's metadata service")
		})
	}
}

// A caller's context that ends while Load waits for the metadata service
// is Load's answer: errors.Is finds it in the *workspace.ConfigError.
func TestLoadStoppedByItsContext(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	noEnv := func(string) (string, bool) { return "", false }
	_, err := Load(ctx, WithLookupEnv(noEnv), WithMetadataEndpoint(silentListener(t)))
	require.Error(t, err)
	assert.Less(t, time.Since(start), time.Second)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	var ce *workspace.ConfigError
	assert.ErrorAs(t, err, &ce)
}

// settledGoroutines waits up to a few seconds for the number of
// goroutines to come down to at most want, and returns it.
func settledGoroutines(want int) int {
	deadline := time.Now().Add(3 * time.Second)
	for {
		n := runtime.NumGoroutine()
		if n <= want || time.Now().After(deadline) {
			return n
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// Load's one-time calls over transports of its own (no WithHTTPClient)
// leave no kept-alive connection behind, nor the goroutines that watch
// one, while the servers stay up: not the project lookup at IAM, not the
// metadata service's reads. Not parallel: it counts goroutines.
func TestLoadLeavesNoConnectionOpen(t *testing.T) {
	for _, tt := range []struct {
		name string
		load func(srv *workspacetest.Server) (*Config, error)
	}{
		{"project lookup at IAM", func(srv *workspacetest.Server) (*Config, error) {
			env := map[string]string{envnames.AccessKey: srv.AccessKey, envnames.SecretKey: srv.SecretKey,
				envnames.SecurityToken: srv.SecurityToken, envnames.Region: srv.Region}
			return loadWith(t, env, WithIAMEndpoint(srv.IAMURL()), WithSources(SourceEnv))
		}},
		{"ECS metadata", func(srv *workspacetest.Server) (*Config, error) {
			return loadWith(t, nil, WithMetadataEndpoint(srv.MetadataURL()))
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			srv := newAgencyServer(t)
			before := runtime.NumGoroutine()
			cfg, err := tt.load(srv)
			require.NoError(t, err)
			assert.Equal(t, srv.ProjectID, cfg.ProjectID)
			if after := settledGoroutines(before); after > before {
				buf := make([]byte, 1<<20)
				t.Errorf("goroutines: %d before Load, %d after; stacks:\n%s", before, after, buf[:runtime.Stack(buf, true)])
			}
		})
	}
}

// A region_id the metadata service answers that is not a region is a
// *workspace.ConfigError that quotes it clipped and escaped: a hostile or
// broken service cannot make the error megabytes long, nor put a line
// break in it.
func TestLoadMetadataMalformedRegionClipped(t *testing.T) {
	t.Parallel()
	for _, region := range []string{strings.Repeat("r", 1<<20), "ap-southeast-3\nforged: line"} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			switch r.URL.Path {
			case credcall.MetadataInfoPath:
				_ = json.NewEncoder(w).Encode(map[string]string{"project_id": "p", "region_id": region})
			case "/openstack/latest/securitykey":
				_, _ = fmt.Fprintf(w, `{"credential": {"access": "AK", "secret": "SK-secret", "securitytoken": "ST", "expires_at": %q}}`,
					time.Now().Add(time.Hour).UTC().Format(time.RFC3339))
			default:
				http.NotFound(w, r)
			}
		}))
		t.Cleanup(srv.Close)
		_, err := loadWith(t, nil, WithMetadataEndpoint(srv.URL))
		var ve *workspace.ValidationError
		require.ErrorAs(t, err, &ve)
		assert.Less(t, len(err.Error()), 1000)
		assert.NotContains(t, err.Error(), "\nforged")
	}
}

// The metadata service answers meta_data.json but not the keys, and Load's
// context ends: Load returns, and the read of the keys it started (which a
// source lets run on past its caller, for the next one) ends with it
// rather than at the source's own 10 s bound. Not parallel: it counts
// goroutines.
func TestLoadMetadataUnansweredKeysEndWithLoad(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case credcall.MetadataInfoPath:
			_, _ = w.Write([]byte(`{"project_id": "p", "region_id": "ap-southeast-3"}`))
		case "/openstack/latest/securitykey":
			<-r.Context().Done() // never answers while the client stays
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	before := runtime.NumGoroutine()
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	noEnv := func(string) (string, bool) { return "", false }
	_, err := Load(ctx, WithLookupEnv(noEnv), WithSources(SourceMetadata), WithMetadataEndpoint(srv.URL))
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	if after := settledGoroutines(before); after > before {
		buf := make([]byte, 1<<20)
		t.Errorf("goroutines: %d before Load, %d after; stacks:\n%s", before, after, buf[:runtime.Stack(buf, true)])
	}
}
