package workspace

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
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

// relLog collects the JSON records of a debug-level slog logger.
type relLog struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *relLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *relLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

func (l *relLog) logger() *slog.Logger {
	return slog.New(slog.NewJSONHandler(l, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// records decodes every line; numbers stay json.Number.
func (l *relLog) records(t testing.TB) []map[string]any {
	t.Helper()
	var out []map[string]any
	sc := bufio.NewScanner(strings.NewReader(l.String()))
	for sc.Scan() {
		dec := json.NewDecoder(bytes.NewReader(sc.Bytes()))
		dec.UseNumber()
		var m map[string]any
		require.NoError(t, dec.Decode(&m), sc.Text())
		out = append(out, m)
	}
	return out
}

func relNum(t testing.TB, v any) int64 {
	t.Helper()
	n, ok := v.(json.Number)
	require.True(t, ok, "%v (%T) is not a number", v, v)
	i, err := n.Int64()
	require.NoError(t, err)
	return i
}

const relQuerySecret = "p4ssw0rd-in-query"

func TestLoggingOneRecordPerAttempt(t *testing.T) {
	t.Parallel()
	var count atomic.Int32
	srv := relServer(t, func(w http.ResponseWriter, r *http.Request) {
		n := count.Add(1)
		assert.Equal(t, "/v2/"+relProject+"/snapshots", r.URL.Path)
		assert.Equal(t, relQuerySecret, r.URL.Query().Get("snapshot_name"))
		w.Header().Set("X-Request-Id", fmt.Sprintf("req-%d", n))
		switch n {
		case 1:
			w.WriteHeader(503)
		case 2:
			w.Header().Set("Retry-After", "0")
			w.WriteHeader(429)
		default:
			io.WriteString(w, `{"desktop_snapshots":[],"total_count":0}`)
		}
	})
	var lg relLog
	c := relClient(t, srv.URL, WithLogger(lg.logger()))
	_, err := c.Snapshots.List(context.Background(), &ListSnapshotsOptions{SnapshotName: relQuerySecret, Limit: 5})
	require.NoError(t, err)

	recs := lg.records(t)
	require.Len(t, recs, 3, lg.String())
	wantStatus := []int64{503, 429, 200}
	wantRetry := []bool{true, true, false}
	for i, rec := range recs {
		assert.Equal(t, "DEBUG", rec["level"])
		assert.Equal(t, "workspace: attempt", rec["msg"])
		assert.Equal(t, "GET", rec["method"])
		assert.Equal(t, "/v2/"+relProject+"/snapshots", rec["path"], "the path, without query")
		assert.EqualValues(t, i+1, relNum(t, rec["attempt"]))
		assert.Equal(t, wantStatus[i], relNum(t, rec["status"]))
		assert.Equal(t, fmt.Sprintf("req-%d", i+1), rec["request_id"])
		assert.Equal(t, wantRetry[i], rec["retry"])
		assert.GreaterOrEqual(t, relNum(t, rec["duration"]), int64(0))
		delay := relNum(t, rec["delay"])
		assert.GreaterOrEqual(t, delay, int64(0))
		assert.LessOrEqual(t, delay, int64(relFast.MaxDelay))
		if i < 2 {
			assert.Contains(t, rec["error"], fmt.Sprint(wantStatus[i]))
		} else {
			assert.NotContains(t, rec, "error")
		}
	}
	assert.Zero(t, relNum(t, recs[1]["delay"]), "Retry-After: 0")
	assert.NotContains(t, lg.String(), relQuerySecret)
	assert.NotContains(t, lg.String(), "snapshot_name")
}

func TestLoggingGivingUp(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		status      int
		maxAttempts int
		wantDebug   int
		wantWarn    bool
	}{
		{"retries exhausted", 503, 3, 3, true},
		{"retries disabled", 502, 1, 1, true},
		{"final answer", 404, 3, 1, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := relServer(t, func(w http.ResponseWriter, _ *http.Request) { relErrorJSON(w, tt.status, "") })
			var lg relLog
			p := relFast
			p.MaxAttempts = tt.maxAttempts
			c := relClient(t, srv.URL, WithLogger(lg.logger()), WithRetryPolicy(p))
			_, err := c.Jobs.Get(context.Background(), "job-1")
			require.Error(t, err)
			var debug, warn []map[string]any
			for _, rec := range lg.records(t) {
				switch rec["level"] {
				case "DEBUG":
					debug = append(debug, rec)
				case "WARN":
					warn = append(warn, rec)
				default:
					t.Errorf("unexpected record %v", rec)
				}
			}
			assert.Len(t, debug, tt.wantDebug)
			if !tt.wantWarn {
				assert.Empty(t, warn)
				return
			}
			require.Len(t, warn, 1)
			w := warn[0]
			assert.Equal(t, "workspace: giving up", w["msg"])
			assert.Equal(t, "GET", w["method"])
			assert.Equal(t, "/v2/"+relProject+"/workspace-jobs/job-1", w["path"])
			assert.EqualValues(t, tt.maxAttempts, relNum(t, w["attempts"]))
			assert.EqualValues(t, tt.status, relNum(t, w["status"]))
			assert.Equal(t, "req-err", w["request_id"])
			assert.Contains(t, w["error"], fmt.Sprint(tt.status))
		})
	}
}

// A logger above debug level gets only the warning.
func TestLoggingInfoLevelGetsWarningOnly(t *testing.T) {
	t.Parallel()
	srv := relServer(t, func(w http.ResponseWriter, _ *http.Request) { relErrorJSON(w, 500, "") })
	var lg relLog
	l := slog.New(slog.NewJSONHandler(&lg, &slog.HandlerOptions{Level: slog.LevelInfo}))
	c := relClient(t, srv.URL, WithLogger(l))
	_, err := c.Jobs.Get(context.Background(), "job-1")
	require.Error(t, err)
	recs := lg.records(t)
	require.Len(t, recs, 1)
	assert.Equal(t, "WARN", recs[0]["level"])
}

// relCredsProvider hands out temporary credentials.
type relCredsProvider struct{}

func (relCredsProvider) Credentials(context.Context) (Credentials, error) {
	return Credentials{AccessKey: relAK, SecretKey: relSK, SecurityToken: relSecToken, Expires: time.Now().Add(time.Hour)}, nil
}

// relSecretSource is a refreshable token source whose tokens are secret.
type relSecretSource struct{ relRefreshingSource }

func (s *relSecretSource) Token(ctx context.Context) (string, error) {
	tok, _ := s.relRefreshingSource.Token(ctx)
	return relToken + "-" + tok, nil
}

func (s *relSecretSource) Invalidate(token string) {
	s.relRefreshingSource.Invalidate(strings.TrimPrefix(token, relToken+"-"))
}

func TestLoggingNeverShowsSecrets(t *testing.T) {
	t.Parallel()
	clients := []struct {
		name string
		opts []Option
	}{
		{"token", []Option{WithToken(relToken)}},
		{"token source", []Option{WithTokenSource(&relSecretSource{})}},
		{"aksk", []Option{WithAccessKey(relAK, relSK)}},
		{"temporary aksk", []Option{WithAccessKey(relAK, relSK), WithSecurityToken(relSecToken)}},
		{"credentials provider", []Option{WithCredentialsProvider(relCredsProvider{})}},
	}
	for _, cl := range clients {
		t.Run(cl.name, func(t *testing.T) {
			t.Parallel()
			var mu sync.Mutex
			var sent []string // every credential header value the server saw
			var n atomic.Int32
			srv := relServer(t, func(w http.ResponseWriter, r *http.Request) {
				mu.Lock()
				for _, h := range []string{"X-Auth-Token", "Authorization", "X-Security-Token"} {
					if v := r.Header.Get(h); v != "" {
						sent = append(sent, v)
						if _, sig, ok := strings.Cut(v, "Signature="); ok {
							sent = append(sent, sig)
						}
					}
				}
				mu.Unlock()
				switch n.Add(1) % 7 {
				case 1:
					relErrorJSON(w, 401, "")
				case 2:
					relErrorJSON(w, 403, "")
				case 3:
					w.WriteHeader(502)
					io.WriteString(w, "<html><body>Bad gateway</body></html>")
				case 4:
					relHijackClose(t, w)
				case 5:
					io.WriteString(w, "<html>not json</html>")
				case 6:
					relErrorJSON(w, 400, "")
				default:
					io.WriteString(w, `{"desktop_snapshots":[],"total_count":0}`)
				}
			})
			var lg relLog
			opts := append([]Option{WithEndpoint(srv.URL), WithProjectID(relProject), WithLogger(lg.logger()),
				WithRetryPolicy(RetryPolicy{MaxAttempts: 2, BaseDelay: time.Millisecond, MaxDelay: time.Millisecond})}, cl.opts...)
			c, err := NewClient(opts...)
			require.NoError(t, err)

			var shown strings.Builder
			fmt.Fprintf(&shown, "%v %+v %#v %s\n", c, c, c, c)
			show := func(err error) {
				if err != nil {
					fmt.Fprintf(&shown, "%v | %+v | %#v | %s\n", err, err, err, err.Error())
				}
			}
			opts2 := &ListSnapshotsOptions{SnapshotName: relQuerySecret}
			for range 10 {
				_, err := c.Snapshots.List(context.Background(), opts2)
				show(err)
				_, err = c.DesktopPools.BatchDeleteVolumes(context.Background(), "pool-1", relDeleteReq)
				show(err)
				_, err = c.Desktops.CheckImages(context.Background(), []string{"d-1"})
				show(err)
			}
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			_, err = c.Jobs.Get(ctx, "job-1")
			show(err)

			out := lg.String()
			require.NotEmpty(t, out)
			mu.Lock()
			secrets := append([]string{relToken, relSK, relSecToken, relQuerySecret}, sent...)
			mu.Unlock()
			require.Greater(t, len(secrets), 4, "the server saw credentials")
			for _, s := range secrets {
				assert.NotContains(t, out, s, "log output")
				assert.NotContains(t, shown.String(), s, "errors and fmt output")
			}
			for _, s := range []string{"Signature=", "X-Auth-Token", "Authorization", "X-Security-Token", "Access="} {
				assert.NotContains(t, out, s, "no credential header in the log")
			}
			// The records are there: attempts at debug, give-ups at warn.
			assert.Contains(t, out, `"level":"DEBUG"`)
			assert.Contains(t, out, `"level":"WARN"`)
		})
	}
}

// Resty's own debug output (which prints headers, tokens included) is off
// and stays off: no client has it, and no library source turns it on.
func TestLoggingRestyDebugNeverEnabled(t *testing.T) {
	t.Parallel()
	var lg relLog
	for _, opts := range [][]Option{
		{WithToken(relToken)},
		{WithAccessKey(relAK, relSK), WithLogger(lg.logger()), WithHTTPClient(&http.Client{})},
	} {
		c, err := NewClient(append([]Option{WithEndpoint("http://127.0.0.1:1"), WithProjectID(relProject)}, opts...)...)
		require.NoError(t, err)
		rc := c.core.rc
		assert.False(t, rc.Debug)
		assert.False(t, rc.R().Debug)
		assert.Zero(t, rc.RetryCount, "resty does not retry on its own")
	}

	forbidden := []string{"SetDebug(", ".Debug = ", "EnableGenerateCurlOnDebug", "SetDebugBodyLimit", "EnableTrace(", "SetRetryCount(1", "AddRetryCondition"}
	checked := 0
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "testdata" || d.Name() == "bench" || strings.HasPrefix(d.Name(), ".") && path != ".") {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		checked++
		for _, f := range forbidden {
			assert.NotContains(t, string(src), f, "%s turns on resty's own debugging or retries", path)
		}
		return nil
	})
	require.NoError(t, err)
	assert.Greater(t, checked, 5)
}
