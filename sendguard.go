package workspace

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptrace"
	"net/textproto"
	"strings"
	"sync"

	"github.com/hwcloud-go/workspace/internal/ratelimit"
)

// Go's transports send a request again by themselves: HTTP/2 after a
// stream reset with PROTOCOL_ERROR or REFUSED_STREAM or a GOAWAY, HTTP/1.1
// after a kept-alive connection failed; each time they rewind the body
// with Request.GetBody (or reuse a request without one). Below the SDK's
// retry logic, that would repeat a batch-delete the server carried out, and
// let reads bypass MaxAttempts and the rate limit. The sendGuard of an
// attempt owns its request body and watches the request through
// net/http/httptrace, so that:
//
//   - a write is never sent again once its headers were written;
//   - a read sent again by the transport counts as one more attempt,
//     takes from the retry budget and waits for the rate limiter, and is
//     refused once the attempts or the budget are used up;
//   - whether the request may have reached the server is decided by what
//     the transport did (a connection asked for, headers written), not by
//     the type of the error that followed.
//
// Every request gets a body (an empty one for a GET, which goes out as no
// body at all), because a request without one is replayed without asking:
// http.NoBody never reaches GetBody.

// wireState is what the transport reported about one attempt.
type wireState uint8

const (
	// wireUnknown: the transport reports nothing (httpmock, or a
	// RoundTripper that does not use net/http's).
	wireUnknown wireState = iota
	// wireUnsent: a connection was asked for, and no request header was
	// written: the server cannot have the request.
	wireUnsent
	// wireSent: request headers were written: the server may have it.
	wireSent
)

var (
	// errWriteNotRepeated is what a write's body rewind answers once the
	// request was written: the transport gives up instead of sending it
	// again.
	errWriteNotRepeated = errors.New("the connection failed after the request was sent; a request that changes state is not sent again")
	// errNoAttemptsLeft is what a read's body rewind answers when the
	// retry policy has no attempt left for the transport's replay, or the
	// retry budget is spent.
	errNoAttemptsLeft = errors.New("the connection failed after the request was sent, with no attempt (or retry budget) left to send it again")
)

// sendGuard follows one attempt through the transport; see above. It is
// also the context the attempt is sent with (the parent with the guard's
// trace, where Value finds the guard), and it holds its trace and its first
// body, so that the guard costs few allocations per attempt.
type sendGuard struct {
	context.Context // ctx with the trace

	ctx     context.Context
	body    []byte // nil: none
	write   bool
	spare   int // replays the read may make: the policy's attempts left
	limiter *ratelimit.Limiter
	budget  *retryBudget

	mu       sync.Mutex
	asked    bool // the transport asked for a connection
	wrote    bool // headers written in the current try
	answered bool // the current try got an answer
	interim  bool // ... which began with an informational one
	written  bool // headers written in any try
	replays  int  // the transport sent the request again

	trace httptrace.ClientTrace
	first guardBody // the first try's body; a replay gets a new one
}

// guardBody is a request body reading from a byte slice.
type guardBody struct{ bytes.Reader }

func (*guardBody) Close() error { return nil }

type sendGuardKey struct{}

// newSendGuard returns the guard of one attempt and the context to send it
// with.
func newSendGuard(ctx context.Context, body []byte, write bool, spare int, limiter *ratelimit.Limiter, budget *retryBudget) (*sendGuard, context.Context) {
	g := &sendGuard{ctx: ctx, body: body, write: write, spare: spare, limiter: limiter, budget: budget}
	// Got1xxResponse sees every informational answer, 100 Continue
	// included (both transports call it before Got100Continue), so the
	// guard does not need that hook too; and both call WroteHeaders
	// before a WroteRequest without error, which therefore tells the
	// guard nothing more. Each hook is an allocation.
	g.trace = httptrace.ClientTrace{
		GetConn:              g.getConn,
		WroteHeaders:         g.wroteHeaders,
		GotFirstResponseByte: g.gotFirstResponseByte,
		Got1xxResponse:       g.got1xxResponse,
	}
	g.Context = httptrace.WithClientTrace(ctx, &g.trace)
	g.first.Reset(body)
	return g, g
}

// Value finds the guard under sendGuardKey, and everything else in the
// context the guard was made with.
func (g *sendGuard) Value(key any) any {
	if key == (sendGuardKey{}) {
		return g
	}
	return g.Context.Value(key)
}

func (g *sendGuard) getConn(string) {
	g.mu.Lock()
	g.asked = true
	g.mu.Unlock()
}

func (g *sendGuard) wroteHeaders() {
	g.mu.Lock()
	g.wrote, g.written = true, true
	g.mu.Unlock()
}

func (g *sendGuard) gotFirstResponseByte() {
	g.mu.Lock()
	g.answered = true
	g.mu.Unlock()
}

func (g *sendGuard) got1xxResponse(int, textproto.MIMEHeader) error {
	g.mu.Lock()
	g.interim = true
	g.mu.Unlock()
	return nil
}

// state reports what the transport did, and how often it sent the request
// again.
func (g *sendGuard) state() (wireState, int) {
	g.mu.Lock()
	defer g.mu.Unlock()
	switch {
	case g.written:
		return wireSent, g.replays
	case g.asked:
		return wireUnsent, g.replays
	}
	return wireUnknown, g.replays
}

