package workspace

import (
	"context"
	"io"
	"log/slog"
	"testing"

	"github.com/stretchr/testify/assert"
)

// The observer's path costs no allocation without an observer, nor with
// only a logger whose debug records are off.
func TestObserverPathAllocatesNothing(t *testing.T) {
	quiet := slog.New(slog.NewTextHandler(io.Discard, &slog.HandlerOptions{Level: slog.LevelInfo}))
	for _, tt := range []struct {
		name string
		o    Observer
	}{
		{"no observer", nil},
		{"logger above debug", logObserver{l: quiet}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			co := &core{observer: tt.o, scheme: "https", host: "h", prefix: "/v2/p"}
			ctx := context.Background()
			allocs := testing.AllocsPerRun(200, func() {
				cctx, oc := co.startCall(ctx, opShowJob, "GET", "/v2/p/workspace-jobs/j")
				actx := oc.startAttempt(cctx, 1)
				res := attemptRecord{status: 200, requestID: "r"}
				oc.endAttempt(actx, 1, 1, &res, decision{}, false)
				var err error
				oc.end(&err)
			})
			assert.Zero(t, allocs)
		})
	}
}
