package pipeline

import (
	"context"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"reflect"
	"sync/atomic"
)

// Go's transports send a request again by themselves: HTTP/1.1 after a
// kept-alive connection failed, HTTP/2 after a stream reset with
// REFUSED_STREAM or PROTOCOL_ERROR or a GOAWAY; a user's RoundTripper may
// retry too. Below the SDK's retry logic, that would repeat a batch-delete
// the server carried out, and let reads bypass the retry policy and the
// rate limit. The guard is the RoundTripper the SDK puts on top of every
// transport (the user's own included, so that it sits above any retrying
// transport of theirs), so that:
//
//   - a write cannot be sent twice by anything below it: its request has
//     no GetBody, so nothing below can rewind its body, a bodyless write
//     gets a body of its own (see bodylessWrite), and any further try is
//     refused before it is written, but net/http's own HTTP/1.1 re-send of
//     a write of which nothing was written;
//   - a read goes out exactly as net/http sends it (a GET has no body) and
//     every further try of the transport within the round trip is counted
//     and asked for (Resender: the retry policy, the retry budget and the
//     rate limiter) before it goes out; a refused one ends the round trip;
//   - whether the request may have reached the server travels in the
//     error (Send makes it a *SendError), for the retry decision to read.
//
// Every try is seen at httptrace's GotConn, which both of Go's transports
// call once per try, on the round trip's goroutine, before they write.
//
// Informational answers and redirects are the transport's and the HTTP
// client's as always: no hook of the guard changes their limits.

// Attempt is what the guard needs of one attempt of a call, and what it
// follows of the attempt through the transport's trace. The caller fills
// Write and Resender; Send installs the rest.
type Attempt struct {
	// Write says the request changes state: it is never sent twice.
	Write bool
	// Resender is asked before the transport tries a read again by
	// itself within one round trip; nil refuses every such try.
	Resender Resender

	resends  atomic.Int32 // the transport's own tries after the first
	bodyless bool         // the request has no body (set by Send)
	// plainH1: a connection without TLS speaks HTTP/1.1 (unless the
	// transport below speaks unencrypted HTTP/2). Set by the guard as each
	// round trip starts.
	plainH1 bool
	// sent is what the guard found of the last failed round trip: 0
	// none, 1 not sent, 2 sent (an HTTP client's Timeout replaces the
	// guard's error by text of its own).
	sent atomic.Int32

	// A read's, for the current round trip (a redirect makes another):
	// reset by the guard as each starts, and touched only by GotConn, which
	// the transport calls on the round trip's goroutine.
	tries   atomic.Int32
	refused atomic.Pointer[error] // what refused a try, if anything
	ctx     context.Context       // ended by cancel to stop a try
	cancel  context.CancelFunc    // a write's too: see install
	trace   httptrace.ClientTrace // bound once: see install

	write *writeTrace // a write's: one for each attempt
}

// writeTrace follows one attempt of a write: whether it was sent. Each
// attempt has its own, since WroteRequest may come after the round trip
// returned (HTTP/1.1 writes on a goroutine of its own).
type writeTrace struct {
	a        *Attempt
	cancel   context.CancelFunc // ends the write's context, to stop a try over HTTP/2
	traced   atomic.Bool        // the transport reports through httptrace
	tries    atomic.Int32       // connections the request was sent on
	complete atomic.Bool        // a try was written whole
	// refusedTry: a second try was refused; the first may be in flight.
	refusedTry atomic.Bool
	http1      atomic.Bool // the last try's connection speaks HTTP/1.1
	// direct: net/http's transport is right below the guard, and the
	// request has no idempotency key (with which it would send a write
	// again after more than a failure to write it).
	direct bool
	trace  httptrace.ClientTrace
}

// Resender says whether the transport may send a read again by itself.
type Resender interface {
	// Resend is asked before each such try; an error refuses it and ends
	// the round trip with that error.
	Resend(ctx context.Context) error
}

// Resends is how often the transport tried the request again by itself.
func (a *Attempt) Resends() int { return int(a.resends.Load()) }

// install returns ctx with a, its trace and the cancel that stops a try
// refused (a read's by the Resender, a write's sent again).
func (a *Attempt) install(ctx context.Context) context.Context {
	ctx = context.WithValue(ctx, attemptKey{}, a)
	if a.Write {
		// A write's tries are followed for whether it was sent, and a
		// further one is stopped by ending the context (HTTP/2) or closing
		// its connection (HTTP/1.1).
		w := &writeTrace{a: a}
		ctx, a.cancel = context.WithCancel(ctx)
		w.cancel = a.cancel
		w.trace = httptrace.ClientTrace{GetConn: w.getConn, GotConn: w.gotConn, WroteRequest: w.wroteRequest}
		a.write = w
		return httptrace.WithClientTrace(ctx, &w.trace)
	}
	// A read is retried whether it was sent or not; the transport's own
	// tries are counted, and stopped by ending the context.
	ctx, a.cancel = context.WithCancel(ctx)
	a.ctx = ctx
	// The read's trace is bound once and never written again: a dial of
	// an earlier attempt may still read the trace it was given (net/http
	// dials on after the request gave up), and an Attempt prepared again
	// for the next attempt of a call keeps its own. A trace of the
	// caller's in ctx is joined into a new one each time.
	if httptrace.ContextClientTrace(ctx) != nil {
		return httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{GotConn: a.gotConn})
	}
	if a.trace.GotConn == nil {
		a.trace.GotConn = a.gotConn
	}
	return httptrace.WithClientTrace(ctx, &a.trace)
}

