package workspace

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"time"

	"github.com/hwcloud-go/workspace/internal/endpoints"
	"github.com/hwcloud-go/workspace/internal/pipeline"
	"github.com/hwcloud-go/workspace/internal/ratelimit"
)

// Version is the SDK's version, sent in the User-Agent.
const Version = "0.1.0"

// Client talks to the Workspace API. Create it with NewClient; it is safe
// for concurrent use by many goroutines.
type Client struct {
	DesktopPools *DesktopPoolsService // desktop pools: inconsistent statistics, volumes, script tasks
	Desktops     *DesktopsService     // desktops: check images
	Snapshots    *SnapshotsService    // desktop snapshots
	Jobs         *JobsService         // the asynchronous jobs that state-changing calls start

	core *core // behind a pointer: fmt never prints what it holds
}

// service is what every service shares: the client.
type service struct{ client *Client }

// core is the thin authenticated HTTP layer under the services.
type core struct {
	origin    string // scheme://host
	scheme    string
	host      string
	region    string // WithRegion's, where it made the endpoint; else ""
	base      string // the endpoint's escaped path prefix
	prefix    string // escaped path prefix up to and including /v2/{project_id}
	projectID string
	auth      authenticator
	observer  Observer       // nil: none; WithLogger's is one
	injector  HeaderInjector // the observer, if it adds headers; else nil
	userAgent []string       // the User-Agent value; shared, never modified
	retry     *retryer       // policy, budget and rate limit of every call: see retry.go
	pipe      *pipeline.Client
	wait      time.Duration // Jobs.Wait's default poll interval
	parallel  int           // WithConcurrency's: requests one method may have in flight
}

// NewClient returns a client configured by opts. It needs a project id, an
// endpoint or region, and credentials; where options conflict, the later
// one wins. It does no network or file I/O: config.Load reads the
// configuration a program already has (the environment, the credentials
// file, the ECS metadata service) into options for it. Every error is a
// *ConfigError.
func NewClient(opts ...Option) (*Client, error) {
	cfg := &config{}
	for _, o := range opts {
		if o.apply == nil {
			continue // the zero Option
		}
		if err := o.apply(cfg); err != nil {
			return nil, asConfigError(err)
		}
	}
	if err := cfg.check(); err != nil {
		return nil, err
	}
	endpoint, region := cfg.endpoint, ""
	if endpoint == "" {
		endpoint, region = endpoints.Workspace(cfg.region), cfg.region
	}
	origin, prefix, err := parseEndpoint("endpoint", endpoint)
	if err != nil {
		return nil, asConfigError(err)
	}
	auth := cfg.authenticator()
	u, _ := url.Parse(origin)

	co := &core{
		origin:    origin,
		scheme:    u.Scheme,
		host:      u.Host,
		region:    region,
		base:      prefix,
		prefix:    prefix + "/v2/" + escapeSegment(cfg.projectID),
		projectID: cfg.projectID,
		auth:      auth,
		observer:  cfg.observer(),
		userAgent: []string{userAgent(cfg.userAgent)},
		pipe:      pipeline.New(cfg.httpClient, pipeline.KeepRedirects),
		wait:      cmp.Or(cfg.waitInterval, defaultWaitInterval),
		parallel:  cmp.Or(cfg.concurrency, defaultConcurrency),
	}
	co.injector = injectorOf(co.observer)
	var limiter *ratelimit.Limiter
	if cfg.rateRPS > 0 {
		limiter = ratelimit.New(cfg.rateRPS, cfg.rateBurst)
	}
	co.retry = newRetryer(cfg.retry, limiter)
	c := &Client{core: co}
	common := service{client: c}
	c.DesktopPools = (*DesktopPoolsService)(&common)
	c.Desktops = (*DesktopsService)(&common)
	c.Snapshots = (*SnapshotsService)(&common)
	c.Jobs = (*JobsService)(&common)
	return c, nil
}

// String describes the client without any credential.
func (c *Client) String() string {
	if c == nil || c.core == nil {
		return "workspace.Client(nil)"
	}
	return fmt.Sprintf("workspace.Client{endpoint: %s%s, auth: %s}", c.core.origin, c.core.prefix, c.core.auth.kind())
}

// GoString describes the client without any credential.
func (c *Client) GoString() string { return c.String() }

// request is one API call as the services describe it.
type request struct {
	op     string // the API's operation name, for observers; "": Client.Do
	method string
	path   string     // escaped, after /v2/{project_id}, e.g. "/snapshots"
	id     string     // an escaped segment after path, and then tail
	tail   string     // (so that the URL is built in one go: one allocation)
	query  url.Values // nil: none
	body   any        // encoded as JSON once; nil: no body
	write  bool       // changes state: retried only where it surely did not take effect
}

// escapeSegment escapes s as one path segment: it can never add a
// segment, a query or a fragment, and "." and ".." are encoded so that no
// one normalises them away.
func escapeSegment(s string) string {
	switch s {
	case ".":
		return "%2E"
	case "..":
		return "%2E%2E"
	}
	return url.PathEscape(s)
}

