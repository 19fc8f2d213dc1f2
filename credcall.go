package workspace

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

	"github.com/hwcloud-go/workspace/internal/pipeline"
)

// The credential services' calls (IAM, the ECS metadata service) go
// through the same pipeline as the API's (internal/pipeline): the same
// guard, bounds, redaction and error types; a refused answer is an
// *APIError, a body that does not decode a *DecodeError. They are not
// retried: the sources retry by asking again at the next call.

// maxCredBody bounds what is read of a credential service's answer.
const maxCredBody = 4 << 20

// credService sends requests to one credential service with the SDK's
// User-Agent, over its own copy of the caller's HTTP client that never
// follows a redirect: credentials stay with the host they were meant for.
type credService struct {
	pipe      *pipeline.Client
	userAgent []string
}

// newCredService returns a credService over a copy of hc; nil: a default
// client.
func newCredService(hc *http.Client) credService {
	return credService{pipe: pipeline.New(hc, pipeline.NoRedirects), userAgent: []string{userAgent("")}}
}

// credRequest is one call to a credential service.
type credRequest struct {
	method  string
	url     string                // in full
	path    string                // as errors name it: no host, no query
	header  http.Header           // sent besides Accept, User-Agent and Content-Type; nil: none
	body    []byte                // JSON; nil: no body
	secrets []string              // in the body (a password, an ID token): never in an error
	accept  func(status int) bool // the answers to decode; nil: any 2xx
}

// call sends r. An answer that r.accept refuses is an *APIError; decode
// reads the others (at most maxCredBody bytes of the body), and an error it
// returns comes back as a *DecodeError; a body cut off by the connection
// is the pipeline's *SendError.
func (s credService) call(ctx context.Context, r *credRequest, decode func(h http.Header, body io.Reader) error) error {
	pr := new(pipeline.Request)
	s.pipe.Prepare(pr)
	defer pr.Finish()
	h := pr.Header()
	for k, v := range r.header {
		h[k] = v
	}
	h["Accept"] = jsonHeaderValue
	h["User-Agent"] = s.userAgent
	if r.body != nil {
		h["Content-Type"] = jsonHeaderValue
	}
	pr.Method, pr.URL, pr.Path, pr.Body, pr.Secrets = r.method, r.url, r.path, r.body, r.secrets
	pr.Attempt.Write = r.method != http.MethodGet && r.method != http.MethodHead
	raw, err := s.pipe.Send(ctx, pr)
	if err != nil {
		return err
	}
	ok := raw.StatusCode >= 200 && raw.StatusCode <= 299
	if r.accept != nil {
		ok = r.accept(raw.StatusCode)
	}
	if !ok {
		return apiErrorFrom(raw.StatusCode, pipeline.ReadError(raw, pr), r.method, r.path)
	}
	defer pipeline.DrainClose(raw.Body)
	data, err := io.ReadAll(io.LimitReader(raw.Body, maxCredBody+1))
	switch {
	case err != nil:
		return pr.CutError(err)
	case len(data) > maxCredBody:
		err = fmt.Errorf("body larger than %d bytes", maxCredBody)
	default:
		err = decode(raw.Header, bytes.NewReader(data))
	}
	if err != nil {
		err = describeBody(raw.Header.Get("Content-Type"), data, err)
		return &DecodeError{StatusCode: raw.StatusCode, RequestID: pr.RequestID(raw), Method: r.method, Path: r.path, Err: pr.RedactError(err)}
	}
	return nil
}

// decodeCredJSON decodes a credential service's JSON body into out.
func decodeCredJSON(body io.Reader, out any) error {
	if err := json.NewDecoder(body).Decode(out); err != nil {
		return fmt.Errorf("body: %w", err)
	}
	return nil
}

// credParseTime parses an RFC 3339 expiry.
func credParseTime(field, s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, errors.New("no " + field)
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%s %q is not an RFC 3339 time", field, clip(s))
	}
	return t, nil
}

// credLoopback reports whether host is a loopback name or address.
func credLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
