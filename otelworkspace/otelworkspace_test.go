package otelworkspace_test

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/hwcloud-go/workspace"
	"github.com/hwcloud-go/workspace/otelworkspace"
	"github.com/hwcloud-go/workspace/workspacetest"
)

func TestMain(m *testing.M) {
	// The propagator is global in OpenTelemetry; every test wants the W3C
	// trace context, so it is set once, before any test runs.
	otel.SetTextMapPropagator(propagation.TraceContext{})
	os.Exit(m.Run())
}

// traced is a fake server, a client recording spans in memory, and a
// parent span for the test's calls.
type traced struct {
	srv    *workspacetest.Server
	c      *workspace.Client
	exp    *tracetest.InMemoryExporter
	tp     *sdktrace.TracerProvider
	ctx    context.Context // carries the parent span
	parent trace.Span
}

func newTraced(t *testing.T, srvOpts []workspacetest.Option, opts ...workspace.Option) *traced {
	t.Helper()
	srv := workspacetest.NewServer(srvOpts...)
	t.Cleanup(srv.Close)
	exp := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp))
	t.Cleanup(func() { _ = tp.Shutdown(context.Background()) })
	c := srv.Client(append([]workspace.Option{otelworkspace.WithTracerProvider(tp)}, opts...)...)
	ctx, parent := tp.Tracer("test").Start(context.Background(), "test")
	return &traced{srv: srv, c: c, exp: exp, tp: tp, ctx: ctx, parent: parent}
}

// spans ends the parent span and returns every span recorded.
func (tr *traced) spans() tracetest.SpanStubs {
	tr.parent.End()
	return tr.exp.GetSpans()
}

// children are the spans whose parent is the span with id, in start order.
func children(all tracetest.SpanStubs, id trace.SpanID) []tracetest.SpanStub {
	var out []tracetest.SpanStub
	for _, s := range all {
		if s.Parent.SpanID() == id {
			out = append(out, s)
		}
	}
	slices.SortFunc(out, func(a, b tracetest.SpanStub) int { return a.StartTime.Compare(b.StartTime) })
	return out
}

func attrs(s tracetest.SpanStub) map[attribute.Key]attribute.Value {
	m := make(map[attribute.Key]attribute.Value, len(s.Attributes))
	for _, kv := range s.Attributes {
		m[kv.Key] = kv.Value
	}
	return m
}

func seedSnapshots(srv *workspacetest.Server, n int) {
	for i := range n {
		srv.AddSnapshot(workspace.Snapshot{
			ID: fmt.Sprintf("snap-%03d", i), Name: fmt.Sprintf("nightly-%03d", i),
			DesktopID: "desk-1", DesktopName: "alice-pc", Status: workspace.SnapshotStatus("create_success"),
		})
	}
}

