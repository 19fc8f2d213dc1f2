package workspace

import (
	"context"
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

	"github.com/hwcloud-go/workspace/internal/testserver"
)

const querySecret = "p4ssw0rd-in-query"

func TestLoggingOneRecordPerAttempt(t *testing.T) {
	t.Parallel()
	var count atomic.Int32
	var lg logBuffer
	c, mux := setup(t, WithRetryPolicy(fastRetries), WithLogger(lg.logger()))
	mux.handleAny(func(w http.ResponseWriter, r *http.Request) {
		n := count.Add(1)
		assert.Equal(t, testPrefix+"/snapshots", r.URL.Path)
		assert.Equal(t, querySecret, r.URL.Query().Get("snapshot_name"))
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
	_, err := c.Snapshots.List(context.Background(), &ListSnapshotsOptions{SnapshotName: querySecret, Limit: 5})
	require.NoError(t, err)

	recs := lg.records(t)
	require.Len(t, recs, 3, lg.String())
	wantStatus := []int64{503, 429, 200}
	wantRetry := []bool{true, true, false}
	for i, rec := range recs {
		assert.Equal(t, "DEBUG", rec["level"])
		assert.Equal(t, "workspace: attempt", rec["msg"])
		assert.Equal(t, "GET", rec["method"])
		assert.Equal(t, testPrefix+"/snapshots", rec["path"], "the path, without query")
		assert.EqualValues(t, i+1, jsonInt(t, rec["attempt"]))
		assert.Equal(t, wantStatus[i], jsonInt(t, rec["status"]))
		assert.Equal(t, fmt.Sprintf("req-%d", i+1), rec["request_id"])
		assert.Equal(t, wantRetry[i], rec["retry"])
		assert.GreaterOrEqual(t, jsonInt(t, rec["duration"]), int64(0))
		delay := jsonInt(t, rec["delay"])
		assert.GreaterOrEqual(t, delay, int64(0))
		assert.LessOrEqual(t, delay, int64(fastRetries.MaxDelay))
		if i < 2 {
			assert.Contains(t, rec["error"], fmt.Sprint(wantStatus[i]))
		} else {
			assert.NotContains(t, rec, "error")
		}
	}
	assert.Zero(t, jsonInt(t, recs[1]["delay"]), "Retry-After: 0")
	assert.NotContains(t, lg.String(), querySecret)
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
			var lg logBuffer
			p := fastRetries
			p.MaxAttempts = tt.maxAttempts
			c, mux := setup(t, WithLogger(lg.logger()), WithRetryPolicy(p))
			mux.handleAny(func(w http.ResponseWriter, _ *http.Request) { writeAPIError(w, tt.status, "") })
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
			assert.Equal(t, testPrefix+"/workspace-jobs/job-1", w["path"])
			assert.EqualValues(t, tt.maxAttempts, jsonInt(t, w["attempts"]))
			assert.EqualValues(t, tt.status, jsonInt(t, w["status"]))
			assert.Equal(t, "req-err", w["request_id"])
			assert.Contains(t, w["error"], fmt.Sprint(tt.status))
		})
	}
}

// A logger above debug level gets only the warning.
func TestLoggingInfoLevelGetsWarningOnly(t *testing.T) {
	t.Parallel()
	var lg logBuffer
	l := slog.New(slog.NewJSONHandler(&lg, &slog.HandlerOptions{Level: slog.LevelInfo}))
	c, mux := setup(t, WithRetryPolicy(fastRetries), WithLogger(l))
	mux.handleAny(func(w http.ResponseWriter, _ *http.Request) { writeAPIError(w, 500, "") })
	_, err := c.Jobs.Get(context.Background(), "job-1")
	require.Error(t, err)
	recs := lg.records(t)
	require.Len(t, recs, 1)
	assert.Equal(t, "WARN", recs[0]["level"])
}

// temporaryProvider hands out temporary credentials.
type temporaryProvider struct{}

func (temporaryProvider) Credentials(context.Context) (Credentials, error) {
	return Credentials{AccessKey: testAK, SecretKey: NewSecret(testSK), SecurityToken: NewSecret(testSecurityToken), Expires: time.Now().Add(time.Hour)}, nil
}

// secretSource is a refreshable token source whose tokens are secret.
type secretSource struct{ refreshingSource }

func (s *secretSource) Token(ctx context.Context) (string, error) {
	tok, _ := s.refreshingSource.Token(ctx)
	return testToken + "-" + tok, nil
}

func (s *secretSource) Invalidate(token string) {
	s.refreshingSource.Invalidate(strings.TrimPrefix(token, testToken+"-"))
}

