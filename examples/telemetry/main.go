// Command telemetry shows the OpenTelemetry traces and metrics of
// otelworkspace: a page of snapshots, a call that fails and, with -demo on
// the embedded fake Workspace API, a read retried after a 503 and a
// batch-delete with the polls of its job. It prints the spans as a tree
// and the metrics it recorded.
//
// Without -demo it reads your cloud (and deletes nothing) as
// HUAWEICLOUD_SDK_AK and HUAWEICLOUD_SDK_SK (or HUAWEICLOUD_SDK_TOKEN),
// HUAWEICLOUD_SDK_PROJECT_ID and HUAWEICLOUD_SDK_REGION say; when one is
// missing it prints which and exits with status 2. The fake is in demo.go,
// which only a build with -tags demo includes, so that a plain build (or a
// copy of this file alone) does not carry it. In examples/telemetry, a
// module of its own:
//
//	go run -tags demo . -demo   (no network but loopback, no credentials)
//	go run .
//
// In a service, the tracer and meter providers come from its OpenTelemetry
// set-up, with a real exporter (OTLP, say) where this one prints.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
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
	"github.com/hwcloud-go/workspace/config"
	"github.com/hwcloud-go/workspace/otelworkspace"
)

func main() {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	err := run(ctx, os.Stdout, os.Args[1:])
	cancel()
	if err != nil {
		fmt.Fprintln(os.Stderr, "telemetry:", err)
		os.Exit(exitStatus(err))
	}
}

func run(ctx context.Context, out io.Writer, args []string) error {
	fs := flag.NewFlagSet("telemetry", flag.ContinueOnError)
	fs.SetOutput(out)
	demo := fs.Bool("demo", false, "run on the embedded fake server with demo data, not your cloud (in a build with -tags demo)")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "Usage: telemetry [flags]\n\nPrints the OpenTelemetry spans and metrics of a few calls.\n\nFlags:")
		fs.PrintDefaults()
		fmt.Fprint(fs.Output(), envHelp)
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil // -h asked for the usage, printed above
		}
		return setupError{err}
	}

	// OpenTelemetry: spans to a printer, metrics to a reader read at the
	// end, the W3C trace context on every attempt.
	spans := &spanPrinter{}
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(spans))
	defer func() { _ = tp.Shutdown(context.Background()) }()
	reader := sdkmetric.NewManualReader()
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	defer func() { _ = mp.Shutdown(context.Background()) }()
	otel.SetTextMapPropagator(propagation.TraceContext{})

	c, srv, err := connect(out, *demo, otelworkspace.WithTracerProvider(tp), otelworkspace.WithMeterProvider(mp))
	if err != nil {
		return err
	}
	if srv != nil {
		defer srv.Close()
	}

	ctx, root := tp.Tracer("example").Start(ctx, "cleanup-run")
	if _, err := c.Snapshots.List(ctx, &workspace.ListSnapshotsOptions{Limit: 5}); err != nil {
		return err
	}
	if srv != nil { // the fake answers the next list with a 503, which the client retries
		srv.failNextList()
		if _, err := c.Snapshots.List(ctx, &workspace.ListSnapshotsOptions{Limit: 5}); err != nil {
			return err
		}
	}
	if _, err := c.Jobs.Get(ctx, "no-such-job"); err == nil {
		return fmt.Errorf("a job that does not exist was found")
	}
	if srv != nil { // only on the fake: deleting a volume of your cloud is not a demo
		poolID, volume := srv.firstVolume()
		res, err := c.DesktopPools.BatchDeleteVolumes(ctx, poolID, &workspace.BatchDeleteVolumesRequest{
			Volumes: []workspace.VolumeInfo{volume},
		})
		if err != nil {
			return err
		}
		if _, err := c.Jobs.Wait(ctx, res.JobID, &workspace.WaitOptions{Interval: 10 * time.Millisecond}); err != nil {
			return err
		}
	}
	root.End()

	fmt.Fprintf(out, "\nSpans (OpenTelemetry semantic conventions %s):\n\n", otelworkspace.SemconvVersion)
	spans.print(out)

	var rm metricdata.ResourceMetrics
	if err := reader.Collect(ctx, &rm); err != nil {
		return err
	}
	fmt.Fprintln(out, "\nMetrics:")
	printMetrics(out, rm)
	return nil
}

// connect returns a client with opts for your cloud built from the
// environment (see envHelp), or, with -demo, one for the embedded fake with
// demo data, which it returns too for the caller to use and Close. Its
// first line of output says which. An incomplete environment is an error,
// a *workspace.ConfigError that names what is missing, never a reason to
// use the fake.
func connect(out io.Writer, demo bool, opts ...workspace.Option) (*workspace.Client, demoServer, error) {
	if demo {
		if startDemo == nil {
			return nil, nil, setupError{errNoDemo}
		}
		c, srv := startDemo(out, opts...)
		return c, srv, nil
	}
	c, err := clientFromConfig(opts...)
	if err != nil {
		return nil, nil, setupError{err}
	}
	fmt.Fprintln(out, "Using the Huawei Cloud Workspace API named by the HUAWEICLOUD_SDK_* variables (reading only).")
	return c, nil, nil
}

// demoServer is the embedded fake as this program uses it.
type demoServer interface {
	Close()
	// failNextList makes the fake answer the next snapshot list with a
	// 503, once.
	failNextList()
	// firstVolume is the first demo pool and its first volume.
	firstVolume() (poolID string, v workspace.VolumeInfo)
}

// startDemo starts the embedded fake server with demo data and returns a
// client for it with opts. demo.go sets it in a build with -tags demo;
// without the tag it stays nil, and the fake (package workspacetest) is not
// linked in.
var startDemo func(out io.Writer, opts ...workspace.Option) (*workspace.Client, demoServer)

// errNoDemo is the answer to -demo in a build without the fake.
var errNoDemo = errors.New("-demo needs the embedded fake, which only a build with -tags demo has: go run -tags demo . -demo (in examples/telemetry)")

// setupError is an error in how the program was started: a flag, or a
// configuration that NewClient rejects (a *workspace.ConfigError, which it
// wraps). main exits with status 2 for it, as the flag package does.
type setupError struct{ err error }

func (e setupError) Error() string { return e.err.Error() }
func (e setupError) Unwrap() error { return e.err }

// exitStatus is 2 for a setupError and 1 for any other error.
func exitStatus(err error) int {
	if errors.As(err, new(setupError)) {
		return 2
	}
	return 1
}

// envHelp ends the -h text: what connect reads.
const envHelp = `
Environment (read without -demo; a missing setting is named, exit status 2):
  HUAWEICLOUD_SDK_AK, HUAWEICLOUD_SDK_SK   access key and secret key (AK/SK signing)
  HUAWEICLOUD_SDK_SECURITY_TOKEN           with temporary AK/SK
  HUAWEICLOUD_SDK_TOKEN                    or an IAM token instead of AK/SK
  HUAWEICLOUD_SDK_PROJECT_ID               the project
  HUAWEICLOUD_SDK_REGION                   the region, e.g. ap-southeast-3
  HUAWEICLOUD_SDK_WORKSPACE_ENDPOINT       or an endpoint instead of the region
`

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

// clientFromConfig builds a client from the configuration this machine
// already has (config.Load: the HUAWEICLOUD_SDK_* variables, the
// credentials file, the ECS metadata service), with opts after it.
func clientFromConfig(opts ...workspace.Option) (*workspace.Client, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cfg, err := config.Load(ctx)
	if err != nil {
		return nil, err
	}
	return workspace.NewClient(append(cfg.Options(), opts...)...)
}
