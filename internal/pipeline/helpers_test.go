package pipeline

import (
	"bufio"
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"io"
	"math/big"
	"net"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"golang.org/x/net/http2"
	"golang.org/x/net/http2/hpack"
)

// The package's test servers: h2Server speaks HTTP/2 frame by frame over
// TLS on loopback, h1Server speaks HTTP/1.1 over plain TCP on loopback,
// each answering as the test scripts it and recording what it received.

// testCert is a self-signed certificate for 127.0.0.1, made once.
var testCert = sync.OnceValues(func() (tls.Certificate, *x509.CertPool) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		panic(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "pipeline test"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1)},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		panic(err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		panic(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(leaf)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, pool
})

// h2Verdict is what the HTTP/2 server does once a stream's request is in.
type h2Verdict int

const (
	h2Answer h2Verdict = iota // HEADERS with Status, then Body (if any)
	h2Reset                   // RST_STREAM with Code
	h2GoAway                  // GOAWAY naming no stream as processed, then close
	h2Close                   // close the connection without a word
)

// h2Reply is the script's decision for one stream.
type h2Reply struct {
	Verdict h2Verdict
	Code    http2.ErrCode // for h2Reset
	Status  int           // for h2Answer; 0: 200
	Header  http.Header
	Body    string
}

// h2Frame is one frame the server received.
type h2Frame struct {
	Conn     int // the connection's index, in order of acceptance
	Type     http2.FrameType
	StreamID uint32
	Flags    http2.Flags
	Len      int                 // payload length (DATA: data only)
	Fields   []hpack.HeaderField // HEADERS (with its CONTINUATIONs)
}

// h2Request is one request that arrived whole (END_STREAM received).
type h2Request struct {
	Conn     int
	StreamID uint32
	Method   string
	Path     string
	Header   http.Header
	Body     []byte
}

// h2Server is a TLS loopback server that speaks HTTP/2 with x/net's
// Framer, one frame at a time, so that it can do what Go's server never
// does: reset a stream or go away after reading a whole request.
type h2Server struct {
	URL    string // https://127.0.0.1:port
	script func(*h2Request) h2Reply

	ln net.Listener
	wg sync.WaitGroup

	mu       sync.Mutex
	conns    []net.Conn
	frames   []h2Frame
	arrivals []h2Request
}

// newH2Server starts an h2Server that answers as script says; it is shut
// down when the test ends.
func newH2Server(t testing.TB, script func(*h2Request) h2Reply) *h2Server {
	t.Helper()
	cert, _ := testCert()
	ln, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{
		Certificates: []tls.Certificate{cert},
		NextProtos:   []string{"h2"},
	})
	require.NoError(t, err)
	s := &h2Server{URL: "https://" + ln.Addr().String(), script: script, ln: ln}
	s.wg.Add(1)
	go s.accept()
	t.Cleanup(s.close)
	return s
}

// client returns an *http.Transport that trusts the server and speaks
// HTTP/2 to it.
func (s *h2Server) transport() *http.Transport {
	_, pool := testCert()
	return &http.Transport{
		TLSClientConfig:   &tls.Config{RootCAs: pool},
		ForceAttemptHTTP2: true,
	}
}

func (s *h2Server) close() {
	s.ln.Close()
	s.mu.Lock()
	for _, c := range s.conns {
		c.Close()
	}
	s.mu.Unlock()
	s.wg.Wait()
}

func (s *h2Server) accept() {
	defer s.wg.Done()
	for {
		c, err := s.ln.Accept()
		if err != nil {
			return
		}
		s.mu.Lock()
		idx := len(s.conns)
		s.conns = append(s.conns, c)
		s.mu.Unlock()
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			defer c.Close()
			s.serve(idx, c.(*tls.Conn))
		}()
	}
}

// Arrivals returns the requests that arrived whole so far.
func (s *h2Server) Arrivals() []h2Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]h2Request(nil), s.arrivals...)
}

// Frames returns the frames received so far.
func (s *h2Server) Frames() []h2Frame {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]h2Frame(nil), s.frames...)
}

// StreamFrames returns the HEADERS, DATA and RST_STREAM frames received on
// one stream of one connection, in order.
func (s *h2Server) StreamFrames(conn int, id uint32) []h2Frame {
	var out []h2Frame
	for _, f := range s.Frames() {
		if f.Conn == conn && f.StreamID == id {
			out = append(out, f)
		}
	}
	return out
}

