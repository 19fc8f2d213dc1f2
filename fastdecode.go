package workspace

import (
	"bytes"

	"unicode/utf8"
)

// A hand-written decoder for the two large list pages, snapshots and
// script execution tasks, where encoding/json's reflection is most of the
// cost of a call. It takes only the plain form of the JSON the API sends
// and gives up (reports false) on anything else: escapes, control bytes or
// invalid UTF-8 in a string, keys that differ from a field's name only in
// case (encoding/json matches those), a known key seen twice, numbers that
// are not plain integers fitting in an int, a value of the wrong JSON type,
// a time apiTime would not take through parseQuotedUTC, deep nesting,
// trailing data. The caller then decodes with encoding/json, so that
// errors and unusual input are handled exactly as before. Whenever it
// reports true, the result is what json.Unmarshal gives into a zero value;
// FuzzFastDecodeSnapshotPage and FuzzFastDecodeTaskPage check that.
//
// Strings are copied out of the input, never aliased: the input is a
// pooled buffer.

// fastMaxDepth bounds the nesting of skipped values.
const fastMaxDepth = 32

// fastDecoder walks data; i is the offset of the next byte to read.
type fastDecoder struct {
	data []byte
	i    int

	// The string fields of the element being decoded, aliasing data
	// until flush copies them all into one new string.
	pending []pendingString
	scratch []byte
}

type pendingString struct {
	dst *string
	src []byte
}

// fastDecodeSnapshotPage decodes a snapshot page into *out and reports
// true, or reports false and leaves *out untouched.
func fastDecodeSnapshotPage(data []byte, out *wireSnapshotPage) bool {
	items, total, ok := fastPage(data, "desktop_snapshots", MaxSnapshotsLimit, (*fastDecoder).snapshot)
	if ok {
		*out = wireSnapshotPage{Snapshots: items, TotalCount: total}
	}
	return ok
}

// fastDecodeTaskPage decodes a task page into *out and reports true, or
// reports false and leaves *out untouched.
func fastDecodeTaskPage(data []byte, out *wireTaskPage) bool {
	items, total, ok := fastPage(data, "script_execution_tasks", MaxScriptTasksLimit, (*fastDecoder).task)
	if ok {
		*out = wireTaskPage{Tasks: items, TotalCount: total}
	}
	return ok
}

// fastPage decodes a list page, {"<listKey>": [...], "total_count": n},
// with item decoding each element; maxItems is the largest page the API
// hands out. ok is false for anything the fast path does not take.
func fastPage[T any](data []byte, listKey string, maxItems int, item func(*fastDecoder, *T) bool) (items []T, total int, ok bool) {
	d := fastDecoder{data: data}
	var seen uint
	ok = d.object(func(key []byte) bool {
		switch string(key) {
		case listKey:
			return d.once(&seen, 1) && fastList(&d, &items, d.countHint(maxItems), item)
		case "total_count":
			return d.once(&seen, 2) && d.intField(&total)
		}
		return d.unknown(key, listKey, "total_count")
	})
	return items, total, ok && d.end()
}

// fastList decodes an array (or null, leaving *out nil) with item
// decoding each element into a list of the given initial capacity.
func fastList[T any](d *fastDecoder, out *[]T, capacity int, item func(*fastDecoder, *T) bool) bool {
	if d.null() {
		return true
	}
	list := make([]T, 0, capacity)
	ok := d.array(func() bool {
		var zero T
		list = append(list, zero)
		return item(d, &list[len(list)-1])
	})
	*out = list
	return ok
}

var snapshotKeys = []string{
	"snapshot_id", "snapshot_name", "desktop_id", "desktop_name", "desktop_sid",
	"desktop_pool_id", "is_system_disk", "status", "process", "description",
	"create_time", "last_restore_time", "create_type", "restore_fail_reason",
}

// snapshot decodes one snapshot object, or null (the zero snapshot).
func (d *fastDecoder) snapshot(s *wireSnapshot) bool {
	if d.null() {
		return true
	}
	var seen uint
	ok := d.object(func(key []byte) bool {
		switch string(key) {
		case "snapshot_id":
			return d.once(&seen, 1<<0) && d.stringField(&s.ID)
		case "snapshot_name":
			return d.once(&seen, 1<<1) && d.stringField(&s.Name)
		case "desktop_id":
			return d.once(&seen, 1<<2) && d.stringField(&s.DesktopID)
		case "desktop_name":
			return d.once(&seen, 1<<3) && d.stringField(&s.DesktopName)
		case "desktop_sid":
			return d.once(&seen, 1<<4) && d.stringField(&s.DesktopSID)
		case "desktop_pool_id":
			return d.once(&seen, 1<<5) && d.stringField(&s.DesktopPoolID)
		case "is_system_disk":
			return d.once(&seen, 1<<6) && d.boolField(&s.IsSystemDisk)
		case "status":
			return d.once(&seen, 1<<7) && d.enumField((*string)(&s.Status), snapshotStatuses)
		case "process":
			return d.once(&seen, 1<<8) && d.intPtrField(&s.Process)
		case "description":
			return d.once(&seen, 1<<9) && d.stringField(&s.Description)
		case "create_time":
			return d.once(&seen, 1<<10) && d.timeField(&s.CreateTime)
		case "last_restore_time":
			return d.once(&seen, 1<<11) && d.timeField(&s.LastRestoreTime)
		case "create_type":
			return d.once(&seen, 1<<12) && d.enumField((*string)(&s.CreateType), createTypes)
		case "restore_fail_reason":
			return d.once(&seen, 1<<13) && d.stringField(&s.RestoreFailReason)
		}
		return d.unknown(key, snapshotKeys...)
	})
	return d.flush(ok)
}