// A read answered 503 and then 200: one call span, two attempt spans under
// it, the second with http.request.resend_count 1.
func TestSpansOfRetriedCall(t *testing.T) {
	t.Parallel()
	tr := newTraced(t, nil)
	seedSnapshots(tr.srv, 3)
	tr.srv.FailNext(workspacetest.OpListSnapshots, 1, http.StatusServiceUnavailable, "")

	page, err := tr.c.Snapshots.List(tr.ctx, &workspace.ListSnapshotsOptions{SnapshotName: "nightly-001"})
	require.NoError(t, err)
	require.Len(t, page.Items, 1)

	all := tr.spans()
	require.Len(t, all, 4, "parent, call, two attempts")
	calls := children(all, tr.parent.SpanContext().SpanID())
	require.Len(t, calls, 1)
	call := calls[0]
	assert.Equal(t, "Workspace.ListDesktopSnapshot", call.Name)
	assert.Equal(t, trace.SpanKindClient, call.SpanKind)
	assert.Equal(t, codes.Unset, call.Status.Code)
	host, port := hostPort(t, tr.srv.URL)
	ca := attrs(call)
	assert.Equal(t, "huaweicloud-api", ca["rpc.system.name"].AsString())
	assert.Equal(t, "Workspace.ListDesktopSnapshot", ca["rpc.method"].AsString())
	assert.Equal(t, host, ca["server.address"].AsString())
	assert.Equal(t, int64(port), ca["server.port"].AsInt64())
	assert.Equal(t, "200", ca["rpc.response.status_code"].AsString())
	assert.NotContains(t, ca, attribute.Key("error.type"))

	reqs := tr.srv.RequestsFor(workspacetest.OpListSnapshots)
	require.Len(t, reqs, 2)
	assert.Equal(t, reqs[1].RequestID, ca["huaweicloud.request_id"].AsString(), "the request id of the successful answer")

	attempts := children(all, call.SpanContext.SpanID())
	require.Len(t, attempts, 2)
	for i, a := range attempts {
		aa := attrs(a)
		assert.Equal(t, "GET", a.Name)
		assert.Equal(t, trace.SpanKindClient, a.SpanKind)
		assert.Equal(t, "GET", aa["http.request.method"].AsString())
		assert.Equal(t, host, aa["server.address"].AsString())
		assert.Equal(t, int64(port), aa["server.port"].AsInt64())
		assert.Equal(t, tr.srv.URL+"/v2/"+tr.srv.ProjectID+"/snapshots", aa["url.full"].AsString(), "no query string")
		assert.Equal(t, reqs[i].RequestID, aa["huaweicloud.request_id"].AsString())
		assert.Equal(t, int64(reqs[i].Status), aa["http.response.status_code"].AsInt64())
		// Each attempt carried its own span as the trace context.
		want := fmt.Sprintf("00-%s-%s-01", a.SpanContext.TraceID(), a.SpanContext.SpanID())
		assert.Equal(t, want, reqs[i].Header.Get("Traceparent"), "attempt %d", i+1)
	}
	first, second := attrs(attempts[0]), attrs(attempts[1])
	assert.NotContains(t, first, attribute.Key("http.request.resend_count"))
	assert.Equal(t, int64(1), second["http.request.resend_count"].AsInt64())
	assert.Equal(t, "503", first["error.type"].AsString())
	assert.Equal(t, codes.Error, attempts[0].Status.Code)
	assert.NotContains(t, second, attribute.Key("error.type"))
	assert.Equal(t, codes.Unset, attempts[1].Status.Code)
	assert.True(t, attempts[0].EndTime.Compare(attempts[1].StartTime) <= 0, "attempts one after the other")
	assert.True(t, !call.EndTime.Before(attempts[1].EndTime), "the call span covers its attempts")
}

// Calls that fail: the call span has the status Error and error.type; the
// API's error code and the request id are there for support.
func TestSpansOfFailedCall(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name         string
		status       int
		wantAttempts int
	}{
		{"not found, not retried", http.StatusNotFound, 1},
		{"server errors until retries are exhausted", http.StatusBadGateway, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tr := newTraced(t, nil)
			tr.srv.FailNext(workspacetest.OpGetJob, 5, tt.status, "")
			_, err := tr.c.Jobs.Get(tr.ctx, "job-1")
			require.Error(t, err)

			all := tr.spans()
			calls := children(all, tr.parent.SpanContext().SpanID())
			require.Len(t, calls, 1)
			call := calls[0]
			assert.Equal(t, "Workspace.ShowJob", call.Name)
			assert.Equal(t, codes.Error, call.Status.Code)
			var apiErr *workspace.APIError
			require.ErrorAs(t, err, &apiErr)
			assert.Equal(t, fmt.Sprintf("GET /v2/%s/workspace-jobs/job-1: %d %s: %s", tr.srv.ProjectID, tt.status, http.StatusText(tt.status), apiErr.Code),
				call.Status.Description)
			ca := attrs(call)
			assert.Equal(t, fmt.Sprint(tt.status), ca["error.type"].AsString())
			assert.Equal(t, fmt.Sprint(tt.status), ca["rpc.response.status_code"].AsString())
			assert.Equal(t, apiErr.Code, ca["huaweicloud.error_code"].AsString())
			assert.NotEmpty(t, ca["huaweicloud.error_code"].AsString())
			assert.Equal(t, apiErr.RequestID, ca["huaweicloud.request_id"].AsString())

			attempts := children(all, call.SpanContext.SpanID())
			require.Len(t, attempts, tt.wantAttempts)
			for i, a := range attempts {
				aa := attrs(a)
				assert.Equal(t, codes.Error, a.Status.Code)
				assert.Equal(t, fmt.Sprint(tt.status), aa["error.type"].AsString())
				if i > 0 {
					assert.Equal(t, int64(i), aa["http.request.resend_count"].AsInt64())
				}
			}
		})
	}
}

