package workspace

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"

	"github.com/hwcloud-go/workspace/internal/wire"
)

// Seed corpora live in testdata/fuzz/<target>; `go test` runs them as
// ordinary tests, `make fuzz` explores from them.

var fuzzBodies = []string{
	`{"product_id":1,"image_id":2,"disk_num":3,"disk_size":4}`,
	`{"job_id":"0b1c2d3e"}`,
	`{"total_count":2,"script_execution_tasks":[{"id":"t1","scripts":[{"id":"s","name":"n"}],"start_time":"2025-01-02T03:04:05Z","end_time":null,"status":"FINISH"}]}`,
	`{"image_infos":[{"desktop_id":"d","image_id":"i","image_name":"n","image_type":"gold","os_type":"Windows"}]}`,
	`{"total_count":1,"desktop_snapshots":[{"snapshot_id":"s","process":50,"create_time":"2025-01-02 03:04:05","last_restore_time":""}]}`,
	`{"id":"j","status":"SUCCESS","begin_time":"2025-01-02T03:04:05.123+08:00","sub_jobs":[{"id":"sj","process":"100","entities":{"desktop_id":"d"}}]}`,
	`{"sub_jobs":[{"process":"50%"}],"begin_time":"yesterday"}`,
	`<html><body>502 Bad Gateway</body></html>`,
	``, `null`, `[]`, `{}`, `{"total_count":-1}`, `{"a":1} {"b":2}`, `{"image_infos":null}`,
	"{\"id\":\"\xff\xfe\"}", `{"total_count":1e400}`, `{"process":1.5}`,
}

// FuzzDecodeSuccessBodies decodes arbitrary bytes as the 2xx answer of
// every operation, through decodeBody and the same conversion the
// operation applies. Nothing may panic, and a body that decodes must be
// one JSON value.
func FuzzDecodeSuccessBodies(f *testing.F) {
	for _, b := range fuzzBodies {
		f.Add([]byte(b))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		check := func(name string, err error) bool {
			if err == nil {
				if !json.Valid(data) {
					t.Fatalf("%s: decoded a body that is not one JSON value: %q", name, data)
				}
				return true
			}
			if err.Error() == "" {
				t.Fatalf("%s: empty error", name)
			}
			return false
		}
		var stats InconsistentStatistics
		check("statistics", decodeBody(bytes.NewReader(data), statisticsWire(&stats)))
		var del wire.JobRef
		check("batch-delete", decodeBody(bytes.NewReader(data), &del))
		var tasks wire.TaskPage
		if check("tasks", decodeBody(bytes.NewReader(data), &tasks)) {
			for i := range tasks.Tasks {
				_ = taskFromWire(&tasks.Tasks[i])
			}
		}
		var images wire.Images
		if check("images", decodeBody(bytes.NewReader(data), &images)) {
			_ = imagesFromWire(images.ImageInfos)
		}
		var snaps wire.SnapshotPage
		snapsErr := decodeBody(bytes.NewReader(data), &snaps)
		if check("snapshots", snapsErr) {
			for i := range snaps.Snapshots {
				_ = snapshotFromWire(&snaps.Snapshots[i])
			}
		}
		// List decodes into the public type directly: it takes what the
		// wire form takes, with the same error, to the same snapshots.
		var pub snapshotPage
		pubErr := decodeBody(bytes.NewReader(data), &pub)
		switch {
		case (snapsErr == nil) != (pubErr == nil):
			t.Fatalf("snapshots: wire form error %v, public %v", snapsErr, pubErr)
		case snapsErr != nil && snapsErr.Error() != pubErr.Error():
			t.Fatalf("snapshots: wire form error %q, public %q", snapsErr, pubErr)
		case snapsErr == nil:
			want := snapshotPage{w: snaps}
			want.fromWire()
			if !reflect.DeepEqual(pub.page, want.page) {
				t.Fatalf("snapshots: public page %+v, converted wire page %+v", pub.page, want.page)
			}
		}
		var job wire.Job
		if check("job", decodeBody(bytes.NewReader(data), &job)) {
			j := jobFromWire(&job)
			_, _ = j.Done(), j.Failed()
			if len(j.SubJobs) != len(job.SubJobs) {
				t.Fatalf("job: %d sub-jobs, %d decoded", len(j.SubJobs), len(job.SubJobs))
			}
		}
	})
}

