// Package otelworkspace records the calls of a workspace.Client as
// OpenTelemetry traces and metrics. It is a module of its own, so that the
// workspace module never depends on OpenTelemetry.
//
//	c, err := workspace.NewClient(
//		workspace.WithRegion("ap-southeast-3"),
//		workspace.WithProjectID(projectID),
//		workspace.WithAccessKey(ak, sk),
//		otelworkspace.WithTracerProvider(tp), // nil: otel.GetTracerProvider()
//		otelworkspace.WithMeterProvider(mp),  // nil: otel.GetMeterProvider()
//	)
//
// Both options are workspace.WithObserver with an observer of this package.
// Names follow the OpenTelemetry semantic conventions v1.43.0 (the RPC and
// HTTP client conventions; the package go.opentelemetry.io/otel/semconv/v1.43.0).
//
// # Spans
//
// One CLIENT span per call, named Workspace.{Operation} with the API's
// operation names (Workspace.ListDesktopSnapshot, Workspace.ShowJob, ...;
// Workspace.Do for Client.Do), with rpc.system.name "huaweicloud-api",
// rpc.method (the span name), server.address, server.port and, at its
// end, rpc.response.status_code (the last HTTP status, as a string),
// huaweicloud.request_id (the last answer's X-Request-Id) and, when the
// call failed, error.type, huaweicloud.error_code (the API's error_code)
// and the span status Error.
//
// Under it, one CLIENT span per HTTP attempt, named after the method (GET,
// POST; "HTTP", with http.request.method "_OTHER" and
// http.request.method_original, for a method the conventions do not
// list), with http.request.method, server.address, server.port, url.full
// (without the query string, which may carry names of users' resources),
// http.request.resend_count (1 for the second attempt, and so on; absent
// on the first), http.response.status_code, huaweicloud.request_id and,
// when the attempt failed (a status of 400 or more, or no answer),
// error.type and the status Error. The configured propagator
// (otel.GetTextMapPropagator) writes its headers onto each attempt.
//
// error.type is the HTTP status for an answer of 400 or more ("404",
// "503"), "timeout" (deadline exceeded), "canceled", "decode_error" (a 2xx
// body that did not decode), the Go type of a network error
// ("*net.OpError", "*net.DNSError", ...) or "_OTHER".
//
// # Metrics
//
//   - rpc.client.call.duration (s, histogram): per call; rpc.system.name,
//     rpc.method, server.address, server.port, rpc.response.status_code,
//     error.type.
//   - http.client.request.duration (s, histogram): per attempt;
//     http.request.method, server.address, server.port,
//     http.response.status_code, error.type.
//   - huaweicloud.workspace.client.attempts ({attempt}, counter): per
//     attempt; rpc.system.name, rpc.method, server.address, server.port,
//     huaweicloud.retry.decision (no_retry, retry, retries_exhausted,
//     context_done), error.type.
//   - huaweicloud.workspace.client.errors ({error}, counter): per failed
//     call; rpc.system.name, rpc.method, server.address, server.port,
//     error.type.
//
// Nothing secret is ever recorded: the observer sees no header, query
// string or body, and puts no attribute on a span from them.
package otelworkspace

import (
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/metric"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"go.opentelemetry.io/otel/trace"

	"github.com/hwcloud-go/workspace"
)

// ScopeName is the instrumentation scope of the tracer and the meter.
const ScopeName = "github.com/hwcloud-go/workspace/otelworkspace"

// SemconvVersion is the version of the semantic conventions followed.
const SemconvVersion = "1.43.0"

// WithTracerProvider records a span per call and per attempt with tracers
// of tp (nil: the global provider, otel.GetTracerProvider, as it is when
// a call starts), and injects the global propagator's headers into each
// attempt.
func WithTracerProvider(tp trace.TracerProvider) workspace.Option {
	return workspace.WithObserver(newTracing(tp))
}

// WithMeterProvider records call and attempt durations, attempts and
// errors with meters of mp (nil: the global provider,
// otel.GetMeterProvider).
func WithMeterProvider(mp metric.MeterProvider) workspace.Option {
	if mp == nil {
		mp = otel.GetMeterProvider()
	}
	return workspace.WithObserver(newMetrics(mp))
}

func tracerOf(tp trace.TracerProvider) trace.Tracer {
	if tp == nil {
		tp = otel.GetTracerProvider()
	}
	return tp.Tracer(ScopeName, trace.WithInstrumentationVersion(workspace.Version), trace.WithSchemaURL(semconv.SchemaURL))
}
