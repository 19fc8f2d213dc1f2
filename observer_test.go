package workspace_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hwcloud-go/workspace"
	"github.com/hwcloud-go/workspace/workspacetest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// recorder is an Observer that writes down every event.
type recorder struct {
	name   string
	mu     sync.Mutex
	events []event
	shared *[]string // when set, "name:kind" of each event, across recorders
}

type event struct {
	kind    string // call-start, attempt-start, attempt-end, call-end
	call    workspace.CallInfo
	attempt int
	ar      workspace.AttemptResult
	cr      workspace.CallResult
	ctx     context.Context
}

type ctxKey string

func (r *recorder) add(e event) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, e)
	if r.shared != nil {
		*r.shared = append(*r.shared, r.name+":"+e.kind)
	}
}

func (r *recorder) CallStart(ctx context.Context, call workspace.CallInfo) context.Context {
	r.add(event{kind: "call-start", call: call, ctx: ctx})
	return context.WithValue(ctx, ctxKey(r.name+"-call"), call.Operation)
}

func (r *recorder) AttemptStart(ctx context.Context, call workspace.CallInfo, n int) context.Context {
	r.add(event{kind: "attempt-start", call: call, attempt: n, ctx: ctx})
	return context.WithValue(ctx, ctxKey(r.name+"-attempt"), n)
}

func (r *recorder) AttemptEnd(ctx context.Context, call workspace.CallInfo, ar workspace.AttemptResult) {
	r.add(event{kind: "attempt-end", call: call, ar: ar, ctx: ctx})
}

func (r *recorder) CallEnd(ctx context.Context, call workspace.CallInfo, cr workspace.CallResult) {
	r.add(event{kind: "call-end", call: call, cr: cr, ctx: ctx})
}

func (r *recorder) all() []event {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]event(nil), r.events...)
}

func kinds(es []event) string {
	var s []string
	for _, e := range es {
		s = append(s, e.kind)
	}
	return strings.Join(s, " ")
}

func TestObserverSeesRetriedCall(t *testing.T) {
	t.Parallel()
	srv := workspacetest.NewServer()
	defer srv.Close()
	rec := &recorder{name: "r"}
	c := srv.Client(workspace.WithObserver(rec))
	srv.FailNext(workspacetest.OpListSnapshots, 1, http.StatusServiceUnavailable, "")

	_, err := c.Snapshots.List(context.Background(), &workspace.ListSnapshotsOptions{SnapshotName: "x y", Limit: 5})
	require.NoError(t, err)

	es := rec.all()
	require.Equal(t, "call-start attempt-start attempt-end attempt-start attempt-end call-end", kinds(es))
	host := strings.TrimPrefix(srv.URL, "http://")
	want := workspace.CallInfo{Operation: "ListDesktopSnapshot", Method: "GET", Scheme: "http", Host: host,
		Path: "/v2/" + srv.ProjectID + "/snapshots"}
	for _, e := range es {
		assert.Equal(t, want, e.call, e.kind)
	}
	reqs := srv.Requests()
	require.Len(t, reqs, 2)

	assert.Equal(t, 1, es[1].attempt)
	a1 := es[2].ar
	assert.Equal(t, 1, a1.Attempt)
	assert.Equal(t, http.StatusServiceUnavailable, a1.StatusCode)
	assert.Equal(t, reqs[0].RequestID, a1.RequestID)
	assert.ErrorIs(t, a1.Err, workspace.ErrServer)
	assert.Equal(t, workspace.DecisionRetry, a1.Decision)
	assert.GreaterOrEqual(t, a1.Delay, time.Duration(0))
	assert.LessOrEqual(t, a1.Delay, 20*time.Millisecond, "the fake's client policy")
	assert.Positive(t, a1.Duration)

	assert.Equal(t, 2, es[3].attempt)
	a2 := es[4].ar
	assert.Equal(t, workspace.AttemptResult{Attempt: 2, StatusCode: 200, RequestID: reqs[1].RequestID, Duration: a2.Duration}, a2)

	cr := es[5].cr
	assert.Equal(t, 2, cr.Attempts)
	assert.Equal(t, 200, cr.StatusCode)
	assert.Equal(t, reqs[1].RequestID, cr.RequestID, "the request id of a successful call")
	assert.NoError(t, cr.Err)
	assert.Equal(t, workspace.DecisionNoRetry, cr.Decision)
	assert.GreaterOrEqual(t, cr.Duration, a1.Duration+a2.Duration)
}

