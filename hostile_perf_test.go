package workspace

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hwcloud-go/workspace/internal/signer"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// hostilePerfRequest is one request as a framing HTTP/1.1 server read it.
type hostilePerfRequest struct {
	head string // request line and header lines, lower case
	body string
}

// hostilePerfServer is a loopback HTTP/1.1 server that reads each request's
// head and then its body as the head frames it (Content-Length or
// chunked; neither: no body), so that a test sees what a strict server
// would take as the request.
type hostilePerfServer struct {
	ln net.Listener

	mu    sync.Mutex
	reqs  []hostilePerfRequest
	conns int
}

func newHostilePerfServer(t *testing.T) *hostilePerfServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	s := &hostilePerfServer{ln: ln}
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			s.mu.Lock()
			s.conns++
			s.mu.Unlock()
			go s.serveConn(conn)
		}
	}()
	t.Cleanup(func() { ln.Close() })
	return s
}

func (s *hostilePerfServer) url() string { return "http://" + s.ln.Addr().String() }

func (s *hostilePerfServer) serveConn(conn net.Conn) {
	defer conn.Close()
	br := bufio.NewReader(conn)
	for {
		_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second))
		var head strings.Builder
		for {
			line, err := br.ReadString('\n')
			if err != nil {
				return
			}
			if line == "\r\n" {
				break
			}
			head.WriteString(strings.ToLower(line))
		}
		r := hostilePerfRequest{head: head.String()}
		cl, te := "", ""
		for _, line := range strings.Split(r.head, "\r\n") {
			if v, ok := strings.CutPrefix(line, "content-length:"); ok {
				cl = strings.TrimSpace(v)
			}
			if v, ok := strings.CutPrefix(line, "transfer-encoding:"); ok {
				te = strings.TrimSpace(v)
			}
		}
		switch {
		case te == "chunked":
			var body strings.Builder
			for {
				line, err := br.ReadString('\n')
				if err != nil {
					return
				}
				n, err := strconv.ParseInt(strings.TrimSpace(line), 16, 64)
				if err != nil {
					return
				}
				if n == 0 {
					if _, err := br.ReadString('\n'); err != nil {
						return
					}
					break
				}
				buf := make([]byte, n+2)
				if _, err := io.ReadFull(br, buf); err != nil {
					return
				}
				body.Write(buf[:n])
			}
			r.body = body.String()
		case cl != "":
			n, err := strconv.Atoi(cl)
			if err != nil {
				return
			}
			buf := make([]byte, n)
			if _, err := io.ReadFull(br, buf); err != nil {
				return
			}
			r.body = string(buf)
		}
		s.mu.Lock()
		s.reqs = append(s.reqs, r)
		s.mu.Unlock()
		if _, err := io.WriteString(conn, rawH1OK); err != nil {
			return
		}
	}
}

func (s *hostilePerfServer) seen() ([]hostilePerfRequest, int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]hostilePerfRequest(nil), s.reqs...), s.conns
}

// A write without a body (Client.Do's POST, PUT or PATCH with body nil)
// must still say how long its (empty) content is: RFC 9110 8.6 has a user
// agent send Content-Length in a POST even when it is 0, and gateways
// answer 411 Length Required to a POST with neither Content-Length nor
// Transfer-Encoding. Before the send guard's "identity" encoding such a
// request went out chunked (a zero-length chunk); net/http without the
// guard sends Content-Length: 0. The "identity" encoding is only needed
// (and only harmless) where net/http would probe the body: GET, HEAD,
// DELETE and the like.
func TestHostilePerfBodylessWriteDeclaresLength(t *testing.T) {
	t.Parallel()
	srv := newHostilePerfServer(t)
	c := relClient(t, srv.url())
	t.Cleanup(func() { relCloseIdle(c) })
	ctx := context.Background()
	for _, m := range []string{http.MethodPost, http.MethodPut, http.MethodPatch} {
		require.NoError(t, c.Do(ctx, m, "/desktops/d-1/actions", nil, nil, nil), m)
	}
	reqs, _ := srv.seen()
	require.Len(t, reqs, 3)
	for _, r := range reqs {
		assert.Contains(t, r.head, "\r\ncontent-length: 0\r\n", "a bodyless write over HTTP/1.1 says Content-Length: 0, as net/http sends one:\n%s", r.head)
		assert.NotContains(t, r.head, "transfer-encoding", r.head)
		assert.Empty(t, r.body)
	}
}

