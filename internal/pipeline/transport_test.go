package pipeline

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hwcloud-go/workspace/internal/testserver"
)

func followAll(*http.Request, []*http.Request) error { return nil }

// redirectingRT answers any request to a URL in redirects with a redirect
// there, and 200 to anything else, recording every request it sees.
type redirectingRT struct {
	code      int
	redirects map[string]string // from URL to Location

	mu   sync.Mutex
	seen []*http.Request
}

func (rt *redirectingRT) RoundTrip(req *http.Request) (*http.Response, error) {
	rt.mu.Lock()
	rt.seen = append(rt.seen, req.Clone(context.Background()))
	rt.mu.Unlock()
	if req.Body != nil {
		_, _ = io.Copy(io.Discard, req.Body)
		req.Body.Close()
	}
	resp := &http.Response{StatusCode: http.StatusOK, Header: http.Header{}, Body: io.NopCloser(strings.NewReader("ok")), Request: req, ProtoMajor: 1, ProtoMinor: 1}
	if loc, ok := rt.redirects[req.URL.String()]; ok {
		resp.StatusCode = rt.code
		resp.Header.Set("Location", loc)
		resp.Body = http.NoBody
	}
	return resp, nil
}

func (rt *redirectingRT) Seen() []*http.Request {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	return append([]*http.Request(nil), rt.seen...)
}

func TestRedirectWriteNeverSentToTarget(t *testing.T) {
	t.Parallel()
	for _, code := range []int{http.StatusTemporaryRedirect, http.StatusPermanentRedirect, http.StatusFound, http.StatusSeeOther, http.StatusMovedPermanently} {
		for _, body := range [][]byte{[]byte(`{"ids":["a"]}`), nil} {
			t.Run(fmt.Sprintf("%d/body %v", code, body != nil), func(t *testing.T) {
				t.Parallel()
				srv := testserver.NewH1(t, func(in *testserver.H1Request) testserver.H1Reply {
					if in.Path == "/target" {
						return testserver.H1Reply{Raw: okAnswer}
					}
					return testserver.H1Reply{Raw: fmt.Sprintf("HTTP/1.1 %d %s\r\nLocation: /target\r\nContent-Length: 0\r\n\r\n", code, http.StatusText(code))}
				})
				c := New(&http.Client{Transport: plainTransport(), CheckRedirect: followAll}, KeepRedirects)
				_, resp, err := send(t, testCtx(t, 10*time.Second), c, http.MethodPost, srv.URL+"/v1/things", body, true, nil)
				require.NoError(t, err)
				assert.Equal(t, code, resp.StatusCode, "the redirect is the answer")
				assert.Equal(t, "/target", resp.Header.Get("Location"))
				readAll(t, resp)
				assert.Equal(t, 0, countPath(srv.Arrivals(), h1Path, "/target"), "the write went to the redirect's target")
				assert.Equal(t, 1, countPath(srv.Arrivals(), h1Path, "/v1/things"))
			})
		}
	}
	// The control: the same client follows the redirect of a read.
	t.Run("read is followed", func(t *testing.T) {
		t.Parallel()
		srv := testserver.NewH1(t, func(in *testserver.H1Request) testserver.H1Reply {
			if in.Path == "/target" {
				return testserver.H1Reply{Raw: okAnswer}
			}
			return testserver.H1Reply{Raw: "HTTP/1.1 307 Temporary Redirect\r\nLocation: /target\r\nContent-Length: 0\r\n\r\n"}
		})
		c := New(&http.Client{Transport: plainTransport(), CheckRedirect: followAll}, KeepRedirects)
		_, resp, err := send(t, testCtx(t, 10*time.Second), c, http.MethodGet, srv.URL+"/v1/things", nil, false, nil)
		require.NoError(t, err)
		assert.Equal(t, http.StatusOK, resp.StatusCode)
		assert.Equal(t, "ok", readAll(t, resp))
		assert.Equal(t, 1, countPath(srv.Arrivals(), h1Path, "/target"))
	})
}

func TestRedirectReadCredentialsStayWithTheirHost(t *testing.T) {
	t.Parallel()
	const from = "https://api.example.com/v1/things?limit=1"
	for _, tc := range []struct {
		name     string
		location string
		kept     bool
	}{
		{"same host", "/v1/other", true},
		// (net/http itself drops Authorization here: its host comparison
		// is by case.)
		{"same host, other case", "https://API.Example.com/v1/other", true},
		{"other host", "https://evil.example.net/v1/other", false},
		{"other port", "https://api.example.com:8443/v1/other", false},
		{"other scheme", "http://api.example.com/v1/other", false},
		{"subdomain", "https://eu.api.example.com/v1/other", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			rt := &redirectingRT{code: http.StatusTemporaryRedirect, redirects: map[string]string{from: tc.location}}
			c := New(&http.Client{Transport: rt, CheckRedirect: followAll}, KeepRedirects)
			r := secretRequest(c, http.MethodGet, from)
			defer r.Finish()
			r.Header()["X-Trace-Id"] = []string{"trace-1"}
			resp, err := c.Send(testCtx(t, 10*time.Second), r)
			require.NoError(t, err)
			assert.Equal(t, "ok", readAll(t, resp))
			seen := rt.Seen()
			require.Len(t, seen, 2)
			for _, name := range CredentialHeaders {
				assert.NotEmpty(t, seen[0].Header.Get(name), "%s on the first request", name)
				if tc.kept && name == "Authorization" && strings.Contains(tc.location, "API") {
					continue
				}
				if tc.kept {
					assert.Equal(t, seen[0].Header.Get(name), seen[1].Header.Get(name), "%s kept on the same host", name)
				} else {
					assert.Empty(t, seen[1].Header.Values(name), "%s followed the redirect to %s", name, tc.location)
				}
			}
			assert.Equal(t, "trace-1", seen[1].Header.Get("X-Trace-Id"), "other headers follow")
			assert.Equal(t, tokenSecret, r.Header().Get("X-Auth-Token"), "the request's own header is untouched")
		})
	}
}