// Each kind of ending, with the decision the observer is told.
func TestObserverDecisions(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		setup   func(srv *workspacetest.Server)
		call    func(ctx context.Context, c *workspace.Client) error
		timeout time.Duration
		// cancelOnRetry cancels the call's context when the client decides
		// to retry: the context ends during the wait, however slow the
		// machine.
		cancelOnRetry bool
		want          []workspace.RetryDecision
		wantCall      workspace.RetryDecision
		wantError     bool
	}{
		{
			name:  "not found: final",
			setup: func(*workspacetest.Server) {},
			call: func(ctx context.Context, c *workspace.Client) error {
				_, err := c.Jobs.Get(ctx, "nope")
				return err
			},
			want: []workspace.RetryDecision{workspace.DecisionNoRetry}, wantCall: workspace.DecisionNoRetry, wantError: true,
		},
		{
			name:  "503 until retries are exhausted",
			setup: func(srv *workspacetest.Server) { srv.FailNext(workspacetest.OpGetJob, 3, 503, "") },
			call: func(ctx context.Context, c *workspace.Client) error {
				_, err := c.Jobs.Get(ctx, "nope")
				return err
			},
			want:     []workspace.RetryDecision{workspace.DecisionRetry, workspace.DecisionRetry, workspace.DecisionRetriesExhausted},
			wantCall: workspace.DecisionRetriesExhausted, wantError: true,
		},
		{
			name:  "a write is not retried after a 503",
			setup: func(srv *workspacetest.Server) { srv.FailNext(workspacetest.OpBatchDeleteVolumes, 1, 503, "") },
			call: func(ctx context.Context, c *workspace.Client) error {
				_, err := c.DesktopPools.BatchDeleteVolumes(ctx, "pool-1", &workspace.BatchDeleteVolumesRequest{
					Volumes: []workspace.VolumeInfo{{Type: "SAS", Size: 100}}})
				return err
			},
			want: []workspace.RetryDecision{workspace.DecisionNoRetry}, wantCall: workspace.DecisionNoRetry, wantError: true,
		},
		{
			name:  "context ends during an attempt",
			setup: func(srv *workspacetest.Server) { srv.SetLatency(time.Second) },
			call: func(ctx context.Context, c *workspace.Client) error {
				_, err := c.Jobs.Get(ctx, "nope")
				return err
			},
			timeout: 20 * time.Millisecond,
			want:    []workspace.RetryDecision{workspace.DecisionContextDone}, wantCall: workspace.DecisionContextDone, wantError: true,
		},
		{
			name:  "context ends during the wait before a retry",
			setup: func(srv *workspacetest.Server) { srv.FailNext(workspacetest.OpGetJob, 1, 503, "3") },
			call: func(ctx context.Context, c *workspace.Client) error {
				_, err := c.Jobs.Get(ctx, "nope")
				return err
			},
			cancelOnRetry: true,
			want:          []workspace.RetryDecision{workspace.DecisionRetry}, wantCall: workspace.DecisionContextDone, wantError: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := workspacetest.NewServer()
			defer srv.Close()
			srv.AddPool(workspacetest.Pool{ID: "pool-1", Volumes: []workspace.VolumeInfo{{Type: "SAS", Size: 100}}})
			tt.setup(srv)
			rec := &recorder{name: "r"}
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			opts := []workspace.Option{workspace.WithObserver(rec), workspace.WithRetryPolicy(workspace.RetryPolicy{
				MaxAttempts: 3, BaseDelay: time.Millisecond, MaxDelay: time.Hour})}
			if tt.cancelOnRetry {
				opts = append(opts, workspace.WithObserver(cancelOnRetry{cancel}))
			}
			c := srv.Client(opts...)
			if tt.timeout > 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, tt.timeout)
				defer cancel()
			}
			err := tt.call(ctx, c)
			assert.Equal(t, tt.wantError, err != nil)

			var got []workspace.RetryDecision
			var end *workspace.CallResult
			starts := 0
			for _, e := range rec.all() {
				switch e.kind {
				case "call-start":
					starts++
				case "attempt-end":
					got = append(got, e.ar.Decision)
				case "call-end":
					cr := e.cr
					end = &cr
				}
			}
			assert.Equal(t, 1, starts)
			assert.Equal(t, tt.want, got)
			require.NotNil(t, end)
			assert.Equal(t, tt.wantCall, end.Decision)
			assert.Equal(t, len(tt.want), end.Attempts)
			assert.Equal(t, err, end.Err, "the observer sees the error the call returns")
		})
	}
}

