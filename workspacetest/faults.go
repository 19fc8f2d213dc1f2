package workspacetest

import (
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"time"
)

// Operation names an API operation of the fake, for faults and for the
// request record.
type Operation string

// The operations the fake serves.
const (
	OpGetInconsistentStatistics Operation = "GetInconsistentStatistics"
	OpBatchDeleteVolumes        Operation = "BatchDeleteVolumes"
	OpListScriptExecutionTasks  Operation = "ListScriptExecutionTasks"
	OpCheckImages               Operation = "CheckImages"
	OpListSnapshots             Operation = "ListSnapshots"
	OpGetJob                    Operation = "GetJob"
	OpListDesktopPools          Operation = "ListDesktopPools"
	OpGetDesktopPool            Operation = "GetDesktopPool"
	OpListPoolDesktops          Operation = "ListPoolDesktops"
	OpRebuildDesktopPool        Operation = "RebuildDesktopPool"
	OpBatchAddVolumes           Operation = "BatchAddVolumes"
	OpExecuteScripts            Operation = "ExecuteScripts"
	OpListDesktops              Operation = "ListDesktops"
	OpBatchCreateSnapshots      Operation = "BatchCreateSnapshots"
	OpBatchDeleteSnapshots      Operation = "BatchDeleteSnapshots"
	OpBatchRestoreSnapshots     Operation = "BatchRestoreSnapshots"
	OpListSubJobs               Operation = "ListSubJobs"

	// OpAny matches every operation in InjectFault, FailNext and DropNext.
	OpAny Operation = "*"
	// OpUnknown is the operation of a request to no known path.
	OpUnknown Operation = ""
)

// Fault is what the fake does instead of (or after) answering a call.
type Fault struct {
	// Status, when not 0, is the status to answer with, with the API's
	// JSON error body.
	Status int
	// RetryAfter, when not empty, is sent as the Retry-After header.
	RetryAfter string
	// Code and Message override the error body's error_code and
	// error_msg (defaults depend on Status).
	Code, Message string
	// Body, when not empty, is sent as the body instead of the JSON error
	// (an HTML page from a gateway, say), as text/html.
	Body string
	// Drop closes the connection without an answer.
	Drop bool
	// Latency delays the answer by this much more than the server's
	// latency.
	Latency time.Duration
	// AfterEffect carries out the operation first (a batch-delete starts
	// its job) and then fails: a lost answer to a request that took
	// effect.
	AfterEffect bool
}

type queuedFault struct {
	f Fault
	n int
}

// InjectFault makes the next n calls of op (OpAny: of any operation) meet
// f. Faults queue up: those injected earlier are used up first. Faults for
// op itself are used before those for OpAny.
func (s *Server) InjectFault(op Operation, n int, f Fault) {
	if n <= 0 {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults[op] = append(s.faults[op], &queuedFault{f: f, n: n})
}

// FailNext makes the next n calls of op answer status with the API's
// error body, and Retry-After: retryAfter when it is not empty.
func (s *Server) FailNext(op Operation, n, status int, retryAfter string) {
	s.InjectFault(op, n, Fault{Status: status, RetryAfter: retryAfter})
}

// DropNext makes the next n calls of op end with the connection closed
// and no answer.
func (s *Server) DropNext(op Operation, n int) {
	s.InjectFault(op, n, Fault{Drop: true})
}

// ClearFaults forgets every fault not yet used.
func (s *Server) ClearFaults() {
	s.mu.Lock()
	defer s.mu.Unlock()
	clear(s.faults)
}

// takeFaultLocked uses up one call of the first fault for op.
func (s *Server) takeFaultLocked(op Operation) (Fault, bool) {
	for _, key := range []Operation{op, OpAny} {
		q := s.faults[key]
		if len(q) == 0 {
			continue
		}
		f := q[0].f
		q[0].n--
		if q[0].n <= 0 {
			s.faults[key] = q[1:]
		}
		return f, true
	}
	return Fault{}, false
}

// Request is one request as the fake received it. Secrets are replaced
// with "REDACTED": the values of X-Auth-Token, X-Security-Token and
// X-Metadata-Token, and the signature in Authorization. The bodies of IAM
// and metadata requests are not kept.
type Request struct {
	Operation Operation   // OpUnknown for a path the API does not have
	Method    string      // GET, POST, ...
	Path      string      // escaped, as sent
	Query     url.Values  // decoded
	Header    http.Header // as sent, with secrets REDACTED
	Body      []byte      // as sent (up to the fake's limit)
	Auth      string      // "token" (X-Auth-Token sent), "aksk" (signed) or "" (neither), valid or not
	Status    int         // the status answered; 0 while in flight or when the connection was dropped
	RequestID string      // the X-Request-Id answered
	Time      time.Time   // when it arrived, by the server's clock (WithClock)
}

func cloneRequest(r Request) Request {
	r.Query = cloneValues(r.Query)
	r.Header = r.Header.Clone()
	r.Body = slices.Clone(r.Body)
	return r
}

func cloneValues(v url.Values) url.Values {
	if v == nil {
		return nil
	}
	out := make(url.Values, len(v))
	for k, vs := range v {
		out[k] = slices.Clone(vs)
	}
	return out
}

// Requests returns copies of the requests received so far, in the order
// they arrived.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Request, len(s.requests))
	for i, r := range s.requests {
		out[i] = cloneRequest(*r)
	}
	return out
}

// RequestsFor returns copies of the requests received for op, in the order
// they arrived.
func (s *Server) RequestsFor(op Operation) []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Request
	for _, r := range s.requests {
		if r.Operation == op {
			out = append(out, cloneRequest(*r))
		}
	}
	return out
}

// ResetRequests forgets the requests received so far.
func (s *Server) ResetRequests() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = nil
}

var signaturePattern = regexp.MustCompile(`Signature=[^,\s]*`)

// redactedHeader copies h with the secrets replaced.
func redactedHeader(h http.Header) http.Header {
	out := h.Clone()
	for _, name := range []string{"X-Auth-Token", "X-Security-Token", "X-Metadata-Token"} {
		if _, ok := out[name]; ok {
			out[name] = []string{"REDACTED"}
		}
	}
	if vs, ok := out["Authorization"]; ok {
		for i, v := range vs {
			vs[i] = signaturePattern.ReplaceAllString(v, "Signature=REDACTED")
		}
	}
	return out
}