// concurrency is how many requests one method of c may have in flight;
// 1 for a nil or zero client (whose calls fail anyway).
func (c *Client) concurrency() int {
	if c == nil || c.core == nil || c.core.parallel < 1 {
		return 1
	}
	return c.core.parallel
}

// errZeroClient is the error of a call on a Client, or a service, that
// NewClient did not make.
var errZeroClient = errors.New("workspace: the client was not made by NewClient")

// clientOrNil is the service's client; nil for a nil service.
func (s *service) clientOrNil() *Client {
	if s == nil {
		return nil
	}
	return s.client
}

// do is Client.do for the services; a nil or zero service is an error.
func (s *service) do(ctx context.Context, r *request, out any) error {
	if s == nil {
		return errZeroClient
	}
	return s.client.do(ctx, r, out)
}

// do sends r, retrying as the policy allows, and decodes a 2xx body into
// out (a pointer; nil to ignore the body). Every operation goes through it.
func (c *Client) do(ctx context.Context, r *request, out any) (err error) {
	if c == nil || c.core == nil {
		return errZeroClient
	}
	co := c.core
	cl := &call{r: *r, out: out, retry: co.retry} // r by value: it stays on the caller's stack
	if r.body != nil {
		if cl.body, err = json.Marshal(r.body); err != nil {
			return fmt.Errorf("workspace: encoding request: %w", err)
		}
	}
	cl.projectID = co.projectID
	cl.buildURL(co.origin, co.prefix)
	ctx, observed := co.startCall(ctx, r.op, r.method, cl.path)
	defer observed.end(&err)
	defer func() { err = outcome(err, r.write, &cl.last) }()

	st := &cl.st
	for {
		if co.retry.limiter != nil {
			if err := co.retry.limiter.Wait(ctx); err != nil {
				observed.stopped()
				return contextError(r.method, cl.path, err)
			}
		}
		n := st.attempts + 1
		actx := observed.startAttempt(ctx, n)
		start := time.Now()
		st.resends = 0
		cl.last = co.attempt(actx, cl)
		res := &cl.last
		res.duration = time.Since(start) - res.waited
		st.attempts += 1 + st.resends // the transport's own sends count as attempts

		if res.err == nil || ctx.Err() != nil {
			observed.endAttempt(actx, n, st.attempts, res, decision{}, ctx.Err() != nil)
			if res.err == nil {
				co.retry.succeeded(st)
				return nil
			}
			return contextError(r.method, cl.path, ctx.Err())
		}
		d := co.retry.decide(st, res, r.write, co.auth)
		observed.endAttempt(actx, n, st.attempts, res, d, false)
		if !d.retry {
			return co.regionHint(giveUp(st.attempts, res, d))
		}
		if err := sleep(ctx, d.delay); err != nil {
			observed.stopped()
			cl.last = attemptRecord{notSent: true} // the next attempt was never made
			return contextError(r.method, cl.path, err)
		}
	}
}

// call is one call to the API, built once by do and read by each attempt.
type call struct {
	r         request
	body      []byte // r.body encoded; nil: none
	out       any
	projectID string
	url       string // in full
	path      string // the URL's path, as errors and observers name it
	retry     *retryer
	st        retryState
	last      attemptRecord    // the latest attempt's
	req       pipeline.Request // the latest attempt's request
}

// Resend is asked by the pipeline's guard before the transport sends a
// read again by itself: see retryer.resend.
func (cl *call) Resend(ctx context.Context) error { return cl.retry.resend(ctx, &cl.st) }

// buildURL makes the call's URL in one string (one allocation); the path
// is part of it.
func (cl *call) buildURL(origin, prefix string) {
	r := &cl.r
	if len(r.query) == 0 {
		cl.url = origin + prefix + r.path + r.id + r.tail
	} else {
		var buf [512]byte // on the stack unless the URL is longer
		b := append(append(append(append(append(append(buf[:0], origin...), prefix...), r.path...), r.id...), r.tail...), '?')
		cl.url = string(appendQuery(b, r.query))
	}
	cl.path = cl.url[len(origin) : len(origin)+len(prefix)+len(r.path)+len(r.id)+len(r.tail)]
}

// giveUp ends a call with the error of its last attempt, the n-th, naming
// n where n > 1 or the retry budget stopped it.
func giveUp(n int, res *attemptRecord, d decision) error {
	if n > 1 || d.budgetSpent {
		return &retriesError{attempts: n, err: res.err, budgetSpent: d.budgetSpent}
	}
	return res.err
}

// regionsURL lists the regions Workspace is offered in, with their
// endpoints.
const regionsURL = "https://console-intl.huaweicloud.com/apiexplorer/#/endpoint/Workspace"

// regionHint adds to err, the final error of a call, that the region may
// be unknown, where the endpoint was made from WithRegion's region and
// the name of its host did not resolve: an unknown region passes
// NewClient (no I/O there) and fails only here.
func (co *core) regionHint(err error) error {
	var de *net.DNSError
	if co.region == "" || !errors.As(err, &de) || de.Name != co.host || !de.IsNotFound && (de.IsTimeout || de.IsTemporary) {
		return err
	}
	return &regionError{err: err, host: co.host}
}

