package workspace

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Odd cases of the configuration sources: odd files, odd variables, odd
// or hostile servers. Everything runs on loopback.

// A project lookup that IAM refuses is one request for all the
// goroutines that waited for it, not one each: 64 first calls must not
// send 64 signed requests to IAM (which may lock the keys out).
func TestAdversaryProjectLookupFailureSharedByWaiters(t *testing.T) {
	t.Parallel()
	var lookups atomic.Int32
	iam := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		lookups.Add(1)
		time.Sleep(20 * time.Millisecond)
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = fmt.Fprint(w, `{"error":{"code":401,"title":"Unauthorized","message":"bad keys"}}`)
	}))
	t.Cleanup(iam.Close)
	c, err := NewClient(WithRegion("ap-southeast-3"), WithEndpoint(iam.URL), WithIAMEndpoint(iam.URL),
		WithAccessKey("AK", "adversary-sk-secret"))
	require.NoError(t, err)
	var wg sync.WaitGroup
	errs := make([]error, 64)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = c.Snapshots.List(context.Background(), nil)
		}()
	}
	wg.Wait()
	for _, err := range errs {
		assert.ErrorIs(t, err, ErrUnauthorized)
	}
	assert.LessOrEqual(t, int(lookups.Load()), 2, "the goroutines that waited share the failed lookup")
	// Not kept: a later call asks again.
	before := lookups.Load()
	_, err = c.Snapshots.List(context.Background(), nil)
	assert.ErrorIs(t, err, ErrUnauthorized)
	assert.Equal(t, before+1, lookups.Load())
}

// The first caller's context ends during the lookup: the others, which
// have time, still get the project id.
func TestAdversaryProjectLookupSurvivesCancelledFirstCaller(t *testing.T) {
	t.Parallel()
	var lookups atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/v3/projects" {
			lookups.Add(1)
			time.Sleep(40 * time.Millisecond)
			_, _ = fmt.Fprint(w, `{"projects":[{"id":"p1","name":"ap-southeast-3"}]}`)
			return
		}
		_, _ = fmt.Fprint(w, `{"snapshots":[],"total_count":0}`)
	}))
	t.Cleanup(srv.Close)
	c, err := NewClient(WithRegion("ap-southeast-3"), WithEndpoint(srv.URL), WithIAMEndpoint(srv.URL),
		WithAccessKey("AK", "adversary-sk-secret"))
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	first := make(chan error, 1)
	go func() { _, err := c.Snapshots.List(ctx, nil); first <- err }()
	time.Sleep(2 * time.Millisecond)
	var wg sync.WaitGroup
	errs := make([]error, 63)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = c.Snapshots.List(context.Background(), nil)
		}()
	}
	wg.Wait()
	assert.ErrorIs(t, <-first, context.DeadlineExceeded)
	for _, err := range errs {
		assert.NoError(t, err)
	}
	assert.LessOrEqual(t, int(lookups.Load()), 2)
}

// A metadata session token that cannot be sent as a header (a control
// character) must not be kept for six hours, failing every read.
func TestAdversaryMetadataSessionTokenUnsendable(t *testing.T) {
	t.Parallel()
	var puts atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPut {
			if puts.Add(1) == 1 {
				_, _ = fmt.Fprint(w, "bad\x01token")
				return
			}
			_, _ = fmt.Fprint(w, "goodtoken")
			return
		}
		exp := time.Now().Add(time.Hour).UTC().Format(time.RFC3339)
		_, _ = fmt.Fprintf(w, `{"credential":{"access":"A","secret":"S","securitytoken":"T","expires_at":%q}}`, exp)
	}))
	t.Cleanup(srv.Close)
	p, err := NewMetadataCredentialsProvider(MetadataConfig{Endpoint: srv.URL})
	require.NoError(t, err)
	_, _ = p.Credentials(context.Background())
	cred, err := p.Credentials(context.Background())
	require.NoError(t, err, "the next read asks for a new session token")
	assert.Equal(t, "A", cred.AccessKey)
}

