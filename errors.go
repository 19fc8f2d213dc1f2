package workspace

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/hwcloud-go/workspace/internal/wire"
)

// Sentinel errors matched by errors.Is against an *APIError through its
// HTTP status.
var (
	// ErrBadRequest matches an *APIError with status 400.
	ErrBadRequest = errors.New("workspace: bad request")
	// ErrUnauthorized matches an *APIError with status 401.
	ErrUnauthorized = errors.New("workspace: unauthorized")
	// ErrForbidden matches an *APIError with status 403.
	ErrForbidden = errors.New("workspace: forbidden")
	// ErrNotFound matches an *APIError with status 404, except the
	// gateway's "no such API" (see ErrNoSuchAPI).
	ErrNotFound = errors.New("workspace: not found")
	// ErrConflict matches an *APIError with status 409.
	ErrConflict = errors.New("workspace: conflict")
	// ErrThrottled matches an *APIError with status 429.
	ErrThrottled = errors.New("workspace: throttled")
	// ErrServer matches an *APIError with any 5xx status.
	ErrServer = errors.New("workspace: server error")
	// ErrNoSuchAPI matches a 404 from the API gateway with code APIGW.0101:
	// there is no such API at this endpoint (a wrong endpoint, region or
	// path), which says nothing about the resource. ErrNotFound does not
	// match it, so code that reads "not found" as "already gone" does not
	// act on a typo.
	ErrNoSuchAPI = errors.New("workspace: no such API at this endpoint")
)

// codeNoSuchAPI is the gateway's error code for a path or method it does
// not serve.
const codeNoSuchAPI = "APIGW.0101"

// maxErrorBody is how much of a non-2xx body is read at the most.
const maxErrorBody = 1 << 20

// maxErrorText bounds the message and detail kept from a body that is not
// the API's JSON error object (an HTML page from a gateway, say).
const maxErrorText = 256

// APIError is returned for every non-2xx answer, whatever its body: the
// API's JSON error object, a gateway's, HTML, empty or cut off.
//
// A test of code that handles errors can build one with only the fields it
// needs: &APIError{StatusCode: 404} matches ErrNotFound with errors.Is and
// prints "workspace: 404 Not Found".
type APIError struct {
	StatusCode                  int    // the HTTP status, e.g. 404
	Code                        string // error_code, e.g. WKS.00010032, APIGW.0301; "" when the body had none
	Message                     string // error_msg; for a body that is not the API's JSON, an excerpt of it
	Detail                      string // error_detail
	EncodedAuthorizationMessage string // encoded_authorization_message: the encoded details of a refused authorization
	RequestID                   string // X-Request-Id header, else request_id in the body: quote it to support
	Method, Path                string // the request, without query string or secrets
}

// Error describes the failed request and the server's answer. Fields left
// empty are left out, so an APIError built in a test,
// &APIError{StatusCode: 404}, prints "workspace: 404 Not Found".
func (e *APIError) Error() string {
	var b strings.Builder
	b.WriteString("workspace: ")
	if req := strings.TrimSpace(e.Method + " " + e.Path); req != "" {
		b.WriteString(req)
		b.WriteString(": ")
	}
	b.WriteString(strconv.Itoa(e.StatusCode))
	if t := http.StatusText(e.StatusCode); t != "" {
		b.WriteByte(' ')
		b.WriteString(t)
	}
	if e.Code != "" {
		b.WriteString(": ")
		b.WriteString(e.Code)
	}
	if e.Message != "" {
		b.WriteString(": ")
		b.WriteString(e.Message)
	}
	if e.RequestID != "" {
		b.WriteString(" (request id ")
		b.WriteString(e.RequestID)
		b.WriteByte(')')
	}
	return b.String()
}

// Is reports whether target is the sentinel for e's status, so that
// errors.Is(err, ErrNotFound) holds for a 404; the gateway's 404 with code
// APIGW.0101 matches ErrNoSuchAPI instead.
func (e *APIError) Is(target error) bool {
	switch target {
	case ErrBadRequest:
		return e.StatusCode == http.StatusBadRequest
	case ErrUnauthorized:
		return e.StatusCode == http.StatusUnauthorized
	case ErrForbidden:
		return e.StatusCode == http.StatusForbidden
	case ErrNotFound:
		return e.StatusCode == http.StatusNotFound && !e.noSuchAPI()
	case ErrNoSuchAPI:
		return e.noSuchAPI()
	case ErrConflict:
		return e.StatusCode == http.StatusConflict
	case ErrThrottled:
		return e.StatusCode == http.StatusTooManyRequests
	case ErrServer:
		return e.StatusCode >= 500 && e.StatusCode <= 599
	}
	return false
}

// noSuchAPI reports whether e is the gateway's 404 for an API it does not
// serve.
func (e *APIError) noSuchAPI() bool {
	return e.StatusCode == http.StatusNotFound && strings.EqualFold(strings.TrimSpace(e.Code), codeNoSuchAPI)
}

