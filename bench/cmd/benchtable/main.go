// Command benchtable runs the benchmarks of the bench module with
// `go test -bench`, takes the median of each measure over -count runs and
// prints a table of each implementation's ratio to hand-written net/http,
// with the SDK's targets checked, then the binary cost of the SDK. With
// -go local,go1.27.3 it builds and runs the suite under each Go release
// (rounds interleaved) and shows their measures side by side.
//
// Run it from the bench directory: `go run ./cmd/benchtable -count 6`.
package main

import (
	"bufio"
	"bytes"
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
	goList := flag.String("go", "", "comma-separated `GOTOOLCHAIN` values (e.g. local,go1.27.3) to run under, shown side by side; empty: the go command as it is")
	flag.Parse()

	tcs, err := toolchains(*goList)
	if err != nil {
		fatal(err)
	}
	var outs [][]byte
	if *input != "" {
		files := strings.Split(*input, ",")
		if len(files) != len(tcs) {
			fatal(fmt.Errorf("-input names %d files for %d toolchains", len(files), len(tcs)))
		}
		for _, f := range files {
			out, err := os.ReadFile(f)
			if err != nil {
				fatal(err)
			}
			outs = append(outs, out)
		}
	} else if outs, err = runRounds(tcs, *count, *bench, *benchtime, *verbose); err != nil {
		fatal(err)
	}
	var all []*results
	var meta map[string]string
	for i, out := range outs {
		res, m := parse(out)
		if len(res.samples) == 0 {
			fatal(fmt.Errorf("no benchmark results in the output of %s", tcs[i].version))
		}
		all, meta = append(all, res), m
	}
	if len(all) == 1 {
		printTable(os.Stdout, all[0], meta, tcs[0].version)
	} else {
		printSideBySide(os.Stdout, all, tcs, meta)
	}
	if *sizes {
		for _, tc := range tcs {
			if err := printSizes(os.Stdout, tc); err != nil {
				fatal(err)
			}
		}
	}
}

