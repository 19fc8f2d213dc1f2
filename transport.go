package workspace

import (
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"runtime"
	"time"

	"github.com/go-resty/resty/v2"
)

// HTTP plumbing shared by the API core (client.go) and the credential
// services (credcall.go): one resty constructor, one default transport,
// one User-Agent, and the handling of a raw response.

// redirects says what newResty does with the given client's redirect policy.
type redirects int

const (
	// redirectsKeepOwn keeps the caller's policy; a client without one
	// follows no redirect.
	redirectsKeepOwn redirects = iota
	// redirectsNever follows no redirect whatever the caller's policy:
	// credentials stay with the host they were meant for.
	redirectsNever
)

// newResty wraps a copy of hc (or a default client) in a resty client with
// its own retries, debug output and logging off: the callers do those.
func newResty(hc *http.Client, rd redirects) *resty.Client {
	var cp http.Client
	if hc != nil {
		cp = *hc
	} else {
		cp.Transport = defaultTransport()
	}
	if cp.CheckRedirect == nil || rd == redirectsNever {
		cp.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	} else {
		cp.CheckRedirect = guardRedirects(cp.CheckRedirect)
	}
	rc := resty.NewWithClient(&cp)
	rc.SetPreRequestHook(func(_ *resty.Client, req *http.Request) error {
		installSendGuard(req) // see sendguard.go
		return nil
	})
	rc.SetLogger(quietLogger{})
	rc.SetDisableWarn(true)
	rc.SetRetryCount(0)
	return rc
}

// defaultTransport is http.DefaultTransport's settings with idle
// connections per host sized for a client shared by many goroutines.
func defaultTransport() *http.Transport {
	return &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          100,
		MaxIdleConnsPerHost:   64,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   10 * time.Second,
		ResponseHeaderTimeout: 60 * time.Second,
		ExpectContinueTimeout: time.Second,
	}
}

// quietLogger drops resty's own log output; the core logs for itself.
type quietLogger struct{}

func (quietLogger) Errorf(string, ...any) {}
func (quietLogger) Warnf(string, ...any)  {}
func (quietLogger) Debugf(string, ...any) {}

// userAgent is the SDK's product token, with extra appended.
func userAgent(extra string) string {
	ua := "workspace-go/" + Version + " (" + runtime.Version() + "; " + runtime.GOOS + "/" + runtime.GOARCH + ")"
	if extra != "" {
		ua += " " + extra
	}
	return ua
}

// rawResponse turns resty's result into the raw response or an error
// that names no URL.
func rawResponse(resp *resty.Response, err error, method, path string) (*http.Response, error) {
	var raw *http.Response
	if resp != nil {
		raw = resp.RawResponse
	}
	if err != nil {
		if raw != nil && raw.Body != nil {
			raw.Body.Close()
		}
		return nil, transportError(method, path, err)
	}
	if raw == nil {
		return nil, fmt.Errorf("workspace: %s %s: no response", method, path)
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

// drainClose reads what is left of a body (a little) and closes it, so
// that the connection can be reused.
func drainClose(rc io.ReadCloser) {
	if rc == nil {
		return
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(rc, 64<<10))
	rc.Close()
}

// transportError keeps the cause of a failed round trip and drops the URL
// (with its query) that *url.Error would print.
func transportError(method, path string, err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	return &transportErr{method: method, path: path, err: err}
}

// transportErr is a failed round trip. Its text is clipped and escaped as
// server text is (see clip): a transport error can quote what the server
// sent, a malformed header line say.
type transportErr struct {
	method, path string
	err          error
}

func (e *transportErr) Error() string {
	return "workspace: " + e.method + " " + e.path + ": " + clip(e.err.Error())
}

func (e *transportErr) Unwrap() error { return e.err }
