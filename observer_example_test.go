package workspace_test

import (
	"context"
	"fmt"
	"net/http"

	"github.com/hwcloud-go/workspace"
	"github.com/hwcloud-go/workspace/workspacetest"
)

// callLog is an Observer that prints each call's end: how a caller learns
// the request id of a successful call.
type callLog struct{}

func (callLog) CallStart(ctx context.Context, _ workspace.CallInfo) context.Context { return ctx }

func (callLog) AttemptStart(ctx context.Context, _ workspace.CallInfo, _ int) context.Context {
	return ctx
}

func (callLog) AttemptEnd(_ context.Context, _ workspace.CallInfo, a workspace.AttemptResult) {
	fmt.Printf("  attempt %d: status %d, decision %s\n", a.Attempt, a.StatusCode, a.Decision)
}

func (callLog) CallEnd(_ context.Context, call workspace.CallInfo, o workspace.CallResult) {
	fmt.Printf("%s %s: %d attempt(s), status %d, request id set: %t, error: %v\n",
		call.Operation, call.Method, o.Attempts, o.StatusCode, o.RequestID != "", o.Err)
}

func ExampleWithObserver() {
	srv := workspacetest.NewServer()
	defer srv.Close()
	srv.FailNext(workspacetest.OpListSnapshots, 1, http.StatusServiceUnavailable, "")
	c := srv.Client(workspace.WithObserver(callLog{}))

	_, _ = c.Snapshots.List(context.Background(), nil)
	// Output:
	//   attempt 1: status 503, decision retry
	//   attempt 2: status 200, decision no_retry
	// ListDesktopSnapshot GET: 2 attempt(s), status 200, request id set: true, error: <nil>
}