// runRounds builds the benchmarks once per toolchain and runs the whole
// suite count times, one run of each benchmark per round and toolchain: a
// burst of load from elsewhere then hits every implementation of a round
// alike, and the ratios are taken round by round. It returns the output
// of each toolchain.
func runRounds(tcs []toolchain, count int, bench, benchtime string, verbose bool) ([][]byte, error) {
	dir, err := os.MkdirTemp("", "benchtable")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	bins := make([]string, len(tcs))
	for i, tc := range tcs {
		bins[i] = filepath.Join(dir, fmt.Sprintf("bench-%d.test", i))
		build := tc.command("test", "-c", "-o", bins[i], ".")
		build.Stdout, build.Stderr = os.Stderr, os.Stderr
		if err := build.Run(); err != nil {
			return nil, fmt.Errorf("go test -c (%s): %w", tc.version, err)
		}
	}
	all := make([]bytes.Buffer, len(tcs))
	for round := 1; round <= count; round++ {
		for i, tc := range tcs {
			args := []string{"-test.run", "^$", "-test.bench", bench, "-test.benchmem", "-test.count", "1", "-test.benchtime", benchtime}
			fmt.Fprintf(os.Stderr, "benchtable: round %d/%d, %s: go test -run '^$' -bench %s -benchmem -count 1 -benchtime %s\n", round, count, tc.version, bench, benchtime)
			cmd := exec.Command(bins[i], args...)
			var buf bytes.Buffer
			cmd.Stdout = &buf
			if verbose {
				cmd.Stdout = io.MultiWriter(&buf, os.Stderr)
			}
			cmd.Stderr = os.Stderr
			if err := cmd.Run(); err != nil {
				os.Stderr.Write(buf.Bytes())
				return nil, fmt.Errorf("benchmarks (%s): %w", tc.version, err)
			}
			all[i].Write(buf.Bytes())
		}
	}
	outs := make([][]byte, len(tcs))
	for i := range all {
		outs[i] = all[i].Bytes()
	}
	return outs, nil
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

// target is what the issues ask of the SDK in a case: a time ratio and an
// allocation ratio to raw net/http.
type target struct{ time, allocs float64 }

// targetFor is the target of an implementation in a case; only the SDK's
// rows have one.
func targetFor(cas, impl string) (target, bool) {
	switch {
	case impl == "sdk-aksk" && cas == "small":
		return target{time: 1.10, allocs: 1.2}, true
	case impl != "sdk":
		return target{}, false
	case strings.Contains(cas, "-par"):
		return target{time: 1.0, allocs: math.NaN()}, true
	case cas == "small":
		return target{time: 1.05, allocs: 1.2}, true
	case cas == "snap1":
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

// row is one implementation in one case, measured and judged.
type row struct {
	ns, bytes, allocs     float64 // medians
	spread                float64 // percent
	timeRatio, allocRatio float64 // to raw; NaN without raw
	text                  string  // the target and its verdict; "" without a target
	verdict               verdict
}

func makeRow(r *results, cas, impl string) row {
	w := row{ns: math.NaN(), allocs: math.NaN(), timeRatio: math.NaN(), allocRatio: math.NaN()}
	s := r.samples[key{cas, impl}]
	if s == nil {
		return w
	}
	w.ns, w.bytes, w.allocs, w.spread = median(s.ns), median(s.bytes), median(s.allocs), spread(s.ns)
	base := r.samples[key{cas, "raw"}]
	if base == nil {
		return w
	}
	timeRatios := pairedRatios(s.ns, base.ns)
	w.timeRatio, w.allocRatio = median(timeRatios), w.allocs/median(base.allocs)
	if t, ok := targetFor(cas, impl); ok {
		w.text, w.verdict = targetVerdict(t, timeRatios, w.allocRatio)
	}
	return w
}

func fmtRatio(v float64) string {
	if math.IsNaN(v) {
		return ""
	}
	return fmt.Sprintf("%.2fx", v)
}

func printHeader(w io.Writer, r *results, meta map[string]string, versions string) {
	runs := 0
	for _, s := range r.samples {
		runs = max(runs, len(s.ns))
	}
	fmt.Fprintf(w, "Medians of %d rounds (each round runs every benchmark once). Time vs raw is the median of the\n", runs)
	fmt.Fprintln(w, "round-by-round ratios to raw net/http; allocs vs raw is the ratio of medians (lower is better).")
	fmt.Fprintln(w, "± is the largest distance of a round from the median.")
	if c := meta["cpu"]; c != "" {
		fmt.Fprintf(w, "cpu: %s, GOMAXPROCS %d, %s\n", c, runtime.GOMAXPROCS(0), versions)
	}
	fmt.Fprintln(w)
}

func printTable(w io.Writer, r *results, meta map[string]string, version string) {
	printHeader(w, r, meta, version)
	fmt.Fprintln(w, "| case | implementation | time/op | ± | B/op | allocs/op | time vs raw | allocs vs raw | SDK target |")
	fmt.Fprintln(w, "|---|---|---:|---:|---:|---:|---:|---:|---|")
	var misses, noisy []string
	for _, cas := range r.cases {
		for _, impl := range r.impls[cas] {
			x := makeRow(r, cas, impl)
			if x.text != "" {
				switch x.verdict {
				case withinNoise:
					noisy = append(noisy, cas+"/"+impl)
				case missed:
					misses = append(misses, cas+"/"+impl)
				}
			}
			fmt.Fprintf(w, "| %s | %s | %s | %.0f%% | %s | %.0f | %s | %s | %s |\n",
				title(cas), impl, fmtDur(x.ns), x.spread, fmtBytes(x.bytes), x.allocs,
				fmtRatio(x.timeRatio), fmtRatio(x.allocRatio), x.text)
		}
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, summary(misses, noisy))
	fmt.Fprintln(w)
}

// printSideBySide prints one row per case and implementation with the
// measures of every toolchain next to each other; the cases and
// implementations are those of the first.
func printSideBySide(w io.Writer, all []*results, tcs []toolchain, meta map[string]string) {
	var versions []string
	for _, tc := range tcs {
		versions = append(versions, tc.version)
	}
	printHeader(w, all[0], meta, strings.Join(versions, " and "))
	head, align := "| case | implementation |", "|---|---|"
	for _, col := range []string{"time/op", "allocs/op", "time vs raw", "allocs vs raw"} {
		for _, v := range versions {
			head += " " + col + " " + strings.TrimPrefix(v, "go") + " |"
			align += "---:|"
		}
	}
	fmt.Fprintln(w, head+" SDK target |")
	fmt.Fprintln(w, align+"---|")
	var misses, noisy []string
	r0 := all[0]
	for _, cas := range r0.cases {
		for _, impl := range r0.impls[cas] {
			rows := make([]row, len(all))
			for i, r := range all {
				rows[i] = makeRow(r, cas, impl)
			}
			line := "| " + title(cas) + " | " + impl + " |"
			for _, x := range rows {
				line += " " + fmtDur(x.ns) + " |"
			}
			for _, x := range rows {
				line += fmt.Sprintf(" %.0f |", x.allocs)
			}
			for _, x := range rows {
				line += " " + fmtRatio(x.timeRatio) + " |"
			}
			for _, x := range rows {
				line += " " + fmtRatio(x.allocRatio) + " |"
			}
			var texts []string
			for i, x := range rows {
				if x.text == "" {
					continue
				}
				name := cas + "/" + impl + " (" + versions[i] + ")"
				switch x.verdict {
				case withinNoise:
					noisy = append(noisy, name)
				case missed:
					misses = append(misses, name)
				}
				text := x.text
				if i > 0 {
					// The target is the same; say only how it fares.
					_, text, _ = strings.Cut(text, ": ")
				}
				texts = append(texts, strings.TrimPrefix(versions[i], "go")+": "+text)
			}
			fmt.Fprintln(w, line+" "+strings.Join(texts, "; ")+" |")
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
func printSizes(w io.Writer, tc toolchain) error {
	dir, err := os.MkdirTemp("", "benchtable-size")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	type build struct{ name, flags string }
	builds := []build{{"stripped (-trimpath -ldflags=\"-s -w\")", "-s -w"}, {"not stripped (-trimpath)", ""}}
	fmt.Fprintf(w, "Binary cost, %s: a program making the five calls (cmd/sizesdk) against the same calls by hand with net/http + encoding/json (cmd/sizeraw).\n", tc.version)
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
			cmd := tc.command(args...)
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
	fmt.Fprintln(w)
	return nil
}
