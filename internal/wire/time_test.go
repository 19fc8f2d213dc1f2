package wire

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestTime_Unmarshal(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		json    string
		want    time.Time
		wantErr bool
	}{
		{name: "null", json: `null`},
		{name: "empty string", json: `""`},
		{name: "documented UTC form", json: `"2024-04-20T08:36:16Z"`, want: time.Date(2024, 4, 20, 8, 36, 16, 0, time.UTC)},
		{name: "positive offset", json: `"2024-04-20T16:36:16+08:00"`, want: time.Date(2024, 4, 20, 8, 36, 16, 0, time.UTC)},
		{name: "negative offset across midnight", json: `"2024-04-19T22:30:00-05:00"`, want: time.Date(2024, 4, 20, 3, 30, 0, 0, time.UTC)},
		{name: "fractions", json: `"2024-04-20T08:36:16.123456Z"`, want: time.Date(2024, 4, 20, 8, 36, 16, 123456000, time.UTC)},
		{name: "fractions with offset", json: `"2024-04-20T10:36:16.5+02:00"`, want: time.Date(2024, 4, 20, 8, 36, 16, 500000000, time.UTC)},
		{name: "no zone is UTC", json: `"2024-04-20T08:36:16"`, want: time.Date(2024, 4, 20, 8, 36, 16, 0, time.UTC)},
		{name: "space separated", json: `"2024-04-20 08:36:16"`, want: time.Date(2024, 4, 20, 8, 36, 16, 0, time.UTC)},
		{name: "space and offset", json: `"2024-04-20 16:36:16+08:00"`, want: time.Date(2024, 4, 20, 8, 36, 16, 0, time.UTC)},
		{name: "space, fractions and Z", json: `"2024-04-20 08:36:16.25Z"`, want: time.Date(2024, 4, 20, 8, 36, 16, 250000000, time.UTC)},
		{name: "no zone with fractions", json: `"2024-04-20T08:36:16.000001"`, want: time.Date(2024, 4, 20, 8, 36, 16, 1000, time.UTC)},
		{name: "escaped but valid", json: `"2024-04-20T08:36:16\u005a"`, want: time.Date(2024, 4, 20, 8, 36, 16, 0, time.UTC)},
		{name: "slashes", json: `"2024/04/20 08:36:16"`, wantErr: true},
		{name: "no seconds", json: `"2024-04-20T08:36"`, wantErr: true},
		{name: "offset without colon", json: `"2024-04-20T08:36:16+0800"`, wantErr: true},
		{name: "trailing space", json: `"2024-04-20 08:36:16 "`, wantErr: true},
		{name: "placeholder", json: `"string"`, wantErr: true},
		{name: "number", json: `1713602176`, wantErr: true},
		{name: "bool", json: `true`, wantErr: true},
		{name: "object", json: `{}`, wantErr: true},
		{name: "bad month", json: `"2024-13-01T00:00:00Z"`, wantErr: true},
		{name: "date only", json: `"2024-04-20"`, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var got Time
			err := json.Unmarshal([]byte(tt.json), &got)
			if tt.wantErr {
				assert.Error(t, err)
				return
			}
			require.NoError(t, err)
			assert.True(t, tt.want.Equal(got.Time()), "got %v, want %v", got.Time(), tt.want)
			assert.Equal(t, tt.want, got.Time())
			if !tt.want.IsZero() {
				assert.Equal(t, time.UTC, got.Time().Location())
			}
		})
	}
}

func TestTime_AbsentAndOverwritten(t *testing.T) {
	t.Parallel()
	var w Snapshot
	require.NoError(t, json.Unmarshal([]byte(`{"snapshot_id":"s"}`), &w))
	assert.True(t, w.CreateTime.Time().IsZero(), "absent is zero")

	// Decoding null or "" over a set value leaves the zero time.
	w.CreateTime = Time(time.Now())
	require.NoError(t, json.Unmarshal([]byte(`{"create_time":null}`), &w))
	assert.True(t, w.CreateTime.Time().IsZero())
	w.CreateTime = Time(time.Now())
	require.NoError(t, json.Unmarshal([]byte(`{"create_time":""}`), &w))
	assert.True(t, w.CreateTime.Time().IsZero())
}

