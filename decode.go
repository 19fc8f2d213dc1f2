package workspace

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sync"
)

// maxSuccessBody bounds a 2xx body; a larger one is a DecodeError.
const maxSuccessBody = 64 << 20

// fastDecoder is a wire type with a hand-written decoder (the large list
// pages of internal/wire). DecodeFast reports false, leaving the value
// untouched, for anything it does not fully take; encoding/json decides
// then.
type fastDecoder interface{ DecodeFast(data []byte) bool }

// decodeBody decodes one JSON value from body into out. An empty body, a
// bare null, a body that is not JSON, trailing data other than white
// space and a body larger than maxSuccessBody are errors.
func decodeBody(body io.Reader, out any) error { return decodeSized(body, -1, out) }

// decodeSized is decodeBody for a body of size bytes, if known (not -1):
// its buffer is sized at once rather than grown by copying. The body is
// read whole into a pooled buffer and decoded from there.
func decodeSized(body io.Reader, size int64, out any) error {
	bp := bodyBufs.Get().(*[]byte)
	if size >= int64(cap(*bp)) && size <= maxPooledBody {
		*bp = make([]byte, 0, size+1) // +1: room to read the EOF without growing
	}
	buf, complete, err := readUpTo((*bp)[:0], body, maxSuccessBody)
	defer func() {
		if cap(buf) <= maxPooledBody {
			*bp = buf[:0]
			bodyBufs.Put(bp)
		}
	}()
	switch {
	case err != nil:
		return err
	case !complete:
		return fmt.Errorf("body larger than %d bytes", maxSuccessBody)
	}
	return decodeBytes(buf, out)
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
	case trimmed[0] == 'n':
		// null would leave out untouched: a zero value, not a result.
		return errors.New("null body")
	}
	if err := json.Unmarshal(data, out); err != nil {
		return unmarshalError(data, err)
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

// readUpTo appends r's data to buf until EOF, an error, or more than max
// bytes. complete reports that EOF was reached within max bytes.
func readUpTo(buf []byte, r io.Reader, max int) ([]byte, bool, error) {
	for {
		if len(buf) == cap(buf) {
			if len(buf) > max {
				return buf, false, nil
			}
			buf = append(buf, 0)[:len(buf)]
		}
		n, err := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			return buf, len(buf) <= max, nil
		}
		if err != nil {
			return buf, false, err
		}
	}
}
