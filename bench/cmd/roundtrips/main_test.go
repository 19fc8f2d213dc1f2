package main

import (
	"strings"
	"testing"
)

func TestTableFromBenchOutput(t *testing.T) {
	out := `goos: linux
BenchmarkRoundTrips/list/sdk-c1-2      1   480000000 ns/op   400.0 floor-ms   480.0 ms
BenchmarkRoundTrips/list/sdk-2         1    90000000 ns/op    80.00 floor-ms   90.0 ms
BenchmarkRoundTrips/list/sdk-2         1    99000000 ns/op    80.00 floor-ms   99.0 ms
BenchmarkRoundTrips/list/sdk-2         1    95000000 ns/op    80.00 floor-ms   95.0 ms
BenchmarkRoundTrips/list/vendor-2      1   500000000 ns/op   400.0 floor-ms   500.0 ms
BenchmarkRoundTrips/check/sdk-2        1    60000000 ns/op    40.00 floor-ms   60.0 ms
BenchmarkRoundTrips/check/vendor-2     1   220000000 ns/op   200.0 floor-ms   220.0 ms
`
	var b strings.Builder
	ok := printTable(&b, parse([]byte(out)))
	got := b.String()
	for _, want := range []string{
		"| list 20,000 snapshots (pages of 1000) | sdk, default concurrency | 95 ms | 80 ms | 1.19x | 5.3x | ≥ 5x vendor, ≤ 1.3x floor: holds |",
		"| check 5,000 desktops' images | sdk, default concurrency | 60 ms | 40 ms | 1.50x | 3.7x | ≥ 5x vendor, ≤ 1.3x floor: MISSED |",
		"| list 20,000 snapshots (pages of 1000) | vendor, one request at a time | 500 ms | 400 ms | 1.25x | — |  |",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("table lacks %q:\n%s", want, got)
		}
	}
	if ok {
		t.Error("a missed target is reported as held")
	}
	if printTable(&b, parse(nil)) {
		t.Error("no results reported as held")
	}
}