// TestTimeFastPathMatchesParse checks that the allocation-free path
// of Time accepts exactly what time.Parse accepts for the API's layout,
// with the same instant and location, and leaves everything else to the
// general path.
func TestTimeFastPathMatchesParse(t *testing.T) {
	t.Parallel()
	inputs := []string{
		"2024-04-20T08:36:16Z", "0000-01-01T00:00:00Z", "9999-12-31T23:59:59Z",
		"2024-02-29T12:00:00Z", "2023-02-29T12:00:00Z", "1900-02-29T00:00:00Z", "2000-02-29T00:00:00Z",
		"2024-04-31T00:00:00Z", "2024-06-30T00:00:00Z", "2024-00-10T00:00:00Z", "2024-13-10T00:00:00Z",
		"2024-01-00T00:00:00Z", "2024-01-32T00:00:00Z", "2024-01-01T24:00:00Z", "2024-01-01T23:60:00Z",
		"2024-01-01T23:59:60Z", "2024-01-01t08:36:16Z", "2024-01-01T08:36:16z", "2024-01-01 08:36:16Z",
		"2024-0a-01T08:36:16Z", "+024-01-01T08:36:16Z", "2024-01-01T08:36:16+08:00", "2024-01-01T08:36:16.5Z",
	}
	for y := 1999; y <= 2001; y++ { // every day of three years, and one past each month's end
		for m := 1; m <= 12; m++ {
			for d := 1; d <= 32; d++ {
				inputs = append(inputs, fmt.Sprintf("%04d-%02d-%02dT%02d:%02d:%02dZ", y, m, d, d%25, (d*7)%61, (d*11)%61))
			}
		}
	}
	for _, in := range inputs {
		got, ok := ParseQuotedUTC([]byte(strconv.Quote(in)))
		want, err := time.Parse("2006-01-02T15:04:05Z07:00", in)
		if len(in) != 20 || in[19] != 'Z' { // not the fast path's layout: never taken
			assert.False(t, ok, in)
			continue
		}
		require.Equal(t, err == nil, ok, "%s: fast path %v, time.Parse error %v", in, ok, err)
		if ok {
			assert.Equal(t, want.UTC(), got, in)
		}
	}
}

// TestTimeUnmarshalUnchanged pins the general path's answers that
// the fast path must leave alone.
func TestTimeUnmarshalUnchanged(t *testing.T) {
	t.Parallel()
	cases := []struct {
		in      string
		want    time.Time
		wantErr bool
	}{
		{`"2024-04-20T08:36:16Z"`, time.Date(2024, 4, 20, 8, 36, 16, 0, time.UTC), false},
		{`"2024-04-20T10:36:16+02:00"`, time.Date(2024, 4, 20, 8, 36, 16, 0, time.UTC), false},
		{`"2024-02-30T08:36:16Z"`, time.Time{}, true},
		{`"2024-04-20T24:00:00Z"`, time.Time{}, true},
		{`null`, time.Time{}, false},
		{`""`, time.Time{}, false},
		{`"2024-04-20 08:36:16"`, time.Date(2024, 4, 20, 8, 36, 16, 0, time.UTC), false},
	}
	for _, tc := range cases {
		var at Time
		err := at.UnmarshalJSON([]byte(tc.in))
		if tc.wantErr {
			assert.Error(t, err, tc.in)
			continue
		}
		require.NoError(t, err, tc.in)
		assert.Equal(t, tc.want, at.Time(), tc.in)
	}
}