// hostilePerfPathObserver records each call's Path.
type hostilePerfPathObserver struct {
	mu    sync.Mutex
	paths []string
}

func (o *hostilePerfPathObserver) CallStart(ctx context.Context, c Call) context.Context {
	o.mu.Lock()
	o.paths = append(o.paths, c.Path)
	o.mu.Unlock()
	return ctx
}
func (o *hostilePerfPathObserver) AttemptStart(ctx context.Context, _ Call, _ int) context.Context {
	return ctx
}
func (o *hostilePerfPathObserver) AttemptEnd(context.Context, Call, AttemptOutcome) {}
func (o *hostilePerfPathObserver) CallEnd(context.Context, Call, CallOutcome)       {}

// A query longer than the URL's 512-byte stack buffer, with more names
// than appendQuery's 16-name array, unicode and bytes that need escaping,
// arrives as encodeQuery has it; the path observers and errors see has no
// query in it, whatever the query's length.
func TestHostilePerfLongQueryOnTheWire(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var got []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		got = append(got, r.URL.EscapedPath()+"?"+r.URL.RawQuery)
		mu.Unlock()
		if strings.Contains(r.URL.Path, "missing") {
			relErrorJSON(w, http.StatusNotFound, "")
			return
		}
		_, _ = io.WriteString(w, `{}`)
	}))
	t.Cleanup(srv.Close)
	obs := &hostilePerfPathObserver{}
	c := relClient(t, srv.URL, WithObserver(obs))
	ctx := context.Background()

	q := url.Values{}
	for i := 0; i < 20; i++ {
		q.Set(fmt.Sprintf("n%02d ü&=", i), strings.Repeat("桌面 /?#%+", i*3))
	}
	q["multi"] = []string{"b", "a", "b"}
	longPath := "/desktops/" + strings.Repeat("d%40", 200)
	var out map[string]any
	require.NoError(t, c.Do(ctx, http.MethodGet, longPath, q, nil, &out))
	err := c.Do(ctx, http.MethodGet, "/missing/"+strings.Repeat("m", 600), q, nil, &out)
	var apiErr *APIError
	require.ErrorAs(t, err, &apiErr)

	mu.Lock()
	defer mu.Unlock()
	require.Len(t, got, 2)
	prefix := "/v2/" + relProject
	assert.Equal(t, prefix+longPath+"?"+encodeQuery(q), got[0])
	assert.Equal(t, prefix+"/missing/"+strings.Repeat("m", 600)+"?"+encodeQuery(q), got[1])
	assert.Equal(t, []string{prefix + longPath, prefix + "/missing/" + strings.Repeat("m", 600)}, obs.paths)
	assert.NotContains(t, err.Error(), "n00")
	assert.NotContains(t, err.Error(), "?")
	assert.Equal(t, []string{"b", "a", "b"}, q["multi"], "the caller's values are not reordered")
}

