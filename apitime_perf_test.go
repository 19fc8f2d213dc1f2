package workspace

import (
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestPerfAPITimeFastPathMatchesParse checks that the allocation-free path
// of apiTime accepts exactly what time.Parse accepts for the API's layout,
// with the same instant and location, and leaves everything else to the
// general path.
func TestPerfAPITimeFastPathMatchesParse(t *testing.T) {
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
		got, ok := parseQuotedUTC([]byte(strconv.Quote(in)))
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

// TestPerfAPITimeUnmarshalUnchanged pins the general path's answers that
// the fast path must leave alone.
func TestPerfAPITimeUnmarshalUnchanged(t *testing.T) {
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
		var at apiTime
		err := at.UnmarshalJSON([]byte(tc.in))
		if tc.wantErr {
			assert.Error(t, err, tc.in)
			continue
		}
		require.NoError(t, err, tc.in)
		assert.Equal(t, tc.want, at.time(), tc.in)
	}
}