// Every operation reports the API's own name.
func TestObserverOperationNames(t *testing.T) {
	t.Parallel()
	srv := workspacetest.NewServer()
	defer srv.Close()
	srv.AddPool(workspacetest.Pool{ID: "pool-1", Volumes: []workspace.VolumeInfo{{Type: "SAS", Size: 100}}})
	rec := &recorder{name: "r"}
	c := srv.Client(workspace.WithObserver(rec))
	ctx := context.Background()
	calls := []struct {
		op, method, path string
		call             func() error
	}{
		{"ListInconsistentStatics", "GET", "/desktop-pools/pool-1/inconsistent-statics", func() error {
			_, err := c.DesktopPools.GetInconsistentStatistics(ctx, "pool-1")
			return err
		}},
		{"DeleteDesktopPoolVolumes", "POST", "/desktop-pools/pool-1/volumes/batch-delete", func() error {
			_, err := c.DesktopPools.BatchDeleteVolumes(ctx, "pool-1", &workspace.BatchDeleteVolumesRequest{Volumes: []workspace.VolumeInfo{{Type: "SAS", Size: 100}}})
			return err
		}},
		{"ShowDesktopPoolsScriptExecTasks", "GET", "/desktop-pools/script-execution-tasks/detail", func() error {
			_, err := c.DesktopPools.ListScriptExecutionTasks(ctx, nil)
			return err
		}},
		{"CheckDesktopImages", "POST", "/desktops/check-images", func() error {
			_, err := c.Desktops.CheckImages(ctx, []string{"d-1"})
			return err
		}},
		{"ListDesktopSnapshot", "GET", "/snapshots", func() error {
			_, err := c.Snapshots.List(ctx, nil)
			return err
		}},
		{"ShowJob", "GET", "/workspace-jobs/job%2F1", func() error {
			_, err := c.Jobs.Get(ctx, "job/1")
			return err
		}},
		{"Do", "GET", "/desktops", func() error {
			return c.Do(ctx, "GET", "/desktops", url.Values{"limit": {"1"}}, nil, nil)
		}},
		{"ListDesktopPools", "GET", "/desktop-pools", func() error {
			_, err := c.DesktopPools.List(ctx, nil)
			return err
		}},
		{"ShowDesktopPoolDetail", "GET", "/desktop-pools/pool-1", func() error {
			_, err := c.DesktopPools.Get(ctx, "pool-1")
			return err
		}},
		{"ListPoolDesktopsDetail", "GET", "/desktop-pools/pool-1/desktops", func() error {
			_, err := c.DesktopPools.ListDesktops(ctx, "pool-1", nil)
			return err
		}},
		{"RebuildDesktopPool", "POST", "/desktop-pools/pool-1/rebuild", func() error {
			_, err := c.DesktopPools.Rebuild(ctx, "pool-1", &workspace.RebuildDesktopPoolRequest{ImageID: "img-1"})
			return err
		}},
		{"AddDesktopPoolVolumes", "POST", "/desktop-pools/pool-1/volumes/batch-add", func() error {
			_, err := c.DesktopPools.BatchAddVolumes(ctx, "pool-1", &workspace.BatchAddVolumesRequest{Volumes: []workspace.VolumeInfo{{Type: "SAS", Size: 10}}})
			return err
		}},
		{"ExecuteDesktopPoolScript", "POST", "/desktop-pools/pool-1/script-executions", func() error {
			_, err := c.DesktopPools.ExecuteScripts(ctx, "pool-1", &workspace.ExecuteScriptsRequest{ScriptIDs: []string{"s-1"}})
			return err
		}},
		{"ListDesktopsDetail", "GET", "/desktops/detail", func() error {
			_, err := c.Desktops.List(ctx, nil)
			return err
		}},
		{"BatchCreateDesktopSnapshot", "POST", "/snapshots/batch-create", func() error {
			_, err := c.Snapshots.BatchCreate(ctx, &workspace.BatchCreateSnapshotsRequest{DesktopIDs: []string{"d-1"}})
			return err
		}},
		{"BatchDeleteDesktopSnapshot", "POST", "/snapshots/batch-delete", func() error {
			_, err := c.Snapshots.BatchDelete(ctx, []string{"s-1"})
			return err
		}},
		{"BatchRestoreDesktopSnapshot", "POST", "/snapshots/batch-restore", func() error {
			_, err := c.Snapshots.BatchRestore(ctx, []string{"s-1"})
			return err
		}},
		{"ListItaSubJobs", "GET", "/workspace-sub-jobs", func() error {
			_, err := c.Jobs.ListSubJobs(ctx, &workspace.ListSubJobsOptions{JobID: "job-1"})
			return err
		}},
	}
	for _, cl := range calls {
		before := len(rec.all())
		_ = cl.call()
		es := rec.all()[before:]
		require.NotEmpty(t, es, cl.op)
		assert.Equal(t, cl.op, es[0].call.Operation)
		assert.Equal(t, cl.method, es[0].call.Method)
		assert.Equal(t, "/v2/"+srv.ProjectID+cl.path, es[0].call.Path, "escaped, without query")
	}
}