func (s *h2Server) serve(idx int, c *tls.Conn) {
	if err := c.HandshakeContext(context.Background()); err != nil || c.ConnectionState().NegotiatedProtocol != "h2" {
		return
	}
	preface := make([]byte, len(http2.ClientPreface))
	if _, err := io.ReadFull(c, preface); err != nil || string(preface) != http2.ClientPreface {
		return
	}
	fr := http2.NewFramer(c, c)
	fr.ReadMetaHeaders = hpack.NewDecoder(4096, nil)
	var hbuf bytes.Buffer
	enc := hpack.NewEncoder(&hbuf)
	if fr.WriteSettings() != nil {
		return
	}
	streams := map[uint32]*h2Request{}
	for {
		f, err := fr.ReadFrame()
		if err != nil {
			return
		}
		rec := h2Frame{Conn: idx, Type: f.Header().Type, StreamID: f.Header().StreamID, Flags: f.Header().Flags, Len: int(f.Header().Length)}
		var done *h2Request
		switch f := f.(type) {
		case *http2.SettingsFrame:
			if !f.IsAck() && fr.WriteSettingsAck() != nil {
				return
			}
		case *http2.PingFrame:
			if !f.IsAck() && fr.WritePing(true, f.Data) != nil {
				return
			}
		case *http2.MetaHeadersFrame:
			rec.Fields = append([]hpack.HeaderField(nil), f.Fields...)
			req := &h2Request{Conn: idx, StreamID: f.StreamID, Header: http.Header{}}
			for _, hf := range f.Fields {
				switch hf.Name {
				case ":method":
					req.Method = hf.Value
				case ":path":
					req.Path = hf.Value
				default:
					if hf.Name[0] != ':' {
						req.Header.Add(hf.Name, hf.Value)
					}
				}
			}
			streams[f.StreamID] = req
			if f.StreamEnded() {
				done = req
			}
		case *http2.DataFrame:
			rec.Len = len(f.Data())
			req := streams[f.StreamID]
			if req != nil {
				req.Body = append(req.Body, f.Data()...)
			}
			if n := uint32(len(f.Data())); n > 0 {
				if fr.WriteWindowUpdate(0, n) != nil || fr.WriteWindowUpdate(f.StreamID, n) != nil {
					return
				}
			}
			if f.StreamEnded() {
				done = req
			}
		}
		s.mu.Lock()
		s.frames = append(s.frames, rec)
		if done != nil {
			s.arrivals = append(s.arrivals, *done)
		}
		s.mu.Unlock()
		if f.Header().Type == http2.FrameGoAway {
			return
		}
		if done == nil {
			continue
		}
		delete(streams, done.StreamID)
		reply := s.script(done)
		switch reply.Verdict {
		case h2Reset:
			if fr.WriteRSTStream(done.StreamID, reply.Code) != nil {
				return
			}
		case h2GoAway:
			_ = fr.WriteGoAway(0, http2.ErrCodeNo, nil)
			return
		case h2Close:
			return
		default:
			status := reply.Status
			if status == 0 {
				status = http.StatusOK
			}
			hbuf.Reset()
			_ = enc.WriteField(hpack.HeaderField{Name: ":status", Value: strconv.Itoa(status)})
			_ = enc.WriteField(hpack.HeaderField{Name: "content-length", Value: strconv.Itoa(len(reply.Body))})
			for k, vs := range reply.Header {
				for _, v := range vs {
					_ = enc.WriteField(hpack.HeaderField{Name: http.CanonicalHeaderKey(k), Value: v})
				}
			}
			err := fr.WriteHeaders(http2.HeadersFrameParam{
				StreamID: done.StreamID, BlockFragment: hbuf.Bytes(), EndHeaders: true, EndStream: reply.Body == "",
			})
			if err == nil && reply.Body != "" {
				err = fr.WriteData(done.StreamID, true, []byte(reply.Body))
			}
			if err != nil {
				return
			}
		}
	}
}

// h1Reply is the script's decision for one HTTP/1.1 request.
type h1Reply struct {
	Raw   string // written as it is (one or more answers)
	Close bool   // close the connection after Raw
	Flood string // written again and again, after Raw, until a write fails
}

// h1Request is one request that arrived whole (its body read to the end).
type h1Request struct {
	Conn   int // the connection's index, in order of acceptance
	OnConn int // the request's index on its connection
	Method string
	Path   string
	Header http.Header
	Body   []byte
}

// h1Server is a plain loopback TCP server that reads HTTP/1.1 requests
// and answers with the bytes the script gives, recording every byte it
// received on each connection.
type h1Server struct {
	URL    string // http://127.0.0.1:port
	Addr   string
	script func(*h1Request) h1Reply

	ln net.Listener
	wg sync.WaitGroup

	mu       sync.Mutex
	conns    []*h1Conn
	arrivals []h1Request
}

type h1Conn struct {
	c    net.Conn
	raw  bytes.Buffer // guarded by the server's mu
	done chan struct{}
}

