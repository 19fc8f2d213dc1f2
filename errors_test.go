package workspace

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hwcloud-go/workspace/internal/envnames"
	"github.com/hwcloud-go/workspace/internal/pipeline"
)

// sentinels are every sentinel error of the package.
var sentinels = map[string]error{
	"ErrBadRequest":   ErrBadRequest,
	"ErrUnauthorized": ErrUnauthorized,
	"ErrForbidden":    ErrForbidden,
	"ErrNotFound":     ErrNotFound,
	"ErrConflict":     ErrConflict,
	"ErrThrottled":    ErrThrottled,
	"ErrServer":       ErrServer,
	"ErrNoSuchAPI":    ErrNoSuchAPI,
}

func TestAPIError_EveryStatusEveryOperation(t *testing.T) {
	t.Parallel()
	statuses := []struct {
		status int
		want   error // nil: no sentinel matches
	}{
		{400, ErrBadRequest},
		{401, ErrUnauthorized},
		{403, ErrForbidden},
		{404, ErrNotFound},
		{405, nil},
		{409, ErrConflict},
		{415, nil},
		{429, ErrThrottled},
		{500, ErrServer},
		{502, ErrServer},
		{503, ErrServer},
		{504, ErrServer},
	}
	for _, op := range operations {
		for _, st := range statuses {
			t.Run(fmt.Sprintf("%s/%d", op.name, st.status), func(t *testing.T) {
				t.Parallel()
				c, mux := setup(t)
				mux.handle(op.rel, respond(st.status, `{"error_code":"WKS.00010032","error_msg":"operation conflict",
					"error_detail":"try later","encoded_authorization_message":"enc-msg"}`))
				got, err := op.call(testContext(t), c)
				require.Error(t, err)
				assert.True(t, isNilResult(got), "no result next to an error, got %#v", got)
				assert.Equal(t, 1, mux.requests(), "retries are disabled")

				apiErr := errorAs[*APIError](t, err)
				assert.Equal(t, &APIError{
					StatusCode: st.status, Code: "WKS.00010032", Message: "operation conflict", Detail: "try later",
					EncodedAuthorizationMessage: "enc-msg", RequestID: "test-req-id",
					Method: op.method, Path: testPrefix + op.rel,
				}, apiErr)
				for name, sentinel := range sentinels {
					assert.Equal(t, sentinel == st.want, errors.Is(err, sentinel), "errors.Is(err, %s)", name)
				}
				var de *DecodeError
				assert.False(t, errors.As(err, &de))
				var ve *ValidationError
				assert.False(t, errors.As(err, &ve))
			})
		}
	}
}

func TestAPIError_ErrorText(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	mux.handle("/snapshots", respond(http.StatusNotFound, `{"error_code":"WKS.0404","error_msg":"no such desktop"}`))
	_, err := c.Snapshots.List(testContext(t), &ListSnapshotsOptions{DesktopID: "secret-looking-filter"})
	require.Error(t, err)
	msg := err.Error()
	for _, want := range []string{"GET", testPrefix + "/snapshots", "404", "Not Found", "WKS.0404", "no such desktop", "test-req-id"} {
		assert.Contains(t, msg, want)
	}
	assert.NotContains(t, msg, "?", "no query string in error text")
	assert.NotContains(t, msg, "secret-looking-filter")
	assert.NotContains(t, msg, "127.0.0.1", "no host in error text")
}