// A call rejected before anything is sent is not observed.
func TestObserverNotToldOfValidationErrors(t *testing.T) {
	t.Parallel()
	srv := workspacetest.NewServer()
	defer srv.Close()
	rec := &recorder{name: "r"}
	c := srv.Client(workspace.WithObserver(rec))
	_, err := c.Jobs.Get(context.Background(), "")
	var ve *workspace.ValidationError
	require.ErrorAs(t, err, &ve)
	assert.Empty(t, rec.all())
	_, err = workspace.NewClient(workspace.WithObserver(nil))
	require.ErrorAs(t, err, &ve)
	assert.Equal(t, "observer", ve.Field)
}

// The contexts flow: the attempt's request carries the attempt's context,
// the ends get the contexts their starts returned.
func TestObserverContextFlows(t *testing.T) {
	t.Parallel()
	srv := workspacetest.NewServer()
	defer srv.Close()
	rec := &recorder{name: "r"}
	var sawAttempt []any
	var mu sync.Mutex
	rt := roundTripFunc(func(r *http.Request) (*http.Response, error) {
		mu.Lock()
		sawAttempt = append(sawAttempt, r.Context().Value(ctxKey("r-attempt")))
		mu.Unlock()
		return http.DefaultTransport.RoundTrip(r)
	})
	c := srv.Client(workspace.WithObserver(rec), workspace.WithHTTPClient(&http.Client{Transport: rt}))
	srv.FailNext(workspacetest.OpGetJob, 1, 502, "")
	ctx := context.WithValue(context.Background(), ctxKey("caller"), "x")
	_, _ = c.Jobs.Get(ctx, "job-1")

	assert.Equal(t, []any{1, 2}, sawAttempt)
	es := rec.all()
	require.Len(t, es, 6)
	for _, e := range es {
		assert.Equal(t, "x", e.ctx.Value(ctxKey("caller")), e.kind)
	}
	assert.Nil(t, es[0].ctx.Value(ctxKey("r-call")))
	for _, i := range []int{1, 3} {
		assert.Equal(t, "ShowJob", es[i].ctx.Value(ctxKey("r-call")), "attempts start from the call's context")
		assert.Nil(t, es[i].ctx.Value(ctxKey("r-attempt")))
	}
	assert.Equal(t, 1, es[2].ctx.Value(ctxKey("r-attempt")))
	assert.Equal(t, 2, es[4].ctx.Value(ctxKey("r-attempt")))
	assert.Equal(t, "ShowJob", es[5].ctx.Value(ctxKey("r-call")))
	assert.Nil(t, es[5].ctx.Value(ctxKey("r-attempt")), "the call ends with the call's context")
}

