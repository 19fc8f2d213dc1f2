package wire

import (
	"bytes"
	"fmt"
	"strconv"
	"time"
	"unicode/utf8"
)

// Time is a time as the API writes it. It decodes the API's UTC times,
// tolerating "", null and absence (all the zero time) and RFC 3339 with an
// offset or fractions; anything else is an error, never a silently wrong
// value. It encodes the zero time as null and any other time in the
// documented form, 2006-01-02T15:04:05Z.
type Time time.Time

// Layout is the documented form of the API's times.
const Layout = "2006-01-02T15:04:05Z"

// timeLayouts are tried in order; the API documents the first.
var timeLayouts = []string{
	"2006-01-02T15:04:05Z07:00",
	time.RFC3339Nano,
	"2006-01-02T15:04:05",
	"2006-01-02 15:04:05",
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
	s, err := strconv.Unquote(string(b))
	if err != nil {
		return fmt.Errorf("time %.40s is not a string", b)
	}
	if s == "" {
		*t = Time{}
		return nil
	}
	for _, layout := range timeLayouts {
		if v, err := time.Parse(layout, s); err == nil {
			*t = Time(v.UTC())
			return nil
		}
	}
	return fmt.Errorf("time %q is not in the API's format (2006-01-02T15:04:05Z)", clip(s))
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