// A read that a redirect policy follows (302, 301, 303: the new request
// has no body) is still the guard's: when the target drops the request on
// a reused connection, the transport's replays of the redirected request
// count against MaxAttempts like any other. Without a body of the guard's,
// net/http replays a bodyless GET freely, once per idle connection it can
// reuse.
func TestHostilePerfRedirectedReadReplayCounted(t *testing.T) {
	t.Parallel()
	target := "/v2/" + relProject + "/desktop-pools/pool-drop/inconsistent-statics"
	for _, status := range []string{"301 Moved Permanently", "302 Found", "303 See Other"} {
		srv := newRawH1Server(t, func(head string) string {
			switch {
			case strings.Contains(head, "/pool-drop/"):
				return "" // read, then drop the connection without an answer
			case strings.Contains(head, "/pool-redirect/"):
				return "HTTP/1.1 " + status + "\r\nLocation: " + target + "\r\nContent-Length: 0\r\n\r\n"
			}
			return rawH1OK
		})
		tr := &http.Transport{}
		t.Cleanup(tr.CloseIdleConnections)
		hc := &http.Client{Transport: tr, CheckRedirect: func(*http.Request, []*http.Request) error { return nil }}
		c := relClient(t, srv.url(), WithHTTPClient(hc),
			WithRetryPolicy(RetryPolicy{MaxAttempts: 1, BaseDelay: time.Millisecond, MaxDelay: time.Millisecond}))
		ctx := context.Background()
		// Three calls at once leave three idle connections for the
		// transport to reuse.
		var wg sync.WaitGroup
		for i := 0; i < 3; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := c.DesktopPools.GetInconsistentStatistics(ctx, "pool-1")
				assert.NoError(t, err)
			}()
		}
		wg.Wait()
		_, err := c.DesktopPools.GetInconsistentStatistics(ctx, "pool-redirect")
		require.Error(t, err)

		heads, _ := srv.seen()
		drops := 0
		for _, h := range heads {
			if strings.Contains(h, "/pool-drop/") {
				drops++
			}
		}
		assert.Equal(t, 1, drops, "%s: arrivals of the redirected read with MaxAttempts 1 (error %v)", status, err)
	}
}

// Through an HTTP proxy (Transport.Proxy, absolute-form request target) a
// GET and a DELETE still go out with neither Content-Length nor
// Transfer-Encoding nor body bytes, and a bodyless POST with Content-Length: 0;
// one proxy connection serves every call.
func TestHostilePerfBodylessThroughProxy(t *testing.T) {
	t.Parallel()
	proxy := newHostilePerfServer(t) // answers every request itself
	proxyURL, err := url.Parse(proxy.url())
	require.NoError(t, err)
	tr := &http.Transport{Proxy: http.ProxyURL(proxyURL)}
	t.Cleanup(tr.CloseIdleConnections)
	c := relClient(t, "http://workspace.invalid", WithHTTPClient(&http.Client{Transport: tr}))
	ctx := context.Background()
	_, err = c.DesktopPools.GetInconsistentStatistics(ctx, "pool-1")
	require.NoError(t, err)
	require.NoError(t, c.Do(ctx, http.MethodDelete, "/desktops/d-1", nil, nil, nil))
	require.NoError(t, c.Do(ctx, http.MethodPost, "/desktops/d-1/actions", nil, nil, nil))
	_, err = c.DesktopPools.GetInconsistentStatistics(ctx, "pool-1")
	require.NoError(t, err)

	reqs, conns := proxy.seen()
	require.Len(t, reqs, 4)
	for i, r := range reqs {
		assert.Contains(t, r.head, "http://workspace.invalid/v2/", "absolute-form target")
		assert.Empty(t, r.body, "request %d", i)
		if strings.HasPrefix(r.head, "post ") {
			assert.Contains(t, r.head, "\r\ncontent-length: 0\r\n", "as net/http sends a bodyless POST")
			assert.NotContains(t, r.head, "\r\ntransfer-encoding:")
			continue
		}
		assert.NotContains(t, r.head, "\r\ncontent-length:", "request %d", i)
		assert.NotContains(t, r.head, "\r\ntransfer-encoding:", "request %d", i)
	}
	assert.Equal(t, 1, conns)
}

