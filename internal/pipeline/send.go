package pipeline

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/go-resty/resty/v2"
)

// Request is one request through the pipeline. Make it ready with
// Client.Prepare, fill Header() and the fields, Send it once, and Finish it
// once done with the answer.
type Request struct {
	Method string
	URL    string // in full, the query included
	Path   string // as errors name it: no host, no query
	Body   []byte // JSON; nil: none
	// Secrets are what the request carries besides the credential headers
	// (a password, an ID token in the body): an answer that echoes one
	// has it replaced in every error text.
	Secrets []string
	// Attempt is the guard's view of the call (see Attempt).
	Attempt Attempt

	r *resty.Request
}

// Prepare makes r ready to fill and send, as new (the caller may keep its
// Request in a struct of its own and prepare it for each attempt).
func (c *Client) Prepare(r *Request) {
	r.Method, r.URL, r.Path, r.Body, r.Secrets = "", "", "", nil, nil
	r.r = c.rc.R()
	a := &r.Attempt
	a.Write, a.Resender, a.ctx, a.cancel, a.write = false, nil, nil, nil, nil
	a.resends.Store(0)
	// a.trace stays: see Attempt.install.
}

// Finish ends what the request holds once its answer's body is read and
// closed (or it failed). Until then, the body is read under its context.
func (r *Request) Finish() { r.Attempt.finish() }

// Header is the request's header, for the caller to fill; it is sent as
// it is (net/http adds Host, Content-Length and Accept-Encoding).
func (r *Request) Header() http.Header { return r.r.Header }

// Send sends r and returns the raw answer, whatever its status, or a
// *SendError. The caller reads and closes the answer's body.
func (c *Client) Send(ctx context.Context, r *Request) (*http.Response, error) {
	r.Attempt.bodyless = len(r.Body) == 0
	rr := r.r.SetContext(r.Attempt.install(ctx)).SetDoNotParseResponse(true)
	if r.Body != nil {
		rr.SetBody(r.Body)
	}
	resp, err := rr.Execute(r.Method, r.URL)
	var raw *http.Response
	if resp != nil {
		raw = resp.RawResponse
	}
	if err != nil {
		if raw != nil && raw.Body != nil {
			raw.Body.Close()
		}
		return nil, r.sendError(err)
	}
	if raw == nil {
		return nil, r.newSendError(false, false, errors.New("no response"))
	}
	if raw.StatusCode == http.StatusSwitchingProtocols {
		// The body of a 101 is the raw connection, which no context
		// bounds: a server that switches and then says nothing would hold
		// a read of it for good. Nothing was asked to switch to.
		raw.Body.Close()
		raw.Body = http.NoBody
	}
	return raw, nil
}

// sendError is the *SendError of a failed Execute.
func (r *Request) sendError(err error) *SendError {
	var se *SendError
	if errors.As(err, &se) {
		return r.newSendError(se.Sent, false, se.Err)
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		// The HTTP client's own failure (a redirect refused, its Timeout):
		// the request may have gone out.
		return r.newSendError(true, false, ue.Err)
	}
	// resty refused the request before sending it.
	return r.newSendError(false, false, err)
}

// CutError is the *SendError of an answer whose body could not be read
// whole (err: what the read returned).
func (r *Request) CutError(err error) *SendError { return r.newSendError(true, true, err) }

func (r *Request) newSendError(sent, cut bool, err error) *SendError {
	text := Redact(err.Error(), r.secrets())
	if _, query, ok := strings.Cut(r.URL, "?"); ok {
		// A transport's error may name the URL (a mock's does).
		text = Redact(text, []string{query})
	}
	if cut {
		text = "the answer's body was cut off: " + text
	}
	return &SendError{Method: r.Method, Path: r.Path, Sent: sent, BodyCut: cut, Err: err, text: Clip(text)}
}

// secrets are the values an echo of the request must not show: the
// credential headers' and r.Secrets.
func (r *Request) secrets() []string {
	out := append([]string(nil), r.Secrets...)
	for _, name := range CredentialHeaders {
		v := r.r.Header.Get(name)
		if name == "Authorization" {
			if i := strings.LastIndex(v, "Signature="); i >= 0 {
				v = v[i+len("Signature="):]
			}
		}
		out = append(out, v)
	}
	return out
}

// SendError is a request that got no answer, or an answer whose body was
// cut off by the connection. Its text names no URL, query or secret.
type SendError struct {
	Method, Path string
	// Sent says the request may have reached the server: it was written
	// whole, or the transport does not say and its error does not show
	// that no connection was made.
	Sent bool
	// BodyCut says an answer came and its body was cut off.
	BodyCut bool
	Err     error // the transport's error

	text string
}

// Error names the request and what went wrong, inert and bounded.
func (e *SendError) Error() string {
	text := e.text
	if text == "" && e.Err != nil {
		text = Clip(e.Err.Error())
	}
	return "workspace: " + e.Method + " " + e.Path + ": " + text
}

// Unwrap returns the transport's error.
func (e *SendError) Unwrap() error { return e.Err }
