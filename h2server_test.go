package workspace

import (
	"bytes"
	"crypto/tls"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"

	"golang.org/x/net/http2"
	"golang.org/x/net/http2/hpack"
)

// A bare HTTP/2 server for the hostile-network tests: Go's own server
// cannot reset a stream with PROTOCOL_ERROR after its handler ran, which is
// what makes Go's HTTP/2 client send a request again by itself. Every
// unexported name of this file starts with "hs".

// hsRequest is one request as the frame-level server received it.
type hsRequest struct {
	Method, Path string
	Header       http.Header
	Body         []byte
}

// hsVerdict is what the server does with a stream after its handler ran.
type hsVerdict int

const (
	hsAnswer  hsVerdict = iota // send the handler's answer
	hsReset                    // RST_STREAM with Code
	hsGoAway                   // GOAWAY naming an earlier stream (so the client thinks this one was not processed), then close
	hsClose                    // close the connection without a word
	hsGarbage                  // write plain text under TLS (a record that is not TLS), then close
)

// hsReply is a handler's decision for one stream.
type hsReply struct {
	Verdict hsVerdict
	Code    http2.ErrCode // for hsReset
	Status  int           // for hsAnswer; 0: 200
	Header  http.Header
	Body    string
}

// hsH2Server starts a TLS server that speaks HTTP/2 through handle, one
// stream at a time. Its Client() trusts it and attempts HTTP/2.
func hsH2Server(t testing.TB, handle func(*hsRequest) hsReply) *httptest.Server {
	t.Helper()
	ts := httptest.NewUnstartedServer(http.NotFoundHandler())
	ts.EnableHTTP2 = true
	ts.Config.TLSNextProto = map[string]func(*http.Server, *tls.Conn, http.Handler){
		"h2": func(_ *http.Server, c *tls.Conn, _ http.Handler) { hsServeConn(c, handle) },
	}
	ts.Config.ErrorLog = quietServerLog()
	ts.StartTLS()
	t.Cleanup(func() {
		ts.CloseClientConnections()
		ts.Close()
	})
	return ts
}

// hsServeConn runs one HTTP/2 connection until the client goes or a
// verdict ends it.
func hsServeConn(c *tls.Conn, handle func(*hsRequest) hsReply) {
	defer c.Close()
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
	streams := map[uint32]*hsRequest{}
	for {
		f, err := fr.ReadFrame()
		if err != nil {
			return
		}
		var id uint32
		switch f := f.(type) {
		case *http2.SettingsFrame:
			if !f.IsAck() && fr.WriteSettingsAck() != nil {
				return
			}
			continue
		case *http2.PingFrame:
			if !f.IsAck() && fr.WritePing(true, f.Data) != nil {
				return
			}
			continue
		case *http2.GoAwayFrame:
			return
		case *http2.MetaHeadersFrame:
			r := &hsRequest{Method: f.PseudoValue("method"), Path: f.PseudoValue("path"), Header: http.Header{}}
			for _, hf := range f.RegularFields() {
				r.Header.Add(hf.Name, hf.Value)
			}
			streams[f.StreamID] = r
			if !f.StreamEnded() {
				continue
			}
			id = f.StreamID
		case *http2.DataFrame:
			r := streams[f.StreamID]
			if r == nil {
				continue
			}
			r.Body = append(r.Body, f.Data()...)
			if n := len(f.Data()); n > 0 && fr.WriteWindowUpdate(0, uint32(n)) != nil {
				return
			}
			if !f.StreamEnded() {
				continue
			}
			id = f.StreamID
		default:
			continue
		}
		r := streams[id]
		delete(streams, id)
		reply := handle(r)
		switch reply.Verdict {
		case hsReset:
			if fr.WriteRSTStream(id, reply.Code) != nil {
				return
			}
		case hsGoAway:
			_ = fr.WriteGoAway(id-min(id, 2), http2.ErrCodeNo, nil)
			return
		case hsClose:
			return
		case hsGarbage:
			_, _ = c.NetConn().Write(hsTLSGarbage)
			return
		default:
			if hsWriteAnswer(fr, enc, &hbuf, id, reply) != nil {
				return
			}
		}
	}
}

// hsTLSGarbage is a record no TLS 1.2 or 1.3 connection accepts after its
// handshake (version 3.1): the client reads it as a tls.RecordHeaderError.
var hsTLSGarbage = []byte("\x17\x03\x01\x00\x05hello")

// hsWriteAnswer writes a response's HEADERS and DATA frames.
func hsWriteAnswer(fr *http2.Framer, enc *hpack.Encoder, hbuf *bytes.Buffer, id uint32, reply hsReply) error {
	status := reply.Status
	if status == 0 {
		status = http.StatusOK
	}
	hbuf.Reset()
	_ = enc.WriteField(hpack.HeaderField{Name: ":status", Value: strconv.Itoa(status)})
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

// hsCounter counts arrivals by request, for servers shared by goroutines.
type hsCounter struct {
	mu sync.Mutex
	n  map[string]int
}

func (c *hsCounter) add(key string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.n == nil {
		c.n = map[string]int{}
	}
	c.n[key]++
	return c.n[key]
}

func (c *hsCounter) get(key string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n[key]
}