// fuzzTransport answers every request with the response set for it: no
// network at all.
type fuzzTransport struct {
	mu     sync.Mutex
	status int
	header http.Header
	body   []byte
}

func (rt *fuzzTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	if r.Body != nil {
		_, _ = io.Copy(io.Discard, r.Body)
		r.Body.Close()
	}
	return &http.Response{
		StatusCode: rt.status, Header: rt.header.Clone(), Request: r,
		Body: io.NopCloser(bytes.NewReader(rt.body)), ContentLength: int64(len(rt.body)),
	}, nil
}

// FuzzOperationAnswers feeds arbitrary answers (status, request id, body)
// to every operation through the client's one request path: no panic; a
// non-2xx is an *APIError with that status, a 2xx either a result or a
// *DecodeError; error text is valid UTF-8 and bounded.
func FuzzOperationAnswers(f *testing.F) {
	for i, b := range fuzzBodies {
		f.Add(uint16(i*37), "req-1", []byte(b))
	}
	f.Add(uint16(200), "", []byte(`{"error_code":"WKS.0001","error_msg":"nope"}`))
	f.Add(uint16(404-200), "r", []byte(`{"error_code":"WKS.0001","error_msg":"nope","request_id":"x"}`))
	rt := &fuzzTransport{}
	c, err := NewClient(WithEndpoint("http://fuzz.invalid/base"), WithProjectID(testProjectID), WithToken(testToken),
		WithRetryPolicy(RetryPolicy{MaxAttempts: 1}), WithHTTPClient(&http.Client{Transport: rt}))
	if err != nil {
		f.Fatal(err)
	}
	ctx := context.Background()
	f.Fuzz(func(t *testing.T, code uint16, requestID string, body []byte) {
		status := 200 + int(code)%400 // 200 to 599
		rt.mu.Lock()
		rt.status, rt.body = status, body
		rt.header = http.Header{"Content-Type": {"application/json"}}
		if requestID != "" {
			rt.header.Set("X-Request-Id", requestID)
		}
		rt.mu.Unlock()
		ops := []func() (bool, error){
			func() (bool, error) {
				r, err := c.DesktopPools.GetInconsistentStatistics(ctx, "pool")
				return r != nil, err
			},
			func() (bool, error) {
				r, err := c.DesktopPools.BatchDeleteVolumes(ctx, "pool", deleteRequest)
				return r != nil, err
			},
			func() (bool, error) {
				r, err := c.DesktopPools.ListScriptExecutionTasks(ctx, nil)
				return r != nil, err
			},
			func() (bool, error) {
				r, err := c.Desktops.CheckImages(ctx, []string{"d-1"})
				return r != nil, err
			},
			func() (bool, error) {
				r, err := c.Snapshots.List(ctx, nil)
				return r != nil, err
			},
			func() (bool, error) {
				r, err := c.Jobs.Get(ctx, "job")
				return r != nil, err
			},
		}
		for i, op := range ops {
			got, err := op()
			if err == nil {
				if status < 200 || status > 299 || !got {
					t.Fatalf("op %d: status %d: no error and result %v", i, status, got)
				}
				continue
			}
			if got {
				t.Fatalf("op %d: a result with an error", i)
			}
			var apiErr *APIError
			var decErr *DecodeError
			switch {
			case status >= 300:
				if !errors.As(err, &apiErr) || apiErr.StatusCode != status {
					t.Fatalf("op %d: status %d gave %T %v", i, status, err, err)
				}
			case !errors.As(err, &decErr):
				t.Fatalf("op %d: a 2xx gave %T %v", i, err, err)
			}
			msg := err.Error()
			if strings.Contains(msg, testToken) {
				t.Fatalf("op %d: token in error", i)
			}
			if apiErr != nil && (!utf8.ValidString(apiErr.Message) || len(apiErr.Message) > maxMessage) {
				t.Fatalf("op %d: message %q", i, apiErr.Message)
			}
		}
	})
}

