// Package jsonscan is a small, strict JSON scanner for hand-written
// decoders of known shapes. It takes only the plain form of JSON and
// declines (reports false) anything else: escapes, control bytes or
// invalid UTF-8 in a string, numbers that are not plain integers fitting
// in an int where an integer is wanted, a value of the wrong JSON type,
// deep nesting, trailing data. A caller that gets false decodes with
// encoding/json instead, so that errors and unusual input are handled
// there; whenever a decoder built on it reports true, its result must be
// what json.Unmarshal gives into a zero value (the callers' differential
// fuzz targets check that, and FuzzScanner here checks the scanner's own
// values against encoding/json).
//
// Strings are copied out of the input, never aliased: the input may be a
// pooled buffer.
package jsonscan

import (
	"bytes"
	"encoding/binary"
	"strings"
	"unicode/utf8"
)

// maxDepth bounds the nesting of skipped values.
const maxDepth = 32

// Decoder walks data; i is the offset of the next byte to read. A
// Decoder is used through a pointer and never copied once in use.
type Decoder struct {
	data []byte
	i    int

	// The string fields of the object being decoded, aliasing data
	// until Flush copies them all into one new string. pending starts
	// in pendingBuf (no object of the API has more string fields), so
	// that a small answer costs no growing.
	pending    []pendingString
	pendingBuf [16]pendingString
}

type pendingString struct {
	dst *string
	src []byte
}

// NewDecoder returns a decoder positioned at the start of data.
func NewDecoder(data []byte) Decoder { return Decoder{data: data} }

// List decodes an array (or null, leaving *out nil) with item decoding
// each element into a list of the given initial capacity.
func List[T any](d *Decoder, out *[]T, capacity int, item func(*Decoder, *T) bool) bool {
	if d.Null() {
		return true
	}
	list := make([]T, 0, capacity)
	ok := d.Array(func() bool {
		if len(list) < cap(list) {
			list = list[:len(list)+1] // zero already: only appended to
		} else {
			var zero T
			list = append(list, zero)
		}
		return item(d, &list[len(list)-1])
	})
	*out = list
	return ok
}

// Once records bit in *seen and reports whether it was not yet set: a
// decoder gives up on a key seen twice (encoding/json keeps the last).
func Once(seen *uint, bit uint) bool {
	if *seen&bit != 0 {
		return false
	}
	*seen |= bit
	return true
}

// CountHint guesses the length of an array of objects that starts here,
// to size its list at once: at most the number of '{' in the rest of the
// input (which a vectorised count finds quickly), and at most max (the
// largest list the caller expects), as a '{' in strings counts too. It is
// only a capacity: a wrong guess costs memory (bounded by max) or a copy,
// never correctness.
func (d *Decoder) CountHint(max int) int {
	return min(bytes.Count(d.data[d.i:], []byte{'{'}), max)
}

// Unknown skips the value of a key that is none of known, unless it
// matches one of them ignoring case, as encoding/json would. A key with
// any non-ASCII byte is left to encoding/json too: its Unicode case
// folding is not worth repeating here.
func (d *Decoder) Unknown(key []byte, known ...string) bool {
	for _, c := range key {
		if c >= utf8.RuneSelf {
			return false
		}
	}
	for _, k := range known {
		if bytes.EqualFold(key, []byte(k)) {
			return false
		}
	}
	return d.Skip(0)
}

// ws skips white space.
func (d *Decoder) ws() {
	if d.i < len(d.data) && d.data[d.i] > ' ' {
		return // none, as in a compact answer
	}
	for d.i < len(d.data) {
		switch d.data[d.i] {
		case ' ', '\t', '\n', '\r':
			d.i++
		default:
			return
		}
	}
}

// peek skips white space and returns the next byte, or 0 at the end.
func (d *Decoder) peek() byte {
	d.ws()
	if d.i < len(d.data) {
		return d.data[d.i]
	}
	return 0
}

// End reports whether only white space is left.
func (d *Decoder) End() bool {
	d.ws()
	return d.i == len(d.data)
}

// literal consumes lit if it comes next.
func (d *Decoder) literal(lit string) bool {
	if d.peek() != lit[0] || !bytes.HasPrefix(d.data[d.i:], []byte(lit)) {
		return false
	}
	d.i += len(lit)
	return true
}

