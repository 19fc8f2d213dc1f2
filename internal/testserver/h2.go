package testserver

import (
	"bytes"
	"context"
	"crypto/tls"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/net/http2"
	"golang.org/x/net/http2/hpack"
)

// TLSGarbage is a record that no TLS 1.2 or 1.3 connection accepts after
// its handshake (it says version 3.1): written on the connection under a
// TLS session, the client reads it as a tls.RecordHeaderError.
const TLSGarbage = "\x17\x03\x01\x00\x05hello"

// H2Verdict is what an H2Server does with a stream once its request is
// in whole.
type H2Verdict int

const (
	// H2Answer sends HEADERS with the reply's Status, Header and a
	// content-length, then its Body in DATA frames (if any).
	H2Answer H2Verdict = iota
	// H2Reset resets the stream: RST_STREAM with the reply's Code.
	H2Reset
	// H2GoAway sends GOAWAY naming no stream as processed (last stream
	// 0), so that the client takes this stream and any other still open
	// as never seen, then closes the connection.
	H2GoAway
	// H2Close closes the connection without a word.
	H2Close
	// H2Garbage writes TLSGarbage on the connection under TLS (a record
	// that is not TLS), then closes it.
	H2Garbage
)

// H2Reply is the script's decision for one stream.
type H2Reply struct {
	Verdict H2Verdict     // what to do; the zero value is H2Answer
	Code    http2.ErrCode // for H2Reset
	Status  int           // for H2Answer; 0: 200
	Header  http.Header   // for H2Answer; names are sent in lower case
	Body    string        // for H2Answer
}

// H2Frame is one frame an H2Server received.
type H2Frame struct {
	Conn     int                 // the connection's index, in order of acceptance
	Type     http2.FrameType     // HEADERS for a HEADERS frame and its CONTINUATIONs
	StreamID uint32              // 0 for the connection's own frames
	Flags    http2.Flags         // as the frame (HEADERS: the first one) had them
	Len      int                 // payload length (DATA: the data's, without padding; HEADERS: the first frame's)
	Fields   []hpack.HeaderField // HEADERS (with its CONTINUATIONs)
}

// H2Request is one request that arrived whole (END_STREAM received).
type H2Request struct {
	Conn     int         // the connection's index, in order of acceptance
	StreamID uint32      // the stream's id on its connection
	Method   string      // :method
	Path     string      // :path, as sent
	Header   http.Header // the regular fields, names canonical
	Body     []byte      // the DATA frames' data, joined
}

// H2Server is a TLS server on 127.0.0.1 that speaks HTTP/2 with x/net's
// Framer, one frame at a time on each connection, so that it can do what
// Go's own server never does: reset a stream, go away or break the
// connection after reading a whole request (a stream reset with
// PROTOCOL_ERROR or REFUSED_STREAM then is what makes Go's HTTP/2 client
// send a request again by itself). It reads each stream's request whole,
// then does what its script says; it records every frame and every
// request it received. It speaks nothing but HTTP/2: a client that does
// not negotiate "h2" is dropped after the TLS handshake.
type H2Server struct {
	// URL is https://127.0.0.1:port.
	URL string

	script func(*H2Request) H2Reply
	client *http.Client
	conns

	// guarded by conns.mu
	frames   []H2Frame
	arrivals []H2Request
}

// NewH2 starts an H2Server that answers each stream as script says;
// script runs on the connection's goroutine, one stream at a time. The
// server is shut down when the test ends.
func NewH2(t testing.TB, script func(*H2Request) H2Reply) *H2Server {
	t.Helper()
	cert, _ := testCert()
	ln, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{
		Certificates: []tls.Certificate{cert},
		NextProtos:   []string{"h2"},
	})
	if err != nil {
		t.Fatalf("testserver: %v", err)
	}
	s := &H2Server{URL: "https://" + ln.Addr().String(), script: script}
	s.client = &http.Client{Transport: s.Transport()}
	s.start(ln, nil, func(idx int, c net.Conn) {
		tc := c.(*tls.Conn)
		if err := tc.HandshakeContext(context.Background()); err != nil || tc.ConnectionState().NegotiatedProtocol != "h2" {
			return
		}
		s.serve(idx, c)
	})
	t.Cleanup(func() {
		s.shutdown()
		s.client.CloseIdleConnections()
	})
	return s
}

// NewH2C is NewH2 over plain TCP, HTTP/2 with prior knowledge (h2c): its
// URL is http://, and Client and Transport are nil (a client needs a
// transport that speaks unencrypted HTTP/2).
func NewH2C(t testing.TB, script func(*H2Request) H2Reply) *H2Server {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("testserver: %v", err)
	}
	s := &H2Server{URL: "http://" + ln.Addr().String(), script: script}
	s.start(ln, nil, s.serve)
	t.Cleanup(s.shutdown)
	return s
}