// cancelOnRetry cancels a context when the client decides to retry.
type cancelOnRetry struct{ cancel context.CancelFunc }

func (cancelOnRetry) CallStart(ctx context.Context, _ workspace.CallInfo) context.Context { return ctx }
func (cancelOnRetry) AttemptStart(ctx context.Context, _ workspace.CallInfo, _ int) context.Context {
	return ctx
}
func (c cancelOnRetry) AttemptEnd(_ context.Context, _ workspace.CallInfo, a workspace.AttemptResult) {
	if a.Decision == workspace.DecisionRetry {
		c.cancel()
	}
}
func (cancelOnRetry) CallEnd(context.Context, workspace.CallInfo, workspace.CallResult) {}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// Several observers: starts in the order given, ends in reverse; the
// logger is one of them.
func TestObserversInOrderWithLogger(t *testing.T) {
	t.Parallel()
	srv := workspacetest.NewServer()
	defer srv.Close()
	var order []string
	a := &recorder{name: "a", shared: &order}
	b := &recorder{name: "b", shared: &order}
	var logs bytes.Buffer
	lg := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	c := srv.Client(workspace.WithObserver(a), workspace.WithLogger(lg), workspace.WithObserver(b))
	_, err := c.Snapshots.List(context.Background(), nil)
	require.NoError(t, err)
	assert.Equal(t, []string{"a:call-start", "b:call-start", "a:attempt-start", "b:attempt-start",
		"b:attempt-end", "a:attempt-end", "b:call-end", "a:call-end"}, order)
	assert.Equal(t, 1, strings.Count(logs.String(), "workspace: attempt"), logs.String())
	// Each observer's context reached both ends, whatever the other added.
	assert.Equal(t, 1, b.all()[2].ctx.Value(ctxKey("a-attempt")))
	assert.Equal(t, "ListDesktopSnapshot", a.all()[3].ctx.Value(ctxKey("b-call")))
}

// injector adds headers of all sorts.
type injector struct {
	recorder
	mu   sync.Mutex
	seen []int // len(h) when InjectHeaders was called
}

func (in *injector) InjectHeaders(_ context.Context, h http.Header) {
	in.mu.Lock()
	in.seen = append(in.seen, len(h))
	in.mu.Unlock()
	h.Set("Traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")
	h.Set("X-Trace-Extra", "ok")
	h.Set("X-Auth-Token", "forged")
	h.Set("Authorization", "forged")
	h.Set("User-Agent", "forged")
	h.Set("X-Bad-Value", "a\r\nInjected: yes")
	h["Bad Name"] = []string{"x"}
}

// An observer's headers go on each attempt; it never sees the request's
// headers and cannot replace the client's own.
func TestObserverInjectsHeaders(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		opts func(srv *workspacetest.Server) []workspace.Option
	}{
		{"token", func(srv *workspacetest.Server) []workspace.Option { return nil }},
		{"aksk", func(srv *workspacetest.Server) []workspace.Option {
			return []workspace.Option{workspace.WithAccessKey(srv.AccessKey, srv.SecretKey)}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := workspacetest.NewServer()
			defer srv.Close()
			in := &injector{recorder: recorder{name: "in"}}
			c := srv.Client(append(tt.opts(srv), workspace.WithObserver(in))...)
			srv.FailNext(workspacetest.OpListSnapshots, 1, 503, "")
			_, err := c.Snapshots.List(context.Background(), nil)
			require.NoError(t, err, "the credentials were not replaced")

			assert.Equal(t, []int{0, 0}, in.seen, "an empty map each attempt")
			reqs := srv.Requests()
			require.Len(t, reqs, 2)
			for _, r := range reqs {
				assert.Equal(t, "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", r.Header.Get("Traceparent"))
				assert.Equal(t, "ok", r.Header.Get("X-Trace-Extra"))
				assert.NotContains(t, r.Header.Get("User-Agent"), "forged")
				assert.NotEqual(t, "forged", r.Header.Get("Authorization"))
				assert.Empty(t, r.Header.Values("X-Bad-Value"))
				assert.Empty(t, r.Header.Values("Injected"))
				if tt.name == "aksk" {
					assert.Empty(t, r.Header.Get("X-Auth-Token"))
				}
			}
		})
	}
}