// install gives req the guard's body and body rewind; it is resty's
// pre-request hook, so it sees every request of the API core (the guard
// rides on the request's context).
func installSendGuard(req *http.Request) {
	g, _ := req.Context().Value(sendGuardKey{}).(*sendGuard)
	if g == nil {
		return
	}
	req.ContentLength = int64(len(g.body))
	g.attach(req, true)
}

// attach gives req a body of the guard's (the first try's, or a new one)
// and the guard's rewind.
func (g *sendGuard) attach(req *http.Request, first bool) {
	req.Body, req.GetBody = g.newBody(first), g.rewind
	if len(g.body) == 0 && methodLacksBody(req.Method) {
		// A body of unknown length (an empty one, here) on a GET makes
		// HTTP/1.1's transport probe it, with a goroutine and a timer, to
		// see whether it is empty; a request that names its transfer
		// encoding is not probed. With "identity" the request goes out as
		// before: no Content-Length, no Transfer-Encoding, no body. (The
		// largest part of the guard's cost; see bench/README.md.) Only for
		// the methods the transport probes: a POST, PUT or PATCH is not
		// probed, and with "identity" it would go out with neither
		// Content-Length nor Transfer-Encoding, which gateways answer with
		// 411 Length Required; without it, it goes out chunked (an empty
		// chunk), as it always did.
		req.TransferEncoding = identityEncoding
	}
}

// methodLacksBody reports whether net/http's HTTP/1.1 transport probes a
// body of unknown length for method (its requestMethodUsuallyLacksBody,
// for the methods Client.Do takes).
func methodLacksBody(method string) bool {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodDelete:
		return true
	}
	return false
}

// identityEncoding is an empty body's transfer encoding; shared, never
// modified.
var identityEncoding = []string{"identity"}

// newBody returns a body for a try: the guard's own reader for the first,
// a new one for a replay (the transport may still hold an earlier one).
func (g *sendGuard) newBody(first bool) io.ReadCloser {
	switch {
	case len(g.body) == 0:
		// Not http.NoBody, which the transports replay freely; an empty
		// body still goes out as none.
		return emptyBody{}
	case first:
		return &g.first
	}
	b := &guardBody{}
	b.Reset(g.body)
	return b
}

// rewind is the request's GetBody, which the transports call before they
// send it again (and the HTTP client before it follows a redirect that
// keeps the body). A try that wrote nothing is free to go again.
func (g *sendGuard) rewind() (io.ReadCloser, error) {
	g.mu.Lock()
	// A try that got a final answer is followed by the HTTP client's
	// redirect, which the redirect policy decides on. An answer that began
	// with 1xx may be a stream the transport is about to replay.
	redirect := g.answered && !g.interim
	sent := g.wrote && !redirect
	g.answered, g.interim = false, false
	if sent {
		if g.write {
			g.mu.Unlock()
			return nil, errWriteNotRepeated
		}
		if g.replays >= g.spare || g.budget != nil && !g.budget.takeReplay() {
			g.mu.Unlock()
			return nil, errNoAttemptsLeft
		}
		g.replays++
	}
	g.wrote = false
	g.mu.Unlock()
	if sent && g.limiter != nil {
		if err := g.limiter.Wait(g.ctx); err != nil {
			return nil, err
		}
	}
	return g.newBody(false), nil
}

// emptyBody is a request body with nothing in it. WriteTo keeps io.Copy
// (the transport's copy of a body of unknown length) from allocating a
// 32 KiB buffer to read nothing with.
type emptyBody struct{}

func (emptyBody) Read([]byte) (int, error)         { return 0, io.EOF }
func (emptyBody) Close() error                     { return nil }
func (emptyBody) WriteTo(io.Writer) (int64, error) { return 0, nil }

// guardRedirects wraps a user's redirect policy: a write is never sent to
// a redirect's target (nor re-posted there), a read sent to one is guarded
// as the first request was, and the credentials never follow a redirect
// to another host.
func guardRedirects(policy func(*http.Request, []*http.Request) error) func(*http.Request, []*http.Request) error {
	return func(req *http.Request, via []*http.Request) error {
		g, _ := req.Context().Value(sendGuardKey{}).(*sendGuard)
		if g != nil && g.write {
			return http.ErrUseLastResponse
		}
		if g != nil && req.Body == nil {
			// A 301, 302 or 303 makes a new request without a body, which
			// the transport would replay by itself, uncounted, on a
			// reused connection that fails: it gets the guard's body too.
			// (A 307 or 308 got it already, from GetBody.) The try that
			// led here got its final answer: the redirected request starts
			// afresh, free, as rewind starts a 307's.
			g.mu.Lock()
			g.answered, g.interim, g.wrote = false, false, false
			g.mu.Unlock()
			g.attach(req, false)
		}
		if len(via) > 0 && (!strings.EqualFold(req.URL.Host, via[0].URL.Host) || req.URL.Scheme != via[0].URL.Scheme) {
			for _, h := range credentialHeaders {
				req.Header.Del(h)
			}
		}
		return policy(req, via)
	}
}

// credentialHeaders are the request headers that carry credentials.
var credentialHeaders = []string{"X-Auth-Token", "X-Security-Token", "Authorization"}
