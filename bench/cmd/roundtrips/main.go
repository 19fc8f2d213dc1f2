// Command roundtrips runs the bench module's BenchmarkRoundTrips (the
// fake at 20 ms a round trip: list 20,000 snapshots, check 5,000
// desktops' images, delete 35 volumes and wait) -count times and prints
// the median of each measure as a table: the SDK at WithConcurrency(1)
// and at its default, the vendor's client, the floor (the fewest round
// trips at that concurrency times the latency), and the ratios of the
// same run, with the targets checked.
//
// Run it from the bench directory: `go run ./cmd/roundtrips -count 5`.
package main

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strconv"
)

func main() {
	count := flag.Int("count", 5, "runs of each benchmark; the table shows medians")
	input := flag.String("input", "", "read `go test -bench` output from this file instead of running it")
	flag.Parse()
	var out []byte
	var err error
	if *input != "" {
		out, err = os.ReadFile(*input)
	} else {
		cmd := exec.Command("go", "test", "-run", "^$", "-bench", "BenchmarkRoundTrips", "-benchtime", "1x", "-count", strconv.Itoa(*count), ".")
		fmt.Fprintln(os.Stderr, "roundtrips:", cmd.String())
		var buf bytes.Buffer
		cmd.Stdout, cmd.Stderr = io.MultiWriter(&buf, os.Stderr), os.Stderr
		err = cmd.Run()
		out = buf.Bytes()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "roundtrips:", err)
		os.Exit(1)
	}
	if !printTable(os.Stdout, parse(out)) {
		os.Exit(1)
	}
}

// lineRE matches "BenchmarkRoundTrips/<task>/<way>-<procs> N x ns/op F floor-ms M ms".
var lineRE = regexp.MustCompile(`^BenchmarkRoundTrips/(\w+)/(\S+?)(?:-\d+)?\s+\d+\s+[\d.]+ ns/op\s+([\d.]+) floor-ms\s+([\d.]+) ms`)

type measure struct {
	floor float64
	ms    []float64
}

type results struct {
	tasks []string
	ways  map[string][]string
	m     map[[2]string]*measure
}

func parse(out []byte) *results {
	r := &results{ways: map[string][]string{}, m: map[[2]string]*measure{}}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		g := lineRE.FindStringSubmatch(sc.Text())
		if g == nil {
			continue
		}
		k := [2]string{g[1], g[2]}
		m := r.m[k]
		if m == nil {
			m = &measure{}
			r.m[k] = m
			if !slices.Contains(r.tasks, k[0]) {
				r.tasks = append(r.tasks, k[0])
			}
			r.ways[k[0]] = append(r.ways[k[0]], k[1])
		}
		m.floor, _ = strconv.ParseFloat(g[3], 64)
		ms, _ := strconv.ParseFloat(g[4], 64)
		m.ms = append(m.ms, ms)
	}
	return r
}

func median(v []float64) float64 {
	s := slices.Clone(v)
	slices.Sort(s)
	if len(s) == 0 {
		return 0
	}
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

var titles = map[string]string{
	"list":   "list 20,000 snapshots (pages of 1000)",
	"check":  "check 5,000 desktops' images",
	"delete": "delete 35 volumes and wait",
}

var wayTitles = map[string]string{
	"sdk-c1": "sdk, WithConcurrency(1)",
	"sdk":    "sdk, default concurrency",
	"vendor": "vendor, one request at a time",
}

// The targets of the SDK at its default concurrency, for list and check.
const (
	targetVsVendor = 5.0 // at least this many times faster than the vendor's client
	targetVsFloor  = 1.3 // within this of the floor
)

// printTable prints the table; false when a target is missed or a measure
// is missing.
func printTable(w io.Writer, r *results) bool {
	if len(r.tasks) == 0 {
		fmt.Fprintln(w, "no BenchmarkRoundTrips results")
		return false
	}
	ok := true
	fmt.Fprintln(w, "| task | client | time (median) | floor | time / floor | vendor / this | target |")
	fmt.Fprintln(w, "|---|---|---:|---:|---:|---:|---|")
	for _, task := range r.tasks {
		vendor := r.m[[2]string{task, "vendor"}]
		for _, way := range r.ways[task] {
			m := r.m[[2]string{task, way}]
			ms := median(m.ms)
			vs := "—"
			var ratio float64
			if vendor != nil && way != "vendor" {
				ratio = median(vendor.ms) / ms
				vs = fmt.Sprintf("%.1fx", ratio)
			}
			target := ""
			if way == "sdk" && task != "delete" {
				holds := ratio >= targetVsVendor && ms/m.floor <= targetVsFloor
				target = fmt.Sprintf("≥ %.0fx vendor, ≤ %.1fx floor: %s", targetVsVendor, targetVsFloor, map[bool]string{true: "holds", false: "MISSED"}[holds])
				ok = ok && holds
			}
			fmt.Fprintf(w, "| %s | %s | %.0f ms | %.0f ms | %.2fx | %s | %s |\n", titles[task], wayTitles[way], ms, m.floor, ms/m.floor, vs, target)
		}
	}
	return ok
}