func TestLoggingNeverShowsSecrets(t *testing.T) {
	t.Parallel()
	clients := []struct {
		name string
		opts []Option
	}{
		{"token", []Option{WithToken(testToken)}},
		{"token source", []Option{WithTokenSource(&secretSource{})}},
		{"aksk", []Option{WithAccessKey(testAK, testSK)}},
		{"temporary aksk", []Option{WithAccessKey(testAK, testSK), WithSecurityToken(testSecurityToken)}},
		{"credentials provider", []Option{WithCredentialsProvider(temporaryProvider{})}},
	}
	for _, cl := range clients {
		t.Run(cl.name, func(t *testing.T) {
			t.Parallel()
			var mu sync.Mutex
			var sent []string // every credential header value the server saw
			var n atomic.Int32
			var lg logBuffer
			opts := append([]Option{WithLogger(lg.logger()),
				WithRetryPolicy(RetryPolicy{MaxAttempts: 2, BaseDelay: time.Millisecond, MaxDelay: time.Millisecond})}, cl.opts...)
			c, mux := setup(t, opts...)
			mux.handleAny(func(w http.ResponseWriter, r *http.Request) {
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
					writeAPIError(w, 401, "")
				case 2:
					writeAPIError(w, 403, "")
				case 3:
					w.WriteHeader(502)
					io.WriteString(w, "<html><body>Bad gateway</body></html>")
				case 4:
					hijackClose(t, w)
				case 5:
					io.WriteString(w, "<html>not json</html>")
				case 6:
					writeAPIError(w, 400, "")
				default:
					io.WriteString(w, `{"desktop_snapshots":[],"total_count":0}`)
				}
			})

			var shown strings.Builder
			fmt.Fprintf(&shown, "%v %+v %#v %s\n", c, c, c, c)
			show := func(err error) {
				if err != nil {
					fmt.Fprintf(&shown, "%v | %+v | %#v | %s\n", err, err, err, err.Error())
				}
			}
			opts2 := &ListSnapshotsOptions{SnapshotName: querySecret}
			for range 10 {
				_, err := c.Snapshots.List(context.Background(), opts2)
				show(err)
				_, err = c.DesktopPools.BatchDeleteVolumes(context.Background(), "pool-1", deleteRequest)
				show(err)
				_, err = c.Desktops.CheckImages(context.Background(), []string{"d-1"})
				show(err)
			}
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			_, err := c.Jobs.Get(ctx, "job-1")
			show(err)

			out := lg.String()
			require.NotEmpty(t, out)
			mu.Lock()
			secrets := append([]string{testToken, testSK, testSecurityToken, querySecret}, sent...)
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
	var lg logBuffer
	for _, opts := range [][]Option{
		{WithToken(testToken)},
		{WithAccessKey(testAK, testSK), WithLogger(lg.logger()), WithHTTPClient(&http.Client{})},
	} {
		c, err := NewClient(append([]Option{WithEndpoint("http://127.0.0.1:1"), WithProjectID(testProjectID)}, opts...)...)
		require.NoError(t, err)
		assert.NotNil(t, c.core.pipe, "resty's own settings are internal/pipeline's: see TestNewIsQuiet")
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

// logOrderObserver notes, at each AttemptEnd, whether the log already
// had the attempt's record.
type logOrderObserver struct {
	pathObserver
	buf    *logBuffer
	logged []bool
}

func (o *logOrderObserver) AttemptEnd(context.Context, CallInfo, AttemptResult) {
	o.logged = append(o.logged, strings.Contains(o.buf.String(), "workspace: attempt"))
}

// WithLogger's log observer: the last WithLogger wins (nil: no logging),
// and it is the first observer (started first, ended last), whatever the
// options' order.
func TestWithLoggerLastWinsAndEndsLast(t *testing.T) {
	t.Parallel()
	srv := testserver.NewH1(t, func(*testserver.H1Request) testserver.H1Reply { return testserver.H1Reply{Raw: rawH1OK} })
	logger := func(buf *logBuffer) *slog.Logger {
		return slog.New(slog.NewTextHandler(buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	ctx := context.Background()

	buf := &logBuffer{}
	obs := &logOrderObserver{buf: buf}
	c := clientFor(t, srv.URL, WithObserver(obs), WithLogger(logger(buf)))
	_, err := c.DesktopPools.GetInconsistentStatistics(ctx, "pool-1")
	require.NoError(t, err)
	// Ends run in the reverse order of starts: the log observer, first
	// whatever the options' order, ends last.
	assert.Equal(t, []bool{false}, obs.logged, "the log record comes after the observer's AttemptEnd")
	assert.Contains(t, buf.String(), "workspace: attempt")
	assert.Contains(t, buf.String(), "path=/v2/"+testProjectID+"/desktop-pools/pool-1/inconsistent-statics")

	off := &logBuffer{}
	c = clientFor(t, srv.URL, WithLogger(logger(off)), WithLogger(nil))
	_, err = c.DesktopPools.GetInconsistentStatistics(ctx, "pool-1")
	require.NoError(t, err)
	assert.Empty(t, off.String(), "WithLogger(nil) last: no logging")

	first, second := &logBuffer{}, &logBuffer{}
	c = clientFor(t, srv.URL, WithLogger(logger(first)), WithLogger(logger(second)))
	_, err = c.DesktopPools.GetInconsistentStatistics(ctx, "pool-1")
	require.NoError(t, err)
	assert.Empty(t, first.String())
	assert.Contains(t, second.String(), "workspace: attempt")
	closeIdle(c)
}
