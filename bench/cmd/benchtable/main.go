// Command benchtable runs the benchmarks of the bench module with
// `go test -bench`, takes the median of each measure over -count runs and
// prints a table of each implementation's ratio to hand-written net/http,
// with the SDK's targets checked, then the binary cost of the SDK.
//
// Run it from the bench directory: `go run ./cmd/benchtable -count 6`.
package main

import (
	"bufio"
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
)

func main() {
	count := flag.Int("count", 6, "runs of each benchmark; the table shows medians")
	benchtime := flag.String("benchtime", "300ms", "go test -benchtime of each run")
	bench := flag.String("bench", ".", "go test -bench pattern")
	input := flag.String("input", "", "read `go test -bench` output from this file instead of running it")
	sizes := flag.Bool("size", true, "measure the binary cost")
	verbose := flag.Bool("v", false, "echo the go test output to stderr")
	flag.Parse()

	var out []byte
	if *input != "" {
		var err error
		if out, err = os.ReadFile(*input); err != nil {
			fatal(err)
		}
	} else {
		var err error
		if out, err = runRounds(*count, *bench, *benchtime, *verbose); err != nil {
			fatal(err)
		}
	}
	res, meta := parse(out)
	if len(res.samples) == 0 {
		fatal(errors.New("no benchmark results in the output"))
	}
	printTable(os.Stdout, res, meta)
	if *sizes {
		if err := printSizes(os.Stdout); err != nil {
			fatal(err)
		}
	}
}

// runRounds builds the benchmarks once and runs the whole suite count
// times, one run of each benchmark per round: a burst of load from
// elsewhere then hits every implementation of a round alike, and the
// ratios are taken round by round.
func runRounds(count int, bench, benchtime string, verbose bool) ([]byte, error) {
	dir, err := os.MkdirTemp("", "benchtable")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	bin := filepath.Join(dir, "bench.test")
	build := exec.Command("go", "test", "-c", "-o", bin, ".")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		return nil, fmt.Errorf("go test -c: %w", err)
	}
	var all bytes.Buffer
	for round := 1; round <= count; round++ {
		args := []string{"-test.run", "^$", "-test.bench", bench, "-test.benchmem", "-test.count", "1", "-test.benchtime", benchtime}
		fmt.Fprintf(os.Stderr, "benchtable: round %d/%d: go test -run '^$' -bench %s -benchmem -count 1 -benchtime %s\n", round, count, bench, benchtime)
		cmd := exec.Command(bin, args...)
		var buf bytes.Buffer
		cmd.Stdout = &buf
		if verbose {
			cmd.Stdout = io.MultiWriter(&buf, os.Stderr)
		}
		cmd.Stderr = os.Stderr
		if err := cmd.Run(); err != nil {
			os.Stderr.Write(buf.Bytes())
			return nil, fmt.Errorf("benchmarks: %w", err)
		}
		all.Write(buf.Bytes())
	}
	return all.Bytes(), nil
}

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "benchtable:", err)
	os.Exit(1)
}

// sample is every run of one benchmark.
type sample struct {
	ns, bytes, allocs []float64
}

// key is one benchmark: its case and implementation.
type key struct{ cas, impl string }

type results struct {
	samples map[key]*sample
	cases   []string            // in order of appearance
	impls   map[string][]string // per case, in order of appearance
}

// lineRE matches "BenchmarkCall/<case>/<impl>-<procs> N x ns/op y B/op z allocs/op".
var lineRE = regexp.MustCompile(`^BenchmarkCall/([^/\s]+)/(\S+?)(?:-\d+)?\s+\d+\s+([\d.]+) ns/op\s+([\d.]+) B/op\s+([\d.]+) allocs/op`)

func parse(out []byte) (*results, map[string]string) {
	r := &results{samples: map[key]*sample{}, impls: map[string][]string{}}
	meta := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		line := sc.Text()
		for _, p := range []string{"goos", "goarch", "cpu"} {
			if v, ok := strings.CutPrefix(line, p+": "); ok {
				meta[p] = v
			}
		}
		m := lineRE.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		k := key{m[1], m[2]}
		s := r.samples[k]
		if s == nil {
			s = &sample{}
			r.samples[k] = s
			if !slices.Contains(r.cases, k.cas) {
				r.cases = append(r.cases, k.cas)
			}
			r.impls[k.cas] = append(r.impls[k.cas], k.impl)
		}
		ns, _ := strconv.ParseFloat(m[3], 64)
		b, _ := strconv.ParseFloat(m[4], 64)
		a, _ := strconv.ParseFloat(m[5], 64)
		s.ns, s.bytes, s.allocs = append(s.ns, ns), append(s.bytes, b), append(s.allocs, a)
	}
	return r, meta
}