var taskKeys = []string{
	"id", "desktop_pool_id", "desktop_pool_name", "scripts", "command_content",
	"command_type", "start_time", "end_time", "status", "success_num", "failed_num", "skip_num",
}

// task decodes one task object, or null (the zero task).
func (d *fastDecoder) task(t *wireTask) bool {
	if d.null() {
		return true
	}
	var seen uint
	ok := d.object(func(key []byte) bool {
		switch string(key) {
		case "id":
			return d.once(&seen, 1<<0) && d.stringField(&t.ID)
		case "desktop_pool_id":
			return d.once(&seen, 1<<1) && d.stringField(&t.DesktopPoolID)
		case "desktop_pool_name":
			return d.once(&seen, 1<<2) && d.stringField(&t.DesktopPoolName)
		case "scripts":
			return d.once(&seen, 1<<3) && fastList(d, &t.Scripts, 2, (*fastDecoder).script)
		case "command_content":
			return d.once(&seen, 1<<4) && d.stringField(&t.CommandContent)
		case "command_type":
			return d.once(&seen, 1<<5) && d.enumField((*string)(&t.CommandType), commandTypes)
		case "start_time":
			return d.once(&seen, 1<<6) && d.timeField(&t.StartTime)
		case "end_time":
			return d.once(&seen, 1<<7) && d.timeField(&t.EndTime)
		case "status":
			return d.once(&seen, 1<<8) && d.enumField((*string)(&t.Status), taskStatuses)
		case "success_num":
			return d.once(&seen, 1<<9) && d.intField(&t.SuccessNum)
		case "failed_num":
			return d.once(&seen, 1<<10) && d.intField(&t.FailedNum)
		case "skip_num":
			return d.once(&seen, 1<<11) && d.intField(&t.SkipNum)
		}
		return d.unknown(key, taskKeys...)
	})
	return d.flush(ok)
}

// script decodes one script object of a task, or null (the zero script).
func (d *fastDecoder) script(s *Script) bool {
	if d.null() {
		return true
	}
	var seen uint
	ok := d.object(func(key []byte) bool {
		switch string(key) {
		case "id":
			return d.once(&seen, 1) && d.stringField(&s.ID)
		case "name":
			return d.once(&seen, 2) && d.stringField(&s.Name)
		}
		return d.unknown(key, "id", "name")
	})
	return d.flush(ok)
}

// The documented values of the enumerations; a value equal to one of these
// shares its string instead of allocating a copy.
var (
	snapshotStatuses = []string{
		string(SnapshotStatusCreateSuccess), string(SnapshotStatusCreating), string(SnapshotStatusRestoring),
		string(SnapshotStatusCreateFailed), string(SnapshotStatusRestoreSuccess), string(SnapshotStatusRestoreFailed),
	}
	createTypes  = []string{string(CreateTypeAuto), string(CreateTypeManually)}
	commandTypes = []string{string(CommandTypePowerShell), string(CommandTypeBat), string(CommandTypeShell)}
	taskStatuses = []string{
		string(TaskStatusFinish), string(TaskStatusFailed), string(TaskStatusRunning),
		string(TaskStatusInit), string(TaskStatusSuccess), string(TaskStatusWaiting),
	}
)

// countHint guesses the length of the array that starts here, to size
// its list at once: every element is an object, so at most the number of
// '{' in the rest of the input (which a vectorised count finds quickly),
// and at most max, the largest page the API hands out, as a '{' in
// strings counts too. It is only a capacity: a wrong guess costs memory
// (bounded by max) or a copy, never correctness, and the list is dropped
// once converted to public types.
func (d *fastDecoder) countHint(max int) int {
	return min(bytes.Count(d.data[d.i:], []byte{'{'}), max)
}

// once records bit in *seen and reports whether it was not yet set: a key
// seen twice makes the caller give up.
func (d *fastDecoder) once(seen *uint, bit uint) bool {
	if *seen&bit != 0 {
		return false
	}
	*seen |= bit
	return true
}

