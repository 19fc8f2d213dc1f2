package otelworkspace

import (
	"context"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"go.opentelemetry.io/otel/semconv/v1.43.0/httpconv"
	"go.opentelemetry.io/otel/semconv/v1.43.0/rpcconv"

	"github.com/hwcloud-go/workspace"
)

// Names of the metrics of our own, beside the semantic conventions'
// rpc.client.call.duration and http.client.request.duration.
const (
	AttemptsMetric = "huaweicloud.workspace.client.attempts"
	ErrorsMetric   = "huaweicloud.workspace.client.errors"
)

// metrics is the workspace.Observer of WithMeterProvider.
type metrics struct {
	callDuration    rpcconv.ClientCallDuration
	attemptDuration httpconv.ClientRequestDuration
	attempts        metric.Int64Counter
	errors          metric.Int64Counter
}

var _ workspace.Observer = (*metrics)(nil)

// newMetrics makes the instruments. A provider that fails to make one
// hands back a no-op instrument (and reports the error to otel's error
// handler): the client works on without that metric.
func newMetrics(mp metric.MeterProvider) *metrics {
	m := mp.Meter(ScopeName, metric.WithInstrumentationVersion(workspace.Version), metric.WithSchemaURL(semconv.SchemaURL))
	var o metrics
	o.callDuration, _ = rpcconv.NewClientCallDuration(m)
	o.attemptDuration, _ = httpconv.NewClientRequestDuration(m)
	o.attempts, _ = m.Int64Counter(AttemptsMetric, metric.WithUnit("{attempt}"),
		metric.WithDescription("HTTP attempts made by Workspace API calls, retries included."))
	o.errors, _ = m.Int64Counter(ErrorsMetric, metric.WithUnit("{error}"),
		metric.WithDescription("Workspace API calls that ended with an error."))
	return &o
}

func (*metrics) CallStart(ctx context.Context, _ workspace.CallInfo) context.Context { return ctx }

func (*metrics) AttemptStart(ctx context.Context, _ workspace.CallInfo, _ int) context.Context {
	return ctx
}

// AttemptEnd records the attempt's duration and counts it.
func (m *metrics) AttemptEnd(ctx context.Context, call workspace.CallInfo, r workspace.AttemptResult) {
	addr, port := serverAddr(call)
	et := errorType(r.Err, r.StatusCode)
	if m.attemptDuration.Enabled(ctx) {
		attrs := make([]attribute.KeyValue, 0, 2)
		if r.StatusCode != 0 {
			attrs = append(attrs, semconv.HTTPResponseStatusCode(r.StatusCode))
		}
		if et != "" {
			attrs = append(attrs, semconv.ErrorTypeKey.String(et))
		}
		method, _ := httpMethod(call.Method)
		m.attemptDuration.Record(ctx, r.Duration.Seconds(), httpconv.RequestMethodAttr(method), addr, port, attrs...)
	}
	if !m.attempts.Enabled(ctx) {
		return
	}
	counted := []attribute.KeyValue{
		semconv.RPCSystemNameKey.String(rpcSystem),
		semconv.RPCMethod(rpcMethod(call)),
		semconv.ServerAddress(addr),
		semconv.ServerPort(port),
		RetryDecisionKey.String(r.Decision.String()),
	}
	if et != "" {
		counted = append(counted, semconv.ErrorTypeKey.String(et))
	}
	m.attempts.Add(ctx, 1, metric.WithAttributes(counted...))
}

// CallEnd records the call's duration and counts it if it failed.
func (m *metrics) CallEnd(ctx context.Context, call workspace.CallInfo, r workspace.CallResult) {
	addr, port := serverAddr(call)
	if m.callDuration.Enabled(ctx) {
		m.recordCall(ctx, call, r, addr, port)
	}
	if r.Err != nil && m.errors.Enabled(ctx) {
		m.errors.Add(ctx, 1, metric.WithAttributes(
			semconv.RPCSystemNameKey.String(rpcSystem),
			semconv.RPCMethod(rpcMethod(call)),
			semconv.ServerAddress(addr),
			semconv.ServerPort(port),
			semconv.ErrorTypeKey.String(errorType(r.Err, 0)),
		))
	}
}

// recordCall records the call's duration.
func (m *metrics) recordCall(ctx context.Context, call workspace.CallInfo, r workspace.CallResult, addr string, port int) {
	attrs := []attribute.KeyValue{
		semconv.RPCMethod(rpcMethod(call)),
		semconv.ServerAddress(addr),
		semconv.ServerPort(port),
	}
	if r.StatusCode != 0 {
		attrs = append(attrs, semconv.RPCResponseStatusCode(statusString(r.StatusCode)))
	}
	if r.Err != nil {
		attrs = append(attrs, semconv.ErrorTypeKey.String(errorType(r.Err, 0)))
	}
	m.callDuration.Record(ctx, r.Duration.Seconds(), rpcconv.SystemNameAttr(rpcSystem), attrs...)
}