func TestAPIError_OddBodies(t *testing.T) {
	t.Parallel()
	longMsg := strings.Repeat("é", 3000) // 6000 bytes of two-byte runes
	tests := []struct {
		name        string
		status      int
		contentType string
		requestID   string // X-Request-Id header; "" sends none
		body        string
		check       func(t *testing.T, e *APIError)
	}{
		{
			name: "API JSON", status: 409, requestID: "hdr-id",
			body: `{"error_code":"WKS.00010032","error_msg":"Operation conflict","error_detail":"pool busy","encoded_authorization_message":"xyz"}`,
			check: func(t *testing.T, e *APIError) {
				assert.Equal(t, "WKS.00010032", e.Code)
				assert.Equal(t, "Operation conflict", e.Message)
				assert.Equal(t, "pool busy", e.Detail)
				assert.Equal(t, "xyz", e.EncodedAuthorizationMessage)
				assert.Equal(t, "hdr-id", e.RequestID)
			},
		},
		{
			name: "gateway JSON with request_id and no X-Request-Id", status: 401,
			body: `{"error_msg":"Incorrect IAM authentication information: verify aksk signature fail","error_code":"APIGW.0301","request_id":"gw-req-1"}`,
			check: func(t *testing.T, e *APIError) {
				assert.Equal(t, "APIGW.0301", e.Code)
				assert.Equal(t, "Incorrect IAM authentication information: verify aksk signature fail", e.Message)
				assert.Equal(t, "gw-req-1", e.RequestID)
			},
		},
		{
			name: "X-Request-Id header wins over body request_id", status: 429, requestID: "hdr-id",
			body: `{"error_code":"APIGW.0308","error_msg":"The throttling threshold has been reached","request_id":"body-id"}`,
			check: func(t *testing.T, e *APIError) {
				assert.Equal(t, "APIGW.0308", e.Code)
				assert.Equal(t, "hdr-id", e.RequestID)
			},
		},
		{
			name: "HTML", status: 502, contentType: "text/html",
			body: "<html>\n<head><title>502 Bad Gateway</title></head>\n<body>\n<center><h1>502 Bad Gateway</h1></center>\n</body>\n</html>\n",
			check: func(t *testing.T, e *APIError) {
				assert.Empty(t, e.Code)
				assert.Contains(t, e.Message, "502 Bad Gateway")
				assert.NotContains(t, e.Message, "\n")
			},
		},
		{
			name: "empty", status: 503,
			check: func(t *testing.T, e *APIError) {
				assert.Empty(t, e.Code)
				assert.Empty(t, e.Message)
				assert.Empty(t, e.RequestID)
			},
		},
		{
			name: "white space only", status: 500, body: " \r\n\t ",
			check: func(t *testing.T, e *APIError) {
				assert.Empty(t, e.Code)
				assert.Empty(t, e.Message)
			},
		},
		{
			name: "cut-off JSON", status: 500, body: `{"error_code":"WKS.0001","error_msg":"internal err`,
			check: func(t *testing.T, e *APIError) {
				assert.Empty(t, e.Code)
				assert.Contains(t, e.Message, "WKS.0001", "the raw excerpt is kept for a human")
			},
		},
		{
			name: "JSON array", status: 400, body: `[{"error_code":"WKS.0002","error_msg":"x"}]`,
			check: func(t *testing.T, e *APIError) {
				assert.Empty(t, e.Code)
				assert.NotEmpty(t, e.Message)
			},
		},
		{
			name: "JSON string", status: 400, body: `"bad request"`,
			check: func(t *testing.T, e *APIError) {
				assert.Empty(t, e.Code)
				assert.Contains(t, e.Message, "bad request")
			},
		},
		{
			name: "JSON null", status: 404, body: `null`,
			check: func(t *testing.T, e *APIError) { assert.Empty(t, e.Code) },
		},
		{
			name: "JSON of the wrong types", status: 400, body: `{"error_code":123,"error_msg":["a"]}`,
			check: func(t *testing.T, e *APIError) { assert.Empty(t, e.Code) },
		},
		{
			name: "unknown fields only", status: 403, body: `{"code":"X","message":"denied"}`,
			check: func(t *testing.T, e *APIError) {
				assert.Empty(t, e.Code)
				assert.Empty(t, e.Message)
			},
		},
		{
			name: "invalid UTF-8", status: 500, body: "\xff\xfe<html>bad \xc3\x28 gateway\xff</html>",
			check: func(t *testing.T, e *APIError) {
				assert.True(t, utf8.ValidString(e.Message), "%q", e.Message)
				assert.Contains(t, e.Message, "gateway")
			},
		},
		{
			name: "invalid UTF-8 inside API JSON", status: 400, body: "{\"error_code\":\"WKS.1\",\"error_msg\":\"bad \xff value\"}",
			check: func(t *testing.T, e *APIError) {
				assert.Equal(t, "WKS.1", e.Code)
				assert.True(t, utf8.ValidString(e.Message), "%q", e.Message)
			},
		},
		{
			name: "very long error_msg is clipped", status: 400, body: `{"error_code":"WKS.3","error_msg":"` + longMsg + `"}`,
			check: func(t *testing.T, e *APIError) {
				assert.Equal(t, "WKS.3", e.Code)
				assert.LessOrEqual(t, len(e.Message), 300)
				assert.True(t, utf8.ValidString(e.Message))
				assert.True(t, strings.HasPrefix(longMsg, strings.TrimSuffix(e.Message, "…")))
			},
		},
		{
			name: "huge body over 1 MiB", status: 500, contentType: "text/plain",
			body: strings.Repeat("x", 3<<20),
			check: func(t *testing.T, e *APIError) {
				assert.LessOrEqual(t, len(e.Message), 300)
				assert.LessOrEqual(t, len(e.Error()), 600)
			},
		},
		{
			name: "huge JSON over 1 MiB", status: 500,
			body: `{"error_code":"WKS.9","error_msg":"` + strings.Repeat("y", 2<<20) + `"}`,
			check: func(t *testing.T, e *APIError) {
				assert.LessOrEqual(t, len(e.Message), 300)
				assert.Empty(t, e.Code, "only the first MiB is read, so the JSON is cut off")
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, mux := setup(t)
			mux.handle("/desktop-pools/p/inconsistent-statics", func(w http.ResponseWriter, _ *http.Request) {
				if tt.contentType != "" {
					w.Header().Set("Content-Type", tt.contentType)
				}
				if tt.requestID != "" {
					w.Header().Set("X-Request-Id", tt.requestID)
				}
				w.WriteHeader(tt.status)
				_, _ = io.WriteString(w, tt.body)
			})
			got, err := c.DesktopPools.GetInconsistentStatistics(testContext(t), "p")
			assert.Nil(t, got)
			e := errorAs[*APIError](t, err)
			assert.Equal(t, tt.status, e.StatusCode)
			assert.Equal(t, "GET", e.Method)
			assert.Equal(t, testPrefix+"/desktop-pools/p/inconsistent-statics", e.Path)
			assert.True(t, utf8.ValidString(err.Error()))
			tt.check(t, e)
		})
	}
}

