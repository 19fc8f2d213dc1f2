package otelworkspace

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/hwcloud-go/workspace"
)

// An attempt's span lasts the attempt's Duration, which leaves out the
// SDK's own wait after the answer was in hand, however long AttemptEnd
// comes after; without a Duration it ends when AttemptEnd is called.
func TestAttemptSpanLastsTheAttemptsDuration(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name     string
		duration time.Duration
		wait     time.Duration
		min, max time.Duration // of the span
	}{
		{"a wait after the answer is left out", 2 * time.Millisecond, 40 * time.Millisecond, 2 * time.Millisecond, 2 * time.Millisecond},
		{"no duration: ends at AttemptEnd", 0, 20 * time.Millisecond, 20 * time.Millisecond, time.Hour},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			exp := tracetest.NewInMemoryExporter()
			tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exp))
			tr := newTracing(tp)
			call := workspace.CallInfo{Method: "GET", Scheme: "https", Host: "workspace.example.com", Path: "/v2/p/snapshots"}
			ctx := tr.AttemptStart(context.Background(), call, 1)
			time.Sleep(tt.wait)
			tr.AttemptEnd(ctx, call, workspace.AttemptResult{StatusCode: 200, Duration: tt.duration})
			spans := exp.GetSpans()
			require.Len(t, spans, 1)
			got := spans[0].EndTime.Sub(spans[0].StartTime)
			assert.GreaterOrEqual(t, got, tt.min)
			assert.LessOrEqual(t, got, tt.max)
		})
	}
}