// pairedRatios is v[i]/base[i] for every round i (run i of every
// benchmark is from the same round; the table shows their median); with
// unequal counts, the one ratio of medians.
func pairedRatios(v, base []float64) []float64 {
	if len(v) != len(base) {
		return []float64{median(v) / median(base)}
	}
	r := make([]float64, len(v))
	for i := range v {
		r[i] = v[i] / base[i]
	}
	return r
}

// verdict is how a measured ratio compares with its target.
type verdict int

const (
	holds       verdict = iota
	withinNoise         // the median misses, but by less than the rounds' own scatter
	missed
)

// judgeTime compares the round-by-round time ratios with a target. The
// median decides when it is clear; when it misses by less than the
// scatter of the rounds' ratios around it (what another run on a busy
// machine could bring), the verdict is "within noise", not "missed".
func judgeTime(ratios []float64, target float64) verdict {
	m := median(ratios)
	switch {
	case m <= target:
		return holds
	case m-absSpread(ratios) <= target:
		return withinNoise
	}
	return missed
}

// absSpread is the largest distance of a value from the median.
func absSpread(v []float64) float64 {
	m := median(v)
	d := 0.0
	for _, x := range v {
		d = max(d, math.Abs(x-m))
	}
	return d
}

func median(v []float64) float64 {
	s := slices.Clone(v)
	slices.Sort(s)
	n := len(s)
	if n == 0 {
		return math.NaN()
	}
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// spread is the largest distance of a run from the median, in percent:
// for 6 runs, what benchstat's 95% interval of the median spans.
func spread(v []float64) float64 {
	return 100 * absSpread(v) / median(v)
}

// target is what the issue asks of the SDK in a case: a time ratio and an
// allocation ratio to raw net/http.
type target struct{ time, allocs float64 }

func targetFor(cas string) (target, bool) {
	switch {
	case strings.Contains(cas, "-par"):
		return target{time: 1.0, allocs: math.NaN()}, true
	case cas == "small", cas == "snap1":
		return target{time: 1.10, allocs: 1.2}, true
	case cas == "snap100":
		return target{time: 0.80, allocs: 1.0}, true
	case cas == "snap1000":
		return target{time: 0.60, allocs: 1.0}, true
	}
	return target{}, false
}

var caseTitle = map[string]string{
	"small":    "small call (inconsistent-statics)",
	"snap1":    "1 snapshot",
	"snap100":  "100 snapshots",
	"snap1000": "1000 snapshots",
}

func title(cas string) string {
	if t, ok := caseTitle[cas]; ok {
		return t
	}
	if base, n, ok := strings.Cut(cas, "-par"); ok {
		return title(base) + ", " + n + " goroutines"
	}
	return cas
}

func printTable(w io.Writer, r *results, meta map[string]string) {
	runs := 0
	for _, s := range r.samples {
		runs = max(runs, len(s.ns))
	}
	fmt.Fprintf(w, "Medians of %d rounds (each round runs every benchmark once). Time vs raw is the median of the\n", runs)
	fmt.Fprintln(w, "round-by-round ratios to raw net/http; allocs vs raw is the ratio of medians (lower is better).")
	fmt.Fprintln(w, "± is the largest distance of a round from the median.")
	if c := meta["cpu"]; c != "" {
		fmt.Fprintf(w, "cpu: %s, GOMAXPROCS %d, %s\n", c, runtime.GOMAXPROCS(0), runtime.Version())
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "| case | implementation | time/op | ± | B/op | allocs/op | time vs raw | allocs vs raw | SDK target |")
	fmt.Fprintln(w, "|---|---|---:|---:|---:|---:|---:|---:|---|")
	var misses, noisy []string
	for _, cas := range r.cases {
		base := r.samples[key{cas, "raw"}]
		for _, impl := range r.impls[cas] {
			s := r.samples[key{cas, impl}]
			ns, b, a := median(s.ns), median(s.bytes), median(s.allocs)
			tr, ar := "", ""
			var timeRatios []float64
			var allocRatio float64
			if base != nil {
				timeRatios, allocRatio = pairedRatios(s.ns, base.ns), a/median(base.allocs)
				tr, ar = fmt.Sprintf("%.2fx", median(timeRatios)), fmt.Sprintf("%.2fx", allocRatio)
			}
			text := ""
			if t, ok := targetFor(cas); ok && base != nil && impl == "sdk" {
				var v verdict
				text, v = targetVerdict(t, timeRatios, allocRatio)
				switch v {
				case withinNoise:
					noisy = append(noisy, cas+"/"+impl)
				case missed:
					misses = append(misses, cas+"/"+impl)
				}
			}
			fmt.Fprintf(w, "| %s | %s | %s | %.0f%% | %s | %.0f | %s | %s | %s |\n",
				title(cas), impl, fmtDur(ns), spread(s.ns), fmtBytes(b), a, tr, ar, text)
		}
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, summary(misses, noisy))
	fmt.Fprintln(w)
}

// targetVerdict checks one SDK row against its target. Allocation counts
// hardly vary between rounds, so an allocation miss is always a miss; a
// time ratio that misses by less than the rounds' scatter is "within
// noise".
func targetVerdict(t target, timeRatios []float64, allocRatio float64) (string, verdict) {
	text := fmt.Sprintf("time ≤ %.2fx", t.time)
	v := judgeTime(timeRatios, t.time)
	if !math.IsNaN(t.allocs) {
		text += fmt.Sprintf(", allocs ≤ %.1fx", t.allocs)
		if allocRatio > t.allocs {
			v = missed
		}
	}
	switch v {
	case holds:
		text += ": holds"
	case withinNoise:
		text += fmt.Sprintf(": within noise (%.2fx ± %.2f over the rounds)", median(timeRatios), absSpread(timeRatios))
	default:
		text += ": MISSED"
	}
	return text, v
}

// summary is the line under the table.
func summary(misses, noisy []string) string {
	var parts []string
	if len(noisy) > 0 {
		parts = append(parts, fmt.Sprintf("Within noise (the median is past the target by less than the rounds' own scatter: rerun on a quiet machine or with a higher -count before calling it a regression): %s.", strings.Join(noisy, ", ")))
	}
	if len(misses) > 0 {
		parts = append(parts, fmt.Sprintf("Targets missed: %s.", strings.Join(misses, ", ")))
	}
	if len(parts) == 0 {
		return "Every SDK target holds."
	}
	return strings.Join(parts, "\n")
}

func fmtDur(ns float64) string {
	switch {
	case ns >= 1e6:
		return fmt.Sprintf("%.2f ms", ns/1e6)
	case ns >= 1e3:
		return fmt.Sprintf("%.1f µs", ns/1e3)
	}
	return fmt.Sprintf("%.0f ns", ns)
}

func fmtBytes(b float64) string {
	switch {
	case b >= 1<<20:
		return fmt.Sprintf("%.2f MiB", b/(1<<20))
	case b >= 1<<10:
		return fmt.Sprintf("%.1f KiB", b/(1<<10))
	}
	return fmt.Sprintf("%.0f B", b)
}

// printSizes builds cmd/sizeraw and cmd/sizesdk, which make the same five
// calls with net/http + encoding/json and with the SDK, stripped and not,
// and prints what the SDK adds.
func printSizes(w io.Writer) error {
	dir, err := os.MkdirTemp("", "benchtable-size")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	type build struct{ name, flags string }
	builds := []build{{"stripped (-trimpath -ldflags=\"-s -w\")", "-s -w"}, {"not stripped (-trimpath)", ""}}
	fmt.Fprintln(w, "Binary cost: a program making the five calls (cmd/sizesdk) against the same calls by hand with net/http + encoding/json (cmd/sizeraw).")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "| build | net/http + encoding/json | SDK | SDK adds | target |")
	fmt.Fprintln(w, "|---|---:|---:|---:|---|")
	for i, b := range builds {
		var size [2]int64
		for j, prog := range []string{"sizeraw", "sizesdk"} {
			bin := filepath.Join(dir, fmt.Sprintf("%s-%d", prog, i))
			args := []string{"build", "-trimpath", "-o", bin}
			if b.flags != "" {
				args = append(args, "-ldflags="+b.flags)
			}
			args = append(args, "./cmd/"+prog)
			cmd := exec.Command("go", args...)
			cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
			if err := cmd.Run(); err != nil {
				return fmt.Errorf("go build %s: %w", prog, err)
			}
			fi, err := os.Stat(bin)
			if err != nil {
				return err
			}
			size[j] = fi.Size()
		}
		diff := float64(size[1]-size[0]) / (1 << 20)
		verdict := "≤ 1.50 MiB: holds"
		if diff > 1.5 {
			verdict = "≤ 1.50 MiB: MISSED"
		}
		fmt.Fprintf(w, "| %s | %.2f MiB | %.2f MiB | %.2f MiB | %s |\n", b.name,
			float64(size[0])/(1<<20), float64(size[1])/(1<<20), diff, verdict)
	}
	return nil
}
