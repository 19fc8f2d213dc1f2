package workspace

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sync"

	"github.com/hwcloud-go/workspace/internal/pipeline"
	"github.com/hwcloud-go/workspace/internal/wire"
)

// maxSuccessBody bounds a 2xx body, counted after Go's transparent gzip
// decompression; a larger one is a DecodeError. The largest answer of the
// wrapped operations (1000 snapshots) is about 400 KB: 8 MiB leaves 20
// times that. Reading stops at the limit, and what a call allocates for a
// body stays within about the limit (see readSuccessBody).
const maxSuccessBody = 8 << 20

// errBodyTooLarge is the DecodeError cause of a body over maxSuccessBody.
var errBodyTooLarge = fmt.Errorf("body larger than %d bytes", maxSuccessBody)

// fastDecoder is a wire type with a hand-written decoder (the large list
// pages of internal/wire). DecodeFast reports false, leaving the value
// untouched, for anything it does not fully take; encoding/json decides
// then.
type fastDecoder interface{ DecodeFast(data []byte) bool }

// wireDecoder is a public result with a fast decoder of its own, decoded
// from its wire form otherwise: what DecodeFast declines, encoding/json
// decodes into wireForm() (with that type's errors, word for word), which
// fromWire then converts.
type wireDecoder interface {
	fastDecoder
	wireForm() any
	fromWire()
}

// decodeBody decodes one JSON value from body into out. An empty body, a
// bare null, a body that is not JSON, trailing data other than white
// space and a body larger than maxSuccessBody are errors.
func decodeBody(body io.Reader, out any) error { return decodeSized(body, -1, out) }

// decodeSized is decodeBody for a body of size bytes, if known (not -1).
func decodeSized(body io.Reader, size int64, out any) error {
	data, err := readSized(body, size)
	if err != nil {
		return err
	}
	defer data.release()
	return decodeBytes(data.bytes(), out)
}

// body is a 2xx body read whole, in a pooled buffer until released.
type body struct {
	bp   *[]byte
	data []byte
}

func (b body) bytes() []byte { return b.data }

// release gives the buffer back to the pool; b is not to be used after.
func (b body) release() {
	if cap(b.data) > cap(*b.bp) && cap(b.data) <= maxPooledBody {
		*b.bp = b.data[:0] // a body that did not fit: the next one will
	}
	bodyBufs.Put(b.bp)
}

// readSized reads body whole into a pooled buffer: its size bytes if known
// (not -1), the buffer sized at once rather than grown by copying. A body
// over maxSuccessBody is errBodyTooLarge; any other error is the
// connection's (a body cut off).
func readSized(r io.Reader, size int64) (body, error) {
	bp := bodyBufs.Get().(*[]byte)
	buf := (*bp)[:0]
	if size >= int64(cap(buf)) && size <= maxSuccessBody {
		// Room for the whole announced body (+1: to read the EOF), so it
		// is read into one buffer, neither chunked nor joined: a call
		// needs about its body, not twice it. Within the limit a server
		// can make a call allocate no more by announcing a length than by
		// sending the bytes. Over maxPooledBody it is not pooled.
		buf = make([]byte, 0, size+1)
	}
	data, err := readSuccessBody(buf, r, maxSuccessBody)
	if err != nil {
		bodyBufs.Put(bp)
		return body{}, err
	}
	return body{bp: bp, data: data}, nil
}

// errUndecodable marks the error of a body that arrived whole and is not
// what the operation answers.
var errUndecodable = errors.New("not the operation's answer")

// undecodable is a body that arrived whole and did not decode: what came
// (its content type; "an HTML page") and why.
type undecodable struct {
	what string
	err  error
}

func (e *undecodable) Error() string   { return e.what + ": " + e.err.Error() }
func (e *undecodable) Unwrap() []error { return []error{e.err, errUndecodable} }

// describeBody wraps err, the decoding error of data (a body of the given
// content type), with what data is.
func describeBody(contentType string, data []byte, err error) error {
	return &undecodable{what: pipeline.Describe(contentType, data), err: err}
}

// decodeBytes decodes the whole body data into out.
func decodeBytes(data []byte, out any) error {
	if f, ok := out.(fastDecoder); ok && f.DecodeFast(data) {
		return nil
	}
	trimmed := bytes.TrimLeft(data, " \t\r\n")
	switch {
	case len(trimmed) == 0:
		return errors.New("empty body")
	case string(bytes.TrimRight(trimmed, " \t\r\n")) == "null":
		// null would leave out untouched: a zero value, not a result.
		return errors.New("null body")
	}
	wd, viaWire := out.(wireDecoder)
	if viaWire {
		out = wd.wireForm()
	}
	if err := wire.Unmarshal(data, out); err != nil {
		return unmarshalError(data, err)
	}
	if viaWire {
		wd.fromWire()
	}
	return nil
}

// unmarshalError is json.Unmarshal's error err for data, except that a
// whole value followed by something else says so.
func unmarshalError(data []byte, err error) error {
	var syntax *json.SyntaxError
	if errors.As(err, &syntax) && syntax.Offset > 0 && json.Valid(data[:syntax.Offset-1]) {
		return errors.New("unexpected data after the JSON value")
	}
	return err
}

// bodyBufs holds buffers for decodeBody; ones larger than maxPooledBody
// are left to the garbage collector.
var bodyBufs = sync.Pool{New: func() any { b := make([]byte, 0, 4<<10); return &b }}

const maxPooledBody = 4 << 20

// readSuccessBody reads r to EOF, first into buf's capacity and then, if that is
// not enough, into further chunks, each as large as all before it, until
// EOF or more than limit bytes (errBodyTooLarge). Nothing read is copied
// on the way: a body over the limit costs about limit bytes, not the 1.5 to 2
// times that growing one buffer by copying would. A body that did not fit
// in buf is joined into one new slice at the end.
func readSuccessBody(buf []byte, r io.Reader, limit int) ([]byte, error) {
	var chunks [][]byte
	total := 0
	for {
		if len(buf) == cap(buf) {
			if total+len(buf) > limit {
				return nil, errBodyTooLarge
			}
			chunks = append(chunks, buf)
			total += len(buf)
			buf = make([]byte, 0, min(max(total, 4<<10), limit+1-total))
		}
		n, err := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
	}
	if total+len(buf) > limit {
		return nil, errBodyTooLarge
	}
	if chunks == nil {
		return buf, nil
	}
	data := make([]byte, 0, total+len(buf))
	for _, c := range chunks {
		data = append(data, c...)
	}
	return append(data, buf...), nil
}
