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
	r.Attempt.sent.Store(0)
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
	var ge *guardError
	if errors.As(err, &ge) {
		return r.newSendError(ge.sent, false, ge.err)
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	switch r.Attempt.sent.Load() {
	case 1:
		// The HTTP client replaced the guard's error (its Timeout does).
		return r.newSendError(false, false, err)
	case 2:
		return r.newSendError(true, false, err)
	}
	// The HTTP client's own failure after an answer (a redirect refused)
	// may follow a request that went out; without one, resty refused the
	// request before sending it.
	return r.newSendError(ue != nil, false, err)
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

// Redact returns s with every secret of the request (its credential
// headers' values and Secrets), as sent or escaped, replaced. It costs
// nothing where s holds none and no escape (a request id, say).
func (r *Request) Redact(s string) string {
	if strings.ContainsAny(s, "%\\") {
		return Redact(s, r.secrets())
	}
	for _, name := range CredentialHeaders {
		if v := secretOf(name, r.r.Header.Get(name)); len(v) >= minSecret && strings.Contains(s, v) {
			return Redact(s, r.secrets())
		}
	}
	for _, v := range r.Secrets {
		if len(v) >= minSecret && strings.Contains(s, v) {
			return Redact(s, r.secrets())
		}
	}
	return s
}

// RequestID is the answer's X-Request-Id, made inert, bounded and free of
// the request's secrets (a gateway may reflect any header into it).
func (r *Request) RequestID(resp *http.Response) string {
	return Clip(r.Redact(resp.Header.Get("X-Request-Id")))
}

// RedactError returns err with a text free of the request's secrets; it
// unwraps to err.
func (r *Request) RedactError(err error) error {
	if err == nil {
		return nil
	}
	text := Redact(err.Error(), r.secrets())
	if text == err.Error() {
		return err
	}
	return &redactedError{text: text, err: err}
}

// redactedError is an error whose text had secrets replaced.
type redactedError struct {
	text string
	err  error
}

func (e *redactedError) Error() string { return e.text }
func (e *redactedError) Unwrap() error { return e.err }

// secretOf is the secret a credential header's value carries: the value,
// or an Authorization's signature.
func secretOf(name, v string) string {
	if name == "Authorization" {
		if i := strings.LastIndex(v, "Signature="); i >= 0 {
			return v[i+len("Signature="):]
		}
	}
	return v
}

// secrets are the values an echo of the request must not show: the
// credential headers' and r.Secrets.
func (r *Request) secrets() []string {
	out := append([]string(nil), r.Secrets...)
	for _, name := range CredentialHeaders {
		out = append(out, secretOf(name, r.r.Header.Get(name)))
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