// countingBody is an endless response body that counts what is read
// from it.
type countingBody struct {
	read   atomic.Int64
	closed atomic.Bool
}

func (b *countingBody) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = 'z'
	}
	b.read.Add(int64(len(p)))
	return len(p), nil
}

func (b *countingBody) Close() error {
	b.closed.Store(true)
	return nil
}

func TestAPIError_ReadsAtMostOneMiB(t *testing.T) {
	t.Parallel()
	body := &countingBody{}
	rt := roundTripFunc(func(r *http.Request) (*http.Response, error) {
		return &http.Response{
			StatusCode: http.StatusServiceUnavailable, Status: "503 Service Unavailable",
			Header: http.Header{"Content-Type": {"text/plain"}}, Body: body, Request: r,
			ContentLength: -1, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		}, nil
	})
	c, err := NewClient(
		WithEndpoint("http://127.0.0.1:9/api-prefix"), WithProjectID(testProjectID), WithToken(testToken),
		WithHTTPClient(&http.Client{Transport: rt}), WithRetryPolicy(RetryPolicy{MaxAttempts: 1}),
	)
	require.NoError(t, err)
	_, err = c.Snapshots.List(testContext(t), nil)
	e := errorAs[*APIError](t, err)
	assert.Equal(t, 503, e.StatusCode)
	assert.LessOrEqual(t, len(e.Message), 300)
	// 1 MiB for the error, and a bounded drain so the connection can be reused.
	assert.GreaterOrEqual(t, body.read.Load(), int64(pipeline.MaxErrorBody))
	assert.LessOrEqual(t, body.read.Load(), int64(pipeline.MaxErrorBody+128<<10), "read %d bytes of an endless body", body.read.Load())
	assert.True(t, body.closed.Load(), "the body is closed")
}

func TestDecodeError_Undecodable2xx(t *testing.T) {
	t.Parallel()
	bodies := []struct {
		name string
		body string
	}{
		{"HTML", "<html><body>Welcome to the gateway</body></html>"},
		{"empty", ""},
		{"white space", "  \n "},
		{"truncated", `{"product_id":1,"job_id":"j","desktop_snapshots":[{"snapshot_id":"s`},
		{"trailing garbage", `{"total_count":0} trailing`},
		{"two values", `{} {}`},
		{"a string", `"ok"`},
		{"a number", `200`},
		{"an array", `[]`},
		{"null", `null`},
	}
	for _, op := range operations {
		for _, b := range bodies {
			t.Run(op.name+"/"+b.name, func(t *testing.T) {
				t.Parallel()
				c, mux := setup(t)
				mux.handle(op.rel, respond(http.StatusOK, b.body))
				got, err := op.call(testContext(t), c)
				assert.True(t, isNilResult(got), "never a zero value in place of a result, got %#v", got)
				de := errorAs[*DecodeError](t, err)
				assert.Equal(t, http.StatusOK, de.StatusCode)
				assert.Equal(t, "test-req-id", de.RequestID)
				assert.Equal(t, op.method, de.Method)
				assert.Equal(t, testPrefix+op.rel, de.Path)
				assert.Error(t, de.Err)
				assert.ErrorIs(t, err, de.Err)
				assert.Contains(t, err.Error(), op.method+" "+testPrefix+op.rel)
				var apiErr *APIError
				assert.False(t, errors.As(err, &apiErr))
			})
		}
	}
}