// unknown skips the value of a key that is none of known, unless it
// matches one of them ignoring case, as encoding/json would. A key with
// any non-ASCII byte is left to encoding/json too: its Unicode case
// folding is not worth repeating here.
func (d *fastDecoder) unknown(key []byte, known ...string) bool {
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
	return d.skip(0)
}

// ws skips white space.
func (d *fastDecoder) ws() {
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
func (d *fastDecoder) peek() byte {
	d.ws()
	if d.i < len(d.data) {
		return d.data[d.i]
	}
	return 0
}

// end reports whether only white space is left.
func (d *fastDecoder) end() bool {
	d.ws()
	return d.i == len(d.data)
}

// literal consumes lit if it comes next.
func (d *fastDecoder) literal(lit string) bool {
	if d.peek() != lit[0] || !bytes.HasPrefix(d.data[d.i:], []byte(lit)) {
		return false
	}
	d.i += len(lit)
	return true
}

// null consumes a null if one comes next.
func (d *fastDecoder) null() bool { return d.literal("null") }

// object decodes an object, calling field with each key (aliasing the
// input) positioned at its value.
func (d *fastDecoder) object(field func(key []byte) bool) bool {
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

// array decodes an array, calling elem positioned at each element.
func (d *fastDecoder) array(elem func() bool) bool {
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
func (d *fastDecoder) str() ([]byte, bool) {
	if d.peek() != '"' {
		return nil, false
	}
	start := d.i + 1
	ascii := true
	for j := start; j < len(d.data); j++ {
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

// stringField decodes a string, or null (leaving *out as it is). The
// string is set by the next flush.
func (d *fastDecoder) stringField(out *string) bool {
	if d.null() {
		return true
	}
	s, ok := d.str()
	if ok && len(s) > 0 {
		d.pending = append(d.pending, pendingString{out, s})
	}
	return ok
}

// flush, after an object was decoded (ok), sets its pending string fields
// to copies of their input, sharing one new string: one allocation per
// object instead of one per field. It is called before the list holding
// the object can grow, so the fields' addresses are still good.
func (d *fastDecoder) flush(ok bool) bool {
	if !ok || len(d.pending) == 0 {
		return ok
	}
	d.scratch = d.scratch[:0]
	for _, p := range d.pending {
		d.scratch = append(d.scratch, p.src...)
	}
	all := string(d.scratch)
	n := 0
	for _, p := range d.pending {
		*p.dst = all[n : n+len(p.src)]
		n += len(p.src)
	}
	clear(d.pending)
	d.pending = d.pending[:0]
	return true
}

// enumField is stringField sharing the strings of known values.
func (d *fastDecoder) enumField(out *string, values []string) bool {
	if d.null() {
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

// boolField decodes true, false, or null (leaving *out as it is).
func (d *fastDecoder) boolField(out *bool) bool {
	switch {
	case d.literal("true"):
		*out = true
	case d.literal("false"):
		*out = false
	default:
		return d.null()
	}
	return true
}

// intField decodes a plain integer, or null (leaving *out as it is).
func (d *fastDecoder) intField(out *int) bool {
	if d.null() {
		return true
	}
	v, ok := d.integer()
	if ok {
		*out = v
	}
	return ok
}

// intPtrField decodes a plain integer into a new int, or null (nil).
func (d *fastDecoder) intPtrField(out **int) bool {
	if d.null() {
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
func (d *fastDecoder) integer() (int, bool) {
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

// timeField decodes the documented time form, "" (the zero time) or null
// (leaving *out as it is).
func (d *fastDecoder) timeField(out *apiTime) bool {
	if d.null() {
		return true
	}
	d.ws()
	start := d.i
	s, ok := d.str()
	if !ok {
		return false
	}
	if len(s) == 0 {
		*out = apiTime{}
		return true
	}
	t, ok := parseQuotedUTC(d.data[start:d.i])
	if ok {
		*out = apiTime(t)
	}
	return ok
}

// skip validates and skips any value, up to fastMaxDepth deep.
func (d *fastDecoder) skip(depth int) bool {
	if depth > fastMaxDepth {
		return false
	}
	switch c := d.peek(); {
	case c == '"':
		_, ok := d.str()
		return ok
	case c == '{':
		return d.object(func([]byte) bool { return d.skip(depth + 1) })
	case c == '[':
		return d.array(func() bool { return d.skip(depth + 1) })
	case c == 't':
		return d.literal("true")
	case c == 'f':
		return d.literal("false")
	case c == 'n':
		return d.null()
	case c == '-' || (c >= '0' && c <= '9'):
		return d.number()
	}
	return false
}

// number skips a number of JSON's grammar:
// -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func (d *fastDecoder) number() bool {
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
