package workspace

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/hwcloud-go/workspace/internal/pipeline"
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
	// gateway's "no such API" (see ErrNoSuchAPI), and the API's answer for
	// a desktop pool that does not exist, which is 400 WKS.0001.
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
	// ErrUnknownOutcome matches the error of a write that was sent and
	// of which nothing says whether it took effect: the connection failed
	// after the request was written, the call timed out or its context
	// ended while waiting for the answer, a 5xx came back, or a 2xx came
	// whose body was cut off or did not decode (the job started; its id
	// was lost). Look at the job list or the resource before sending it
	// again. A write that fails with any other error surely did not take
	// effect. Reads never match it. A context that ended matches both it
	// and context.Canceled or context.DeadlineExceeded.
	ErrUnknownOutcome = errors.New("workspace: the request may have taken effect")
	// ErrNotSent matches the error of a chunk of a bulk write (an
	// ...AndWait method) that was not sent because an earlier chunk
	// failed, or because the context ended before its turn: it surely did
	// not take effect. See BulkError.
	ErrNotSent = errors.New("workspace: not sent")
)

// codeNoSuchAPI is the gateway's error code for a path or method it does
// not serve.
const codeNoSuchAPI = "APIGW.0101"

// maxErrorText bounds every text kept from a server, after escaping.
const maxErrorText = pipeline.MaxText

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
// APIGW.0101 matches ErrNoSuchAPI instead. Where the API answers a missing
// resource with another status, ErrNotFound matches all the same: a
// missing desktop pool is 400 WKS.0001 (which matches ErrBadRequest too).
func (e *APIError) Is(target error) bool {
	switch target {
	case ErrBadRequest:
		return e.StatusCode == http.StatusBadRequest
	case ErrUnauthorized:
		return e.StatusCode == http.StatusUnauthorized
	case ErrForbidden:
		return e.StatusCode == http.StatusForbidden
	case ErrNotFound:
		return e.StatusCode == http.StatusNotFound && !e.noSuchAPI() || e.missingPool()
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

// codePoolNotFound is the code of the API's 400 for a desktop pool that
// does not exist. The reference pages are silent; the vendor's Terraform
// provider (huaweicloud_workspace_desktop_pool) reads a 400 with this code
// on GET .../desktop-pools/{pool_id} as "gone", which is the evidence.
const codePoolNotFound = "WKS.0001"

// missingPool reports whether e is the API's answer for a desktop pool
// that does not exist: a 400 with code WKS.0001 to a request that names
// one pool (.../desktop-pools/{pool_id}, and the paths below it). The code
// alone is not enough: elsewhere the API may use it for other refusals.
func (e *APIError) missingPool() bool {
	if e.StatusCode != http.StatusBadRequest || strings.TrimSpace(e.Code) != codePoolNotFound {
		return false
	}
	_, rest, ok := strings.Cut(e.Path, "/desktop-pools/")
	if !ok {
		return false
	}
	seg, _, _ := strings.Cut(rest, "/")
	return seg != "" && seg != "script-execution-tasks"
}

// noSuchAPI reports whether e is the gateway's 404 for an API it does not
// serve.
func (e *APIError) noSuchAPI() bool {
	return e.StatusCode == http.StatusNotFound && strings.EqualFold(strings.TrimSpace(e.Code), codeNoSuchAPI)
}

// newAPIError builds the *APIError for a non-2xx answer from at most
// pipeline.MaxErrorBody bytes of its body. It never fails: a body that is
// not the API's JSON object leaves a short, printable excerpt in Message.
func newAPIError(status int, header http.Header, body io.Reader, method, path string) *APIError {
	var info pipeline.ErrorInfo
	if body != nil {
		data, _ := io.ReadAll(io.LimitReader(body, pipeline.MaxErrorBody))
		info = pipeline.ParseError(data)
	}
	if header != nil {
		if id := header.Get("X-Request-Id"); id != "" {
			info.RequestID = clip(id)
		}
	}
	return apiErrorFrom(status, info, method, path)
}

// apiErrorFrom is the *APIError of a non-2xx answer that says info.
func apiErrorFrom(status int, info pipeline.ErrorInfo, method, path string) *APIError {
	return &APIError{
		StatusCode: status, Code: info.Code, Message: info.Message, Detail: info.Detail,
		EncodedAuthorizationMessage: info.EncodedAuthorizationMessage, RequestID: info.RequestID,
		Method: method, Path: path,
	}
}

// clip makes server text inert and short: see pipeline.Clip.
func clip(s string) string { return pipeline.Clip(s) }

// outcome is the error err of a call as it ends: a write whose last
// attempt res may have taken effect matches ErrUnknownOutcome.
func outcome(err error, write bool, res *attemptRecord) error {
	if err == nil || !write || !res.unknownOutcome() {
		return err
	}
	return &unknownOutcomeError{err: err}
}

// unknownOutcome reports whether a write whose attempt came to res may
// have taken effect: it was sent and got no answer, a 5xx, or a 2xx whose
// body was cut off or did not decode.
func (res *attemptRecord) unknownOutcome() bool {
	switch {
	case res.notSent:
		return false
	case res.bodyCut, res.decodeErr:
		return true
	case res.status != 0:
		return res.status >= 500
	}
	return res.sent
}

// unknownOutcomeError is the error of a write that may have taken effect.
type unknownOutcomeError struct{ err error }

func (e *unknownOutcomeError) Error() string {
	return e.err.Error() + " (the request may have taken effect: check before sending it again)"
}

func (e *unknownOutcomeError) Unwrap() error { return e.err }

// Is makes errors.Is(err, ErrUnknownOutcome) hold.
func (e *unknownOutcomeError) Is(target error) bool { return target == ErrUnknownOutcome }

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

// ConfigError is the error of NewClient, of config.Load and of the
// constructors of package credentials: the configuration is incomplete or
// wrong. A program tells "nothing configured" from the rest by Missing; a
// malformed value wraps its *ValidationError, which errors.As finds.
type ConfigError struct {
	// Missing names the options, environment variables or file keys that
	// would have supplied what is missing, e.g. "WithProjectID",
	// "HUAWEICLOUD_SDK_PROJECT_ID", "project_id in ~/.huaweicloud/credentials".
	Missing []string
	// Reason says what is wrong, in words.
	Reason string

	// Err is the cause, e.g. a *ValidationError for a malformed value;
	// Unwrap returns it. It is exported so that the credentials and config
	// packages build ConfigError values too.
	Err error

	groups []missingGroup // Missing by what each part supplies; nil: one group
}

// missingGroup is what is missing for one reason ("no credentials") and
// the names of which any one would supply it.
type missingGroup struct {
	reason string
	names  []string
}

// The limits of a ConfigError printed on one line: more missing names, or
// a longer line, and Error prints one name a line. The length is about
// 120: 132 columns keep on one line the longest error of an empty value
// (WithSecurityToken's, 126 characters), which names two things.
const (
	oneLineMissing = 3
	oneLineLen     = 132
)

// Error says what is wrong and, when something is missing, what would
// supply it: on one line where that is short, else one line for each name
// of Missing (under each thing missing, where several are). It never holds
// a secret.
func (e *ConfigError) Error() string {
	s := "workspace: configuration: " + e.Reason
	if len(e.Missing) == 0 {
		return s
	}
	one := s + " (set " + strings.Join(e.Missing, ", or ") + ")"
	if len(e.Missing) <= oneLineMissing && len(one) <= oneLineLen {
		return one
	}
	var b strings.Builder
	b.WriteString(s)
	groups := e.groups
	if !groupsAre(groups, e.Missing) {
		groups = nil // Missing was changed since: it is what counts
	}
	if len(groups) < 2 {
		b.WriteString("; ")
		writeNames(&b, "  ", e.Missing)
		return b.String()
	}
	for _, g := range groups {
		b.WriteString("\n  " + g.reason + "; ")
		writeNames(&b, "    ", g.names)
	}
	return b.String()
}

// writeNames writes "set one of:" (or "set:", for one name) and then each
// name on a line of its own, after indent and a dash.
func writeNames(b *strings.Builder, indent string, names []string) {
	if len(names) == 1 {
		b.WriteString("set:")
	} else {
		b.WriteString("set one of:")
	}
	for _, n := range names {
		b.WriteString("\n" + indent + "- " + n)
	}
}

// groupsAre reports whether the names of groups, in order, are missing.
func groupsAre(groups []missingGroup, missing []string) bool {
	i := 0
	for _, g := range groups {
		for _, n := range g.names {
			if i >= len(missing) || missing[i] != n {
				return false
			}
			i++
		}
	}
	return i == len(missing)
}

// Unwrap returns the cause, a *ValidationError for a malformed value.
func (e *ConfigError) Unwrap() error { return e.Err }

// emptyValue is the error of an option given an empty value, as
// WithAccessKey(os.Getenv("HUAWEICLOUD_SDK_AK"), ...) is when the variable
// is unset: it names the option and the variable that would supply the
// value, in Reason and in Missing, and keeps the *ValidationError (field,
// "must not be empty") that errors.As found before.
func emptyValue(option, what, field, env string) *ConfigError {
	return &ConfigError{
		Reason:  option + ": the " + what + " is empty",
		Missing: []string{option, env},
		Err:     invalid(field, "must not be empty"),
	}
}

// asConfigError turns any error of an option into a *ConfigError,
// keeping it as the cause. A nil error stays nil; a *ConfigError is returned as it is.
func asConfigError(err error) error {
	if err == nil {
		return nil
	}
	var ce *ConfigError
	if errors.As(err, &ce) {
		return err
	}
	out := &ConfigError{Reason: strings.TrimPrefix(err.Error(), "workspace: "), Err: err}
	return out
}