func TestDecodeError_TrailingWhiteSpaceIsFine(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	mux.handle("/desktop-pools/p/volumes/batch-delete", respond(http.StatusOK, "\n {\"job_id\":\"j\"} \r\n\t\n"))
	got, err := c.DesktopPools.BatchDeleteVolumes(testContext(t), "p", &BatchDeleteVolumesRequest{Volumes: makeVolumes(1)})
	require.NoError(t, err)
	assert.Equal(t, "j", got.JobID)
}

func TestDecodeError_OtherSuccessStatuses(t *testing.T) {
	t.Parallel()
	for _, status := range []int{200, 201, 202, 299} {
		t.Run(fmt.Sprint(status), func(t *testing.T) {
			t.Parallel()
			c, mux := setup(t)
			mux.handle("/workspace-jobs/j", respond(status, `{"id":"j"}`))
			job, err := c.Jobs.Get(testContext(t), "j")
			require.NoError(t, err)
			assert.Equal(t, "j", job.ID)
		})
	}
}

func TestContextErrors(t *testing.T) {
	t.Parallel()
	for _, op := range operations {
		t.Run(op.name+"/canceled before the call", func(t *testing.T) {
			t.Parallel()
			c, mux := setup(t)
			mux.handle(op.rel, respond(http.StatusOK, op.ok))
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			got, err := op.call(ctx, c)
			assert.True(t, isNilResult(got))
			assert.ErrorIs(t, err, context.Canceled)
			assert.Zero(t, mux.requests())
		})
		t.Run(op.name+"/deadline while waiting for the answer", func(t *testing.T) {
			t.Parallel()
			c, mux := setup(t)
			mux.handle(op.rel, func(w http.ResponseWriter, r *http.Request) {
				select {
				case <-r.Context().Done():
				case <-time.After(5 * time.Second):
				}
				writeJSON(w, http.StatusOK, op.ok)
			})
			ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
			defer cancel()
			start := time.Now()
			got, err := op.call(ctx, c)
			assert.True(t, isNilResult(got))
			assert.ErrorIs(t, err, context.DeadlineExceeded)
			assert.Less(t, time.Since(start), 3*time.Second)
		})
	}
}

