package workspacetest

import (
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hwcloud-go/workspace"
	"github.com/hwcloud-go/workspace/internal/wire"
)

// The fast encoding of a snapshot page is json.Marshal's, byte for byte.
func TestEncodeSnapshotPageAsJSONMarshal(t *testing.T) {
	t.Parallel()
	fifty := 50
	tests := []struct {
		name  string
		snaps []wire.Snapshot
	}{
		{name: "empty page", snaps: []wire.Snapshot{}},
		{name: "nil page", snaps: nil},
		{name: "plain", snaps: []wire.Snapshot{{
			ID: "s-1", Name: "nightly", DesktopID: "d-1", DesktopName: "desk", DesktopSID: "S-1-5", DesktopPoolID: "p",
			IsSystemDisk: true, Status: "create_success", Process: &fifty, Description: "ok",
			CreateTime: wire.Time(time.Date(2024, 3, 1, 2, 0, 0, 0, time.UTC)), CreateType: "AUTO",
		}}},
		{name: "strings that need escaping", snaps: []wire.Snapshot{
			{ID: `q"uote\back`, Name: "<b>&amp;</b>", Description: "tab\tnew\nline\x00", DesktopName: "桌面-二 ✓", RestoreFailReason: "bad \xff utf-8", CreateType: "\u2028"},
			{ID: "s-2", LastRestoreTime: wire.Time(time.Date(2024, 4, 21, 0, 0, 0, 0, time.FixedZone("x", -5*3600)))},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := wire.SnapshotPage{Snapshots: tt.snaps, TotalCount: 12345}
			want, err := json.Marshal(p)
			require.NoError(t, err)
			assert.Equal(t, string(want), string(encodeSnapshotPage(p)))
		})
	}
}

// The fast encoding of check-images' answer is json.Marshal's, byte for
// byte.
func TestEncodeImagesAsJSONMarshal(t *testing.T) {
	t.Parallel()
	for _, infos := range [][]wire.ImageInfo{
		nil, {},
		{{DesktopID: "d-1", ImageID: "i-1", ImageName: "Windows 11", ImageType: "gold", OSType: "Windows"}, {}},
		{{DesktopID: `q"uote\`, ImageName: "<b>&amp;</b> 桌面 \xff", ImageType: "tab\t", OSType: "\u2028"}},
	} {
		want, err := json.Marshal(wire.Images{ImageInfos: infos})
		require.NoError(t, err)
		assert.Equal(t, string(want), string(appendImages(nil, wire.Images{ImageInfos: infos})))
		assert.Equal(t, "x"+string(want), string(appendImages([]byte("x"), wire.Images{ImageInfos: infos})), "appended")
	}
}

// A page of stored snapshots is json.Marshal's encoding of them as they
// are now, however they changed since the last page was encoded: the
// encodings kept (snapshotJSONLocked) never go stale.
func TestSnapshotPageFollowsChanges(t *testing.T) {
	t.Parallel()
	s := NewServer()
	t.Cleanup(s.Close)
	for i := range 5 {
		s.AddSnapshot(workspace.Snapshot{ID: fmt.Sprintf("s-%d", i), Name: fmt.Sprintf("n%d", i), Status: "create_success",
			CreateTime: time.Date(2024, 3, 1, 2, 0, i, 0, time.UTC), CreateType: "AUTO"})
	}
	check := func(q url.Values) {
		t.Helper()
		got, e := s.listSnapshots(q)
		require.Nil(t, e)
		s.mu.Lock()
		all := make([]wire.Snapshot, 0, len(s.st.snapshots))
		for _, sn := range s.st.snapshots {
			all = append(all, toWireSnapshot(sn))
		}
		s.mu.Unlock()
		want := wire.SnapshotPage{Snapshots: all, TotalCount: len(all)}
		if q.Get("sort_type") == "DESC" {
			slices.Reverse(want.Snapshots)
		}
		if o, _ := strconv.Atoi(q.Get("offset")); o > 0 {
			want.Snapshots = want.Snapshots[min(o, len(want.Snapshots)):]
		}
		b, err := json.Marshal(want)
		require.NoError(t, err)
		page := got.(pooledJSON)
		assert.Equal(t, string(b), string(*page.buf))
		page.release()
	}
	check(nil)
	s.mu.Lock()
	p := 10
	s.st.snapshots[1].Process = &p
	s.st.snapshots[2].Description = "<changed> & \"quoted\""
	s.mu.Unlock()
	check(nil)
	s.mu.Lock()
	*s.st.snapshots[1].Process = 60 // in place: the same pointer
	s.st.snapshots[3].LastRestoreTime = time.Date(2024, 4, 1, 0, 0, 0, 0, time.UTC)
	s.mu.Unlock()
	check(nil)
	s.mu.Lock()
	s.st.snapshots = slices.Delete(s.st.snapshots, 0, 1) // every index moves
	s.mu.Unlock()
	check(nil)
	check(url.Values{"offset": {"2"}})
	check(url.Values{"sort_field": {"create_time"}, "sort_type": {"DESC"}})
	check(url.Values{"status": {"create_success"}})
	s.AddSnapshot(workspace.Snapshot{ID: "s-new", CreateTime: time.Date(2024, 3, 2, 0, 0, 0, 0, time.UTC)})
	check(nil)
}
