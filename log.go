package workspace

import (
	"context"
	"log/slog"
)

// The client's log records (see WithLogger): one debug record per attempt
// and a warning when a call gives up. They name the method, the path
// without its query, statuses, timings and request ids; never a header,
// a query value or a body.

// logAttempt writes the debug record of attempt n, with the retry decision
// taken after it (the zero decision after a success).
func (co *core) logAttempt(ctx context.Context, method, path string, n int, res *attemptResult, d decision) {
	if co.logger == nil || !co.logger.Enabled(ctx, slog.LevelDebug) {
		return
	}
	attrs := []slog.Attr{
		slog.String("method", method),
		slog.String("path", path),
		slog.Int("attempt", n),
		slog.Int("status", res.status),
		slog.Duration("duration", res.duration),
		slog.String("request_id", res.requestID),
		slog.Bool("retry", d.retry),
		slog.Duration("delay", d.delay),
	}
	if res.err != nil {
		attrs = append(attrs, slog.String("error", res.err.Error()))
	}
	co.logger.LogAttrs(ctx, slog.LevelDebug, "workspace: attempt", attrs...)
}

// logGivingUp writes the warning of a call that ends in res's error after
// n attempts.
func (co *core) logGivingUp(ctx context.Context, method, path string, n int, res *attemptResult) {
	if co.logger == nil {
		return
	}
	co.logger.LogAttrs(ctx, slog.LevelWarn, "workspace: giving up",
		slog.String("method", method), slog.String("path", path),
		slog.Int("attempts", n), slog.Int("status", res.status),
		slog.String("request_id", res.requestID), slog.String("error", res.err.Error()))
}
