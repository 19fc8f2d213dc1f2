package workspace

import (
	"context"
	"net/http"
	"strings"
	"time"
)

// Observer is told of the start and end of every call a Client makes and
// of every attempt within a call, for tracing, metrics and audit (see
// WithObserver). It is how a caller learns the request id of a successful
// call.
//
// For each call the client calls CallStart once, then for each attempt
// AttemptStart and AttemptEnd once, then CallEnd once, all from the
// goroutine that made the call. The context flows through: the context
// CallStart returns is the one the attempts start from and the one CallEnd
// receives; the context AttemptStart returns is the one the attempt's HTTP
// request carries and the one AttemptEnd receives. An Observer can thus
// start a span at a start and end it at the matching end. A nil context
// returned counts as the context passed in. With several observers an end
// receives a context derived from the one its start returned (the later
// observers' starts add to it): find what you stored under a context key of
// your own.
//
// A call that never reaches the Workspace API is not observed: input
// refused with a *ValidationError, a body that cannot be encoded, a project
// id that could not be looked up. Nothing an Observer is handed holds a credential: no header, no
// query string, no body.
//
// An Observer is shared by every goroutine using the client and must be
// safe for concurrent use. It runs on the request path: it should be quick
// and must not block.
type Observer interface {
	CallStart(ctx context.Context, call CallInfo) context.Context
	AttemptStart(ctx context.Context, call CallInfo, attempt int) context.Context
	AttemptEnd(ctx context.Context, call CallInfo, result AttemptResult)
	CallEnd(ctx context.Context, call CallInfo, result CallResult)
}

// HeaderInjector is implemented by an Observer that adds headers to each
// attempt, such as a trace context for the server (W3C traceparent).
// InjectHeaders is called after AttemptStart, with the attempt's context
// and an empty header map of its own: never the request's headers, which
// hold credentials. The client then copies onto the request what was added,
// except the headers it sets itself (credentials, signing, content and
// user agent) and values with control characters.
type HeaderInjector interface {
	InjectHeaders(ctx context.Context, h http.Header)
}

// CallInfo describes one call of the API: what an operation sends,
// whatever its attempts.
type CallInfo struct {
	// Operation is the API's own name for the operation:
	// ListInconsistentStatics, DeleteDesktopPoolVolumes, CheckDesktopImages,
	// ShowDesktopPoolsScriptExecTasks, ListDesktopSnapshot, ShowJob,
	// ListDesktopPools, ShowDesktopPoolDetail, ListPoolDesktopsDetail,
	// RebuildDesktopPool, AddDesktopPoolVolumes, ExecuteDesktopPoolScript,
	// ListDesktopsDetail, BatchCreateDesktopSnapshot,
	// BatchDeleteDesktopSnapshot, BatchRestoreDesktopSnapshot or
	// ListItaSubJobs; "Do"
	// for a request made through the escape hatch.
	Operation string
	Method    string // GET, POST, ...
	Scheme    string // of the endpoint: "https", or "http"
	Host      string // of the endpoint, with a port if it names one
	Path      string // escaped, as sent, without the query string
}

// AttemptResult is what one attempt came to.
type AttemptResult struct {
	Attempt    int           // 1 for the first attempt
	StatusCode int           // the answer's status; 0 when there was none
	RequestID  string        // the answer's X-Request-Id, if any
	Err        error         // nil: success, body decoded
	Duration   time.Duration // from sending (credentials included) to decoding
	Decision   RetryDecision // what the client made of it
	Delay      time.Duration // the wait before the next attempt, when Decision is DecisionRetry
}

// CallResult is what a call came to.
type CallResult struct {
	Attempts   int           // attempts made; 0 when none could start
	StatusCode int           // the last answer's status; 0 when there was none
	RequestID  string        // the last answer's X-Request-Id, if any
	Err        error         // what the operation returns; nil: success
	Duration   time.Duration // from CallStart to CallEnd, waits included
	// Decision says why the call ended: DecisionNoRetry (a success, or a
	// failure that is not retried), DecisionRetriesExhausted or
	// DecisionContextDone.
	Decision RetryDecision
}

// RetryDecision is what the client made of an attempt.
type RetryDecision uint8