// Null consumes a null if one comes next.
func (d *Decoder) Null() bool { return d.literal("null") }

// Object decodes an object, calling field with each key (aliasing the
// input) positioned at its value.
func (d *Decoder) Object(field func(key []byte) bool) bool {
	if d.peek() != '{' {
		return false
	}
	d.i++
	if d.peek() == '}' {
		d.i++
		return true
	}
	for {
		key, ok := d.str()
		if !ok || d.peek() != ':' {
			return false
		}
		d.i++
		if !field(key) {
			return false
		}
		switch d.peek() {
		case ',':
			d.i++
			if d.peek() != '"' {
				return false
			}
		case '}':
			d.i++
			return true
		default:
			return false
		}
	}
}

// Array decodes an array, calling elem positioned at each element.
func (d *Decoder) Array(elem func() bool) bool {
	if d.peek() != '[' {
		return false
	}
	d.i++
	if d.peek() == ']' {
		d.i++
		return true
	}
	for {
		if !elem() {
			return false
		}
		switch d.peek() {
		case ',':
			d.i++
		case ']':
			d.i++
			return true
		default:
			return false
		}
	}
}

// str reads a string without escapes or control bytes, in valid UTF-8,
// and returns its contents, aliasing the input.
func (d *Decoder) str() ([]byte, bool) {
	if d.peek() != '"' {
		return nil, false
	}
	start := d.i + 1
	j := plainRun(d.data, start)
	ascii := true
	for ; j < len(d.data); j++ {
		c := d.data[j]
		switch {
		case c == '"':
			s := d.data[start:j]
			if !ascii && !utf8.Valid(s) {
				return nil, false
			}
			d.i = j + 1
			return s, true
		case c == '\\' || c < 0x20:
			return nil, false
		case c >= utf8.RuneSelf:
			ascii = false
		}
	}
	return nil, false
}

// plainRun returns the offset, from i on, of the first group of 8 bytes
// of data that may hold a byte that is not plain ASCII inside a string
// ('"', '\\', a control byte, a byte of 0x80 or more), or of the last
// bytes too few to make a group: str reads on from there byte by byte.
// Eight bytes are tested at once (SWAR): a string of the API is mostly
// letters, digits and dashes.
func plainRun(data []byte, i int) int {
	const (
		ones  = 0x0101010101010101
		highs = 0x8080808080808080
	)
	for ; i+8 <= len(data); i += 8 {
		w := binary.LittleEndian.Uint64(data[i:])
		q := w ^ ('"' * ones)  // a zero byte where '"' is
		b := w ^ ('\\' * ones) // a zero byte where '\\' is
		// A byte's high bit is set in ((x - ones) &^ x) & highs where a
		// byte of x is zero (and, for the bytes after such a one, maybe
		// elsewhere too: only whether there is any matters); in
		// (w - 0x20*ones) &^ w & highs where a byte of w is below 0x20;
		// and in w & highs where a byte is 0x80 or more.
		if ((q-ones)&^q|(b-ones)&^b|(w-0x20*ones)&^w|w)&highs != 0 {
			break
		}
	}
	return i
}

// String decodes a string, or null (leaving *out as it is). The string
// is set by the next Flush, which the caller must call once the object
// holding out is decoded.
func (d *Decoder) String(out *string) bool {
	if d.Null() {
		return true
	}
	s, ok := d.str()
	if ok && len(s) > 0 {
		if d.pending == nil {
			d.pending = d.pendingBuf[:0]
		}
		d.pending = append(d.pending, pendingString{out, s})
	}
	return ok
}

// Flush, after an object was decoded (ok), sets its pending string fields
// to copies of their input, sharing one new string: one allocation per
// object instead of one per field. It is called before the list holding
// the object can grow, so the fields' addresses are still good.
func (d *Decoder) Flush(ok bool) bool {
	if !ok || len(d.pending) == 0 {
		return ok
	}
	size := 0
	for _, p := range d.pending {
		size += len(p.src)
	}
	var b strings.Builder // one allocation of the exact size
	b.Grow(size)
	for _, p := range d.pending {
		b.Write(p.src)
	}
	all := b.String()
	n := 0
	for _, p := range d.pending {
		*p.dst = all[n : n+len(p.src)]
		n += len(p.src)
	}
	clear(d.pending)
	d.pending = d.pending[:0]
	return true
}