// newH1Server starts an h1Server; it is shut down when the test ends.
func newH1Server(t testing.TB, script func(*h1Request) h1Reply) *h1Server {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	s := &h1Server{URL: "http://" + ln.Addr().String(), Addr: ln.Addr().String(), script: script, ln: ln}
	s.wg.Add(1)
	go s.accept()
	t.Cleanup(s.close)
	return s
}

func (s *h1Server) close() {
	s.ln.Close()
	s.mu.Lock()
	for _, c := range s.conns {
		c.c.Close()
	}
	s.mu.Unlock()
	s.wg.Wait()
}

func (s *h1Server) accept() {
	defer s.wg.Done()
	for {
		c, err := s.ln.Accept()
		if err != nil {
			return
		}
		hc := &h1Conn{c: c, done: make(chan struct{})}
		s.mu.Lock()
		idx := len(s.conns)
		s.conns = append(s.conns, hc)
		s.mu.Unlock()
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			defer close(hc.done)
			defer c.Close()
			s.serve(idx, hc)
		}()
	}
}

// recordingReader keeps a copy of every byte read through it.
type recordingReader struct {
	s  *h1Server
	hc *h1Conn
}

func (r recordingReader) Read(p []byte) (int, error) {
	n, err := r.hc.c.Read(p)
	r.s.mu.Lock()
	r.hc.raw.Write(p[:n])
	r.s.mu.Unlock()
	return n, err
}

func (s *h1Server) serve(idx int, hc *h1Conn) {
	br := bufio.NewReader(recordingReader{s, hc})
	for n := 0; ; n++ {
		req, err := http.ReadRequest(br)
		if err != nil {
			return
		}
		body, err := io.ReadAll(req.Body)
		if err != nil {
			return
		}
		in := h1Request{Conn: idx, OnConn: n, Method: req.Method, Path: req.URL.RequestURI(), Header: req.Header, Body: body}
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

// Arrivals returns the requests that arrived whole so far.
func (s *h1Server) Arrivals() []h1Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]h1Request(nil), s.arrivals...)
}

// Conns is how many connections the server accepted.
func (s *h1Server) Conns() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.conns)
}

// Raw waits until connection i has ended (the client closed it) and
// returns every byte received on it.
func (s *h1Server) Raw(t testing.TB, i int) string {
	t.Helper()
	s.mu.Lock()
	require.Less(t, i, len(s.conns), "no connection %d", i)
	hc := s.conns[i]
	s.mu.Unlock()
	select {
	case <-hc.done:
	case <-time.After(5 * time.Second):
		t.Fatalf("connection %d did not end", i)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return hc.raw.String()
}

// okAnswer is a small 200 answer that keeps the connection open.
const okAnswer = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Type: text/plain\r\n\r\nok"

// plainTransport is an *http.Transport with no proxy and short timeouts.
func plainTransport() *http.Transport {
	return &http.Transport{
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second}).DialContext,
		MaxIdleConnsPerHost: 8,
	}
}

// countingResender allows the first Allow re-sends and refuses the rest
// with Err.
type countingResender struct {
	Allow int32
	Err   error
	calls atomic.Int32
}

func (r *countingResender) Resend(context.Context) error {
	if r.calls.Add(1) <= r.Allow {
		return nil
	}
	return r.Err
}

func (r *countingResender) Calls() int { return int(r.calls.Load()) }

var errRefusedByPolicy = errors.New("test resender: no more re-sends")

// send prepares r on c and sends it; the request is finished when the
// test ends.
func send(t testing.TB, ctx context.Context, c *Client, method, url string, body []byte, write bool, rs Resender) (*Request, *http.Response, error) {
	t.Helper()
	r := new(Request)
	c.Prepare(r)
	r.Header()["X-Auth-Token"] = []string{"tok-secret-123"}
	r.Method, r.URL, r.Path, r.Body = method, url, "/v1/things", body
	r.Attempt.Write, r.Attempt.Resender = write, rs
	t.Cleanup(r.Finish)
	resp, err := c.Send(ctx, r)
	return r, resp, err
}

// readAll reads and closes an answer's body.
func readAll(t testing.TB, resp *http.Response) string {
	t.Helper()
	data, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.NoError(t, err)
	return string(data)
}

// asSendError requires err to be a *SendError and returns it.
func asSendError(t testing.TB, err error) *SendError {
	t.Helper()
	require.Error(t, err)
	var se *SendError
	require.ErrorAs(t, err, &se)
	return se
}

// testCtx is a context that ends with the test or after d.
func testCtx(t testing.TB, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

// roundTripFunc is a RoundTripper that uses no net/http machinery.
type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
