package wire

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strconv"
	"time"
	"unicode/utf8"
)

// Time is a time as the API writes it. It decodes "", null and absence
// as the zero time, and any form ParseTime takes (what Huawei Cloud APIs
// are seen to send) as that instant in UTC. Anything else is an error
// naming the field and the value (a *json.UnmarshalTypeError, which
// encoding/json completes with the field's path), never a silently wrong
// value. It encodes the zero time as null and any other time in the
// documented form, 2006-01-02T15:04:05Z.
type Time time.Time

// Layout is the documented form of the API's times.
const Layout = "2006-01-02T15:04:05Z"

// The layouts ParseTime tries: with a zone ("Z" or an offset), then
// without (read as UTC). time.Parse takes fractions of a second after the
// seconds in either.
const (
	layoutZoned     = "2006-01-02T15:04:05Z07:00"
	layoutNoZone    = "2006-01-02T15:04:05"
	layoutZonedSp   = "2006-01-02 15:04:05Z07:00"
	layoutNoZoneSp  = "2006-01-02 15:04:05"
	minTimeLen      = len(layoutNoZone)
	dateTimeSepByte = 10 // index of the 'T' (or space) between date and time
)

// timeType is the Go type named in a decoding error.
var timeType = reflect.TypeOf(time.Time{})

// ParseTime parses the time forms Huawei Cloud APIs are seen to send:
// RFC 3339 with or without fractions of a second and with "Z" or an
// offset; the same without a zone, read as UTC; and either with a space
// instead of the "T". The result is in UTC. It reports false for
// anything else. The fast page decoders and UnmarshalJSON both use it, so
// they accept the same strings with the same results.
func ParseTime(s string) (time.Time, bool) {
	if len(s) < minTimeLen {
		return time.Time{}, false
	}
	zoned, noZone := layoutZoned, layoutNoZone
	switch s[dateTimeSepByte] {
	case 'T':
	case ' ':
		zoned, noZone = layoutZonedSp, layoutNoZoneSp
	default:
		return time.Time{}, false
	}
	if v, err := time.Parse(zoned, s); err == nil {
		return v.UTC(), true
	}
	if v, err := time.Parse(noZone, s); err == nil {
		return v.UTC(), true
	}
	return time.Time{}, false
}

// UnmarshalJSON implements json.Unmarshaler.
func (t *Time) UnmarshalJSON(b []byte) error {
	if v, ok := ParseQuotedUTC(b); ok {
		*t = Time(v)
		return nil
	}
	if bytes.Equal(b, []byte("null")) {
		*t = Time{}
		return nil
	}
	var s string
	if len(b) == 0 || b[0] != '"' || json.Unmarshal(b, &s) != nil {
		return &json.UnmarshalTypeError{Value: jsonKind(b), Type: timeType}
	}
	if s == "" {
		*t = Time{}
		return nil
	}
	v, ok := ParseTime(s)
	if !ok {
		return &json.UnmarshalTypeError{Value: "string " + strconv.Quote(clip(s)), Type: timeType}
	}
	*t = Time(v)
	return nil
}

// jsonKind describes a JSON value that is not a string, as encoding/json
// does in its errors: "number 12", "bool", "object", "array".
func jsonKind(b []byte) string {
	b = bytes.TrimSpace(b)
	switch {
	case len(b) == 0:
		return "nothing"
	case b[0] == '{':
		return "object"
	case b[0] == '[':
		return "array"
	case b[0] == 't' || b[0] == 'f':
		return "bool"
	case b[0] == '"':
		return "string"
	}
	return "number " + clip(string(b))
}

// MarshalJSON implements json.Marshaler.
func (t Time) MarshalJSON() ([]byte, error) {
	if time.Time(t).IsZero() {
		return []byte("null"), nil
	}
	return time.Time(t).UTC().AppendFormat([]byte{'"'}, Layout+`"`), nil
}

// Time is t as a time.Time.
func (t Time) Time() time.Time { return time.Time(t) }

// ParseQuotedUTC is the fast path of UnmarshalJSON for the documented
// form, "2006-01-02T15:04:05Z" with its quotes, without allocating. It
// accepts only what time.Parse accepts for that layout, with the same
// result; for anything else it reports false and the general path decides.
func ParseQuotedUTC(b []byte) (time.Time, bool) {
	if len(b) != 22 || b[0] != '"' || b[5] != '-' || b[8] != '-' || b[11] != 'T' ||
		b[14] != ':' || b[17] != ':' || b[20] != 'Z' || b[21] != '"' {
		return time.Time{}, false
	}
	year, month, day := digits(b[1:5]), digits(b[6:8]), digits(b[9:11])
	hour, minute, sec := digits(b[12:14]), digits(b[15:17]), digits(b[18:20])
	if year < 0 || month < 1 || month > 12 || day < 1 || day > daysIn(month, year) ||
		hour < 0 || hour > 23 || minute < 0 || minute > 59 || sec < 0 || sec > 59 {
		return time.Time{}, false
	}
	return time.Date(year, time.Month(month), day, hour, minute, sec, 0, time.UTC), true
}

// digits is the value of b's decimal digits, or -1 if one is not a digit.
func digits(b []byte) int {
	v := 0
	for _, c := range b {
		if c < '0' || c > '9' {
			return -1
		}
		v = v*10 + int(c-'0')
	}
	return v
}

// daysIn is the number of days of month (1 to 12) in year.
func daysIn(month, year int) int {
	switch month {
	case 2:
		if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// maxErrorText bounds the part of a bad value quoted in an error.
const maxErrorText = 256

// clip shortens s to at most maxErrorText bytes, on a rune boundary.
func clip(s string) string {
	if len(s) <= maxErrorText {
		return s
	}
	cut := maxErrorText
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}