// Transport returns a new *http.Transport that trusts the server's
// certificate and attempts HTTP/2.
func (s *H2Server) Transport() *http.Transport {
	_, pool := testCert()
	return &http.Transport{
		TLSClientConfig:   &tls.Config{RootCAs: pool},
		ForceAttemptHTTP2: true,
	}
}

// Client returns the server's own client, the same on every call (as
// httptest.Server's Client does): it uses a Transport of the server's,
// and its idle connections are closed when the server shuts down.
func (s *H2Server) Client() *http.Client { return s.client }

// Arrivals returns the requests that arrived whole so far, in order.
func (s *H2Server) Arrivals() []H2Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]H2Request(nil), s.arrivals...)
}

// Frames returns the frames received so far, in order.
func (s *H2Server) Frames() []H2Frame {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]H2Frame(nil), s.frames...)
}

// StreamFrames returns the frames received on stream id of connection
// conn, in order.
func (s *H2Server) StreamFrames(conn int, id uint32) []H2Frame {
	var out []H2Frame
	for _, f := range s.Frames() {
		if f.Conn == conn && f.StreamID == id {
			out = append(out, f)
		}
	}
	return out
}

// serve runs connection idx until the client goes or a verdict ends it.
func (s *H2Server) serve(idx int, c net.Conn) {
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
	streams := map[uint32]*H2Request{}
	for {
		f, err := fr.ReadFrame()
		if err != nil {
			return
		}
		h := f.Header()
		rec := H2Frame{Conn: idx, Type: h.Type, StreamID: h.StreamID, Flags: h.Flags, Len: int(h.Length)}
		var done *H2Request
		switch f := f.(type) {
		case *http2.SettingsFrame:
			if !f.IsAck() && fr.WriteSettingsAck() != nil {
				return
			}
		case *http2.PingFrame:
			if !f.IsAck() && fr.WritePing(true, f.Data) != nil {
				return
			}
		case *http2.RSTStreamFrame:
			delete(streams, f.StreamID)
		case *http2.MetaHeadersFrame:
			rec.Fields = append([]hpack.HeaderField(nil), f.Fields...)
			req := streams[f.StreamID]
			if req == nil { // not trailers
				req = &H2Request{Conn: idx, StreamID: f.StreamID, Method: f.PseudoValue("method"), Path: f.PseudoValue("path"), Header: http.Header{}}
				for _, hf := range f.RegularFields() {
					req.Header.Add(hf.Name, hf.Value)
				}
				streams[f.StreamID] = req
			}
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
		if h.Type == http2.FrameGoAway {
			return
		}
		if done == nil {
			continue
		}
		delete(streams, done.StreamID)
		reply := s.script(done)
		switch reply.Verdict {
		case H2Reset:
			if fr.WriteRSTStream(done.StreamID, reply.Code) != nil {
				return
			}
		case H2GoAway:
			_ = fr.WriteGoAway(0, http2.ErrCodeNo, nil)
			return
		case H2Close:
			return
		case H2Garbage:
			raw := c
			if tc, ok := c.(*tls.Conn); ok {
				raw = tc.NetConn()
			}
			_, _ = raw.Write([]byte(TLSGarbage))
			return
		default:
			if writeAnswer(fr, enc, &hbuf, done.StreamID, reply) != nil {
				return
			}
		}
	}
}

// writeAnswer writes an answer's HEADERS and DATA frames; the data goes in
// frames of at most 16 KiB, the smallest maximum a peer may set.
func writeAnswer(fr *http2.Framer, enc *hpack.Encoder, hbuf *bytes.Buffer, id uint32, reply H2Reply) error {
	status := reply.Status
	if status == 0 {
		status = http.StatusOK
	}
	hbuf.Reset()
	_ = enc.WriteField(hpack.HeaderField{Name: ":status", Value: strconv.Itoa(status)})
	if reply.Header.Get("Content-Length") == "" {
		_ = enc.WriteField(hpack.HeaderField{Name: "content-length", Value: strconv.Itoa(len(reply.Body))})
	}
	for k, vs := range reply.Header {
		for _, v := range vs {
			_ = enc.WriteField(hpack.HeaderField{Name: strings.ToLower(k), Value: v})
		}
	}
	if err := fr.WriteHeaders(http2.HeadersFrameParam{
		StreamID: id, BlockFragment: hbuf.Bytes(), EndHeaders: true, EndStream: reply.Body == "",
	}); err != nil {
		return err
	}
	for body := []byte(reply.Body); len(body) > 0; {
		n := min(len(body), 16<<10)
		if err := fr.WriteData(id, n == len(body), body[:n]); err != nil {
			return err
		}
		body = body[n:]
	}
	return nil
}