const (
	// DecisionNoRetry: the attempt succeeded, or failed in a way that is
	// not retried (a 404, a write that may have taken effect, a body that
	// did not decode, ...).
	DecisionNoRetry RetryDecision = iota
	// DecisionRetry: the call is tried again after AttemptResult.Delay.
	DecisionRetry
	// DecisionRetriesExhausted: the failure is one that is retried, but
	// the policy allows no further attempt.
	DecisionRetriesExhausted
	// DecisionContextDone: the call's context ended; nothing more is tried.
	DecisionContextDone
)

// String names the decision.
func (d RetryDecision) String() string {
	switch d {
	case DecisionNoRetry:
		return "no_retry"
	case DecisionRetry:
		return "retry"
	case DecisionRetriesExhausted:
		return "retries_exhausted"
	case DecisionContextDone:
		return "context_done"
	}
	return "unknown"
}

// Operation names of the API, as CallInfo.Operation reports them.
const (
	opInconsistentStatistics = "ListInconsistentStatics"
	opBatchDeleteVolumes     = "DeleteDesktopPoolVolumes"
	opCheckImages            = "CheckDesktopImages"
	opScriptExecutionTasks   = "ShowDesktopPoolsScriptExecTasks"
	opListSnapshots          = "ListDesktopSnapshot"
	opShowJob                = "ShowJob"
	opListPools              = "ListDesktopPools"
	opShowPool               = "ShowDesktopPoolDetail"
	opListPoolDesktops       = "ListPoolDesktopsDetail"
	opRebuildPool            = "RebuildDesktopPool"
	opAddVolumes             = "AddDesktopPoolVolumes"
	opExecuteScripts         = "ExecuteDesktopPoolScript"
	opListDesktops           = "ListDesktopsDetail"
	opCreateSnapshots        = "BatchCreateDesktopSnapshot"
	opDeleteSnapshots        = "BatchDeleteDesktopSnapshot"
	opRestoreSnapshots       = "BatchRestoreDesktopSnapshot"
	opListSubJobs            = "ListItaSubJobs"
	opDo                     = "Do"
)

// WithObserver has o told of the start and end of every call and of every
// attempt (see Observer). It may be given more than once: every observer
// is told, in the order given, after WithLogger's logging.
func WithObserver(o Observer) Option {
	return option(func(c *config) error {
		if o == nil {
			return invalid("observer", "must not be nil")
		}
		c.observers = append(c.observers, o)
		return nil
	})
}

// observer is the client's observer: WithLogger's and WithObserver's
// together; nil when there is none.
func (cfg *config) observer() Observer {
	var all observers
	if cfg.logger != nil {
		all = append(all, cfg.logger)
	}
	all = append(all, cfg.observers...)
	switch len(all) {
	case 0:
		return nil
	case 1:
		return all[0]
	}
	return all
}

// injectorOf is o if it adds headers, else nil: a list of observers adds
// headers if one of them does.
func injectorOf(o Observer) HeaderInjector {
	if obs, ok := o.(observers); ok {
		for _, m := range obs {
			if injectorOf(m) != nil {
				return obs
			}
		}
		return nil
	}
	hi, _ := o.(HeaderInjector)
	return hi
}

// observers fans each event out to several observers: starts in the order
// given, each seeing the context the one before it returned; ends in the
// reverse order, with the context the last start returned.
type observers []Observer

func (obs observers) CallStart(ctx context.Context, call CallInfo) context.Context {
	for _, o := range obs {
		ctx = orContext(o.CallStart(ctx, call), ctx)
	}
	return ctx
}

func (obs observers) AttemptStart(ctx context.Context, call CallInfo, attempt int) context.Context {
	for _, o := range obs {
		ctx = orContext(o.AttemptStart(ctx, call, attempt), ctx)
	}
	return ctx
}

func (obs observers) AttemptEnd(ctx context.Context, call CallInfo, r AttemptResult) {
	for i := len(obs) - 1; i >= 0; i-- {
		obs[i].AttemptEnd(ctx, call, r)
	}
}

func (obs observers) CallEnd(ctx context.Context, call CallInfo, r CallResult) {
	for i := len(obs) - 1; i >= 0; i-- {
		obs[i].CallEnd(ctx, call, r)
	}
}

func (obs observers) InjectHeaders(ctx context.Context, h http.Header) {
	for _, o := range obs {
		if hi, ok := o.(HeaderInjector); ok {
			hi.InjectHeaders(ctx, h)
		}
	}
}

