package otelworkspace

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	metricnoop "go.opentelemetry.io/otel/metric/noop"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	tracenoop "go.opentelemetry.io/otel/trace/noop"

	"github.com/hwcloud-go/workspace"
)

// BenchmarkObserver runs the events of one call of one attempt through
// the observers, without a request: what otelworkspace adds to a call.
func BenchmarkObserver(b *testing.B) {
	call := workspace.CallInfo{Operation: "ListDesktopSnapshot", Method: "GET", Scheme: "https",
		Host: "workspace.ap-southeast-3.myhuaweicloud.com", Path: "/v2/0bec5db98280d2d02fd6c00c2de791ce/snapshots"}
	sdkTP := sdktrace.NewTracerProvider(sdktrace.WithSampler(sdktrace.AlwaysSample()))
	sdkMP := sdkmetric.NewMeterProvider(sdkmetric.WithReader(sdkmetric.NewManualReader()))
	cases := []struct {
		name string
		o    workspace.Observer
	}{
		{"tracing-noop", newTracing(tracenoop.NewTracerProvider())},
		{"metrics-noop", newMetrics(metricnoop.NewMeterProvider())},
		{"tracing-sdk", newTracing(sdkTP)},
		{"metrics-sdk", newMetrics(sdkMP)},
	}
	for _, errCase := range []bool{false, true} {
		for _, c := range cases {
			name := c.name
			var err error
			status := 200
			if errCase {
				name += "-503"
				err, status = errors.New("boom"), 503
			}
			b.Run(name, func(b *testing.B) {
				b.ReportAllocs()
				h := make(http.Header)
				for range b.N {
					ctx := c.o.CallStart(context.Background(), call)
					actx := c.o.AttemptStart(ctx, call, 1)
					if hi, ok := c.o.(workspace.HeaderInjector); ok {
						hi.InjectHeaders(actx, h)
					}
					c.o.AttemptEnd(actx, call, workspace.AttemptResult{Attempt: 1, StatusCode: status, RequestID: "req-1", Err: err, Duration: time.Millisecond})
					c.o.CallEnd(ctx, call, workspace.CallResult{Attempts: 1, StatusCode: status, RequestID: "req-1", Err: err, Duration: time.Millisecond})
				}
			})
		}
	}
}
