package testserver

import (
	"bufio"
	"bytes"
	"io"
	"net"
	"net/http"
	"net/http/httputil"
	"strings"
	"testing"
	"time"
)

// H1Reply is the script's decision for one HTTP/1.1 request.
type H1Reply struct {
	Raw   string // written as it is (one answer, several, or part of one)
	Close bool   // close the connection after Raw
	Flood string // written again and again, after Raw, until a write fails
}

// H1Request is one request that arrived whole: its head and then its
// body, as the head frames it (Content-Length or chunked; neither: no
// body), as a strict server would take it.
type H1Request struct {
	Conn   int         // the connection's index, in order of acceptance
	OnConn int         // the request's index on its connection
	Head   string      // the request line and header lines byte for byte, through the blank line that ends them
	Method string      // the request line's method
	Path   string      // the request target's path and query (also of an absolute-form target)
	Header http.Header // as http.ReadRequest gives it (no Host)
	Body   []byte      // empty, not nil, when there is none
}

// H1Server is a plain TCP server on 127.0.0.1 that reads HTTP/1.1
// requests and answers each with the bytes its script gives, recording
// every request and every byte received on each connection.
type H1Server struct {
	URL  string // http://127.0.0.1:port
	Addr string // 127.0.0.1:port

	script func(*H1Request) H1Reply
	conns

	// guarded by conns.mu
	h1conns  []*h1Conn // by index, as conns.all
	arrivals []H1Request
}

type h1Conn struct {
	c    net.Conn
	raw  bytes.Buffer  // every byte received; guarded by the server's mu
	done chan struct{} // closed when the connection has been served
}

// NewH1 starts an H1Server that answers each request as script says;
// script runs on the connection's goroutine, one request at a time. The
// server is shut down when the test ends.
func NewH1(t testing.TB, script func(*H1Request) H1Reply) *H1Server {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("testserver: %v", err)
	}
	addr := ln.Addr().String()
	s := &H1Server{URL: "http://" + addr, Addr: addr, script: script}
	s.start(ln, func(c net.Conn) {
		s.h1conns = append(s.h1conns, &h1Conn{c: c, done: make(chan struct{})})
	}, s.serve)
	t.Cleanup(s.shutdown)
	return s
}

// Arrivals returns the requests that arrived whole so far, in order.
func (s *H1Server) Arrivals() []H1Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]H1Request(nil), s.arrivals...)
}

// Heads returns the heads (H1Request.Head) of the requests that arrived
// whole so far, in order.
func (s *H1Server) Heads() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	heads := make([]string, len(s.arrivals))
	for i, a := range s.arrivals {
		heads[i] = a.Head
	}
	return heads
}

// Conns is how many connections the server accepted.
func (s *H1Server) Conns() int { return s.count() }

// Raw waits until connection i has ended (the client closed it, or the
// script did) and returns every byte received on it; the test fails if
// there is no connection i or it does not end within 5 seconds.
func (s *H1Server) Raw(t testing.TB, i int) string {
	t.Helper()
	s.mu.Lock()
	if i >= len(s.h1conns) {
		n := len(s.h1conns)
		s.mu.Unlock()
		t.Fatalf("testserver: no connection %d (%d accepted)", i, n)
	}
	hc := s.h1conns[i]
	s.mu.Unlock()
	select {
	case <-hc.done:
	case <-time.After(5 * time.Second):
		t.Fatalf("testserver: connection %d did not end", i)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return hc.raw.String()
}

// recordingReader keeps a copy of every byte read through it.
type recordingReader struct {
	s  *H1Server
	hc *h1Conn
}

func (r recordingReader) Read(p []byte) (int, error) {
	n, err := r.hc.c.Read(p)
	r.s.mu.Lock()
	r.hc.raw.Write(p[:n])
	r.s.mu.Unlock()
	return n, err
}

// serve reads requests on connection idx and answers them until the
// client goes, a request does not parse, or the script closes it.
func (s *H1Server) serve(idx int, _ net.Conn) {
	s.mu.Lock()
	hc := s.h1conns[idx]
	s.mu.Unlock()
	defer close(hc.done)
	br := bufio.NewReader(recordingReader{s, hc})
	for n := 0; ; n++ {
		head, err := readLines(br)
		if err != nil {
			return
		}
		req, err := http.ReadRequest(bufio.NewReader(strings.NewReader(head)))
		if err != nil {
			return
		}
		body, err := readBody(br, req)
		if err != nil {
			return
		}
		in := H1Request{Conn: idx, OnConn: n, Head: head, Method: req.Method, Path: req.URL.RequestURI(), Header: req.Header, Body: body}
		s.mu.Lock()
		s.arrivals = append(s.arrivals, in)
		s.mu.Unlock()
		reply := s.script(&in)
		if _, err := io.WriteString(hc.c, reply.Raw); err != nil {
			return
		}
		if reply.Flood != "" {
			for {
				if _, err := io.WriteString(hc.c, reply.Flood); err != nil {
					return
				}
			}
		}
		if reply.Close {
			return
		}
	}
}

// readLines reads lines up to and including an empty one (a head, or a
// chunked body's trailer section) and returns them as they came.
func readLines(br *bufio.Reader) (string, error) {
	var b strings.Builder
	for {
		line, err := br.ReadString('\n')
		if err != nil {
			return "", err
		}
		b.WriteString(line)
		if line == "\r\n" || line == "\n" {
			return b.String(), nil
		}
	}
}

// readBody reads the body that follows req's head on br, as the head
// frames it.
func readBody(br *bufio.Reader, req *http.Request) ([]byte, error) {
	if len(req.TransferEncoding) > 0 { // http.ReadRequest takes chunked only
		body, err := io.ReadAll(httputil.NewChunkedReader(br))
		if err != nil {
			return nil, err
		}
		if _, err := readLines(br); err != nil { // the trailer section
			return nil, err
		}
		return body, nil
	}
	body := make([]byte, max(req.ContentLength, 0))
	if _, err := io.ReadFull(br, body); err != nil {
		return nil, err
	}
	return body, nil
}