// Enum is String sharing the strings of known values.
func (d *Decoder) Enum(out *string, values []string) bool {
	if d.Null() {
		return true
	}
	s, ok := d.str()
	if !ok {
		return false
	}
	for _, v := range values {
		if string(s) == v {
			*out = v
			return true
		}
	}
	*out = string(s)
	return true
}

// Bool decodes true, false, or null (leaving *out as it is).
func (d *Decoder) Bool(out *bool) bool {
	switch {
	case d.literal("true"):
		*out = true
	case d.literal("false"):
		*out = false
	default:
		return d.Null()
	}
	return true
}

// Int decodes a plain integer, or null (leaving *out as it is).
func (d *Decoder) Int(out *int) bool {
	if d.Null() {
		return true
	}
	v, ok := d.integer()
	if ok {
		*out = v
	}
	return ok
}

// IntPtr decodes a plain integer into a new int, or null (nil).
func (d *Decoder) IntPtr(out **int) bool {
	if d.Null() {
		*out = nil
		return true
	}
	v, ok := d.integer()
	if ok {
		*out = &v
	}
	return ok
}

// integer reads -?[1-9][0-9]* or 0, of at most 18 digits, that fits in
// an int; anything else (fractions, exponents, -0, longer numbers) is
// left to encoding/json.
func (d *Decoder) integer() (int, bool) {
	d.ws()
	j := d.i
	neg := j < len(d.data) && d.data[j] == '-'
	if neg {
		j++
	}
	start := j
	var v int64
	for j < len(d.data) && d.data[j] >= '0' && d.data[j] <= '9' {
		v = v*10 + int64(d.data[j]-'0')
		j++
		if j-start > 18 {
			return 0, false
		}
	}
	n := j - start
	if n == 0 || (d.data[start] == '0' && (n > 1 || neg)) {
		return 0, false
	}
	if j < len(d.data) {
		switch d.data[j] {
		case '.', 'e', 'E':
			return 0, false
		}
	}
	if neg {
		v = -v
	}
	if int64(int(v)) != v {
		return 0, false
	}
	d.i = j
	return int(v), true
}

// Quoted reads a string as String does, or null, and returns it with its
// quotes, aliasing the input; null returns nil. A decoder of a type with
// its own string form (a time) parses the quoted form itself.
func (d *Decoder) Quoted() ([]byte, bool) {
	if d.Null() {
		return nil, true
	}
	d.ws()
	start := d.i
	if _, ok := d.str(); !ok {
		return nil, false
	}
	return d.data[start:d.i], true
}

// Skip validates and skips any value, up to maxDepth deep; depth is the
// nesting the caller is at (0 at the top).
func (d *Decoder) Skip(depth int) bool {
	if depth > maxDepth {
		return false
	}
	switch c := d.peek(); {
	case c == '"':
		_, ok := d.str()
		return ok
	case c == '{':
		return d.Object(func([]byte) bool { return d.Skip(depth + 1) })
	case c == '[':
		return d.Array(func() bool { return d.Skip(depth + 1) })
	case c == 't':
		return d.literal("true")
	case c == 'f':
		return d.literal("false")
	case c == 'n':
		return d.Null()
	case c == '-' || (c >= '0' && c <= '9'):
		return d.number()
	}
	return false
}

// number skips a number of JSON's grammar:
// -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func (d *Decoder) number() bool {
	b, j := d.data, d.i
	digits := func() int {
		k := j
		for j < len(b) && b[j] >= '0' && b[j] <= '9' {
			j++
		}
		return j - k
	}
	if j < len(b) && b[j] == '-' {
		j++
	}
	if j < len(b) && b[j] == '0' {
		j++
	} else if digits() == 0 {
		return false
	}
	if j < len(b) && b[j] == '.' {
		j++
		if digits() == 0 {
			return false
		}
	}
	if j < len(b) && (b[j] == 'e' || b[j] == 'E') {
		j++
		if j < len(b) && (b[j] == '+' || b[j] == '-') {
			j++
		}
		if digits() == 0 {
			return false
		}
	}
	d.i = j
	return true
}