// maxMessage is the longest APIError.Message newAPIError may keep.
var maxMessage = len("unexpected error body: ") + maxErrorText + len("…")

// FuzzNewAPIError builds the error of a non-2xx answer from arbitrary
// bytes: no panic, status kept, every text field bounded and valid UTF-8.
func FuzzNewAPIError(f *testing.F) {
	seeds := append([]string{
		`{"error_code":"WKS.00010032","error_msg":"The desktop pool does not exist.","error_detail":"d","request_id":"r"}`,
		`{"error_code":"APIGW.0301","error_msg":"Incorrect IAM authentication information","encoded_authorization_message":"xyz"}`,
		`{"error_msg":` + `"` + strings.Repeat("é", 400) + `"}`,
		"<html>\n<head><title>503</title></head>\n<body>Service Unavailable</body>\n</html>",
		"\xff\xfe\xfd not utf-8 \x00", `{"error_code":12}`, `{`, "   ",
	}, fuzzBodies...)
	for i, s := range seeds {
		f.Add(400+i, []byte(s))
	}
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		e := newAPIError(status, nil, bytes.NewReader(body), "GET", "/v2/p/x")
		if e == nil || e.StatusCode != status {
			t.Fatalf("status %d lost: %+v", status, e)
		}
		if len(e.Message) > maxMessage {
			t.Fatalf("message of %d bytes", len(e.Message))
		}
		for name, v := range map[string]string{"Message": e.Message, "Code": e.Code, "Detail": e.Detail, "RequestID": e.RequestID} {
			if !utf8.ValidString(v) {
				t.Fatalf("%s is not valid UTF-8: %q", name, v)
			}
			if len(v) > maxMessage {
				t.Fatalf("%s of %d bytes", name, len(v))
			}
		}
		if msg := e.Error(); !utf8.ValidString(msg) || !strings.HasPrefix(msg, "workspace: GET /v2/p/x: ") {
			t.Fatalf("Error() = %q", msg)
		}
		_ = errors.Is(e, ErrNotFound)
	})
}

// FuzzEscapeSegment checks that an id put into a path stays one segment:
// it decodes back to itself, adds no segment, query or fragment, and is
// never a dot segment.
func FuzzEscapeSegment(f *testing.F) {
	for _, s := range []string{"pool-1", "a/b", "..", ".", "...", "a?b#c", "%2F", "%", "é", " ", "\x00", "a;b=c", "+", "~user"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		e := escapeSegment(s)
		if strings.ContainsAny(e, "/?#") {
			t.Fatalf("escapeSegment(%q) = %q", s, e)
		}
		if e == "." || e == ".." {
			t.Fatalf("escapeSegment(%q) = %q, a dot segment", s, e)
		}
		back, err := url.PathUnescape(e)
		if err != nil || back != s {
			t.Fatalf("escapeSegment(%q) = %q decodes to %q, %v", s, e, back, err)
		}
		u, err := url.Parse("https://h/v2/p/desktop-pools/" + e + "/inconsistent-statics")
		if err != nil {
			t.Fatalf("path with %q does not parse: %v", e, err)
		}
		if u.Path != "/v2/p/desktop-pools/"+s+"/inconsistent-statics" || u.RawQuery != "" || u.Fragment != "" {
			t.Fatalf("%q became path %q query %q fragment %q", s, u.Path, u.RawQuery, u.Fragment)
		}
		if n := strings.Count(u.EscapedPath(), "/"); n != 5 {
			t.Fatalf("%q: %d slashes in %q", s, n, u.EscapedPath())
		}
	})
}