// The vendor's endpoint list with a blank first entry: the first
// non-blank entry is the endpoint, not silently the public one.
func TestAdversaryRegionEndpointListWithBlanks(t *testing.T) {
	t.Parallel()
	for _, v := range []string{" , https://ws.example.test", ",https://ws.example.test,https://other.example.test"} {
		c, err := NewClient(fakeEnv(map[string]string{
			EnvAccessKey: "AK", EnvSecretKey: "SK", EnvProjectID: "p", EnvRegion: "ap-southeast-3",
			"HUAWEICLOUD_SDK_REGION_WORKSPACE_AP_SOUTHEAST_3": v,
		}), WithEnv())
		require.NoError(t, err)
		assert.Equal(t, "https://ws.example.test", c.core.origin, "for %q", v)
		c2, err := NewClient(fakeEnv(map[string]string{
			EnvAccessKey: "AK", EnvSecretKey: "SK", EnvProjectID: "p",
			"HUAWEICLOUD_SDK_REGION_WORKSPACE_AP_SOUTHEAST_3": v,
		}), WithRegion("ap-southeast-3"), WithEnv())
		require.NoError(t, err)
		assert.Equal(t, "https://ws.example.test", c2.core.origin, "for %q with WithRegion", v)
	}
}

// A password written into an endpoint URL (user information, as in a
// proxy URL) never appears in the error that refuses the URL.
func TestAdversaryEndpointUserInfoNotEchoed(t *testing.T) {
	t.Parallel()
	const secret = "endpoint-password-secret"
	for _, raw := range []string{
		"https://user:" + secret + "@iam.example.test",
		"https://user:" + secret + "%zz@iam.example.test",
		"ftp://user:" + secret + "@iam.example.test",
		"https://user:" + secret + "@",
		"https://user:" + secret + "@iam.example.test/#frag",
	} {
		for _, name := range []string{EnvIAMEndpoint, EnvEndpoint, EnvMetadataEndpoint} {
			env := map[string]string{EnvRegion: "ap-southeast-3", name: raw}
			if name != EnvMetadataEndpoint {
				env[EnvAccessKey], env[EnvSecretKey], env[EnvProjectID] = "AK", "SK", "p"
			}
			_, err := NewClient(fakeEnv(env), WithHomeDir(t.TempDir()), WithDefaultConfig(), WithMetadataBound(50*time.Millisecond))
			require.Error(t, err, "%s=%s", name, raw)
			assert.NotContains(t, err.Error(), secret, "%s", name)
		}
		_, err := NewClient(WithEndpoint(raw), WithToken("t"), WithProjectID("p"))
		require.Error(t, err)
		assert.NotContains(t, err.Error(), secret, "WithEndpoint")
		_, err = NewMetadataCredentialsProvider(MetadataConfig{Endpoint: raw})
		require.Error(t, err)
		assert.NotContains(t, err.Error(), secret, "MetadataConfig.Endpoint")
	}
}

// Credentials files as editors and tools leave them.
func TestAdversaryCredentialsFileShapes(t *testing.T) {
	t.Parallel()
	for name, content := range map[string]string{
		"CRLF":                "[basic]\r\nak = file-ak\r\nsk = sk=with=equals\r\n",
		"BOM, no newline":     "\xef\xbb\xbf[basic]\nak=file-ak\nsk=sk=with=equals",
		"tabs, blank lines":   "\n\n\t[ basic ]\t\n\tak\t=\tfile-ak\t\n\n\tsk\t=\tsk=with=equals\t\n\n",
		"other section after": "[basic]\nak = file-ak\nsk = sk=with=equals\n[basic-2]\nak = x\n",
		"upper-case keys":     "[BASIC]\nAK = file-ak\nSK = sk=with=equals\n",
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			kv, err := readCredentialsFile(writeTempFile(t, content))
			require.NoError(t, err)
			assert.Equal(t, "file-ak", kv["ak"])
			assert.Equal(t, "sk=with=equals", kv["sk"])
		})
	}
	t.Run("symlink", func(t *testing.T) {
		t.Parallel()
		target := writeTempFile(t, "[basic]\nak = file-ak\nsk = s\n")
		link := filepath.Join(t.TempDir(), "link")
		require.NoError(t, os.Symlink(target, link))
		kv, err := readCredentialsFile(link)
		require.NoError(t, err)
		assert.Equal(t, "file-ak", kv["ak"])
	})
	t.Run("10 MB of one line", func(t *testing.T) {
		t.Parallel()
		_, err := readCredentialsFile(writeTempFile(t, "[basic]\nsk = "+strings.Repeat("s", 10<<20)))
		var ce *ConfigError
		require.ErrorAs(t, err, &ce)
		assert.Less(t, len(err.Error()), 500)
	})
	t.Run("a line just under the bound", func(t *testing.T) {
		t.Parallel()
		_, err := readCredentialsFile(writeTempFile(t, "[basic]\nsk = "+strings.Repeat("s", maxCredentialsFile-20)))
		require.NoError(t, err)
	})
}
