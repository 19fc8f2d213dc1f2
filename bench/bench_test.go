package bench

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"testing"
)

// parallelGoroutines is the number of goroutines of the parallel
// variants, whatever GOMAXPROCS is.
const parallelGoroutines = 16

// namedImpl is an implementation with the name the table shows.
type namedImpl struct {
	name string
	impl benchImpl
}

var (
	benchBase  string
	raw        *rawImpl
	rawTuned   *rawImpl
	rawGoJSON  *rawImpl // raw net/http decoding with github.com/goccy/go-json
	rawJSONv2  *rawImpl // raw net/http decoding with github.com/go-json-experiment/json
	sdkToken   *sdkImpl
	sdkAKSK    *sdkImpl
	restyPlain *restyImpl
	vendor     *vendorImpl // nil when the vendor SDK could not be set up
	sink       summary
)

func TestMain(m *testing.M) {
	srv := newBenchServer()
	benchBase = srv.URL
	raw = newRawImpl(srv.URL, false)
	rawTuned = newRawImpl(srv.URL, true)
	rawGoJSON, rawJSONv2 = newRawImpl(srv.URL, false), newRawImpl(srv.URL, false)
	rawGoJSON.decode, rawJSONv2.decode = decodeGoJSON, decodeJSONv2
	restyPlain = newRestyImpl(srv.URL)
	var err error
	if sdkToken, err = newSDKImpl(srv.URL, false); err != nil {
		fmt.Fprintln(os.Stderr, "bench: SDK:", err)
		os.Exit(1)
	}
	if sdkAKSK, err = newSDKImpl(srv.URL, true); err != nil {
		fmt.Fprintln(os.Stderr, "bench: SDK (AK/SK):", err)
		os.Exit(1)
	}
	if err = newTelemetryImpls(srv.URL); err != nil {
		fmt.Fprintln(os.Stderr, "bench: SDK with telemetry:", err)
		os.Exit(1)
	}
	if vendor, err = newVendorImpl(srv.URL); err != nil {
		fmt.Fprintln(os.Stderr, "bench: vendor SDK left out:", err)
		vendor = nil
	}
	code := m.Run()
	srv.Close()
	os.Exit(code)
}

// benchCase is one row group of the table.
type benchCase struct {
	name     string
	parallel bool
	call     func(benchImpl, context.Context) (summary, error)
	impls    func() []namedImpl
}

func statsCall(i benchImpl, ctx context.Context) (summary, error) { return i.stats(ctx) }

func snapshotsCall(limit int) func(benchImpl, context.Context) (summary, error) {
	return func(i benchImpl, ctx context.Context) (summary, error) { return i.snapshots(ctx, limit) }
}

// seqImpls are the implementations of the sequential cases, raw first.
func seqImpls(withAKSK bool) func() []namedImpl {
	return func() []namedImpl {
		l := []namedImpl{{"raw", raw}, {"sdk", sdkToken}}
		if withAKSK {
			l = append(l, namedImpl{"sdk-aksk", sdkAKSK})
		}
		l = append(l, namedImpl{"resty", restyPlain})
		if vendor != nil {
			l = append(l, namedImpl{"vendor", vendor})
		}
		return l
	}
}

// decoderImpls adds raw net/http with two faster JSON decoders: what a
// decoder alone would change, measured here so that neither has to enter
// the library's go.mod to be judged.
func decoderImpls() []namedImpl {
	return append(seqImpls(false)(), namedImpl{"raw+go-json", rawGoJSON}, namedImpl{"raw+jsonv2", rawJSONv2})
}

// parImpls adds raw net/http with an idle pool sized like the SDK's, to
// show how much of a parallel gain is only the transport's setting.
func parImpls() []namedImpl {
	l := seqImpls(false)()
	return append(l[:1:1], append([]namedImpl{{"raw-tuned", rawTuned}}, l[1:]...)...)
}

var benchCases = []benchCase{
	{name: "small", call: statsCall, impls: withTelemetry(seqImpls(true))},
	{name: "snap1", call: snapshotsCall(1), impls: seqImpls(false)},
	{name: "snap100", call: snapshotsCall(100), impls: withTelemetry(decoderImpls)},
	{name: "snap1000", call: snapshotsCall(1000), impls: decoderImpls},
	{name: fmt.Sprintf("small-par%d", parallelGoroutines), parallel: true, call: statsCall, impls: withTelemetry(parImpls)},
	{name: fmt.Sprintf("snap100-par%d", parallelGoroutines), parallel: true, call: snapshotsCall(100), impls: parImpls},
}

// BenchmarkCall runs every case through every implementation:
// BenchmarkCall/<case>/<implementation>.
func BenchmarkCall(b *testing.B) {
	ctx := context.Background()
	for _, bc := range benchCases {
		b.Run(bc.name, func(b *testing.B) {
			for _, ni := range bc.impls() {
				b.Run(ni.name, func(b *testing.B) {
					// One call outside the timing: dial and warm the pool.
					if _, err := bc.call(ni.impl, ctx); err != nil {
						b.Fatal(err)
					}
					b.ReportAllocs()
					if !bc.parallel {
						b.ResetTimer()
						for i := 0; i < b.N; i++ {
							s, err := bc.call(ni.impl, ctx)
							if err != nil {
								b.Fatal(err)
							}
							sink = s
						}
						return
					}
					procs := runtime.GOMAXPROCS(0)
					b.SetParallelism((parallelGoroutines + procs - 1) / procs)
					b.ResetTimer()
					b.RunParallel(func(pb *testing.PB) {
						var last summary
						for pb.Next() {
							s, err := bc.call(ni.impl, ctx)
							if err != nil {
								b.Error(err)
								return
							}
							last = s
						}
						_ = last
					})
				})
			}
		})
	}
}
