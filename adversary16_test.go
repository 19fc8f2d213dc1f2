package workspace

import (
	"bufio"
	"context"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// adv16Request is one request as a framing HTTP/1.1 server read it.
type adv16Request struct {
	head string // request line and header lines, lower case
	body string
}

// adv16Server is a loopback HTTP/1.1 server that reads each request's
// head and then its body as the head frames it (Content-Length or
// chunked; neither: no body), so that a test sees what a strict server
// would take as the request.
type adv16Server struct {
	ln net.Listener

	mu    sync.Mutex
	reqs  []adv16Request
	conns int
}

func newAdv16Server(t *testing.T) *adv16Server {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	s := &adv16Server{ln: ln}
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

func (s *adv16Server) url() string { return "http://" + s.ln.Addr().String() }

func (s *adv16Server) serveConn(conn net.Conn) {
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
		r := adv16Request{head: head.String()}
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

func (s *adv16Server) seen() ([]adv16Request, int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]adv16Request(nil), s.reqs...), s.conns
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
func TestAdv16BodylessWriteDeclaresLength(t *testing.T) {
	t.Parallel()
	srv := newAdv16Server(t)
	c := relClient(t, srv.url())
	t.Cleanup(func() { relCloseIdle(c) })
	ctx := context.Background()
	for _, m := range []string{http.MethodPost, http.MethodPut, http.MethodPatch} {
		require.NoError(t, c.Do(ctx, m, "/desktops/d-1/actions", nil, nil, nil), m)
	}
	reqs, _ := srv.seen()
	require.Len(t, reqs, 3)
	for _, r := range reqs {
		framed := strings.Contains(r.head, "\r\ncontent-length:") || strings.Contains(r.head, "\r\ntransfer-encoding: chunked")
		assert.True(t, framed, "a bodyless write goes out with neither Content-Length nor Transfer-Encoding:\n%s", r.head)
		assert.Empty(t, r.body)
	}
}
