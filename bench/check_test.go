package bench

import (
	"context"
	"testing"
	"time"

	"github.com/hwcloud-go/workspace"
)

// TestImplementationsAgree checks that every implementation decodes the
// same data, so that the benchmarks compare equal work. It is not timed.
func TestImplementationsAgree(t *testing.T) {
	ctx := context.Background()
	snaps := makeFixtureSnapshots(benchSnapshots)
	impls := append(parImpls(), namedImpl{"sdk-aksk", sdkAKSK}, namedImpl{"raw+go-json", rawGoJSON}, namedImpl{"raw+jsonv2", rawJSONv2})
	for _, ni := range impls {
		st, err := ni.impl.stats(ctx)
		if err != nil {
			t.Fatalf("%s stats: %v", ni.name, err)
		}
		if st.n != 11 {
			t.Errorf("%s stats: sum %d, want 11", ni.name, st.n)
		}
		for _, n := range []int{1, 100, 1000} {
			s, err := ni.impl.snapshots(ctx, n)
			if err != nil {
				t.Fatalf("%s snapshots(%d): %v", ni.name, n, err)
			}
			want := summary{n: n, firstID: snaps[0].SnapshotID, lastName: snaps[n-1].SnapshotName}
			if ni.name != "vendor" {
				ct, _ := time.Parse(time.RFC3339, snaps[n-1].CreateTime)
				want.lastTime = ct.Unix()
			}
			if s != want {
				t.Errorf("%s snapshots(%d) = %+v, want %+v", ni.name, n, s, want)
			}
		}
	}
}

// TestSDKMatchesRaw compares every field the SDK decodes with the
// hand-written decoding of the same page.
func TestSDKMatchesRaw(t *testing.T) {
	ctx := context.Background()
	page, err := sdkToken.c.Snapshots.List(ctx, &workspace.ListSnapshotsOptions{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	var rp rawSnapshotPage
	if err := raw.get(ctx, "/v2/"+benchProjectID+"/snapshots?limit=1000", &rp); err != nil {
		t.Fatal(err)
	}
	if page.TotalCount != rp.TotalCount || len(page.Items) != len(rp.Snapshots) {
		t.Fatalf("total %d/%d, items %d/%d", page.TotalCount, rp.TotalCount, len(page.Items), len(rp.Snapshots))
	}
	for i, s := range page.Items {
		r := rp.Snapshots[i]
		got := rawSnapshot{
			ID: s.ID, Name: s.Name, DesktopID: s.DesktopID, DesktopName: s.DesktopName, DesktopSID: s.DesktopSID,
			DesktopPoolID: s.DesktopPoolID, IsSystemDisk: s.IsSystemDisk, Status: string(s.Status), Process: s.Process,
			Description: s.Description, CreateTime: s.CreateTime, LastRestoreTime: s.LastRestoreTime,
			CreateType: string(s.CreateType), RestoreFailReason: s.RestoreFailReason,
		}
		if (got.Process == nil) != (r.Process == nil) || (got.Process != nil && *got.Process != *r.Process) {
			t.Fatalf("snapshot %d: process %v, raw %v", i, got.Process, r.Process)
		}
		got.Process, r.Process = nil, nil
		if !got.CreateTime.Equal(r.CreateTime) || !got.LastRestoreTime.Equal(r.LastRestoreTime) {
			t.Fatalf("snapshot %d: times differ: %+v vs %+v", i, got, r)
		}
		got.CreateTime, r.CreateTime, got.LastRestoreTime, r.LastRestoreTime = time.Time{}, time.Time{}, time.Time{}, time.Time{}
		if got != r {
			t.Fatalf("snapshot %d: %+v, raw %+v", i, got, r)
		}
	}
}