// No secret reaches an observer, whatever the credentials and answers.
func TestObserverSeesNoSecret(t *testing.T) {
	t.Parallel()
	srv := workspacetest.NewServer(workspacetest.WithSecurityToken("sec-SECRET-token-42"))
	defer srv.Close()
	for _, opts := range [][]workspace.Option{
		{workspace.WithToken(srv.Token)},
		{workspace.WithToken("wrong-SECRET-token")},
		{workspace.WithAccessKey(srv.AccessKey, srv.SecretKey), workspace.WithSecurityToken(srv.SecurityToken)},
	} {
		rec := &recorder{name: "r"}
		c := srv.Client(append(opts, workspace.WithObserver(rec))...)
		ctx := context.Background()
		_, _ = c.Snapshots.List(ctx, &workspace.ListSnapshotsOptions{SnapshotName: "query-SECRET"})
		srv.FailNext(workspacetest.OpAny, 1, 500, "")
		_, _ = c.Jobs.Get(ctx, "job-1")
		var b strings.Builder
		for _, e := range rec.all() {
			fmt.Fprintf(&b, "%#v %#v %#v %#v\n", e.call, e.ar, e.cr, errText(e.ar.Err, e.cr.Err))
		}
		text := b.String()
		require.Contains(t, text, "ShowJob")
		for _, s := range []string{srv.Token, "wrong-SECRET-token", srv.SecretKey, srv.SecurityToken, "query-SECRET", "Signature="} {
			assert.NotContains(t, text, s)
		}
	}
}

func errText(errs ...error) string { return fmt.Sprint(errors.Join(errs...)) }

// 16 goroutines share a client and its observer, with faults on the way:
// each goroutine's calls are told in order, each start with its end.
func TestObserverConcurrentCalls(t *testing.T) {
	t.Parallel()
	srv := workspacetest.NewServer()
	defer srv.Close()
	rec := &recorder{name: "r"}
	// More attempts than faults: however the 10 faults fall on the
	// goroutines, no call runs out of attempts.
	c := srv.Client(workspace.WithObserver(rec), workspace.WithRetryPolicy(workspace.RetryPolicy{MaxAttempts: 12, BaseDelay: time.Millisecond, MaxDelay: 2 * time.Millisecond}))
	srv.FailNext(workspacetest.OpAny, 10, http.StatusServiceUnavailable, "")

	const workers, callsEach = 16, 5
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ctx := context.WithValue(context.Background(), ctxKey("worker"), w)
			for range callsEach {
				_, err := c.Snapshots.List(ctx, nil)
				assert.NoError(t, err)
			}
		}()
	}
	wg.Wait()

	byWorker := map[any][]event{}
	for _, e := range rec.all() {
		w := e.ctx.Value(ctxKey("worker"))
		byWorker[w] = append(byWorker[w], e)
	}
	require.Len(t, byWorker, workers)
	attempts := 0
	for w, es := range byWorker {
		calls, inCall, n := 0, false, 0
		for _, e := range es {
			switch e.kind {
			case "call-start":
				require.False(t, inCall, "worker %v", w)
				inCall, n = true, 0
			case "attempt-start":
				require.True(t, inCall)
				n++
				assert.Equal(t, n, e.attempt)
			case "attempt-end":
				assert.Equal(t, n, e.ar.Attempt)
				attempts++
			case "call-end":
				require.True(t, inCall)
				assert.Equal(t, n, e.cr.Attempts)
				assert.NoError(t, e.cr.Err)
				inCall = false
				calls++
			}
		}
		assert.Equal(t, callsEach, calls, "worker %v", w)
	}
	assert.Equal(t, len(srv.Requests()), attempts, "one attempt told per request the server saw")
	assert.Equal(t, workers*callsEach+10, attempts)
}

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