// A decoded 2xx body is closed without a drain: whatever its framing
// (Content-Length, chunked, gzip with either, trailing white space) the
// decoder has read it to its end, so the connection is kept and every
// call here uses the first one. A 204 or empty 200 to Do with out nil
// too; a 2xx with trailing data is a DecodeError and still leaves the
// connection usable.
func TestHostilePerfDecodedBodyKeepsConnection(t *testing.T) {
	t.Parallel()
	body := `{"product_id": 1, "image_id": 2, "disk_num": 3, "disk_size": 4}`
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	_, _ = zw.Write([]byte(body + "\n \n"))
	require.NoError(t, zw.Close())
	chunk := func(s string) string { return fmt.Sprintf("%x\r\n%s\r\n", len(s), s) }
	answers := map[string]string{
		"/p-cl/":       rawH1OK,
		"/p-chunked/":  "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + chunk(body[:10]) + chunk(body[10:]) + "0\r\n\r\n",
		"/p-gzip/":     "HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: " + strconv.Itoa(gz.Len()) + "\r\n\r\n" + gz.String(),
		"/p-gzchunk/":  "HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n" + chunk(gz.String()[:7]) + chunk(gz.String()[7:]) + "0\r\n\r\n",
		"/p-space/":    "HTTP/1.1 200 OK\r\nContent-Length: " + strconv.Itoa(len(body)+3) + "\r\n\r\n" + body + " \r\n",
		"/p-trailing/": "HTTP/1.1 200 OK\r\nContent-Length: " + strconv.Itoa(len(body)+3) + "\r\n\r\n" + body + " {}",
	}
	srv := newRawH1Server(t, func(head string) string {
		for k, v := range answers {
			if strings.Contains(head, k) {
				return v
			}
		}
		if strings.Contains(head, "/do-204") {
			return "HTTP/1.1 204 No Content\r\n\r\n"
		}
		return "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"
	})
	c := relClient(t, srv.url())
	t.Cleanup(func() { relCloseIdle(c) })
	ctx := context.Background()
	for _, id := range []string{"p-cl", "p-chunked", "p-gzip", "p-gzchunk", "p-space", "p-trailing", "p-cl"} {
		st, err := c.DesktopPools.GetInconsistentStatistics(ctx, id)
		if id == "p-trailing" {
			var de *DecodeError
			require.ErrorAs(t, err, &de, id)
			continue
		}
		require.NoError(t, err, id)
		assert.Equal(t, 4, st.DiskSize, id)
	}
	require.NoError(t, c.Do(ctx, http.MethodDelete, "/do-204", nil, nil, nil))
	require.NoError(t, c.Do(ctx, http.MethodDelete, "/do-empty", nil, nil, nil))
	var out map[string]any
	var de *DecodeError
	require.ErrorAs(t, c.Do(ctx, http.MethodGet, "/do-204", nil, nil, &out), &de)
	_, err := c.DesktopPools.GetInconsistentStatistics(ctx, "p-cl")
	require.NoError(t, err)
	_, conns := srv.seen()
	assert.Equal(t, 1, conns, "connections")
}

// The IAM project lookup's Authorization (now signer.SignFixed) is what
// the generic signer.Sign computes from the request as IAM receives it:
// its escaped path (an endpoint with a path prefix, escapes and unicode),
// its query, Host, X-Sdk-Date and X-Security-Token (with and without
// surrounding white space in the token).
func TestHostilePerfProjectLookupSignatureAsReceived(t *testing.T) {
	t.Parallel()
	const ak, sk = "AKADV16", "sk/hostilePerf+secret"
	for _, tc := range []struct{ prefix, token string }{
		{"", ""},
		{"/iam", "tok"},
		{"/pre%20fix/a%2Fb/%E6%A1%8C/", "  spaced token\t"},
		{"/a+b/c;d=e/~x", "t"},
	} {
		var mu sync.Mutex
		var mismatch []string
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			h := map[string]string{"host": r.Host, "x-sdk-date": r.Header.Get("X-Sdk-Date")}
			if v, ok := r.Header["X-Security-Token"]; ok {
				h["x-security-token"] = v[0]
			}
			want := signer.Sign(&signer.Request{Method: r.Method, Path: r.URL.EscapedPath(), Query: r.URL.Query(), Headers: h}, ak, sk)
			if got := r.Header.Get("Authorization"); got != want {
				mu.Lock()
				mismatch = append(mismatch, fmt.Sprintf("%s: got %s, want %s", r.URL.RequestURI(), got, want))
				mu.Unlock()
			}
			_, _ = io.WriteString(w, `{"projects":[{"id":"p-1","name":"ap-southeast-3"}]}`)
		}))
		opts := []Option{
			WithRegion("ap-southeast-3"), WithEndpoint("http://127.0.0.1:1"), WithIAMEndpoint(srv.URL + tc.prefix),
			WithAccessKey(ak, sk), WithRetryPolicy(relFast),
		}
		if tc.token != "" {
			opts = append(opts, WithSecurityToken(tc.token))
		}
		c, err := NewClient(opts...)
		require.NoError(t, err, tc.prefix)
		id, err := c.core.lookup.projectID(context.Background())
		srv.Close()
		require.NoError(t, err, tc.prefix)
		assert.Equal(t, "p-1", id)
		assert.Empty(t, mismatch, tc.prefix)
	}
}

