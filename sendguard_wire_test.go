package workspace

import (
	"bytes"
	"context"
	"net"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// rawH1Server is an HTTP/1.1 server on loopback that reads request heads
// byte for byte, so a test sees exactly what the client wrote. answer
// returns the reply to a head ("" drops the connection without one).
type rawH1Server struct {
	ln     net.Listener
	answer func(head string) string

	mu    sync.Mutex
	heads []string // every request head, in arrival order
	conns int      // connections accepted
}

func newRawH1Server(t *testing.T, answer func(head string) string) *rawH1Server {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	s := &rawH1Server{ln: ln, answer: answer}
	go s.serve()
	t.Cleanup(func() { ln.Close() })
	return s
}

func (s *rawH1Server) url() string { return "http://" + s.ln.Addr().String() }

func (s *rawH1Server) serve() {
	for {
		conn, err := s.ln.Accept()
		if err != nil {
			return
		}
		s.mu.Lock()
		s.conns++
		s.mu.Unlock()
		go s.serveConn(conn)
	}
}

// serveConn takes whatever arrives up to a blank line as one request
// head: bytes of a body, if a client sent one, would begin the next head.
func (s *rawH1Server) serveConn(conn net.Conn) {
	defer conn.Close()
	var pending []byte
	buf := make([]byte, 4096)
	for {
		for {
			i := bytes.Index(pending, []byte("\r\n\r\n"))
			if i < 0 {
				break
			}
			head := string(pending[:i+4])
			pending = pending[i+4:]
			s.mu.Lock()
			s.heads = append(s.heads, head)
			s.mu.Unlock()
			reply := s.answer(head)
			if reply == "" {
				return
			}
			if _, err := conn.Write([]byte(reply)); err != nil {
				return
			}
		}
		_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second))
		n, err := conn.Read(buf)
		pending = append(pending, buf[:n]...)
		if err != nil {
			return
		}
	}
}

func (s *rawH1Server) seen() (heads []string, conns int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.heads...), s.conns
}

// rawH1OK is a 200 with the statistics object, kept alive.
var rawH1OK = func() string {
	body := `{"product_id": 1, "image_id": 2, "disk_num": 3, "disk_size": 4}`
	return "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " + strconv.Itoa(len(body)) + "\r\n\r\n" + body
}()

// A request without a body (every GET, and Do's DELETE here) goes out
// with neither Content-Length nor Transfer-Encoding and nothing after its
// head, and the connection is kept for the next call: the guard's empty
// body (see sendguard.go) changes nothing on the wire.
func TestSendGuardBodylessRequestOnTheWire(t *testing.T) {
	t.Parallel()
	srv := newRawH1Server(t, func(string) string { return rawH1OK })
	c := relClient(t, srv.url())
	t.Cleanup(func() { relCloseIdle(c) })
	ctx := context.Background()
	for i := 0; i < 3; i++ {
		_, err := c.DesktopPools.GetInconsistentStatistics(ctx, "pool-1")
		require.NoError(t, err)
	}
	require.NoError(t, c.Do(ctx, "DELETE", "/desktop-pools/pool-1", nil, nil, nil))

	heads, conns := srv.seen()
	require.Len(t, heads, 4)
	for i, head := range heads {
		want := "GET "
		if i == 3 {
			want = "DELETE "
		}
		assert.True(t, strings.HasPrefix(head, want), "request %d begins %q", i, head)
		lower := strings.ToLower(head)
		assert.NotContains(t, lower, "\r\ncontent-length:", "request %d", i)
		assert.NotContains(t, lower, "\r\ntransfer-encoding:", "request %d", i)
	}
	assert.Equal(t, 1, conns, "connections: every call after the first reuses the first one")
}

// Over HTTP/1.1, the transport sends a read again by itself when a reused
// connection is closed before any answer. That replay still goes through
// the guard (the request has a body, however empty), so it counts as an
// attempt: with MaxAttempts 1 the read arrives once, with 2 twice.
func TestSendGuardHTTP1ReadReplayCounted(t *testing.T) {
	t.Parallel()
	for _, maxAttempts := range []int{1, 2} {
		srv := newRawH1Server(t, func(head string) string {
			if strings.Contains(head, "/pool-drop/") {
				return "" // read, then drop the connection without an answer
			}
			return rawH1OK
		})
		c := relClient(t, srv.url(), WithRetryPolicy(RetryPolicy{MaxAttempts: maxAttempts, BaseDelay: time.Millisecond, MaxDelay: time.Millisecond}))
		ctx := context.Background()
		// Two calls at once leave two idle connections, so that the
		// transport has a reused one for its replay as well.
		var wg sync.WaitGroup
		for i := 0; i < 2; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := c.DesktopPools.GetInconsistentStatistics(ctx, "pool-1")
				assert.NoError(t, err)
			}()
		}
		wg.Wait()
		_, err := c.DesktopPools.GetInconsistentStatistics(ctx, "pool-drop")
		require.Error(t, err)
		relCloseIdle(c)

		heads, _ := srv.seen()
		drops := 0
		for _, h := range heads {
			if strings.Contains(h, "/pool-drop/") {
				drops++
			}
		}
		assert.Equal(t, maxAttempts, drops, "arrivals of the dropped read with MaxAttempts %d (error %v)", maxAttempts, err)
	}
}