// finish ends the request's context, once its answer is read.
func (a *Attempt) finish() {
	if a.cancel != nil {
		a.cancel()
	}
}

type attemptKey struct{}

// attemptOf returns the attempt ctx carries, or nil.
func attemptOf(ctx context.Context) *Attempt {
	a, _ := ctx.Value(attemptKey{}).(*Attempt)
	return a
}

// ErrWriteNotRepeated ends a round trip in which the transport was about to
// send a write again after it had been sent whole.
var ErrWriteNotRepeated = errors.New("the transport was about to send the request again after it was sent; a request that changes state is not sent twice")

// guard is the RoundTripper described above.
type guard struct {
	next http.RoundTripper
	// transport: next is net/http's *http.Transport. h2c: it speaks
	// unencrypted HTTP/2 (a connection without TLS may then be HTTP/2).
	transport, h2c bool
	// proto is the HTTP major version of the last answer (0: none yet),
	// which decides the body of a bodyless write.
	proto atomic.Int32
}

// RoundTrip sends req through the transport below under the guard's rules.
// A request without an Attempt (none of the SDK's) passes as it is.
func (g *guard) RoundTrip(req *http.Request) (*http.Response, error) {
	a := attemptOf(req.Context())
	if a == nil {
		return g.next.RoundTrip(req)
	}
	if err := req.Context().Err(); err != nil {
		a.sent.Store(1)
		return nil, &guardError{sent: false, err: err} // nothing was sent
	}
	a.tries.Store(0)
	a.refused.Store(nil)
	// A connection without TLS is taken for HTTP/1.1 unless net/http's
	// transport right below was set to speak unencrypted HTTP/2: that is
	// an explicit opt-in, and a transport of the caller's is trusted not
	// to make it behind the guard's back (if it does, a refused try's
	// shared connection is closed: other requests on it fail, none is
	// sent twice).
	a.plainH1 = !g.h2c
	if a.Write {
		if w := a.write; w != nil {
			// net/http sends a write again after more than a failure to
			// write it when the request names an idempotency key, even an
			// empty one.
			_, key := req.Header["Idempotency-Key"]
			_, xkey := req.Header["X-Idempotency-Key"]
			_, isTransport := g.next.(*http.Transport)
			w.direct = isTransport && !key && !xkey
		}
		cp := *req // RoundTrip must not change the caller's request
		cp.GetBody = nil
		if a.bodyless {
			// Whatever resty made of no body (an empty reader, say)
			// gives way to the guard's.
			if cp.Body != nil {
				cp.Body.Close()
			}
			cp.Body, cp.ContentLength = g.bodylessWrite(&cp), 0
		}
		req = &cp
	}
	resp, err := g.next.RoundTrip(req)
	if err != nil {
		if cause := a.refused.Load(); cause != nil {
			err = *cause
		}
		sent := a.wasSent(err)
		a.sent.Store(map[bool]int32{false: 1, true: 2}[sent])
		return nil, &guardError{sent: sent, err: err}
	}
	g.proto.Store(int32(resp.ProtoMajor))
	return resp, nil
}

// CloseIdleConnections closes the idle connections of the transport below.
func (g *guard) CloseIdleConnections() {
	if c, ok := g.next.(interface{ CloseIdleConnections() }); ok {
		c.CloseIdleConnections()
	}
}

// bodylessWrite is the body of a write without one. HTTP/1.1 sends
// http.NoBody as "Content-Length: 0" and never sends such a write twice
// (only one that failed before a byte left). HTTP/2 sends any request
// without a body again freely after some stream errors, so there the write
// gets an empty body instead, which goes out as an empty DATA frame and
// cannot be sent again. The protocol is known from the last answer, or
// from the transport (plain http over an *http.Transport); before either, the write is sent as for
// HTTP/2 (chunked, with no data, over HTTP/1.1).
func (g *guard) bodylessWrite(req *http.Request) io.ReadCloser {
	switch g.proto.Load() {
	case 1:
		return http.NoBody
	case 2:
		return emptyBody{}
	}
	if g.transport && !g.h2c && req.URL.Scheme == "http" {
		return http.NoBody
	}
	return emptyBody{}
}

