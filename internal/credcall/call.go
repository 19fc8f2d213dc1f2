package credcall

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/hwcloud-go/workspace"
	"github.com/hwcloud-go/workspace/internal/pipeline"
)

// The credential services' calls (IAM, the ECS metadata service) go
// through the same pipeline as the API's: the same guard, bounds,
// redaction and error types; a refused answer is a *workspace.APIError, a
// body that does not decode a *workspace.DecodeError. They are not
// retried: the sources retry by asking again at the next call.

// maxBody bounds what is read of a credential service's answer.
const maxBody = 4 << 20

// jsonValue is the value of Accept and Content-Type; shared, never modified.
var jsonValue = []string{"application/json"}

// Service sends requests to one credential service with the SDK's
// User-Agent, over its own copy of the caller's HTTP client that never
// follows a redirect: credentials stay with the host they were meant for.
type Service struct {
	pipe      *pipeline.Client
	userAgent []string
}

// NewService returns a Service over a copy of hc; nil: a default client.
func NewService(hc *http.Client) Service {
	return Service{pipe: pipeline.New(hc, pipeline.NoRedirects), userAgent: []string{pipeline.UserAgent(workspace.Version, "")}}
}

// CloseIdleConnections closes the kept-alive connections of s's
// transport. A one-time caller (config.Load) that made s over a nil
// client, so over a transport of its own, calls it when done, so that no
// connection, nor the goroutines that watch it, outlives the call.
func (s Service) CloseIdleConnections() { s.pipe.CloseIdleConnections() }

// Request is one call to a credential service.
type Request struct {
	Method  string
	URL     string                // in full
	Path    string                // as errors name it: no host, no query
	Header  http.Header           // sent besides Accept, User-Agent and Content-Type; nil: none
	Body    []byte                // JSON; nil: no body
	Secrets []string              // in the body (a password, an ID token): never in an error
	Accept  func(status int) bool // the answers to decode; nil: any 2xx
}

// Call sends r. An answer that r.Accept refuses is a *workspace.APIError;
// decode reads the others (at most 4 MiB of the body), and an error it
// returns comes back as a *workspace.DecodeError that says what the body
// was; a body cut off by the connection is the pipeline's *SendError.
func (s Service) Call(ctx context.Context, r *Request, decode func(h http.Header, body io.Reader) error) error {
	pr := new(pipeline.Request)
	s.pipe.Prepare(pr)
	defer pr.Finish()
	h := pr.Header()
	for k, v := range r.Header {
		h[k] = v
	}
	h["Accept"] = jsonValue
	h["User-Agent"] = s.userAgent
	if r.Body != nil {
		h["Content-Type"] = jsonValue
	}
	pr.Method, pr.URL, pr.Path, pr.Body, pr.Secrets = r.Method, r.URL, r.Path, r.Body, r.Secrets
	pr.Attempt.Write = r.Method != http.MethodGet && r.Method != http.MethodHead
	raw, err := s.pipe.Send(ctx, pr)
	if err != nil {
		return err
	}
	ok := raw.StatusCode >= 200 && raw.StatusCode <= 299
	if r.Accept != nil {
		ok = r.Accept(raw.StatusCode)
	}
	if !ok {
		info := pipeline.ReadError(raw, pr)
		return &workspace.APIError{
			StatusCode: raw.StatusCode, Code: info.Code, Message: info.Message, Detail: info.Detail,
			EncodedAuthorizationMessage: info.EncodedAuthorizationMessage, RequestID: info.RequestID,
			Method: r.Method, Path: r.Path,
		}
	}
	defer pipeline.DrainClose(raw.Body)
	data, err := io.ReadAll(io.LimitReader(raw.Body, maxBody+1))
	switch {
	case err != nil:
		return pr.CutError(err)
	case len(data) > maxBody:
		err = fmt.Errorf("body larger than %d bytes", maxBody)
	default:
		err = decode(raw.Header, bytes.NewReader(data))
	}
	if err != nil {
		err = fmt.Errorf("%s: %w", pipeline.Describe(raw.Header.Get("Content-Type"), data), err)
		return &workspace.DecodeError{StatusCode: raw.StatusCode, RequestID: pr.RequestID(raw), Method: r.Method, Path: r.Path, Err: pr.RedactError(err)}
	}
	return nil
}

// DecodeJSON decodes a credential service's JSON body into out.
func DecodeJSON(body io.Reader, out any) error {
	if err := json.NewDecoder(body).Decode(out); err != nil {
		return fmt.Errorf("body: %w", err)
	}
	return nil
}

// ParseTime parses an RFC 3339 expiry; field names it in the error.
func ParseTime(field, s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, errors.New("no " + field)
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%s %q is not an RFC 3339 time", field, pipeline.Clip(s))
	}
	return t, nil
}

// Loopback reports whether host is a loopback name or address.
func Loopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