// TestUnknownOutcome checks which failed writes match ErrUnknownOutcome (sent,
// and nothing says whether they took effect), that every other failed
// write does not, and that reads never do.
func TestUnknownOutcome(t *testing.T) {
	t.Parallel()
	const rel = "/desktop-pools/pool-1/volumes/batch-delete"
	deleteReq := &BatchDeleteVolumesRequest{Volumes: []VolumeInfo{{ID: "vol-1"}}}
	tests := []struct {
		name    string
		handler func(t *testing.T) http.HandlerFunc
		dead    bool // the endpoint refuses connections
		timeout time.Duration
		unknown bool
		also    error // another error the write matches
	}{
		{name: "500", handler: func(*testing.T) http.HandlerFunc { return respond(500, `{"error_code":"WKS.0500"}`) }, unknown: true, also: ErrServer},
		{name: "503", handler: func(*testing.T) http.HandlerFunc { return respond(503, ``) }, unknown: true, also: ErrServer},
		{name: "connection dropped after the request", handler: func(t *testing.T) http.HandlerFunc {
			return func(w http.ResponseWriter, _ *http.Request) { hijackClose(t, w) }
		}, unknown: true},
		{name: "2xx body cut off", handler: func(t *testing.T) http.HandlerFunc {
			return func(w http.ResponseWriter, _ *http.Request) { cutBody(t, w) }
		}, unknown: true},
		{name: "2xx that is not JSON", handler: func(*testing.T) http.HandlerFunc {
			return func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Content-Type", "text/html")
				_, _ = io.WriteString(w, "<html><body>gateway</body></html>")
			}
		}, unknown: true},
		{name: "timeout waiting for the answer", handler: func(*testing.T) http.HandlerFunc {
			return func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() }
		}, timeout: 100 * time.Millisecond, unknown: true, also: context.DeadlineExceeded},
		{name: "400", handler: func(*testing.T) http.HandlerFunc { return respond(400, `{"error_code":"WKS.0001"}`) }, also: ErrBadRequest},
		{name: "409 busy", handler: func(*testing.T) http.HandlerFunc { return respond(409, `{"error_code":"WKS.00010032"}`) }, also: ErrConflict},
		{name: "429", handler: func(*testing.T) http.HandlerFunc { return respond(429, ``) }, also: ErrThrottled},
		{name: "connection refused", dead: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var c *Client
			if tt.dead {
				var err error
				c, err = NewClient(WithEndpoint("http://"+deadAddr(t)), WithProjectID(testProjectID), WithToken(testToken),
					WithRetryPolicy(RetryPolicy{MaxAttempts: 1}))
				require.NoError(t, err)
			} else {
				var mux *testMux
				c, mux = setup(t)
				mux.handle(rel, tt.handler(t))
				mux.handle("/desktop-pools/pool-1/inconsistent-statics", tt.handler(t))
			}
			ctx := context.Background()
			if tt.timeout > 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, tt.timeout)
				defer cancel()
			}
			_, err := c.DesktopPools.BatchDeleteVolumes(ctx, "pool-1", deleteReq)
			require.Error(t, err)
			assert.Equal(t, tt.unknown, errors.Is(err, ErrUnknownOutcome), "write: %v", err)
			if tt.also != nil {
				assert.ErrorIs(t, err, tt.also)
			}
			if tt.unknown {
				assert.Contains(t, err.Error(), "may have taken effect")
			}
			if tt.dead {
				return
			}
			ctx = context.Background()
			if tt.timeout > 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, tt.timeout)
				defer cancel()
			}
			_, err = c.DesktopPools.GetInconsistentStatistics(ctx, "pool-1")
			require.Error(t, err)
			assert.NotErrorIs(t, err, ErrUnknownOutcome, "a read never matches it: %v", err)
		})
	}
}

// TestUnknownOutcomeCancelledWrite checks that a write whose context ends
// while it waits for the answer matches both ErrUnknownOutcome and
// context.Canceled, and one cancelled before it was sent only the latter.
func TestUnknownOutcomeCancelledWrite(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	arrived := make(chan struct{})
	mux.handle("/desktop-pools/pool-1/volumes/batch-delete", func(w http.ResponseWriter, r *http.Request) {
		close(arrived)
		<-r.Context().Done()
	})
	ctx, cancel := context.WithCancel(context.Background())
	go func() { <-arrived; cancel() }()
	_, err := c.DesktopPools.BatchDeleteVolumes(ctx, "pool-1", &BatchDeleteVolumesRequest{Volumes: []VolumeInfo{{ID: "vol-1"}}})
	assert.ErrorIs(t, err, ErrUnknownOutcome)
	assert.ErrorIs(t, err, context.Canceled)

	ctx, cancel = context.WithCancel(context.Background())
	cancel()
	_, err = c.DesktopPools.BatchDeleteVolumes(ctx, "pool-1", &BatchDeleteVolumesRequest{Volumes: []VolumeInfo{{ID: "vol-2"}}})
	assert.ErrorIs(t, err, context.Canceled)
	assert.NotErrorIs(t, err, ErrUnknownOutcome, "nothing was sent")
}

// TestErrorBodyBoundedAfterEscaping checks that an error body full of
// control bytes, which grow when escaped, still gives a Message within the
// bound (it was cut before escaping and grew past it).
func TestErrorBodyBoundedAfterEscaping(t *testing.T) {
	t.Parallel()
	for _, body := range []string{
		"<html>" + strings.Repeat("\x01\x02\x1b", 300) + "</html>",
		`{"error_msg":"` + strings.Repeat(`\u0001`, 400) + `"}`,
		strings.Repeat("\u2028", 200),
	} {
		e := newAPIError(502, nil, strings.NewReader(body), "GET", "/v2/p/x")
		assert.LessOrEqual(t, len(e.Message), maxErrorText, "%q", e.Message)
		assert.True(t, utf8.ValidString(e.Message))
		assert.NotContains(t, e.Message, "\x1b")
	}
}