func TestRedirectCredentialsDroppedOnLoopbackToAnotherPort(t *testing.T) {
	t.Parallel()
	target := testserver.NewH1(t, func(*testserver.H1Request) testserver.H1Reply { return testserver.H1Reply{Raw: okAnswer} })
	origin := testserver.NewH1(t, func(*testserver.H1Request) testserver.H1Reply {
		return testserver.H1Reply{Raw: "HTTP/1.1 307 Temporary Redirect\r\nLocation: " + target.URL + "/v1/moved\r\nContent-Length: 0\r\n\r\n"}
	})
	c := New(&http.Client{Transport: plainTransport(), CheckRedirect: followAll}, KeepRedirects)
	r := secretRequest(c, http.MethodGet, origin.URL+"/v1/things")
	defer r.Finish()
	resp, err := c.Send(testCtx(t, 10*time.Second), r)
	require.NoError(t, err)
	assert.Equal(t, "ok", readAll(t, resp))
	require.Len(t, origin.Arrivals(), 1)
	require.Len(t, target.Arrivals(), 1)
	assert.Equal(t, tokenSecret, origin.Arrivals()[0].Header.Get("X-Auth-Token"))
	for _, name := range CredentialHeaders {
		assert.Empty(t, target.Arrivals()[0].Header.Values(name), name)
	}
}

func TestRedirectCallerPolicyStillApplies(t *testing.T) {
	t.Parallel()
	const from = "https://api.example.com/v1/things"
	rt := &redirectingRT{code: http.StatusFound, redirects: map[string]string{
		from:                                "/v1/a",
		"https://api.example.com/v1/a":      "/v1/b",
		"https://api.example.com/v1/b":      "/v1/c",
		"https://api.example.com/v1/c":      "/v1/d",
		"https://api.example.com/v1/d":      "/v1/e",
		"https://api.example.com/v1/e":      "/v1/f",
		"https://api.example.com/v1/f":      "/v1/g",
		"https://api.example.com/v1/g":      "/v1/h",
		"https://api.example.com/v1/h":      "/v1/i",
		"https://api.example.com/v1/i":      "/v1/j",
		"https://api.example.com/v1/j":      "/v1/k",
		"https://api.example.com/v1/k":      "/v1/l",
		"https://api.example.com/v1/never1": "/v1/never2",
	}}
	var calls atomic.Int32
	limit := errors.New("two redirects at most")
	policy := func(_ *http.Request, via []*http.Request) error {
		calls.Add(1)
		if len(via) > 2 {
			return limit
		}
		return nil
	}
	c := New(&http.Client{Transport: rt, CheckRedirect: policy}, KeepRedirects)
	_, _, err := send(t, testCtx(t, 10*time.Second), c, http.MethodGet, from, nil, false, nil)
	se := asSendError(t, err)
	assert.ErrorIs(t, err, limit)
	assert.True(t, se.Sent)
	assert.Len(t, rt.Seen(), 3)
	assert.Equal(t, int32(3), calls.Load())
}

func TestNoRedirectsFollowsNone(t *testing.T) {
	t.Parallel()
	const from = "https://api.example.com/v1/things"
	for _, tc := range []struct {
		name string
		hc   *http.Client
		rd   Redirects
	}{
		{"NoRedirects over a following client", &http.Client{CheckRedirect: followAll}, NoRedirects},
		{"KeepRedirects over a client without a policy", &http.Client{}, KeepRedirects},
	} {
		for _, code := range []int{http.StatusMovedPermanently, http.StatusFound, http.StatusTemporaryRedirect, http.StatusPermanentRedirect} {
			t.Run(fmt.Sprintf("%s/%d", tc.name, code), func(t *testing.T) {
				t.Parallel()
				rt := &redirectingRT{code: code, redirects: map[string]string{from: "/v1/other"}}
				hc := *tc.hc
				hc.Transport = rt
				c := New(&hc, tc.rd)
				_, resp, err := send(t, testCtx(t, 10*time.Second), c, http.MethodGet, from, nil, false, nil)
				require.NoError(t, err)
				assert.Equal(t, code, resp.StatusCode)
				assert.Equal(t, "/v1/other", resp.Header.Get("Location"))
				assert.Len(t, rt.Seen(), 1)
			})
		}
	}
}

