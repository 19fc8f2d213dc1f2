package otelworkspace_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/hwcloud-go/workspace"
	"github.com/hwcloud-go/workspace/otelworkspace"
	"github.com/hwcloud-go/workspace/workspacetest"
)

// collect reads every metric of the reader, by name.
func collect(t *testing.T, r sdkmetric.Reader) map[string]metricdata.Metrics {
	t.Helper()
	var rm metricdata.ResourceMetrics
	require.NoError(t, r.Collect(context.Background(), &rm))
	out := map[string]metricdata.Metrics{}
	for _, sm := range rm.ScopeMetrics {
		assert.Equal(t, otelworkspace.ScopeName, sm.Scope.Name)
		assert.Equal(t, workspace.Version, sm.Scope.Version)
		for _, m := range sm.Metrics {
			out[m.Name] = m
		}
	}
	return out
}

// key renders an attribute set as sorted "k=v" pairs.
func key(s attribute.Set) string {
	out := ""
	for _, kv := range s.ToSlice() {
		out += fmt.Sprintf("%s=%s;", kv.Key, kv.Value.String())
	}
	return out
}

func histogramCounts(t *testing.T, m metricdata.Metrics) map[string]uint64 {
	t.Helper()
	h, ok := m.Data.(metricdata.Histogram[float64])
	require.True(t, ok, "%s is a %T", m.Name, m.Data)
	out := map[string]uint64{}
	for _, dp := range h.DataPoints {
		out[key(dp.Attributes)] += dp.Count
		lo, okMin := dp.Min.Value()
		hi, okMax := dp.Max.Value()
		require.True(t, okMin && okMax)
		assert.GreaterOrEqual(t, lo, 0.0)
		assert.Less(t, hi, 5.0, "seconds, not nanoseconds")
	}
	return out
}

func sums(t *testing.T, m metricdata.Metrics) map[string]int64 {
	t.Helper()
	s, ok := m.Data.(metricdata.Sum[int64])
	require.True(t, ok, "%s is a %T", m.Name, m.Data)
	assert.True(t, s.IsMonotonic)
	out := map[string]int64{}
	for _, dp := range s.DataPoints {
		out[key(dp.Attributes)] += dp.Value
	}
	return out
}

// One call retried after a 503 and one that fails with 404: each metric
// with the attributes the conventions give it.
func TestMetrics(t *testing.T) {
	t.Parallel()
	srv := workspacetest.NewServer()
	defer srv.Close()
	reader := sdkmetric.NewManualReader()
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	defer func() { _ = mp.Shutdown(context.Background()) }()
	c := srv.Client(otelworkspace.WithMeterProvider(mp))
	ctx := context.Background()

	srv.FailNext(workspacetest.OpListSnapshots, 1, http.StatusServiceUnavailable, "")
	_, err := c.Snapshots.List(ctx, nil)
	require.NoError(t, err)
	_, err = c.Jobs.Get(ctx, "no-such-job")
	require.ErrorIs(t, err, workspace.ErrNotFound)

	host, port := hostPort(t, srv.URL)
	server := fmt.Sprintf("server.address=%s;server.port=%d;", host, port)
	got := collect(t, reader)
	require.Len(t, got, 4, "%v", got)

	call := got["rpc.client.call.duration"]
	assert.Equal(t, "s", call.Unit)
	assert.Equal(t, map[string]uint64{
		"rpc.method=Workspace.ListDesktopSnapshot;rpc.response.status_code=200;rpc.system.name=huaweicloud-api;" + server:    1,
		"error.type=404;rpc.method=Workspace.ShowJob;rpc.response.status_code=404;rpc.system.name=huaweicloud-api;" + server: 1,
	}, histogramCounts(t, call))

	attempt := got["http.client.request.duration"]
	assert.Equal(t, "s", attempt.Unit)
	assert.Equal(t, map[string]uint64{
		"error.type=503;http.request.method=GET;http.response.status_code=503;" + server: 1,
		"http.request.method=GET;http.response.status_code=200;" + server:                1,
		"error.type=404;http.request.method=GET;http.response.status_code=404;" + server: 1,
	}, histogramCounts(t, attempt))

	attempts := got["huaweicloud.workspace.client.attempts"]
	assert.Equal(t, "{attempt}", attempts.Unit)
	assert.Equal(t, map[string]int64{
		"error.type=503;huaweicloud.retry.decision=retry;rpc.method=Workspace.ListDesktopSnapshot;rpc.system.name=huaweicloud-api;" + server: 1,
		"huaweicloud.retry.decision=no_retry;rpc.method=Workspace.ListDesktopSnapshot;rpc.system.name=huaweicloud-api;" + server:             1,
		"error.type=404;huaweicloud.retry.decision=no_retry;rpc.method=Workspace.ShowJob;rpc.system.name=huaweicloud-api;" + server:          1,
	}, sums(t, attempts))

	errs := got["huaweicloud.workspace.client.errors"]
	assert.Equal(t, "{error}", errs.Unit)
	assert.Equal(t, map[string]int64{
		"error.type=404;rpc.method=Workspace.ShowJob;rpc.system.name=huaweicloud-api;" + server: 1,
	}, sums(t, errs))
}

// Tracing and metrics together, with the global providers when nil.
func TestNilProvidersAreTheGlobalOnes(t *testing.T) {
	// otel's globals are set once per process at the most: this test does
	// not run in parallel and is the only one to set them.
	srv := workspacetest.NewServer()
	defer srv.Close()
	reader := sdkmetric.NewManualReader()
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	defer func() { _ = mp.Shutdown(context.Background()) }()
	otel.SetMeterProvider(mp)
	// The tracer provider is set after the client is made: the global one
	// hands its spans on to it all the same.
	c := srv.Client(otelworkspace.WithMeterProvider(nil), otelworkspace.WithTracerProvider(nil))
	exp := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp))
	defer func() { _ = tp.Shutdown(context.Background()) }()
	otel.SetTracerProvider(tp)

	_, err := c.Snapshots.List(context.Background(), nil)
	require.NoError(t, err)
	got := collect(t, reader)
	assert.Contains(t, got, "rpc.client.call.duration")
	spans := exp.GetSpans()
	require.Len(t, spans, 2)
	assert.Equal(t, "GET", spans[0].Name)
	assert.Equal(t, "Workspace.ListDesktopSnapshot", spans[1].Name)
}