// An APIError built by hand in a user's test prints without the empty
// method and path, and still matches the sentinels.
func TestAPIErrorBuiltInATest(t *testing.T) {
	t.Parallel()
	tests := []struct {
		err  *APIError
		want string
	}{
		{&APIError{StatusCode: 404}, "workspace: 404 Not Found"},
		{&APIError{StatusCode: 429, Code: "APIGW.0308"}, "workspace: 429 Too Many Requests: APIGW.0308"},
		{&APIError{StatusCode: 599}, "workspace: 599"},
		{&APIError{StatusCode: 409, Method: "POST"}, "workspace: POST: 409 Conflict"},
		{&APIError{StatusCode: 500, Method: "GET", Path: "/v2/p/x", RequestID: "r1"}, "workspace: GET /v2/p/x: 500 Internal Server Error (request id r1)"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, tt.err.Error())
	}
	var err error = &APIError{StatusCode: 404}
	assert.True(t, errors.Is(err, ErrNotFound))
}

// Server text in errors and logs is clipped to 256 bytes with control
// characters escaped, so a server cannot forge log lines; a token the
// server echoes back is redacted.
func TestServerTextClippedAndEscaped(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("x", 5000)
	forged := "ok\n2026-01-01 INFO forged line\r\x1b[31mred"
	srv := bareServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Request-Id", "req-"+long)
		w.Header().Set("Content-Type", "application/json")
		if strings.Contains(r.URL.Path, "workspace-jobs") {
			job, _ := json.Marshal(map[string]any{"id": "j", "status": "FAILED", "job_error_code": forged + long, "fail_reason": forged + long})
			_, _ = w.Write(job)
			return
		}
		w.WriteHeader(400)
		body, _ := json.Marshal(map[string]string{
			"error_code": forged + long, "error_msg": "bad token " + r.Header.Get("X-Auth-Token") + " " + forged + long,
			"error_detail": forged,
		})
		_, _ = w.Write(body)
	})
	var logs logBuffer
	c := clientFor(t, srv.URL, WithLogger(slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))))
	_, err := c.DesktopPools.GetInconsistentStatistics(context.Background(), "pool-1")
	var apiErr *APIError
	require.ErrorAs(t, err, &apiErr)
	_, jerr := c.Jobs.Wait(context.Background(), "j", nil)
	require.Error(t, jerr)
	for _, s := range []string{apiErr.Code, apiErr.Message, apiErr.Detail, apiErr.RequestID} {
		assert.LessOrEqual(t, len(s), 2*maxErrorText, "clipped (escapes may lengthen it)")
	}
	for what, s := range map[string]string{"APIError": err.Error(), "JobFailedError": jerr.Error(), "logs": logs.String()} {
		assert.NotContains(t, s, "\n2026", what)
		assert.NotContains(t, s, "\r", what)
		assert.NotContains(t, s, "\x1b", what)
		assert.NotContains(t, s, testToken, what)
		assert.Less(t, len(s), 8*maxErrorText+len(logs.String())*0+4000, what)
	}
	assert.Contains(t, apiErr.Message, "REDACTED")
}

// A 403 whose encoded_authorization_message echoes the token with a JSON
// escape that is not encoding/json's ("\u0074" for 't'): the field is
// kept whole for IAM's decoder, with the token replaced, so %#v and
// json.Marshal of the *APIError do not print it.
func TestEncodedAuthorizationMessageEchoRedacted(t *testing.T) {
	t.Parallel()
	escaped := `\u0074` + testToken[1:]
	srv := bareServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusForbidden)
		_, _ = fmt.Fprintf(w, `{"error_code":"IAM.0002","error_msg":"denied %s","encoded_authorization_message":"ctx %s"}`, escaped, escaped)
	})
	c := clientFor(t, srv.URL)
	var out map[string]any
	err := c.Do(testContext(t), http.MethodGet, "/desktops", nil, nil, &out)
	var apiErr *APIError
	require.ErrorAs(t, err, &apiErr)
	assert.NotContains(t, apiErr.Message, testToken, "control: error_msg is redacted")
	assert.NotContains(t, apiErr.EncodedAuthorizationMessage, testToken)
	assert.NotContains(t, fmt.Sprintf("%#v", err), testToken)
	js, _ := json.Marshal(err)
	assert.NotContains(t, string(js), testToken)
}

