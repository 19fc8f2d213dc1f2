package pipeline

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net"
	"net/http"
	"runtime"
	"strings"
	"time"

	"github.com/go-resty/resty/v2"
)

// Client sends requests through the pipeline: resty over a copy of the
// caller's *http.Client, with the guard on top of its transport and the
// SDK's redirect rules.
type Client struct {
	rc *resty.Client
	g  *guard
}

// Redirects says what New does with the caller's redirect policy.
type Redirects int

const (
	// KeepRedirects keeps the caller's policy under the SDK's rules; a
	// client without one follows no redirect.
	KeepRedirects Redirects = iota
	// NoRedirects follows no redirect whatever the caller's policy:
	// credentials stay with the host they were meant for.
	NoRedirects
)

// New returns a Client over a copy of hc (nil: a default client).
func New(hc *http.Client, rd Redirects) *Client {
	var cp http.Client
	switch {
	case hc == nil:
		cp.Transport = DefaultTransport()
	case hc.Transport == nil:
		cp = *hc
		cp.Transport = http.DefaultTransport // as hc itself would send
	default:
		cp = *hc
	}
	g := &guard{next: cp.Transport}
	if t, ok := cp.Transport.(*http.Transport); ok {
		g.transport, g.h2c = true, speaksH2C(t)
	}
	cp.Transport = g
	if cp.CheckRedirect == nil || rd == NoRedirects {
		cp.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	} else {
		cp.CheckRedirect = checkRedirect(cp.CheckRedirect)
	}
	rc := resty.NewWithClient(&cp)
	rc.SetLogger(quietLogger{})
	rc.SetDisableWarn(true)
	rc.SetRetryCount(0)
	return &Client{rc: rc, g: g}
}

// HTTPClient is the *http.Client the pipeline sends with (the guard is
// its transport).
func (c *Client) HTTPClient() *http.Client { return c.rc.GetClient() }

// Transport is the transport under the guard: the caller's, or the
// default one.
func (c *Client) Transport() http.RoundTripper { return c.g.next }

// CloseIdleConnections closes the idle connections of the transport.
func (c *Client) CloseIdleConnections() { c.rc.GetClient().CloseIdleConnections() }

// DefaultTransport is http.DefaultTransport's settings with idle
// connections per host sized for a client shared by many goroutines.
func DefaultTransport() *http.Transport {
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

// checkRedirect wraps a caller's redirect policy with the SDK's rules: a
// write is never sent to a redirect's target (nor re-posted there), and
// credentials never follow a redirect to another host or scheme.
func checkRedirect(policy func(*http.Request, []*http.Request) error) func(*http.Request, []*http.Request) error {
	return func(req *http.Request, via []*http.Request) error {
		if a := attemptOf(req.Context()); a != nil && a.Write {
			return http.ErrUseLastResponse
		}
		if len(via) > 0 && (!strings.EqualFold(req.URL.Host, via[0].URL.Host) || req.URL.Scheme != via[0].URL.Scheme) {
			for _, h := range CredentialHeaders {
				req.Header.Del(h)
			}
		}
		return policy(req, via)
	}
}

// CredentialHeaders are the request headers that carry credentials.
var CredentialHeaders = []string{"X-Auth-Token", "X-Security-Token", "Authorization", "X-Metadata-Token"}

// quietLogger drops resty's own log output; the SDK logs for itself.
type quietLogger struct{}

func (quietLogger) Errorf(string, ...any) {}
func (quietLogger) Warnf(string, ...any)  {}
func (quietLogger) Debugf(string, ...any) {}

// NeverConnected reports whether err shows that no connection was made:
// dial refused, a DNS failure, or a certificate the handshake refused. A
// TLS record or alert error can come after the handshake, with the request
// written, and does not count.
func NeverConnected(err error) bool {
	var opErr *net.OpError
	if errors.As(err, &opErr) && opErr.Op == "dial" {
		return true
	}
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		return true
	}
	var (
		certErr *tls.CertificateVerificationError
		unknown x509.UnknownAuthorityError
		hostErr x509.HostnameError
	)
	return errors.As(err, &certErr) || errors.As(err, &unknown) || errors.As(err, &hostErr)
}

// UserAgent is the SDK's product token for version, with extra appended:
// the one User-Agent of every call the SDK makes.
func UserAgent(version, extra string) string {
	ua := "workspace-go/" + version + " (" + runtime.Version() + "; " + runtime.GOOS + "/" + runtime.GOARCH + ")"
	if extra != "" {
		ua += " " + extra
	}
	return ua
}
