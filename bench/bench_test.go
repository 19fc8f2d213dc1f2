package bench

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"sync"
	"testing"
	"time"

	vendorcore "github.com/huaweicloud/huaweicloud-sdk-go-v3/core"
	vendorbasic "github.com/huaweicloud/huaweicloud-sdk-go-v3/core/auth/basic"
	vendorws "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/workspace/v2"
	vendormodel "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/workspace/v2/model"
	"github.com/hwcloud-go/workspace"
	"github.com/hwcloud-go/workspace/workspacetest"
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

// The round-trip benchmarks: what a user feels against a real endpoint is
// the number of round trips in a row. The fake answers every request
// after rtLatency; the tasks are those of the bulk work:
//
//   - list: every one of rtSnapshots snapshots, in pages of 1000;
//   - check: the images of rtDesktops desktops (the API takes 500 ids a call);
//   - delete: rtVolumes volumes of a pool (10 a call), each job waited for.
//
// Each runs through this SDK at WithConcurrency(1) (sdk-c1) and at its
// default (sdk), and through the vendor's client the way its user would
// write it (one page, one chunk, one poll at a time). The floor of a
// concurrency is the fewest round trips the API allows at it, times
// rtLatency: it is reported as floor-ms beside each measure, and
// round-trips as what the SDK needed at most. cmd/roundtrips prints the
// table and the ratios.
const (
	rtLatency   = 20 * time.Millisecond
	rtSnapshots = 20_000
	rtDesktops  = 5_000
	rtVolumes   = 35
	rtPageLimit = 1000
	rtPool      = "pool-bulk"
	rtWait      = 5 * time.Millisecond // the SDK's poll interval; the fake's jobs end by the next request
	// rtDefaultConcurrency is the SDK's default WithConcurrency, which the
	// floor of the "sdk" rows assumes (the library's own tests pin it).
	rtDefaultConcurrency = 8
)

// rtFixture is the fake, seeded, and the clients.
type rtFixture struct {
	srv        *workspacetest.Server
	desktopIDs []string
	sdk1, sdk  *workspace.Client
	vendor     *vendorws.WorkspaceClient
}

var (
	rtOnce sync.Once
	rt     *rtFixture
	rtErr  error
)

func roundTripFixture(b *testing.B) *rtFixture {
	rtOnce.Do(func() { rt, rtErr = newRTFixture() })
	if rtErr != nil {
		b.Fatal(rtErr)
	}
	return rt
}

func newRTFixture() (*rtFixture, error) {
	srv := workspacetest.NewServer(workspacetest.WithProjectID(benchProjectID), workspacetest.WithAccessKey(benchAK, benchSK))
	f := &rtFixture{srv: srv}
	img := srv.AddImage(workspacetest.Image{ID: "img-1", Name: "Windows 11", Type: "gold", OSType: "Windows"})
	srv.AddPool(workspacetest.Pool{ID: rtPool, Name: "bulk", ProductID: "p-1", ImageID: img.ID})
	for i := range rtDesktops {
		d := srv.AddDesktop(workspacetest.Desktop{ID: fmt.Sprintf("desk-%05d", i), Name: fmt.Sprintf("d%05d", i), PoolID: rtPool, ProductID: "p-1", ImageID: img.ID})
		f.desktopIDs = append(f.desktopIDs, d.ID)
	}
	for i := range rtSnapshots {
		srv.AddSnapshot(workspace.Snapshot{
			ID: fmt.Sprintf("0b5a1c2d-%08d-4e5f-9a8b-7c6d5e4f3a2b", i), Name: fmt.Sprintf("auto-snapshot-%d", i),
			DesktopID: f.desktopIDs[i%rtDesktops], Status: workspace.SnapshotStatus("create_success"),
			Description: "nightly snapshot", CreateTime: time.Date(2024, 3, 1, 2, 0, 0, 0, time.UTC), CreateType: workspace.CreateType("AUTO"),
		})
	}
	var err error
	creds := workspace.WithAccessKey(benchAK, benchSK)
	if f.sdk1, err = srv.NewClient(creds, workspace.WithConcurrency(1), workspace.WithWaitInterval(rtWait)); err != nil {
		return nil, err
	}
	if f.sdk, err = srv.NewClient(creds, workspace.WithWaitInterval(rtWait)); err != nil {
		return nil, err
	}
	cred, err := vendorbasic.NewCredentialsBuilder().WithAk(benchAK).WithSk(benchSK).WithProjectId(benchProjectID).SafeBuild()
	if err != nil {
		return nil, err
	}
	var hb *vendorcore.HcHttpClientBuilder = vendorws.WorkspaceClientBuilder()
	hc, err := hb.WithEndpoints([]string{srv.URL}).WithCredential(cred).SafeBuild()
	if err != nil {
		return nil, err
	}
	f.vendor = vendorws.NewWorkspaceClient(hc)
	srv.SetLatency(rtLatency)
	return f, nil
}