// hostilePerfOrderObserver notes, at each AttemptEnd, whether the log already
// had the attempt's record.
type hostilePerfOrderObserver struct {
	hostilePerfPathObserver
	buf    *hostilePerfSyncBuffer
	logged []bool
}

func (o *hostilePerfOrderObserver) AttemptEnd(context.Context, Call, AttemptOutcome) {
	o.logged = append(o.logged, strings.Contains(o.buf.String(), "workspace: attempt"))
}

type hostilePerfSyncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *hostilePerfSyncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *hostilePerfSyncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// WithLogger's log observer: the last WithLogger wins (nil: no logging),
// and it is the first observer (started first, ended last), whatever the
// options' order.
func TestHostilePerfWithLoggerOrder(t *testing.T) {
	t.Parallel()
	srv := newRawH1Server(t, func(string) string { return rawH1OK })
	logger := func(buf *hostilePerfSyncBuffer) *slog.Logger {
		return slog.New(slog.NewTextHandler(buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	ctx := context.Background()

	buf := &hostilePerfSyncBuffer{}
	obs := &hostilePerfOrderObserver{buf: buf}
	c := relClient(t, srv.url(), WithObserver(obs), WithLogger(logger(buf)))
	_, err := c.DesktopPools.GetInconsistentStatistics(ctx, "pool-1")
	require.NoError(t, err)
	// Ends run in the reverse order of starts: the log observer, first
	// whatever the options' order, ends last.
	assert.Equal(t, []bool{false}, obs.logged, "the log record comes after the observer's AttemptEnd")
	assert.Contains(t, buf.String(), "workspace: attempt")
	assert.Contains(t, buf.String(), "path=/v2/"+relProject+"/desktop-pools/pool-1/inconsistent-statics")

	off := &hostilePerfSyncBuffer{}
	c = relClient(t, srv.url(), WithLogger(logger(off)), WithLogger(nil))
	_, err = c.DesktopPools.GetInconsistentStatistics(ctx, "pool-1")
	require.NoError(t, err)
	assert.Empty(t, off.String(), "WithLogger(nil) last: no logging")

	first, second := &hostilePerfSyncBuffer{}, &hostilePerfSyncBuffer{}
	c = relClient(t, srv.url(), WithLogger(logger(first)), WithLogger(logger(second)))
	_, err = c.DesktopPools.GetInconsistentStatistics(ctx, "pool-1")
	require.NoError(t, err)
	assert.Empty(t, first.String())
	assert.Contains(t, second.String(), "workspace: attempt")
	relCloseIdle(c)
}

// A read redirected after a 103 Early Hints is still followed with
// MaxAttempts 1: the redirect is not a transport replay.
//
// A read redirected after a 103 Early Hints is followed, with every
// redirect status: the redirect is the HTTP client's, above the guard,
// and never looks like the transport sending the request again.
func TestHostilePerfRedirectAfterEarlyHints(t *testing.T) {
	t.Parallel()
	target := "/v2/" + relProject + "/desktop-pools/pool-target/inconsistent-statics"
	statuses := []string{"301 Moved Permanently", "302 Found", "303 See Other", "307 Temporary Redirect", "308 Permanent Redirect"}
	for _, status := range statuses {
		srv := newRawH1Server(t, func(head string) string {
			if strings.Contains(head, "/pool-redirect/") {
				return "HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\n\r\n" +
					"HTTP/1.1 " + status + "\r\nLocation: " + target + "\r\nContent-Length: 0\r\n\r\n"
			}
			return rawH1OK
		})
		tr := &http.Transport{}
		t.Cleanup(tr.CloseIdleConnections)
		hc := &http.Client{Transport: tr, CheckRedirect: func(*http.Request, []*http.Request) error { return nil }}
		c := relClient(t, srv.url(), WithHTTPClient(hc),
			WithRetryPolicy(RetryPolicy{MaxAttempts: 1, BaseDelay: time.Millisecond, MaxDelay: time.Millisecond}))
		st, err := c.DesktopPools.GetInconsistentStatistics(context.Background(), "pool-redirect")
		require.NoError(t, err, status)
		assert.Equal(t, 4, st.DiskSize)
	}
}

// Over HTTP/2 a GET and a DELETE carry no content-length or
// transfer-encoding header and no DATA bytes; the "identity" transfer
// encoding of HTTP/1.1 does not leak into the HEADERS frame.
func TestHostilePerfBodylessOverHTTP2(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var reqs []*hsRequest
	ts := hsH2Server(t, func(r *hsRequest) hsReply {
		mu.Lock()
		reqs = append(reqs, r)
		mu.Unlock()
		return hsReply{Body: `{"product_id": 1, "image_id": 2, "disk_num": 3, "disk_size": 4}`}
	})
	c := relClient(t, ts.URL, WithHTTPClient(ts.Client()))
	t.Cleanup(ts.Client().CloseIdleConnections)
	ctx := context.Background()
	_, err := c.DesktopPools.GetInconsistentStatistics(ctx, "pool-1")
	require.NoError(t, err)
	require.NoError(t, c.Do(ctx, http.MethodDelete, "/desktops/d-1", nil, nil, nil))
	mu.Lock()
	defer mu.Unlock()
	require.Len(t, reqs, 2)
	for _, r := range reqs {
		assert.Empty(t, r.Header.Values("content-length"), r.Method)
		assert.Empty(t, r.Header.Values("transfer-encoding"), r.Method)
		assert.Empty(t, r.Body, r.Method)
	}
}

// An AK/SK call with a query past the URL's stack buffer and more names
// than the signer's name array is signed over what the server receives.
func TestHostilePerfLongQuerySignedAsReceived(t *testing.T) {
	t.Parallel()
	const ak, sk = "AKADV16", "sk-hostilePerf"
	var mu sync.Mutex
	var problems []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		auth := r.Header.Get("Authorization")
		_, names, ok := strings.Cut(auth, "SignedHeaders=")
		names, _, _ = strings.Cut(names, ",")
		h := map[string]string{}
		for _, n := range strings.Split(names, ";") {
			if n == "host" {
				h[n] = r.Host
			} else {
				h[n] = r.Header.Get(n)
			}
		}
		body, _ := io.ReadAll(r.Body)
		want := signer.Sign(&signer.Request{Method: r.Method, Path: r.URL.EscapedPath(), Query: r.URL.Query(), Headers: h, Body: body}, ak, sk)
		if !ok || auth != want {
			mu.Lock()
			problems = append(problems, fmt.Sprintf("%s %s: got %q, want %q", r.Method, r.URL.EscapedPath(), auth, want))
			mu.Unlock()
		}
		_, _ = io.WriteString(w, `{}`)
	}))
	t.Cleanup(srv.Close)
	c, err := NewClient(WithEndpoint(srv.URL+"/gw%20x/"), WithProjectID(relProject), WithAccessKey(ak, sk), WithRetryPolicy(relFast))
	require.NoError(t, err)
	q := url.Values{}
	for i := 0; i < 24; i++ {
		q[fmt.Sprintf("k%02d é", i)] = []string{strings.Repeat("v ü/", i*5), "a", ""}
	}
	var out map[string]any
	require.NoError(t, c.Do(context.Background(), http.MethodGet, "/desktops/"+strings.Repeat("x%40", 150), q, nil, &out))
	require.NoError(t, c.Do(context.Background(), http.MethodPost, "/desktops/batch", q, map[string]string{"a": "b"}, &out))
	mu.Lock()
	defer mu.Unlock()
	assert.Empty(t, problems)
}