// FuzzTimeUnmarshalJSON decodes arbitrary JSON values as an API time:
// no panic; a success is in UTC; an error is short.
func FuzzTimeUnmarshalJSON(f *testing.F) {
	for _, s := range []string{`"2025-01-02T03:04:05Z"`, `"2025-01-02T03:04:05.999999999+08:00"`, `"2025-01-02 03:04:05"`,
		`"2025-01-02T03:04:05"`, `""`, `null`, `0`, `"yesterday"`, `"2025-13-45T99:99:99Z"`, `"\u00e9"`, `"`, `{}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var at Time
		if err := at.UnmarshalJSON(data); err != nil {
			if len(err.Error()) > 4*maxErrorText+100 {
				t.Fatalf("error of %d bytes", len(err.Error()))
			}
		} else if tm := time.Time(at); !tm.IsZero() && tm.Location() != time.UTC {
			t.Fatalf("%q decoded to %v, not UTC", data, tm)
		}
		// Inside a document, through encoding/json, as the operations decode.
		var w struct {
			T Time `json:"t"`
		}
		doc := append(append([]byte(`{"t":`), data...), '}')
		_ = json.Unmarshal(doc, &w)
	})
}

// TestTime_MarshalJSON checks the form the fake writes: null for the zero
// time, the documented UTC form otherwise, which decodes to the same
// instant.
func TestTime_MarshalJSON(t *testing.T) {
	t.Parallel()
	b, err := json.Marshal(Time{})
	require.NoError(t, err)
	assert.Equal(t, `null`, string(b))

	at := time.Date(2024, 4, 20, 16, 36, 16, 999, time.FixedZone("", 8*3600))
	b, err = json.Marshal(Time(at))
	require.NoError(t, err)
	assert.Equal(t, `"2024-04-20T08:36:16Z"`, string(b))
	var back Time
	require.NoError(t, json.Unmarshal(b, &back))
	assert.Equal(t, at.UTC().Truncate(time.Second), back.Time())
}

// A time the API is not seen to send fails the decoding with an error
// that names the field (its path, through encoding/json) and the value.
func TestTime_ErrorNamesFieldAndValue(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, body string
		v          any
		want       []string
	}{
		{"snapshot create_time", `{"desktop_snapshots":[{"snapshot_id":"a"},{"create_time":"20/04/2024 08:36"}]}`, &SnapshotPage{},
			[]string{"desktop_snapshots.create_time", `"20/04/2024 08:36"`, "time.Time"}},
		{"task end_time, a number", `{"script_execution_tasks":[{"end_time":1713602176}]}`, &TaskPage{},
			[]string{"script_execution_tasks.end_time", "number 1713602176"}},
		{"sub-job begin_time", `{"id":"j","sub_jobs":[{"begin_time":"string"}]}`, &Job{},
			[]string{"sub_jobs.begin_time", `"string"`}},
		{"long value clipped", `{"begin_time":"` + strings.Repeat("9", 5000) + `"}`, &Job{},
			[]string{"begin_time", "…"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := Unmarshal([]byte(tt.body), tt.v)
			var ute *json.UnmarshalTypeError
			require.ErrorAs(t, err, &ute)
			for _, w := range tt.want {
				assert.Contains(t, err.Error(), w)
			}
			assert.Less(t, len(err.Error()), 400)
		})
	}
}

// TestParseTime pins every accepted form against time.Parse with the
// form's own layout, and the near misses it refuses.
func TestParseTime(t *testing.T) {
	t.Parallel()
	accepted := []struct{ in, layout string }{
		{"2024-04-20T08:36:16Z", time.RFC3339},
		{"2024-04-20T08:36:16.123456789Z", time.RFC3339Nano},
		{"2024-04-20T16:36:16+08:00", time.RFC3339},
		{"2024-04-20T03:06:16.5-05:30", time.RFC3339Nano},
		{"2024-04-20T08:36:16", "2006-01-02T15:04:05"},
		{"2024-04-20T08:36:16.75", "2006-01-02T15:04:05.999999999"},
		{"2024-04-20 08:36:16", "2006-01-02 15:04:05"},
		{"2024-04-20 08:36:16.001", "2006-01-02 15:04:05.999999999"},
		{"2024-04-20 08:36:16Z", "2006-01-02 15:04:05Z07:00"},
		{"2024-04-20 16:36:16.9+08:00", "2006-01-02 15:04:05.999999999Z07:00"},
		{"2000-02-29T23:59:59Z", time.RFC3339},
	}
	for _, tc := range accepted {
		got, ok := ParseTime(tc.in)
		require.True(t, ok, tc.in)
		want, err := time.Parse(tc.layout, tc.in)
		require.NoError(t, err, tc.in)
		assert.Equal(t, want.UTC(), got, tc.in)
		assert.Equal(t, time.UTC, got.Location(), tc.in)
	}
	for _, in := range []string{
		"", "string", "2024-04-20", "2024-04-20T08:36", "2024-04-20T08:36:16+0800", "2024-04-20T08:36:16+08",
		"2024/04/20 08:36:16", "2024-04-20_08:36:16", "2024-04-20T24:00:00Z", "2024-02-30T00:00:00",
		"2024-04-20T08:36:16 ", " 2024-04-20T08:36:16", "2024-04-20T08:36:16ZZ", "1713602176",
		"2024-04-20t08:36:16Z", "2024-04-20T08:36:16z",
	} {
		_, ok := ParseTime(in)
		assert.False(t, ok, in)
	}
}