// addVolumes gives the pool rtVolumes volumes to delete and returns them.
func (f *rtFixture) addVolumes() ([]workspace.VolumeInfo, error) {
	vs := make([]workspace.VolumeInfo, 0, rtVolumes)
	for range rtVolumes {
		v, err := f.srv.AddVolume(rtPool, workspace.VolumeInfo{Type: "SSD", Size: 50})
		if err != nil {
			return nil, err
		}
		vs = append(vs, workspace.VolumeInfo{ID: v.ID})
	}
	return vs, nil
}

// ceilDiv is a/b rounded up.
func ceilDiv(a, b int) int { return (a + b - 1) / b }

// listRoundTrips is the fewest round trips in a row that list n items in
// pages of limit at concurrency conc: the first page alone (its
// total_count says how many follow), then the rest conc at a time.
func listRoundTrips(n, limit, conc int) int { return 1 + ceilDiv(ceilDiv(n, limit)-1, conc) }

// rtTask is one task done one way.
type rtTask struct {
	name   string
	floor  int // round trips in a row at the least
	run    func(ctx context.Context, vols []workspace.VolumeInfo) (int, error)
	delete bool // needs fresh volumes before each run
}

func (f *rtFixture) tasks() map[string][]rtTask {
	chunks := ceilDiv(rtDesktops, workspace.MaxCheckImagesDesktops)
	deletes := 2 * ceilDiv(rtVolumes, workspace.MaxVolumesPerBatchDelete) // each chunk's call and one poll
	sdkList := func(c *workspace.Client) func(ctx context.Context, _ []workspace.VolumeInfo) (int, error) {
		return func(ctx context.Context, _ []workspace.VolumeInfo) (int, error) {
			n := 0
			for _, err := range c.Snapshots.All(ctx, &workspace.ListSnapshotsOptions{Limit: rtPageLimit}) {
				if err != nil {
					return n, err
				}
				n++
			}
			return n, nil
		}
	}
	sdkCheck := func(c *workspace.Client) func(ctx context.Context, _ []workspace.VolumeInfo) (int, error) {
		return func(ctx context.Context, _ []workspace.VolumeInfo) (int, error) {
			infos, err := c.Desktops.CheckImages(ctx, f.desktopIDs)
			return len(infos), err
		}
	}
	sdkDelete := func(c *workspace.Client) func(ctx context.Context, vols []workspace.VolumeInfo) (int, error) {
		return func(ctx context.Context, vols []workspace.VolumeInfo) (int, error) {
			jobs, err := c.DesktopPools.BatchDeleteVolumesAndWait(ctx, rtPool, &workspace.BatchDeleteVolumesRequest{Volumes: vols}, nil)
			return len(jobs), err
		}
	}
	return map[string][]rtTask{
		"list": {
			{name: "sdk-c1", floor: listRoundTrips(rtSnapshots, rtPageLimit, 1), run: sdkList(f.sdk1)},
			{name: "sdk", floor: listRoundTrips(rtSnapshots, rtPageLimit, rtDefaultConcurrency), run: sdkList(f.sdk)},
			{name: "vendor", floor: listRoundTrips(rtSnapshots, rtPageLimit, 1), run: f.vendorList},
		},
		"check": {
			{name: "sdk-c1", floor: chunks, run: sdkCheck(f.sdk1)},
			{name: "sdk", floor: ceilDiv(chunks, rtDefaultConcurrency), run: sdkCheck(f.sdk)},
			{name: "vendor", floor: chunks, run: f.vendorCheck},
		},
		"delete": {
			{name: "sdk-c1", floor: deletes, run: sdkDelete(f.sdk1), delete: true},
			{name: "sdk", floor: deletes, run: sdkDelete(f.sdk), delete: true},
			{name: "vendor", floor: deletes, run: f.vendorDelete, delete: true},
		},
	}
}