// A call that never got an answer: error.type names the cause.
func TestSpansOfTransportFailure(t *testing.T) {
	t.Parallel()
	tr := newTraced(t, nil, workspace.WithRetryPolicy(workspace.RetryPolicy{MaxAttempts: 1}))
	ctx, cancel := context.WithTimeout(tr.ctx, 30*time.Millisecond)
	defer cancel()
	tr.srv.SetLatency(time.Second)
	_, err := tr.c.Jobs.Get(ctx, "job-1")
	require.ErrorIs(t, err, context.DeadlineExceeded)

	all := tr.spans()
	calls := children(all, tr.parent.SpanContext().SpanID())
	require.Len(t, calls, 1)
	assert.Equal(t, "timeout", attrs(calls[0])["error.type"].AsString())
	assert.NotContains(t, attrs(calls[0]), attribute.Key("rpc.response.status_code"), "no answer")
	attempts := children(all, calls[0].SpanContext.SpanID())
	require.Len(t, attempts, 1)
	assert.Equal(t, "timeout", attrs(attempts[0])["error.type"].AsString())
	assert.NotContains(t, attrs(attempts[0]), attribute.Key("http.response.status_code"))
}

// A batch-delete and the polls of its job: one call span each, side by
// side under the caller's span.
func TestSpansOfBatchDeleteAndJobPolls(t *testing.T) {
	t.Parallel()
	// The fake's clock moves 300 ms each time it is read: the job runs for
	// a few polls, however fast or slow the machine.
	var ticks atomic.Int64
	start := time.Now()
	clock := func() time.Time { return start.Add(time.Duration(ticks.Add(1)) * 300 * time.Millisecond) }
	tr := newTraced(t, []workspacetest.Option{workspacetest.WithClock(clock), workspacetest.WithJobDelay(time.Second)})
	pool := tr.srv.AddPool(workspacetest.Pool{Name: "pool", Volumes: []workspace.VolumeInfo{{Type: "SAS", Size: 100}}})

	res, err := tr.c.DesktopPools.BatchDeleteVolumes(tr.ctx, pool.ID, &workspace.BatchDeleteVolumesRequest{
		Volumes: []workspace.VolumeInfo{{Type: "SAS", Size: 100}},
	})
	require.NoError(t, err)
	job, err := tr.c.Jobs.Wait(tr.ctx, res.JobID, &workspace.WaitOptions{Interval: time.Millisecond})
	require.NoError(t, err)
	require.EqualValues(t, workspacetest.JobStatusSuccess, job.Status)

	polls := tr.srv.RequestsFor(workspacetest.OpGetJob)
	require.GreaterOrEqual(t, len(polls), 2, "the job ran for a while")
	all := tr.spans()
	calls := children(all, tr.parent.SpanContext().SpanID())
	require.Len(t, calls, 1+len(polls))
	assert.Equal(t, "Workspace.DeleteDesktopPoolVolumes", calls[0].Name)
	del := tr.srv.RequestsFor(workspacetest.OpBatchDeleteVolumes)
	require.Len(t, del, 1)
	assert.Equal(t, del[0].RequestID, attrs(calls[0])["huaweicloud.request_id"].AsString(),
		"the request id of a successful batch-delete, what support asks for")
	for i, c := range calls[1:] {
		assert.Equal(t, "Workspace.ShowJob", c.Name)
		assert.Equal(t, polls[i].RequestID, attrs(c)["huaweicloud.request_id"].AsString())
	}
	for _, c := range calls {
		attempts := children(all, c.SpanContext.SpanID())
		require.Len(t, attempts, 1)
		assert.Equal(t, c.SpanContext.TraceID(), attempts[0].SpanContext.TraceID())
	}
	assert.Equal(t, "POST", children(all, calls[0].SpanContext.SpanID())[0].Name)
}

// An iterator's pages: one call span per page.
func TestSpansOfIteratorPages(t *testing.T) {
	t.Parallel()
	tr := newTraced(t, nil)
	seedSnapshots(tr.srv, 25)
	n := 0
	for _, err := range tr.c.Snapshots.All(tr.ctx, &workspace.ListSnapshotsOptions{Limit: 10}) {
		require.NoError(t, err)
		n++
	}
	require.Equal(t, 25, n)

	all := tr.spans()
	calls := children(all, tr.parent.SpanContext().SpanID())
	require.Len(t, calls, 3, "pages of 10, 10 and 5")
	for _, c := range calls {
		assert.Equal(t, "Workspace.ListDesktopSnapshot", c.Name)
		require.Len(t, children(all, c.SpanContext.SpanID()), 1)
	}
}