// regionError is the final error of a call whose region's endpoint did
// not resolve; errors.As still finds the *net.DNSError.
type regionError struct {
	err  error
	host string
}

func (e *regionError) Error() string {
	return e.err.Error() + "; is the region right? the endpoint is " + e.host +
		"; see the regions at " + regionsURL + " or pass WithEndpoint"
}

func (e *regionError) Unwrap() error { return e.err }

// attemptRecord is what one attempt came to.
type attemptRecord struct {
	status    int // 0: no answer
	header    http.Header
	requestID string
	token     string // the token sent, for a 401 refresh
	err       error  // nil: success, out decoded
	notSent   bool   // failed before anything was sent (credentials not had)
	sent      bool   // the request may have reached the server
	bodyCut   bool   // a 2xx answer whose body the connection cut off
	decodeErr bool   // a 2xx whose body arrived whole and did not decode
	duration  time.Duration
	waited    time.Duration // in answered, after the body was read: not the attempt's time
}

// attempt authenticates, sends and classifies one try of cl.
func (co *core) attempt(ctx context.Context, cl *call) attemptRecord {
	r := &cl.r
	pr := &cl.req
	co.pipe.Prepare(pr)
	defer pr.Finish()
	// resty's request comes with an empty header map: fill that one. The
	// constant values are shared slices that nobody modifies (resty clones
	// the header before sending).
	h := pr.Header()
	h["User-Agent"] = co.userAgent
	h["Accept"] = jsonHeaderValue
	if cl.body != nil {
		h["Content-Type"] = jsonHeaderValue
	}
	co.injectHeaders(ctx, h)
	at := authRequest{
		method: r.method, host: co.host, path: cl.path, query: r.query, body: cl.body,
		header: h, projectID: cl.projectID, now: co.retry.now(),
	}
	token, err := co.auth.authenticate(ctx, at)
	if err != nil {
		if ctx.Err() != nil {
			return attemptRecord{err: ctx.Err(), notSent: true}
		}
		return attemptRecord{err: err, notSent: true}
	}
	pr.Method, pr.URL, pr.Path, pr.Body = r.method, cl.url, cl.path, cl.body
	pr.Attempt.Write, pr.Attempt.Resender = r.write, cl
	raw, err := co.pipe.Send(ctx, pr)
	cl.st.resends = pr.Attempt.Resends()
	if err != nil {
		se, _ := err.(*pipeline.SendError)
		return attemptRecord{token: token, err: err, sent: se == nil || se.Sent}
	}
	res := attemptRecord{status: raw.StatusCode, header: raw.Header, requestID: pr.RequestID(raw), token: token, sent: true}
	switch {
	case raw.StatusCode < 200 || raw.StatusCode > 299:
		res.err = apiErrorFrom(raw.StatusCode, pipeline.ReadError(raw, pr), r.method, cl.path)
	case cl.out != nil:
		data, err := readSized(raw.Body, raw.ContentLength)
		// readSized reads to the end, or gives up on a body too large or
		// cut off: nothing worth draining either way.
		raw.Body.Close()
		if err == nil {
			res.waited = answered(ctx)
			err = decodeBytes(data.bytes(), cl.out)
			if err != nil {
				err = describeBody(raw.Header.Get("Content-Type"), data.bytes(), err)
			}
			data.release()
		}
		switch {
		case err == nil:
		case errors.Is(err, errBodyTooLarge) || errors.Is(err, errUndecodable):
			res.err = &DecodeError{StatusCode: raw.StatusCode, RequestID: res.requestID, Method: r.method, Path: cl.path, Err: pr.RedactError(err)}
			res.decodeErr = true
		default:
			res.err, res.bodyCut = pr.CutError(err), true
		}
	default:
		pipeline.DrainClose(raw.Body)
	}
	return res
}

// jsonHeaderValue is the value of Accept and Content-Type; shared, never
// modified.
var jsonHeaderValue = []string{"application/json"}

// contextError is the error of a call whose context ended; errors.Is
// matches context.Canceled or context.DeadlineExceeded.
func contextError(method, path string, err error) error {
	return fmt.Errorf("workspace: %s %s: %w", method, path, err)
}

// retriesError wraps the last error of a call that was tried more than
// once, or that the retry budget stopped.
type retriesError struct {
	attempts    int
	err         error
	budgetSpent bool
}

func (e *retriesError) Error() string {
	if e.budgetSpent {
		return fmt.Sprintf("%v (after %d attempts; not retried: the client's retry budget is spent while most calls fail)", e.err, e.attempts)
	}
	return fmt.Sprintf("%v (after %d attempts)", e.err, e.attempts)
}

func (e *retriesError) Unwrap() error { return e.err }

// userAgent is the SDK's product token, with extra appended.
func userAgent(extra string) string { return pipeline.UserAgent(Version, extra) }