// vendorList pages through the snapshots with the vendor's client, one
// page after another, as its users do.
func (f *rtFixture) vendorList(context.Context, []workspace.VolumeInfo) (int, error) {
	n := 0
	limit := int32(rtPageLimit)
	for offset := int32(0); ; offset += limit {
		o := offset
		resp, err := f.vendor.ListDesktopSnapshot(&vendormodel.ListDesktopSnapshotRequest{Offset: &o, Limit: &limit})
		if err != nil {
			return n, err
		}
		if resp.DesktopSnapshots == nil {
			return n, nil
		}
		n += len(*resp.DesktopSnapshots)
		if len(*resp.DesktopSnapshots) < int(limit) || resp.TotalCount == nil || int(offset+limit) >= int(*resp.TotalCount) {
			return n, nil
		}
	}
}

// vendorCheck checks the images 500 ids at a time, one call after another.
func (f *rtFixture) vendorCheck(context.Context, []workspace.VolumeInfo) (int, error) {
	n := 0
	for from := 0; from < len(f.desktopIDs); from += workspace.MaxCheckImagesDesktops {
		ids := f.desktopIDs[from:min(from+workspace.MaxCheckImagesDesktops, len(f.desktopIDs))]
		resp, err := f.vendor.CheckDesktopImages(&vendormodel.CheckDesktopImagesRequest{Body: &vendormodel.CheckDesktopImagesReq{DesktopIds: &ids}})
		if err != nil {
			return n, err
		}
		if resp.ImageInfos != nil {
			n += len(*resp.ImageInfos)
		}
	}
	return n, nil
}

// vendorDelete deletes the volumes 10 at a time, polling each job until
// it is done before the next chunk.
func (f *rtFixture) vendorDelete(ctx context.Context, vols []workspace.VolumeInfo) (int, error) {
	jobs := 0
	for from := 0; from < len(vols); from += workspace.MaxVolumesPerBatchDelete {
		var vv []vendormodel.DeleteDesktopPoolVolumesReqVolumes
		for _, v := range vols[from:min(from+workspace.MaxVolumesPerBatchDelete, len(vols))] {
			vv = append(vv, vendormodel.DeleteDesktopPoolVolumesReqVolumes{Id: v.ID})
		}
		resp, err := f.vendor.DeleteDesktopPoolVolumes(&vendormodel.DeleteDesktopPoolVolumesRequest{PoolId: rtPool, Body: &vendormodel.DeleteDesktopPoolVolumesReq{Volumes: &vv}})
		if err != nil {
			return jobs, err
		}
		jobs++
		for {
			job, err := f.vendor.ShowJob(&vendormodel.ShowJobRequest{JobId: *resp.JobId})
			if err != nil {
				return jobs, err
			}
			if job.Status != nil && (*job.Status == "SUCCESS" || *job.Status == "FAIL" || *job.Status == "FAILED") {
				if *job.Status != "SUCCESS" {
					return jobs, fmt.Errorf("job %s: %s", *resp.JobId, *job.Status)
				}
				break
			}
			if err := sleepCtx(ctx, rtWait); err != nil {
				return jobs, err
			}
		}
	}
	return jobs, nil
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// BenchmarkRoundTrips runs each task each way:
// BenchmarkRoundTrips/<task>/<way>, with floor-ms (the floor's round
// trips times the latency) and ms (the measure) reported. cmd/roundtrips
// prints them as a table with the ratios.
//
//	go test -run '^$' -bench BenchmarkRoundTrips -benchtime 5x .
func BenchmarkRoundTrips(b *testing.B) {
	f := roundTripFixture(b)
	want := map[string]int{"list": rtSnapshots, "check": rtDesktops, "delete": ceilDiv(rtVolumes, workspace.MaxVolumesPerBatchDelete)}
	tasks := f.tasks()
	for _, name := range []string{"list", "check", "delete"} {
		b.Run(name, func(b *testing.B) {
			for _, t := range tasks[name] {
				b.Run(t.name, func(b *testing.B) {
					ctx := context.Background()
					var elapsed time.Duration
					b.ResetTimer()
					for i := 0; i < b.N; i++ {
						var vols []workspace.VolumeInfo
						if t.delete {
							b.StopTimer()
							var err error
							if vols, err = f.addVolumes(); err != nil {
								b.Fatal(err)
							}
							b.StartTimer()
						}
						start := time.Now()
						got, err := t.run(ctx, vols)
						elapsed += time.Since(start)
						if err != nil {
							b.Fatal(err)
						}
						if got != want[name] {
							b.Fatalf("%s/%s: got %d, want %d", name, t.name, got, want[name])
						}
					}
					b.ReportMetric(float64(t.floor*int(rtLatency/time.Microsecond))/1000, "floor-ms")
					b.ReportMetric(float64(elapsed.Microseconds())/1000/float64(b.N), "ms")
				})
			}
		})
	}
}