// 16 goroutines at once, each under a span of its own, with faults on the
// way: every call span is in its goroutine's trace, with its own attempts.
func TestSpansOf16Goroutines(t *testing.T) {
	t.Parallel()
	// More attempts than faults: however the 8 faults fall on the
	// goroutines, no call runs out of attempts.
	tr := newTraced(t, nil, workspace.WithRetryPolicy(workspace.RetryPolicy{MaxAttempts: 10, BaseDelay: time.Millisecond, MaxDelay: 2 * time.Millisecond}))
	seedSnapshots(tr.srv, 5)
	tr.srv.FailNext(workspacetest.OpAny, 8, http.StatusServiceUnavailable, "")
	tracer := tr.tp.Tracer("test")

	const workers, callsEach = 16, 4
	roots := make([]trace.SpanContext, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ctx, root := tracer.Start(context.Background(), fmt.Sprintf("worker-%d", w))
			defer root.End()
			roots[w] = root.SpanContext()
			for i := range callsEach {
				var err error
				if i%2 == 0 {
					_, err = tr.c.Snapshots.List(ctx, nil)
				} else {
					_, err = tr.c.Jobs.Get(ctx, "no-such-job")
				}
				if i%2 == 0 {
					assert.NoError(t, err)
				} else {
					assert.ErrorIs(t, err, workspace.ErrNotFound)
				}
			}
		}()
	}
	wg.Wait()

	all := tr.spans()
	totalAttempts := 0
	for w, root := range roots {
		calls := children(all, root.SpanID())
		require.Len(t, calls, callsEach, "worker %d", w)
		for _, c := range calls {
			assert.Equal(t, root.TraceID(), c.SpanContext.TraceID())
			attempts := children(all, c.SpanContext.SpanID())
			require.NotEmpty(t, attempts)
			for i, a := range attempts {
				assert.Equal(t, root.TraceID(), a.SpanContext.TraceID())
				if i > 0 {
					assert.Equal(t, int64(i), attrs(a)["http.request.resend_count"].AsInt64())
				}
			}
			totalAttempts += len(attempts)
		}
	}
	assert.Equal(t, len(tr.srv.Requests()), totalAttempts, "one attempt span per request the server saw")
	assert.Equal(t, workers*callsEach+8, totalAttempts, "8 answers of 503, each retried once")
}

func hostPort(t *testing.T, rawURL string) (string, int) {
	t.Helper()
	hp := strings.TrimPrefix(rawURL, "http://")
	i := strings.LastIndexByte(hp, ':')
	require.Positive(t, i)
	var port int
	_, err := fmt.Sscan(hp[i+1:], &port)
	require.NoError(t, err)
	return hp[:i], port
}

// A rebuild waited for, whose job's answer carries fewer sub-jobs than it
// has: one call span for the rebuild, one per poll, and one for the page
// of sub-jobs Wait lists, each named after the API's operation.
func TestSpansOfRebuildWaitAndSubJobs(t *testing.T) {
	t.Parallel()
	tr := newTraced(t, []workspacetest.Option{workspacetest.WithSubJobsPerAnswer(1)})
	tr.srv.AddImage(workspacetest.Image{ID: "img-1"})
	pool := tr.srv.AddPool(workspacetest.Pool{ImageID: "img-1"})
	for range 3 {
		tr.srv.AddDesktop(workspacetest.Desktop{PoolID: pool.ID, ImageID: "img-0"})
	}
	res, err := tr.c.DesktopPools.Rebuild(tr.ctx, pool.ID, &workspace.RebuildDesktopPoolRequest{ImageID: "img-1"})
	require.NoError(t, err)
	job, err := tr.c.Jobs.Wait(tr.ctx, res.JobID, &workspace.WaitOptions{Interval: time.Millisecond})
	require.NoError(t, err)
	require.Len(t, job.SubJobs, 3)

	var names []string
	for _, c := range children(tr.spans(), tr.parent.SpanContext().SpanID()) {
		names = append(names, c.Name)
	}
	assert.Equal(t, []string{"Workspace.RebuildDesktopPool", "Workspace.ShowJob", "Workspace.ListItaSubJobs"}, names)
}
