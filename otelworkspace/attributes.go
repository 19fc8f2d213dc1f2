package otelworkspace

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net"
	"strconv"
	"strings"
	"sync/atomic"

	"go.opentelemetry.io/otel/attribute"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"

	"github.com/hwcloud-go/workspace"
)

// Attributes of our own, beside the semantic conventions'.
const (
	// RequestIDKey is the X-Request-Id of an answer, what support asks for.
	RequestIDKey = attribute.Key("huaweicloud.request_id")
	// ErrorCodeKey is the API's error_code of a failed call (WKS.00010032,
	// APIGW.0301, ...).
	ErrorCodeKey = attribute.Key("huaweicloud.error_code")
	// RetryDecisionKey is what the client made of an attempt.
	RetryDecisionKey = attribute.Key("huaweicloud.retry.decision")
)

// rpcSystem is rpc.system.name: not one of the convention's well-known
// values, named as the AWS SDKs name theirs ("aws-api").
const rpcSystem = "huaweicloud-api"

// maxText bounds a text from the server (request id, error code) in an
// attribute.
const maxText = 128

// endpoint is server.address and server.port of a scheme and host.
type endpoint struct {
	scheme, host string // the key
	addr         string
	port         int
}

// lastEndpoint remembers the endpoint split last: a client has one, so
// splitting (which allocates for a host without a port) happens once.
var lastEndpoint atomic.Pointer[endpoint]

// serverAddr splits call.Host into server.address and server.port (the
// scheme's default when the host names none).
func serverAddr(call workspace.CallInfo) (string, int) {
	if e := lastEndpoint.Load(); e != nil && e.host == call.Host && e.scheme == call.Scheme {
		return e.addr, e.port
	}
	e := &endpoint{scheme: call.Scheme, host: call.Host}
	host, port, err := net.SplitHostPort(call.Host)
	switch {
	case err == nil:
		e.addr = host
		e.port, _ = strconv.Atoi(port)
	case call.Scheme == "http":
		e.addr, e.port = call.Host, 80
	default:
		e.addr, e.port = call.Host, 443
	}
	lastEndpoint.Store(e)
	return e.addr, e.port
}

// rpcMethods are the rpc.method values of the API's operations, made once.
var rpcMethods = func() map[string]string {
	m := map[string]string{}
	for _, op := range []string{"ListInconsistentStatics", "DeleteDesktopPoolVolumes", "CheckDesktopImages",
		"ShowDesktopPoolsScriptExecTasks", "ListDesktopSnapshot", "ShowJob",
		"ListDesktopPools", "ShowDesktopPoolDetail", "ListPoolDesktopsDetail", "RebuildDesktopPool",
		"AddDesktopPoolVolumes", "ExecuteDesktopPoolScript", "ListDesktopsDetail", "BatchCreateDesktopSnapshot",
		"BatchDeleteDesktopSnapshot", "BatchRestoreDesktopSnapshot", "ListItaSubJobs", "Do"} {
		m[op] = "Workspace." + op
	}
	return m
}()

// rpcMethod is rpc.method, which is also the call span's name.
func rpcMethod(call workspace.CallInfo) string {
	if m, ok := rpcMethods[call.Operation]; ok {
		return m
	}
	return "Workspace." + call.Operation
}

// httpMethod is http.request.method: the method if the conventions know
// it, else "_OTHER" (and known false, for http.request.method_original).
func httpMethod(m string) (method string, known bool) {
	switch m {
	case "GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH", "QUERY":
		return m, true
	}
	return "_OTHER", false
}

// errorType is error.type for an attempt or a call that failed with err,
// the last answer's status being status (0: none); "" when it did not
// fail. The values are few, to keep metrics' cardinality low.
func errorType(err error, status int) string {
	if status >= 400 {
		return statusString(status)
	}
	if err == nil {
		return ""
	}
	var (
		apiErr  *workspace.APIError
		decErr  *workspace.DecodeError
		dnsErr  *net.DNSError
		opErr   *net.OpError
		certErr *tls.CertificateVerificationError
		unknown x509.UnknownAuthorityError
		hostErr x509.HostnameError
		netErr  net.Error
	)
	switch {
	case errors.As(err, &apiErr):
		return statusString(apiErr.StatusCode)
	case errors.Is(err, context.DeadlineExceeded):
		return "timeout"
	case errors.Is(err, context.Canceled):
		return "canceled"
	case errors.As(err, &decErr):
		return "decode_error"
	case errors.As(err, &dnsErr):
		return "*net.DNSError"
	case errors.As(err, &certErr), errors.As(err, &unknown), errors.As(err, &hostErr):
		return "tls_certificate_invalid"
	case errors.As(err, &netErr) && netErr.Timeout():
		return "timeout"
	case errors.As(err, &opErr):
		return "*net.OpError"
	}
	return semconv.ErrorTypeOther.Value.AsString()
}

// statusStrings are the HTTP statuses 100 to 599 as text, made once so
// that recording one allocates nothing.
var statusStrings = func() []string {
	s := make([]string, 600)
	for i := 100; i < len(s); i++ {
		s[i] = strconv.Itoa(i)
	}
	return s
}()

func statusString(status int) string {
	if status >= 100 && status < len(statusStrings) {
		return statusStrings[status]
	}
	return strconv.Itoa(status)
}

// errorCode is the API's error_code of err, clipped; "" if none.
func errorCode(err error) string {
	var apiErr *workspace.APIError
	if errors.As(err, &apiErr) {
		return clip(apiErr.Code)
	}
	return ""
}

// clip bounds s, a text from the server, to maxText bytes.
func clip(s string) string {
	if len(s) > maxText {
		s = s[:maxText]
	}
	return strings.ToValidUTF8(s, "")
}
