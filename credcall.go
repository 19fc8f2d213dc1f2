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

	"github.com/go-resty/resty/v2"
)

// The one request path of the credential services (IAM, the ECS metadata
// service): send, a refused answer as *APIError, a body that does not
// decode as *DecodeError. Every token source and credentials provider
// calls through credService.call; none builds its own request.

// maxCredBody bounds what is read of a credential service's answer.
const maxCredBody = 4 << 20

// credService sends requests to one credential service with the SDK's
// User-Agent, over its own copy of the caller's HTTP client that never
// follows a redirect: credentials stay with the host they were meant for.
type credService struct {
	rc        *resty.Client
	userAgent string
}

// newCredService returns a credService over a copy of hc; nil: a default
// client.
func newCredService(hc *http.Client) credService {
	return credService{rc: newResty(hc, redirectsNever), userAgent: userAgent("")}
}

// credRequest is one call to a credential service.
type credRequest struct {
	method string
	url    string                // in full
	path   string                // as errors name it: no host, no query
	header http.Header           // sent besides Accept, User-Agent and Content-Type; nil: none
	body   []byte                // JSON; nil: no body
	accept func(status int) bool // the answers to decode; nil: any 2xx
}

// call sends r. An answer that r.accept refuses is an *APIError; decode
// reads the others (at most maxCredBody bytes of the body), and an error it
// returns comes back as a *DecodeError.
func (s credService) call(ctx context.Context, r *credRequest, decode func(h http.Header, body io.Reader) error) error {
	req := s.rc.R().SetContext(ctx).SetDoNotParseResponse(true)
	h := make(http.Header, 3+len(r.header))
	for k, v := range r.header {
		h[k] = v
	}
	h["Accept"] = []string{"application/json"}
	h.Set("User-Agent", s.userAgent)
	if r.body != nil {
		h["Content-Type"] = []string{"application/json"}
		req.SetBody(r.body)
	}
	req.Header = h
	resp, err := req.Execute(r.method, r.url)
	raw, err := rawResponse(resp, err, r.method, r.path)
	if err != nil {
		return err
	}
	defer drainClose(raw.Body)
	ok := raw.StatusCode >= 200 && raw.StatusCode <= 299
	if r.accept != nil {
		ok = r.accept(raw.StatusCode)
	}
	if !ok {
		return credAPIError(raw, r.method, r.path)
	}
	if err := decode(raw.Header, io.LimitReader(raw.Body, maxCredBody)); err != nil {
		return &DecodeError{StatusCode: raw.StatusCode, RequestID: raw.Header.Get("X-Request-Id"), Method: r.method, Path: r.path, Err: err}
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

// credAPIError builds the *APIError for a refused answer. The credential
// services answer in the API's error_code/error_msg shape or in Keystone's
// {"error": {"code": 401, "title": "...", "message": "..."}}; both fill
// Code and Message.
func credAPIError(raw *http.Response, method, path string) *APIError {
	data, _ := io.ReadAll(io.LimitReader(raw.Body, maxErrorBody))
	e := newAPIError(raw.StatusCode, raw.Header, bytes.NewReader(data), method, path)
	if e.Code != "" || e.Message != "" {
		return e
	}
	var ks struct {
		Error struct {
			Code    json.RawMessage `json:"code"`
			Title   string          `json:"title"`
			Message string          `json:"message"`
		} `json:"error"`
	}
	if json.Unmarshal(bytes.TrimSpace(data), &ks) != nil || ks.Error.Message == "" && ks.Error.Title == "" {
		return e
	}
	e.Code = clip(strings.Trim(string(ks.Error.Code), `"`))
	e.Message = clip(ks.Error.Message)
	if e.Message == "" {
		e.Message = clip(ks.Error.Title)
	}
	return e
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