// gotConn is called once for each try of a read, on the goroutine of the
// round trip, before the request is written on the connection: a try
// after the first is the transport's own, and is asked for.
func (a *Attempt) gotConn(info httptrace.GotConnInfo) {
	if a.tries.Add(1) == 1 {
		return
	}
	a.resends.Add(1)
	err := errNoResend
	if a.Resender != nil {
		err = a.Resender.Resend(a.ctx)
	}
	if err != nil {
		a.refused.CompareAndSwap(nil, &err)
		a.cancel()
		stop(info.Conn, a.plainH1)
	}
}

var errNoResend = errors.New("the connection failed after the request was sent")

func (w *writeTrace) getConn(string) { w.traced.Store(true) }

// gotConn is called once for each try of a write. Only a try that failed
// before the request was written whole can lead to another (the write has
// no GetBody); a transport that tries again after that is stopped.
func (w *writeTrace) gotConn(info httptrace.GotConnInfo) {
	w.traced.Store(true)
	wasHTTP1 := w.http1.Swap(isHTTP1(info.Conn, w.a.plainH1))
	if w.tries.Add(1) == 1 {
		return
	}
	w.a.resends.Add(1)
	if w.direct && wasHTTP1 {
		// net/http's own HTTP/1.1 transport, right below the guard,
		// sends a write again only when nothing of it was written (it
		// reported the request written once it was buffered): a safe try.
		w.complete.Store(false)
		return
	}
	// Any other second try (HTTP/2's, a retrying or hedging transport of
	// the caller's) is refused, whatever became of the first: a try still
	// in flight may yet be written whole, so the write counts as sent.
	w.refusedTry.Store(true)
	err := ErrWriteNotRepeated
	w.a.refused.CompareAndSwap(nil, &err)
	w.cancel()
	stop(info.Conn, w.a.plainH1)
}

func (w *writeTrace) wroteRequest(info httptrace.WroteRequestInfo) {
	if info.Err == nil {
		w.complete.Store(true)
	}
}

// stop keeps a refused try from being written. HTTP/2 checks the context
// (ended by the caller) before it writes a stream's headers. HTTP/1.1
// writes the request on the connection it just handed over without looking
// at the context again; that connection is this request's alone, and
// closing it makes the write fail with nothing written (the transport then
// sees the ended context, or gives up on a fresh connection).
func stop(conn net.Conn, plainH1 bool) {
	if isHTTP1(conn, plainH1) {
		conn.Close()
	}
}

// isHTTP1 reports whether conn is known to speak HTTP/1.1: over TLS, as
// ALPN agreed; without TLS, where plainH1 says so. A connection that may
// be HTTP/2 is shared by other requests, and never closed by the guard.
func isHTTP1(conn net.Conn, plainH1 bool) bool {
	if conn == nil {
		return false
	}
	if tc, ok := conn.(interface{ ConnectionState() tls.ConnectionState }); ok {
		return tc.ConnectionState().NegotiatedProtocol != "h2"
	}
	return plainH1
}

// speaksH2C reports whether t speaks unencrypted HTTP/2 (its Protocols,
// Go 1.24, which the module's go directive does not name: read by
// reflection, false where it has none).
func speaksH2C(t *http.Transport) bool {
	f := reflect.ValueOf(t).Elem().FieldByName("Protocols")
	if !f.IsValid() || f.IsNil() {
		return false
	}
	m := f.MethodByName("UnencryptedHTTP2")
	if !m.IsValid() {
		return false
	}
	out := m.Call(nil)
	return len(out) == 1 && out[0].Bool()
}

// guardError is the guard's error: the transport's, with whether the
// request may have been sent.
type guardError struct {
	sent bool
	err  error
}

func (e *guardError) Error() string { return e.err.Error() }
func (e *guardError) Unwrap() error { return e.err }

// sent reports whether the request may have reached the server, after
// the round trip failed with err. A request the transport never wrote
// whole cannot have been acted on: a server has no request until its last
// byte. A transport that reports nothing (a mock, or one that does not use
// net/http's) is judged by its error: only one that shows that no
// connection was made says "not sent". (For a read, which is retried
// either way, only whether a connection was had is followed.)
func (a *Attempt) wasSent(err error) bool {
	if w := a.write; w != nil {
		switch {
		case w.refusedTry.Load():
			return true
		case w.complete.Load():
			// HTTP/1.1 reports a request written once it is buffered,
			// before its last flush: a write error on its only try means
			// it never left whole.
			return !(w.tries.Load() == 1 && w.http1.Load() && writeFailed(err))
		case w.traced.Load():
			return false
		}
	} else if a.tries.Load() > 0 {
		return true
	}
	return !NeverConnected(err)
}

// writeFailed reports whether err is a failed write on a connection.
func writeFailed(err error) bool {
	var opErr *net.OpError
	return errors.As(err, &opErr) && opErr.Op == "write"
}

// emptyBody is a request body with nothing in it. WriteTo keeps io.Copy
// from allocating a buffer to read nothing with.
type emptyBody struct{}

func (emptyBody) Read([]byte) (int, error)         { return 0, io.EOF }
func (emptyBody) Close() error                     { return nil }
func (emptyBody) WriteTo(io.Writer) (int64, error) { return 0, nil }
