// Command telemetry shows the OpenTelemetry traces and metrics of
// otelworkspace on the embedded fake Workspace API: a page of snapshots, a
// read retried after a 503, a call that fails, and a batch-delete with the
// polls of its job. It prints the spans as a tree and the metrics it
// recorded; no network but loopback, no credentials.
//
//	go run .   (in examples/telemetry, a module of its own)
//
// In a service, the tracer and meter providers come from its OpenTelemetry
// set-up, with a real exporter (OTLP, say) where this one prints.
package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/hwcloud-go/workspace"
	"github.com/hwcloud-go/workspace/otelworkspace"
	"github.com/hwcloud-go/workspace/workspacetest"
)

func main() {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := run(ctx, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "telemetry:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, out io.Writer) error {
	srv := workspacetest.NewServer(workspacetest.WithDemoData(), workspacetest.WithJobDelay(30*time.Millisecond))
	defer srv.Close()

	// OpenTelemetry: spans to a printer, metrics to a reader read at the
	// end, the W3C trace context on every attempt.
	spans := &spanPrinter{}
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(spans))
	defer func() { _ = tp.Shutdown(context.Background()) }()
	reader := sdkmetric.NewManualReader()
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	defer func() { _ = mp.Shutdown(context.Background()) }()
	otel.SetTextMapPropagator(propagation.TraceContext{})

	c := srv.Client(otelworkspace.WithTracerProvider(tp), otelworkspace.WithMeterProvider(mp))

	ctx, root := tp.Tracer("example").Start(ctx, "cleanup-run")
	if _, err := c.Snapshots.List(ctx, &workspace.ListSnapshotsOptions{Limit: 5}); err != nil {
		return err
	}
	srv.FailNext(workspacetest.OpListSnapshots, 1, http.StatusServiceUnavailable, "")
	if _, err := c.Snapshots.List(ctx, &workspace.ListSnapshotsOptions{Limit: 5}); err != nil {
		return err
	}
	if _, err := c.Jobs.Get(ctx, "no-such-job"); err == nil {
		return fmt.Errorf("a job that does not exist was found")
	}
	pool := srv.Pools()[0]
	res, err := c.DesktopPools.BatchDeleteVolumes(ctx, pool.ID, &workspace.BatchDeleteVolumesRequest{
		Volumes: pool.Volumes[:1],
	})
	if err != nil {
		return err
	}
	if _, err := c.Jobs.Wait(ctx, res.JobID, &workspace.WaitOptions{Interval: 10 * time.Millisecond}); err != nil {
		return err
	}
	root.End()

	fmt.Fprintf(out, "Spans (OpenTelemetry semantic conventions %s), on the fake at %s:\n\n", otelworkspace.SemconvVersion, srv.URL)
	spans.print(out)

	var rm metricdata.ResourceMetrics
	if err := reader.Collect(ctx, &rm); err != nil {
		return err
	}
	fmt.Fprintln(out, "\nMetrics:")
	printMetrics(out, rm)
	return nil
}

// spanPrinter is a span exporter that keeps the spans and prints them as a
// tree, with the attributes otelworkspace records.
type spanPrinter struct {
	mu    sync.Mutex
	spans []sdktrace.ReadOnlySpan
}

func (p *spanPrinter) ExportSpans(_ context.Context, spans []sdktrace.ReadOnlySpan) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.spans = append(p.spans, spans...)
	return nil
}

func (p *spanPrinter) Shutdown(context.Context) error { return nil }

func (p *spanPrinter) print(out io.Writer) {
	p.mu.Lock()
	defer p.mu.Unlock()
	byParent := map[string][]sdktrace.ReadOnlySpan{}
	var roots []sdktrace.ReadOnlySpan
	for _, s := range p.spans {
		if !s.Parent().IsValid() {
			roots = append(roots, s)
			continue
		}
		id := s.Parent().SpanID().String()
		byParent[id] = append(byParent[id], s)
	}
	var walk func(s sdktrace.ReadOnlySpan, depth int)
	walk = func(s sdktrace.ReadOnlySpan, depth int) {
		fmt.Fprintf(out, "%s%s  %v", strings.Repeat("  ", depth), s.Name(), s.EndTime().Sub(s.StartTime()).Round(10*time.Microsecond))
		if s.Status().Code == codes.Error {
			fmt.Fprintf(out, "  ERROR %q", s.Status().Description)
		}
		fmt.Fprintln(out)
		for _, kv := range s.Attributes() {
			fmt.Fprintf(out, "%s    %s = %s\n", strings.Repeat("  ", depth), kv.Key, kv.Value.String())
		}
		kids := byParent[s.SpanContext().SpanID().String()]
		slices.SortFunc(kids, func(a, b sdktrace.ReadOnlySpan) int { return a.StartTime().Compare(b.StartTime()) })
		for _, k := range kids {
			walk(k, depth+1)
		}
	}
	for _, r := range roots {
		walk(r, 0)
	}
}

func printMetrics(out io.Writer, rm metricdata.ResourceMetrics) {
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			fmt.Fprintf(out, "  %s (%s)\n", m.Name, m.Unit)
			var lines []string
			switch d := m.Data.(type) {
			case metricdata.Histogram[float64]:
				for _, dp := range d.DataPoints {
					lines = append(lines, fmt.Sprintf("count %d, sum %.4fs  {%s}", dp.Count, dp.Sum, attrText(dp.Attributes.ToSlice())))
				}
			case metricdata.Sum[int64]:
				for _, dp := range d.DataPoints {
					lines = append(lines, fmt.Sprintf("%d  {%s}", dp.Value, attrText(dp.Attributes.ToSlice())))
				}
			}
			sort.Strings(lines)
			for _, l := range lines {
				fmt.Fprintln(out, "    "+l)
			}
		}
	}
}

func attrText(kvs []attribute.KeyValue) string {
	parts := make([]string, len(kvs))
	for i, kv := range kvs {
		parts[i] = string(kv.Key) + "=" + kv.Value.String()
	}
	return strings.Join(parts, ", ")
}
