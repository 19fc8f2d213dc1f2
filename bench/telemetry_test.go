package bench

import (
	"context"
	"io"
	"log/slog"

	metricnoop "go.opentelemetry.io/otel/metric/noop"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	tracenoop "go.opentelemetry.io/otel/trace/noop"

	"github.com/hwcloud-go/workspace"
	"github.com/hwcloud-go/workspace/otelworkspace"
)

// The SDK with the client's observers, to show what they cost against the
// plain "sdk" row of the same case:
//   - sdk+logger: WithLogger at Info level (the per-attempt debug records
//     are off; the observer path is taken);
//   - sdk+otel-noop: otelworkspace with OpenTelemetry's no-op tracer and
//     meter providers (what a service gets that links OpenTelemetry in
//     but has not configured it);
//   - sdk+otel-sdk: the OpenTelemetry SDK, every span sampled and batched
//     to an exporter that drops them, metrics aggregated by a reader.
var (
	sdkLogger   *sdkImpl
	sdkOtelNoop *sdkImpl
	sdkOtelSDK  *sdkImpl
)

func newTelemetryImpls(base string) error {
	var err error
	logger := slog.New(slog.NewTextHandler(io.Discard, &slog.HandlerOptions{Level: slog.LevelInfo}))
	if sdkLogger, err = newSDKImpl(base, false, workspace.WithLogger(logger)); err != nil {
		return err
	}
	if sdkOtelNoop, err = newSDKImpl(base, false,
		otelworkspace.WithTracerProvider(tracenoop.NewTracerProvider()),
		otelworkspace.WithMeterProvider(metricnoop.NewMeterProvider())); err != nil {
		return err
	}
	tp := sdktrace.NewTracerProvider(sdktrace.WithSampler(sdktrace.AlwaysSample()), sdktrace.WithBatcher(discardSpans{}))
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(sdkmetric.NewManualReader()))
	sdkOtelSDK, err = newSDKImpl(base, false, otelworkspace.WithTracerProvider(tp), otelworkspace.WithMeterProvider(mp))
	return err
}

// withTelemetry adds the SDK with observers after the plain SDK's row.
func withTelemetry(impls func() []namedImpl) func() []namedImpl {
	return func() []namedImpl {
		var out []namedImpl
		for _, ni := range impls() {
			out = append(out, ni)
			if ni.name == "sdk" {
				out = append(out, namedImpl{"sdk+logger", sdkLogger}, namedImpl{"sdk+otel-noop", sdkOtelNoop}, namedImpl{"sdk+otel-sdk", sdkOtelSDK})
			}
		}
		return out
	}
}

// discardSpans is a span exporter that drops what it is given.
type discardSpans struct{}

func (discardSpans) ExportSpans(context.Context, []sdktrace.ReadOnlySpan) error { return nil }
func (discardSpans) Shutdown(context.Context) error                             { return nil }
