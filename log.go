package workspace

import (
	"context"
	"log/slog"
)

// The client's log records (see WithLogger) are one Observer on the same
// path as the others: one debug record per attempt and a warning when a
// call gives up. They name the method, the path without its query,
// statuses, timings and request ids; never a header, a query value or a
// body.
type logObserver struct{ l *slog.Logger }

func (lo logObserver) CallStart(ctx context.Context, _ CallInfo) context.Context { return ctx }

func (lo logObserver) AttemptStart(ctx context.Context, _ CallInfo, _ int) context.Context {
	return ctx
}

// AttemptEnd writes the debug record of one attempt, with the retry
// decision taken after it.
func (lo logObserver) AttemptEnd(ctx context.Context, call CallInfo, r AttemptResult) {
	if !lo.l.Enabled(ctx, slog.LevelDebug) {
		return
	}
	attrs := []slog.Attr{
		slog.String("method", call.Method),
		slog.String("path", call.Path),
		slog.Int("attempt", r.Attempt),
		slog.Int("status", r.StatusCode),
		slog.Duration("duration", r.Duration),
		slog.String("request_id", r.RequestID),
		slog.Bool("retry", r.Decision == DecisionRetry),
		slog.Duration("delay", r.Delay),
	}
	if r.Err != nil {
		attrs = append(attrs, slog.String("error", r.Err.Error()))
	}
	lo.l.LogAttrs(ctx, slog.LevelDebug, "workspace: attempt", attrs...)
}

// CallEnd warns of a call that failed after more than one attempt, or
// whose failure would have been retried had the policy allowed another
// attempt. A call whose context ended is not warned of: its caller knows.
func (lo logObserver) CallEnd(ctx context.Context, call CallInfo, r CallResult) {
	gaveUp := r.Decision == DecisionRetriesExhausted || (r.Decision == DecisionNoRetry && r.Attempts > 1)
	if r.Err == nil || !gaveUp {
		return
	}
	lo.l.LogAttrs(ctx, slog.LevelWarn, "workspace: giving up",
		slog.String("method", call.Method), slog.String("path", call.Path),
		slog.Int("attempts", r.Attempts), slog.Int("status", r.StatusCode),
		slog.String("request_id", r.RequestID), slog.String("error", r.Err.Error()))
}