func orContext(ctx, fallback context.Context) context.Context {
	if ctx == nil {
		return fallback
	}
	return ctx
}

// observedCall is one call being observed, and what the observer is to
// be told at its end. Its zero value (the client has no observer) does
// nothing.
type observedCall struct {
	o     Observer
	call  CallInfo
	ctx   context.Context // the call's, as CallStart returned it
	start time.Time
	last  CallResult // Attempts, StatusCode, RequestID and Decision so far
}

// startCall tells the observer that a call starts and returns the call's
// context.
func (co *core) startCall(ctx context.Context, op, method, path string) (context.Context, observedCall) {
	if co.observer == nil {
		return ctx, observedCall{}
	}
	if op == "" {
		op = opDo
	}
	observed := observedCall{
		o:     co.observer,
		call:  CallInfo{Operation: op, Method: method, Scheme: co.scheme, Host: co.host, Path: path},
		start: time.Now(),
	}
	observed.ctx = orContext(observed.o.CallStart(ctx, observed.call), ctx)
	return observed.ctx, observed
}

// startAttempt tells the observer that attempt n starts and returns its
// context (ctx, the call's, without an observer).
func (observed *observedCall) startAttempt(ctx context.Context, n int) context.Context {
	if observed.o == nil {
		return ctx
	}
	return orContext(observed.o.AttemptStart(observed.ctx, observed.call, n), observed.ctx)
}

// endAttempt tells the observer how attempt n ended and what the policy
// decided (the zero decision after a success or when ctxDone, the call's
// context having ended); attempts counts the call's attempts so far, the
// transport's own resends of a read included.
func (observed *observedCall) endAttempt(ctx context.Context, n, attempts int, res *attemptRecord, d decision, ctxDone bool) {
	if observed.o == nil {
		return
	}
	rd := DecisionNoRetry
	switch {
	case ctxDone && res.err != nil:
		rd = DecisionContextDone
	case d.retry:
		rd = DecisionRetry
	case d.retryable:
		rd = DecisionRetriesExhausted
	}
	observed.last = CallResult{Attempts: attempts, StatusCode: res.status, RequestID: res.requestID, Decision: rd}
	observed.o.AttemptEnd(ctx, observed.call, AttemptResult{
		Attempt: n, StatusCode: res.status, RequestID: res.requestID, Err: res.err,
		Duration: res.duration, Decision: rd, Delay: d.delay,
	})
}

// stopped records that the call's context ended between attempts.
func (observed *observedCall) stopped() { observed.last.Decision = DecisionContextDone }

// end tells the observer how the call ended, with the error *errp.
func (observed *observedCall) end(errp *error) {
	if observed.o == nil {
		return
	}
	r := observed.last
	r.Err, r.Duration = *errp, time.Since(observed.start)
	observed.o.CallEnd(observed.ctx, observed.call, r)
}

// injectHeaders lets a HeaderInjector add headers to an attempt whose
// header map is h, through a map of its own.
func (co *core) injectHeaders(ctx context.Context, h http.Header) {
	if co.injector == nil {
		return
	}
	extra := make(http.Header, 2)
	co.injector.InjectHeaders(ctx, extra)
	for name, vals := range extra {
		name = http.CanonicalHeaderKey(name)
		if reservedHeader(name) || !validHeaderName(name) || len(vals) == 0 {
			continue
		}
		ok := true
		for _, v := range vals {
			ok = ok && validHeaderValue(v)
		}
		if ok {
			h[name] = append([]string(nil), vals...)
		}
	}
}

// reservedHeader reports the (canonical) names the client sets itself,
// which no observer may replace.
func reservedHeader(name string) bool {
	switch name {
	case "Authorization", "X-Auth-Token", "X-Security-Token", "X-Sdk-Date", "X-Project-Id",
		"Host", "Content-Type", "Content-Length", "Content-Encoding", "Transfer-Encoding",
		"Accept", "Accept-Encoding", "User-Agent", "Connection", "Cookie", "Proxy-Authorization":
		return true
	}
	return false
}

// validHeaderName reports whether name is an HTTP token.
func validHeaderName(name string) bool {
	if name == "" {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if c <= ' ' || c >= 0x7f || strings.IndexByte(`"(),/:;<=>?@[\]{}`, c) >= 0 {
			return false
		}
	}
	return true
}
