package otelworkspace

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"time"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"go.opentelemetry.io/otel/trace"

	"github.com/hwcloud-go/workspace"
)

// tracing is the workspace.Observer of WithTracerProvider: a span per call
// and a child span per attempt.
type tracing struct{ tracer trace.Tracer }

var (
	_ workspace.Observer       = (*tracing)(nil)
	_ workspace.HeaderInjector = (*tracing)(nil)
)

func newTracing(tp trace.TracerProvider) *tracing { return &tracing{tracer: tracerOf(tp)} }

// The spans are kept in the context under keys of their own as well, so
// that each end finds its own span even where another observer put a span
// of its own into the context after this one.
type (
	callSpanKey    struct{}
	attemptSpanKey struct{}
)

// clientKind is made once: an option made per span would be allocated.
var clientKind = trace.WithSpanKind(trace.SpanKindClient)

func spanFrom(ctx context.Context, key any) trace.Span {
	if s, ok := ctx.Value(key).(trace.Span); ok {
		return s
	}
	return nil
}

// CallStart starts the call's span.
func (t *tracing) CallStart(ctx context.Context, call workspace.CallInfo) context.Context {
	addr, port := serverAddr(call)
	method := rpcMethod(call)
	ctx, span := t.tracer.Start(ctx, method, clientKind, trace.WithAttributes(
		semconv.RPCSystemNameKey.String(rpcSystem),
		semconv.RPCMethod(method),
		semconv.ServerAddress(addr),
		semconv.ServerPort(port),
	))
	return context.WithValue(ctx, callSpanKey{}, span)
}

// AttemptStart starts the attempt's span, a child of the call's.
func (t *tracing) AttemptStart(ctx context.Context, call workspace.CallInfo, attempt int) context.Context {
	addr, port := serverAddr(call)
	method, known := httpMethod(call.Method)
	name := method
	attrs := make([]attribute.KeyValue, 0, 6)
	attrs = append(attrs,
		semconv.HTTPRequestMethodKey.String(method),
		semconv.ServerAddress(addr),
		semconv.ServerPort(port),
		semconv.URLFull(call.Scheme+"://"+call.Host+call.Path),
	)
	if !known {
		name = "HTTP"
		attrs = append(attrs, semconv.HTTPRequestMethodOriginal(call.Method))
	}
	if attempt > 1 {
		attrs = append(attrs, semconv.HTTPRequestResendCount(attempt-1))
	}
	ctx, span := t.tracer.Start(ctx, name, clientKind, trace.WithAttributes(attrs...))
	return context.WithValue(ctx, attemptSpanKey{}, span)
}

// InjectHeaders writes the global propagator's headers (traceparent, ...)
// for the attempt's span.
func (t *tracing) InjectHeaders(ctx context.Context, h http.Header) {
	otel.GetTextMapPropagator().Inject(ctx, propagation.HeaderCarrier(h))
}

// AttemptEnd ends the attempt's span.
func (t *tracing) AttemptEnd(ctx context.Context, _ workspace.CallInfo, r workspace.AttemptResult) {
	span := spanFrom(ctx, attemptSpanKey{})
	if span == nil {
		return
	}
	if span.IsRecording() {
		var buf [3]attribute.KeyValue
		attrs := buf[:0]
		if r.StatusCode != 0 {
			attrs = append(attrs, semconv.HTTPResponseStatusCode(r.StatusCode))
		}
		if r.RequestID != "" {
			attrs = append(attrs, RequestIDKey.String(clip(r.RequestID)))
		}
		if et := errorType(r.Err, r.StatusCode); et != "" {
			attrs = append(attrs, semconv.ErrorTypeKey.String(et))
			span.SetStatus(codes.Error, statusText(r.Err))
		}
		span.SetAttributes(attrs...)
		// The span lasts the attempt's Duration, which leaves out a wait
		// of the SDK's own after the answer was in hand (an All
		// iterator's page waiting for the page before it to be decoded).
		if st, ok := span.(interface{ StartTime() time.Time }); ok && r.Duration > 0 {
			span.End(trace.WithTimestamp(st.StartTime().Add(r.Duration)))
			return
		}
	}
	span.End()
}

// CallEnd ends the call's span.
func (t *tracing) CallEnd(ctx context.Context, _ workspace.CallInfo, r workspace.CallResult) {
	span := spanFrom(ctx, callSpanKey{})
	if span == nil {
		return
	}
	if span.IsRecording() {
		var buf [4]attribute.KeyValue
		attrs := buf[:0]
		if r.StatusCode != 0 {
			attrs = append(attrs, semconv.RPCResponseStatusCode(statusString(r.StatusCode)))
		}
		if r.RequestID != "" {
			attrs = append(attrs, RequestIDKey.String(clip(r.RequestID)))
		}
		if r.Err != nil {
			attrs = append(attrs, semconv.ErrorTypeKey.String(errorType(r.Err, 0)))
			if code := errorCode(r.Err); code != "" {
				attrs = append(attrs, ErrorCodeKey.String(code))
			}
			span.SetStatus(codes.Error, statusText(r.Err))
		}
		span.SetAttributes(attrs...)
	}
	span.End()
}

// statusText is a span status description. For an answer of the API it
// leaves out the server's message, which could echo anything the request
// carried: the method, path, status and error code say what support needs.
// Other errors' texts are the client's own, which the workspace package
// keeps free of secrets and query strings.
func statusText(err error) string {
	if err == nil {
		return ""
	}
	var apiErr *workspace.APIError
	if errors.As(err, &apiErr) {
		s := apiErr.Method + " " + apiErr.Path + ": " + strconv.Itoa(apiErr.StatusCode) + " " + http.StatusText(apiErr.StatusCode)
		if code := clip(apiErr.Code); code != "" {
			s += ": " + code
		}
		return s
	}
	return err.Error()
}