// A server that URL-escapes with lower-case hex, as .NET's
// HttpUtility.UrlEncode does ("%2b", "%2f", "%3d"), echoes a base64 token
// in a form that is still replaced.
func TestLowerCaseURLEscapedEchoRedacted(t *testing.T) {
	t.Parallel()
	const token = "MIIEhgYJKoZIhvcNAQcCoIIEdzCCBHMCAQ+/Ex4mpl3=="
	srv := bareServer(t, func(w http.ResponseWriter, r *http.Request) {
		// the letters as sent; only the escapes' hex in lower case
		echo := lowerHexEscaped(url.QueryEscape(r.Header.Get("X-Auth-Token")))
		w.Header().Set("Content-Type", "text/plain")
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = io.WriteString(w, "invalid token: "+echo)
	})
	c, err := NewClient(WithEndpoint(srv.URL), WithProjectID(testProjectID), WithToken(token))
	require.NoError(t, err)
	var out map[string]any
	err = c.Do(testContext(t), http.MethodGet, "/desktops", nil, nil, &out)
	var apiErr *APIError
	require.ErrorAs(t, err, &apiErr)
	unescaped, _ := url.QueryUnescape(apiErr.Message)
	assert.NotContains(t, unescaped, token, "the message %q is the token once unescaped", apiErr.Message)
}

// lowerHexEscaped lower-cases the hex digits of every %XX escape of s.
func lowerHexEscaped(s string) string {
	b := []byte(s)
	for i := 0; i+2 < len(b); i++ {
		if b[i] == '%' {
			b[i+1], b[i+2] = lowerHexDigit(b[i+1]), lowerHexDigit(b[i+2])
		}
	}
	return string(b)
}

func lowerHexDigit(c byte) byte {
	if 'A' <= c && c <= 'F' {
		return c + 'a' - 'A'
	}
	return c
}

// ConfigError prints a short error on one line and a long one (more than
// three names, or a line of more than about 120 characters) with one name
// a line, under each thing missing where several are; Missing stays the
// flat list.
func TestConfigError_Error(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("x", 100)
	tests := []struct {
		name string
		err  *ConfigError
		want string
	}{
		{name: "nothing missing", err: &ConfigError{Reason: "more than one kind of credentials: WithToken, WithAccessKey"},
			want: "workspace: configuration: more than one kind of credentials: WithToken, WithAccessKey"},
		{name: "two names, short", err: &ConfigError{Reason: "no project id", Missing: []string{"WithProjectID", envnames.ProjectID}},
			want: "workspace: configuration: no project id (set WithProjectID, or HUAWEICLOUD_SDK_PROJECT_ID)"},
		{name: "three names, short", err: &ConfigError{Reason: "r", Missing: []string{"A", "B", "C"}},
			want: "workspace: configuration: r (set A, or B, or C)"},
		{name: "four names", err: &ConfigError{Reason: "r", Missing: []string{"A", "B", "C", "D"}},
			want: "workspace: configuration: r; set one of:\n  - A\n  - B\n  - C\n  - D"},
		{name: "two names, long", err: &ConfigError{Reason: long, Missing: []string{"WithProjectID", envnames.ProjectID}},
			want: "workspace: configuration: " + long + "; set one of:\n  - WithProjectID\n  - HUAWEICLOUD_SDK_PROJECT_ID"},
		{name: "one name, long", err: &ConfigError{Reason: long, Missing: []string{"WithProjectID (to look it up)"}},
			want: "workspace: configuration: " + long + "; set:\n  - WithProjectID (to look it up)"},
		{name: "groups", err: &ConfigError{Reason: "no a, no b", Missing: []string{"A1", "A2", "B1", "B2"},
			groups: []missingGroup{{"no a", []string{"A1", "A2"}}, {"no b", []string{"B1", "B2"}}}},
			want: "workspace: configuration: no a, no b\n  no a; set one of:\n    - A1\n    - A2\n  no b; set one of:\n    - B1\n    - B2"},
		{name: "groups no longer Missing: Missing is printed", err: &ConfigError{Reason: "r", Missing: []string{"A1", "A2", "B1", "C1"},
			groups: []missingGroup{{"no a", []string{"A1", "A2"}}, {"no b", []string{"B1", "B2"}}}},
			want: "workspace: configuration: r; set one of:\n  - A1\n  - A2\n  - B1\n  - C1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tt.want, tt.err.Error())
		})
	}
}