// newAPIError builds the *APIError for a non-2xx answer from at most
// maxErrorBody bytes of its body. It never fails: a body that is not the
// API's JSON object leaves a short, printable excerpt in Message.
func newAPIError(status int, header http.Header, body io.Reader, method, path string) *APIError {
	e := &APIError{StatusCode: status, Method: method, Path: path}
	if header != nil {
		e.RequestID = clip(header.Get("X-Request-Id"))
	}
	if body == nil {
		return e
	}
	data, _ := io.ReadAll(io.LimitReader(body, maxErrorBody))
	parseErrorBody(e, data)
	return e
}

// parseErrorBody fills e from data, tolerating any content.
func parseErrorBody(e *APIError, data []byte) {
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) == 0 {
		return
	}
	var eb wire.ErrorBody
	if trimmed[0] == '{' && json.Unmarshal(trimmed, &eb) == nil {
		e.Code = clip(eb.ErrorCode)
		e.Message = clip(eb.ErrorMsg)
		e.Detail = clip(eb.ErrorDetail)
		e.EncodedAuthorizationMessage = eb.EncodedAuthorizationMessage
		if e.RequestID == "" {
			e.RequestID = clip(eb.RequestID)
		}
		return
	}
	e.Message = "unexpected error body: " + clip(printable(trimmed))
}

// printable folds a raw body to one line of valid UTF-8 text.
func printable(b []byte) string {
	if len(b) > 4*maxErrorText {
		b = b[:4*maxErrorText]
	}
	s := strings.ToValidUTF8(string(b), "")
	return strings.Join(strings.Fields(s), " ")
}

// clip makes server text inert: at most maxErrorText bytes of s (without
// splitting a rune), with control characters (CR, LF, ESC, ..., and the
// Unicode line separators) escaped, so that it cannot forge a log line or
// drive a terminal.
func clip(s string) string {
	if len(s) > maxErrorText {
		cut := maxErrorText
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut] + "…"
	}
	if strings.IndexFunc(s, needsEscape) < 0 {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if needsEscape(r) {
			q := strconv.QuoteRune(r) // '\n', '\x1b', '\u2028'
			b.WriteString(q[1 : len(q)-1])
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

func needsEscape(r rune) bool {
	return unicode.IsControl(r) || r == '\u2028' || r == '\u2029'
}

// ValidationError reports input rejected before any request was sent.
type ValidationError struct {
	Field  string // the argument or field, as the caller wrote it: e.g. "poolID", "opts.Limit", "req.Volumes[2].Size"
	Reason string // what is wrong with it
}

// Error names the field and says what is wrong with it.
func (e *ValidationError) Error() string {
	return "workspace: invalid " + e.Field + ": " + e.Reason
}

func invalid(field, format string, args ...any) *ValidationError {
	return &ValidationError{Field: field, Reason: fmt.Sprintf(format, args...)}
}

// DecodeError reports a 2xx answer whose body could not be decoded as the
// operation's result: a gateway's HTML page, an empty or cut-off body, or
// JSON of the wrong shape. No zero value is returned in its place.
type DecodeError struct {
	StatusCode   int    // the 2xx status of the answer
	RequestID    string // X-Request-Id of the answer
	Method, Path string // the request, without query string
	Err          error  // what went wrong while decoding
}

// Error describes the request and the decoding failure.
func (e *DecodeError) Error() string {
	s := fmt.Sprintf("workspace: %s %s: %d answer could not be decoded: %v", e.Method, e.Path, e.StatusCode, e.Err)
	if e.RequestID != "" {
		s += " (request id " + e.RequestID + ")"
	}
	return s
}

// Unwrap returns the underlying decoding error.
func (e *DecodeError) Unwrap() error { return e.Err }

// JobFailedError is returned by JobsService.Wait for a job that failed, or
// that finished with a sub-job that did not succeed.
type JobFailedError struct {
	Job *Job // the job as last polled, with its sub-jobs
}

// Error names the job, its status and the first failure reason found.
func (e *JobFailedError) Error() string {
	if e.Job == nil {
		return "workspace: job failed"
	}
	s := fmt.Sprintf("workspace: job %s %s", e.Job.ID, e.Job.Status)
	code, reason := e.Job.ErrorCode, e.Job.FailReason
	failed := e.Job.failedSubJobs()
	for _, sj := range e.Job.SubJobs {
		if code == "" && reason == "" && !sj.Status.succeeded() {
			code, reason = sj.ErrorCode, sj.FailReason
		}
	}
	if failed > 0 {
		s += fmt.Sprintf(" (%d of %d sub-jobs did not succeed)", failed, len(e.Job.SubJobs))
	}
	if code != "" {
		s += ": " + clip(code)
	}
	if reason != "" {
		s += ": " + clip(reason)
	}
	return s
}