func TestNewCopiesTheCallersClient(t *testing.T) {
	t.Parallel()
	rt := &redirectingRT{}
	hc := &http.Client{Transport: rt, CheckRedirect: followAll, Timeout: 7 * time.Second}
	c := New(hc, KeepRedirects)
	assert.Same(t, rt, hc.Transport.(*redirectingRT), "the caller's client keeps its transport")
	assert.NotNil(t, hc.CheckRedirect)
	assert.Equal(t, http.RoundTripper(rt), c.Transport())
	assert.Equal(t, 7*time.Second, c.HTTPClient().Timeout)
	assert.IsType(t, &guard{}, c.HTTPClient().Transport)

	d := New(nil, KeepRedirects)
	tr, ok := d.Transport().(*http.Transport)
	require.True(t, ok)
	assert.Equal(t, 64, tr.MaxIdleConnsPerHost)
	assert.ErrorIs(t, d.HTTPClient().CheckRedirect(nil, nil), http.ErrUseLastResponse)

	e := New(&http.Client{}, KeepRedirects)
	assert.Equal(t, http.DefaultTransport, e.Transport())
}

type closeCounter struct {
	redirectingRT
	closed atomic.Int32
}

func (c *closeCounter) CloseIdleConnections() { c.closed.Add(1) }

func TestCloseIdleConnectionsReachesTheTransport(t *testing.T) {
	t.Parallel()
	rt := new(closeCounter)
	c := New(&http.Client{Transport: rt}, KeepRedirects)
	c.CloseIdleConnections()
	assert.Equal(t, int32(1), rt.closed.Load())
	// A transport without the method is left alone.
	New(&http.Client{Transport: roundTripFunc(func(*http.Request) (*http.Response, error) { return nil, io.EOF })}, KeepRedirects).CloseIdleConnections()
}

func TestDefaultTransportSettings(t *testing.T) {
	t.Parallel()
	tr := DefaultTransport()
	assert.True(t, tr.ForceAttemptHTTP2)
	assert.Equal(t, 64, tr.MaxIdleConnsPerHost)
	assert.Equal(t, 100, tr.MaxIdleConns)
	assert.NotNil(t, tr.Proxy)
	assert.NotNil(t, tr.DialContext)
	assert.Equal(t, 10*time.Second, tr.TLSHandshakeTimeout)
	assert.Equal(t, 60*time.Second, tr.ResponseHeaderTimeout)
	assert.NotSame(t, tr, DefaultTransport(), "a new one each time")
}

func TestNeverConnected(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		err  error
		want bool
	}{
		{"dial refused", &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}, true},
		{"wrapped dial", fmt.Errorf("proxy: %w", &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("timeout")}), true},
		{"url.Error around a dial", &url.Error{Op: "Get", URL: "https://x", Err: &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}}, true},
		{"dns", &net.DNSError{Err: "no such host", Name: "x.invalid", IsNotFound: true}, true},
		{"certificate", &tls.CertificateVerificationError{Err: x509.UnknownAuthorityError{}}, true},
		{"unknown authority", x509.UnknownAuthorityError{}, true},
		{"hostname", x509.HostnameError{Certificate: &x509.Certificate{}, Host: "x"}, true},
		{"read", &net.OpError{Op: "read", Net: "tcp", Err: syscall.ECONNRESET}, false},
		{"write", &net.OpError{Op: "write", Net: "tcp", Err: syscall.EPIPE}, false},
		{"tls record", tls.RecordHeaderError{Msg: "bad record"}, false},
		{"tls alert", tls.AlertError(40), false},
		{"eof", io.EOF, false},
		{"canceled", context.Canceled, false},
		{"plain", errors.New("x"), false},
		{"nil", nil, false},
	} {
		assert.Equal(t, tc.want, NeverConnected(tc.err), tc.name)
	}
}

func TestRefusedCertificateIsNotSent(t *testing.T) {
	t.Parallel()
	srv := testserver.NewH2(t, func(*testserver.H2Request) testserver.H2Reply { return testserver.H2Reply{Body: "ok"} })
	for _, write := range []bool{true, false} {
		t.Run(map[bool]string{true: "write", false: "read"}[write], func(t *testing.T) {
			t.Parallel()
			// A transport that does not trust the server's certificate.
			tr := &http.Transport{ForceAttemptHTTP2: true, TLSClientConfig: &tls.Config{RootCAs: x509.NewCertPool()}}
			c := New(&http.Client{Transport: tr}, KeepRedirects)
			_, _, err := send(t, testCtx(t, 10*time.Second), c, http.MethodPost, srv.URL+"/v1/things", []byte(`{}`), write, nil)
			se := asSendError(t, err)
			assert.False(t, se.Sent, "%v", err)
			assert.True(t, NeverConnected(err), "%v", err)
			assert.Empty(t, srv.Arrivals())
		})
	}
}