// NewClient's "nothing configured" prints one line for each option,
// variable or file key, under each thing missing; Missing is the flat
// list it always was.
func TestConfigError_NothingConfigured(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		opts    []Option
		want    string
		missing []string
	}{
		{name: "no options", opts: nil,
			want: "workspace: configuration: no credentials, no endpoint or region, no project id (the variables are read by config.Load)\n" +
				"  no credentials; set one of:\n" +
				"    - WithAccessKey\n    - WithToken\n    - WithTokenSource\n    - WithCredentialsProvider\n" +
				"    - HUAWEICLOUD_SDK_AK and HUAWEICLOUD_SDK_SK\n    - HUAWEICLOUD_SDK_TOKEN\n" +
				"  no endpoint or region; set one of:\n" +
				"    - WithRegion\n    - WithEndpoint\n    - HUAWEICLOUD_SDK_REGION\n    - HUAWEICLOUD_SDK_WORKSPACE_ENDPOINT\n" +
				"  no project id; set one of:\n" +
				"    - WithProjectID\n    - HUAWEICLOUD_SDK_PROJECT_ID",
			missing: []string{"WithAccessKey", "WithToken", "WithTokenSource", "WithCredentialsProvider",
				envnames.AccessKey + " and " + envnames.SecretKey, envnames.Token,
				"WithRegion", "WithEndpoint", envnames.Region, envnames.Endpoint, "WithProjectID", envnames.ProjectID}},
		{name: "no credentials", opts: []Option{WithRegion("ap-southeast-3"), WithProjectID(testProjectID)},
			want: "workspace: configuration: no credentials; set one of:\n" +
				"  - WithAccessKey\n  - WithToken\n  - WithTokenSource\n  - WithCredentialsProvider\n" +
				"  - HUAWEICLOUD_SDK_AK and HUAWEICLOUD_SDK_SK\n  - HUAWEICLOUD_SDK_TOKEN",
			missing: []string{"WithAccessKey", "WithToken", "WithTokenSource", "WithCredentialsProvider",
				envnames.AccessKey + " and " + envnames.SecretKey, envnames.Token}},
		{name: "short: one line", opts: []Option{WithToken(testToken), WithRegion("ap-southeast-3")},
			want:    "workspace: configuration: no project id (set WithProjectID, or HUAWEICLOUD_SDK_PROJECT_ID)",
			missing: []string{"WithProjectID", envnames.ProjectID}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := NewClient(tt.opts...)
			var ce *ConfigError
			require.ErrorAs(t, err, &ce)
			assert.Equal(t, tt.want, err.Error())
			assert.Equal(t, tt.missing, ce.Missing)
		})
	}
}

// A missing desktop pool is the API's 400 WKS.0001 (the vendor's Terraform
// provider reads it so); errors.Is(err, ErrNotFound) holds for it, and for
// nothing else answered 400.
func TestAPIErrorMissingPoolIsNotFound(t *testing.T) {
	t.Parallel()
	const prefix = "/v2/0bec5db98280d2d02fd6c00c2de791ce"
	for _, tt := range []struct {
		e        APIError
		notFound bool
	}{
		{APIError{StatusCode: 400, Code: "WKS.0001", Path: prefix + "/desktop-pools/p1"}, true},
		{APIError{StatusCode: 400, Code: "WKS.0001", Path: prefix + "/desktop-pools/p1/desktops"}, true},
		{APIError{StatusCode: 400, Code: " WKS.0001 ", Path: prefix + "/desktop-pools/p1/rebuild"}, true},
		{APIError{StatusCode: 400, Code: "WKS.0001", Path: prefix + "/desktop-pools"}, false},
		{APIError{StatusCode: 400, Code: "WKS.0001", Path: prefix + "/desktop-pools/script-execution-tasks/detail"}, false},
		{APIError{StatusCode: 400, Code: "WKS.0001", Path: prefix + "/desktops/d1"}, false},
		{APIError{StatusCode: 400, Code: "WKS.00010001", Path: prefix + "/desktop-pools/p1"}, false},
		{APIError{StatusCode: 409, Code: "WKS.0001", Path: prefix + "/desktop-pools/p1"}, false},
		{APIError{StatusCode: 404, Path: prefix + "/desktop-pools/p1"}, true},
	} {
		e := tt.e
		assert.Equal(t, tt.notFound, errors.Is(&e, ErrNotFound), "%+v", e)
		assert.Equal(t, e.StatusCode == 400, errors.Is(&e, ErrBadRequest), "%+v", e)
	}
}
